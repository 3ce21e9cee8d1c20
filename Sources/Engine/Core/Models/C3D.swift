/// `C3D` arguments as read from a config (SEMANTICS.md §6.7).
public struct C3DSpec: Sendable, Equatable {
    /// `out_dim`: fc6's input, the flattened pool5 map (8192 for a 16×112×112 clip; it depends on the input size).
    public var outDim = 8192
    public var dropoutRatio: Float = 0.5
    /// `init_std`: the fcs' normal init.
    public var initStd: Float = 0.005
    /// `norm_cfg`: nil (mmaction2's default: no norm, convolutions with bias) or BatchNorm3d after every conv.
    public var norm: Norm3d?
    /// Reel extension: the first conv's width (64 in mmaction2); the others are ×2, ×4, ×4, ×8, ×8, ×8, ×8.
    public var baseChannels = 64
    /// Reel extension for tests: fc6/fc7's width (4096 in mmaction2; not a config key).
    public var hiddenChannels = 4096
    /// A local weights file (`pretrained=`), a C3D state dict loaded by name, non-strictly.
    public var pretrained: String?

    public init() {}

    /// fc7's width: what the head's in_channels must be.
    public var featureChannels: Int { hiddenChannels }

    /// The conv widths conv1a, conv2a, conv3a, conv3b, conv4a, conv4b, conv5a, conv5b.
    public var widths: [Int] { [1, 2, 4, 4, 8, 8, 8, 8].map { $0 * baseChannels } }
}

/// mmcv `norm_cfg` of a 3-D backbone: BatchNorm3d's eps and momentum, and whether its affine weights train.
public struct Norm3d: Sendable, Equatable {
    public var eps: Float = 1e-5, momentum: Float = 0.1
    public var requiresGrad = true
    public init(eps: Float = 1e-5, momentum: Float = 0.1, requiresGrad: Bool = true) {
        self.eps = eps; self.momentum = momentum; self.requiresGrad = requiresGrad
    }

    public func make(_ channels: Int) -> BatchNorm {
        let bn = BatchNorm(channels, dims: 3, eps: eps, momentum: momentum)
        if !requiresGrad { bn.weight.requiresGrad = false; bn.bias.requiresGrad = false }
        return bn
    }
}

/// mmaction2's `C3D` backbone on channel-major C×N×T×H×W clips (SEMANTICS.md §6.7): eight 3×3×3 ConvModules
/// (padding 1; with bias and no norm by default) with ReLU, max-pools pool1 (1,2,2), pool2–pool4 (2,2,2), pool5
/// (2,2,2) padded (0,1,1); the map flattened as PyTorch's `flatten(1)` of N×C×T×H×W, then fc6 + ReLU + dropout +
/// fc7 + ReLU. Output: flat features, channel-major 4096×N (I3DHead with `spatial_type=None` reads them).
/// Children and state-dict names as mmaction2's: conv1a.conv.weight/bias, …, fc6, fc7.
public final class C3D: Layer, Backbone, RandomBackbone {
    public let spec: C3DSpec
    public let convs: [(name: String, module: ConvActModule)]
    let pools: [MaxPool]
    public let fc6: Linear, fc7: Linear
    let relu6 = ReLU(), relu7 = ReLU()
    public let dropout: Dropout
    public var isTraining = true {
        didSet { dropout.isTraining = isTraining }
    }
    private var poolShape: [Int] = []
    public var featureChannels: Int { spec.featureChannels }

    /// From-scratch init as mmaction2's `pretrained=None`: Kaiming (fan_out) convs with zero bias, fcs normal(0,
    /// init_std) with zero bias, BN 1/0. The dropout mask stream is forked from `rng`.
    public init(_ spec: C3DSpec, rng: inout Philox) {
        self.spec = spec
        let names = ["conv1a", "conv2a", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b"]
        var cin = 3
        var convs: [(String, ConvActModule)] = []
        for (name, cout) in zip(names, spec.widths) {
            let conv = Conv3d(cin, cout, kernel: (3, 3, 3), padding: (1, 1, 1), bias: spec.norm == nil)
            conv.kaimingInit(rng: &rng)
            convs.append((name, ConvActModule(conv: conv, bn: spec.norm?.make(cout), activate: true)))
            cin = cout
        }
        convs[0].1.conv.computesInputGradient = false   // nothing upstream of the first conv needs a gradient
        self.convs = convs
        let p2 = (2, 2, 2)
        pools = [MaxPool(dims: 3, kernel: (1, 2, 2), stride: (1, 2, 2), padding: (0, 0, 0)),
                 MaxPool(dims: 3, kernel: p2, stride: p2, padding: (0, 0, 0)),
                 MaxPool(dims: 3, kernel: p2, stride: p2, padding: (0, 0, 0)),
                 MaxPool(dims: 3, kernel: p2, stride: p2, padding: (0, 0, 0)),
                 MaxPool(dims: 3, kernel: p2, stride: p2, padding: (0, 1, 1))]
        fc6 = Linear(spec.outDim, spec.hiddenChannels)
        fc6.normalInit(std: spec.initStd, rng: &rng)
        fc7 = Linear(spec.hiddenChannels, spec.hiddenChannels)
        fc7.normalInit(std: spec.initStd, rng: &rng)
        dropout = Dropout(p: spec.dropoutRatio, rng: rng.fork(stream: 0xC3D))
    }

    /// The pool after each conv index (pool1 after conv1a, …, pool5 after conv5b).
    static let poolAfter: [Int: Int] = [0: 0, 1: 1, 3: 2, 5: 3, 7: 4]

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = []
        for (i, conv) in convs.enumerated() {
            c.append((conv.name, conv.module))
            if let p = Self.poolAfter[i] { c.append(("pool\(p + 1)", pools[p])) }
        }
        return c + [("fc6", fc6), ("fc7", fc7), ("relu", relu6), ("dropout", dropout)]
    }

    public func forward(_ x: Tensor) -> Tensor {
        var y = x
        for (i, conv) in convs.enumerated() {
            y = conv.module.forward(y)
            if let p = Self.poolAfter[i] { y = pools[p].forward(y) }
        }
        poolShape = y.shape
        let flat = I3DHead.flatten(y)
        precondition(flat.shape[1] == spec.outDim,
                     "C3D: the pool5 map flattens to \(flat.shape[1]) values, but out_dim is \(spec.outDim) (it depends on the input size)")
        let h = relu7.forward(fc7.forward(dropout.forward(relu6.forward(fc6.forward(flat)))))
        // N×4096 → channel-major 4096×N, the layout every backbone hands its head.
        return I3DHead.unflatten(h, shape: [h.shape[1], h.shape[0]])
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = I3DHead.flatten(dy)
        var g = fc6.backward(relu6.backward(dropout.backward(fc7.backward(relu7.backward(d)))))
        g = I3DHead.unflatten(g, shape: poolShape)
        for (i, conv) in convs.enumerated().reversed() {
            if let p = Self.poolAfter[i] { g = pools[p].backward(g) }
            g = conv.module.backward(g)
        }
        return g
    }

    public func applyMode(training: Bool) { setTraining(training) }

    /// The dropout's mask stream (a checkpoint keeps it, so a resumed run drops the same units).
    public var randomStreams: [Philox] {
        get { [dropout.rng] }
        set { if let r = newValue.first { dropout.rng = r } }
    }
}

/// mmcv's `ConvModule` whose norm is optional (`norm_cfg=None` gives conv → ReLU, with bias): children `conv`,
/// `bn` (when there is one), `activate`.
public final class ConvActModule: Layer {
    public let conv: Convolution
    public let bn: BatchNorm?
    public let relu: ReLU?
    public var isTraining = true

    public init(conv: Convolution, bn: BatchNorm?, activate: Bool) {
        self.conv = conv
        self.bn = bn
        relu = activate ? ReLU() : nil
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv", conv)]
        if let bn { c.append(("bn", bn)) }
        if let relu { c.append(("activate", relu)) }
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        var y = conv.forward(x)
        if let bn { y = bn.forward(y) }
        return relu?.forward(y) ?? y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var d = relu?.backward(dy) ?? dy
        if let bn { d = bn.backward(d) }
        return conv.backward(d)
    }
}
