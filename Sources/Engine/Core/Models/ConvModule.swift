/// mmcv's `ConvModule`: conv → BatchNorm → optional ReLU, registered as children `conv`, `bn` (so state-dict keys
/// read `conv1.conv.weight`, `conv1.bn.running_mean`, …). In ResNetTSM's `blockres` mode `conv` is a
/// `TemporalShift` wrapping the convolution (`conv1.conv.net.weight`).
public final class ConvModule: Layer {
    public let conv: any Layer
    public let bn: BatchNorm
    public let relu: ReLU?
    public var isTraining = true

    public init(conv: any Layer, bn: BatchNorm, activate: Bool) {
        self.conv = conv
        self.bn = bn
        self.relu = activate ? ReLU() : nil
    }

    /// The convolution itself (inside a shift wrapper if there is one).
    public var convolution: Convolution {
        if let c = conv as? Convolution { return c }
        if let s = conv as? TemporalShift, let c = s.net as? Convolution { return c }
        preconditionFailure("ConvModule without a convolution")
    }

    /// `activate` has no parameters; it is listed (as mmcv registers it) so tools that walk modules see it.
    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv", conv), ("bn", bn)]
        if let relu { c.append(("activate", relu)) }
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        let y = bn.forward(conv.forward(x))
        return relu?.forward(y) ?? y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu?.backward(dy) ?? dy
        return conv.backward(bn.backward(d))
    }
}

/// An ordered container whose children are named "0", "1", … (PyTorch `nn.Sequential`).
public final class Sequential: Layer {
    public let layers: [any Layer]
    public var isTraining = true
    public init(_ layers: [any Layer]) { self.layers = layers }
    public var children: [(String, any Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }
    public func forward(_ x: Tensor) -> Tensor { layers.reduce(x) { $1.forward($0) } }
    public func backward(_ dy: Tensor) -> Tensor { layers.reversed().reduce(dy) { $1.backward($0) } }
}
