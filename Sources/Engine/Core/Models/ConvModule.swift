/// mmcv's `ConvModule`: conv → BatchNorm → optional ReLU, registered as children `conv`, `bn` (so state-dict keys
/// read `conv1.conv.weight`, `conv1.bn.running_mean`, …). In ResNetTSM's `blockres` mode `conv` is a
/// `TemporalShift` wrapping the convolution (`conv1.conv.net.weight`).
public final class ConvModule: Layer {
    public let conv: any Layer
    public let bn: BatchNorm
    public let relu: ReLU?
    public var isTraining = true
    /// The inference path's folded weights (see `inferenceForward`).
    let folded = FoldedBatchNorm()

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
        if infers { return inferenceForward(x, residual: nil, relu: relu != nil) }
        // BN and ReLU in one pass (the same bits as one after the other), unless the ReLU keeps a frozen pattern.
        guard let relu, !relu.freezesPattern else {
            let y = bn.forward(conv.forward(x))
            return relu?.forward(y) ?? y
        }
        let y = bn.forward(conv.forward(x), relu: true)
        relu.adopt(output: y)
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu?.backward(dy) ?? dy
        return conv.backward(bn.backward(d))
    }
}

extension ConvModule {
    /// True when forward takes the inference path: this module, its convolution and its BatchNorm in eval mode, the
    /// convolution bare or behind a temporal shift. Modules in eval mode never run backward (frozen stages are
    /// skipped by the backbone's backward).
    public var infers: Bool {
        !isTraining && !bn.isTraining && !conv.isTraining && bareConvolution != nil
    }

    /// The convolution when `conv` is one, or a temporal shift around one.
    var bareConvolution: Convolution? {
        if let c = conv as? Convolution { return c }
        if let s = conv as? TemporalShift, !s.isTraining, let c = s.net as? Convolution { return c }
        return nil
    }

    /// The inference path: the BatchNorm folded into the convolution's weights and bias, then
    /// y = relu?(conv(x) + bias + residual) in one pass over each output block; nothing is saved for backward.
    /// The result equals conv → BN (running statistics) → ReLU up to float rounding.
    public func inferenceForward(_ x: Tensor, residual: Tensor?, relu: Bool) -> Tensor {
        guard let c = bareConvolution else { preconditionFailure("inference path without a convolution") }
        let input = (conv as? TemporalShift).map { TemporalShift.shift(x, segments: $0.segments, shiftDiv: $0.shiftDiv, inverse: false) } ?? x
        let f = folded.current(conv: c, bn: bn)
        return c.inferenceForward(input, weights: f.weights, bias: f.bias, residual: residual, relu: relu)
    }
}

/// A convolution's weights and bias with the following BatchNorm (running statistics) folded in:
/// w'[o] = w[o]·s[o], b'[o] = (b[o] − mean[o])·s[o] + β[o] with s = γ / √(var + eps). Kept until any of the tensors it
/// was folded from changes (a parameter update or a checkpoint load gives it new storage: `sharesStorage`).
final class FoldedBatchNorm {
    private var sources: [Tensor] = []
    private(set) var weights = Tensor.zeros([0]), bias = Tensor.zeros([0])

    func current(conv: Convolution, bn: BatchNorm) -> (weights: Tensor, bias: Tensor) {
        let now = [conv.weight.value, bn.weight.value, bn.bias.value, bn.runningMean.tensor, bn.runningVar.tensor]
            + (conv.bias.map { [$0.value] } ?? [])
        if now.count == sources.count && zip(now, sources).allSatisfy({ $0.sharesStorage(with: $1) }) { return (weights, bias) }
        let o = conv.outChannels, perChannel = conv.weight.value.count / o
        var w = Tensor(uninitialized: conv.weight.shape), b = Tensor(uninitialized: [o])
        let gamma = bn.weight.value.scalars, beta = bn.bias.value.scalars
        let mean = bn.runningMean.tensor.scalars, variance = bn.runningVar.tensor.scalars
        let convBias = conv.bias?.value.scalars
        conv.weight.value.withData { src in
            w.withMutableData { dst in
                b.withMutableData { bp in
                    for oc in 0..<o {
                        let s = gamma[oc] / (variance[oc] + bn.eps).squareRoot()
                        for i in 0..<perChannel { dst[oc * perChannel + i] = src[oc * perChannel + i] * s }
                        bp[oc] = ((convBias?[oc] ?? 0) - mean[oc]) * s + beta[oc]
                    }
                }
            }
        }
        (sources, weights, bias) = (now, w, b)
        return (w, b)
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
