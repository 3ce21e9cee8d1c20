import Foundation

/// `X3D` arguments as read from a config (mmaction2 0.24.1 backbones/x3d.py).
public struct X3DSpec: Sendable, Equatable {
    /// `gamma_w` (width), `gamma_b` (bottleneck width), `gamma_d` (depth); 0 leaves that dimension as it is.
    public var gammaW = 1.0, gammaB = 1.0, gammaD = 1.0
    public var inChannels = 3, numStages = 4
    public var spatialStrides = [2, 2, 2, 2]
    public var frozenStages = -1
    /// `se_style='all'` puts an SE unit in every block; 'half' in blocks 0, 2, 4, … of each stage.
    public var seAll = false
    /// `se_ratio`: the SE units' reduction; nil: no SE units.
    public var seRatio: Double? = 1.0 / 16
    public var normEval = false
    public var zeroInitResidual = true
    public var norm = Norm3d()
    /// A local weights file (`pretrained=`), an X3D state dict loaded by name, non-strictly.
    public var pretrained: String?

    public init() {}

    /// The stem's width: 24 rounded by `gamma_w` (X3D's `_round_width`).
    public var baseChannels: Int { Self.roundWidth(24, gammaW) }
    /// Blocks per stage: (1, 2, 5, 3) × `gamma_d`, rounded up; the first `numStages`.
    public var stageBlocks: [Int] {
        [1, 2, 5, 3].prefix(numStages).map { gammaD == 0 ? $0 : Int((gammaD * Double($0)).rounded(.up)) }
    }
    /// conv5's width: the last stage's width × `gamma_b` (what the head's in_channels must be).
    public var featureChannels: Int { Int(Double(baseChannels << (numStages - 1)) * gammaB) }

    /// X3D's `_round_width`: SEModule's rounding, except that a multiplier of 0 keeps the width.
    public static func roundWidth(_ width: Int, _ multiplier: Double) -> Int {
        multiplier == 0 ? width : SEModule.roundWidth(Double(width), multiplier)
    }
}

/// mmaction2's `BlockX3D`: conv1 1×1×1 + BN + ReLU, conv2 a channel-wise 3×3×3 (stride (1, s, s)) + BN, the
/// optional SE unit, Swish (always: mmaction2 ignores `use_swish`), conv3 1×1×1 + BN, the sum with the identity
/// (or `downsample`), ReLU. Children in mmaction2's registration order: downsample, conv1, conv2, swish, conv3,
/// se_module, relu.
public final class BlockX3D: Layer {
    public let downsample: ConvModule?
    public let conv1: ConvModule, conv2: ConvModule, conv3: ConvModule
    public let se: SEModule?
    let swish = Swish(), relu = ReLU()
    public var isTraining = true

    public init(conv1: ConvModule, conv2: ConvModule, conv3: ConvModule, se: SEModule?, downsample: ConvModule?) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.conv3 = conv3
        self.se = se
        self.downsample = downsample
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = []
        if let downsample { c.append(("downsample", downsample)) }
        c += [("conv1", conv1), ("conv2", conv2), ("swish", swish), ("conv3", conv3)]
        if let se { c.append(("se_module", se)) }
        c.append(("relu", relu))
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        var out = conv2.forward(conv1.forward(x))
        if let se { out = se.forward(out) }
        out = swish.forward(out)
        if !isTraining, conv3.infers, downsample?.infers ?? true {
            let identity = downsample.map { $0.inferenceForward(x, residual: nil, relu: false) } ?? x
            return conv3.inferenceForward(out, residual: identity, relu: true)
        }
        var sum = conv3.forward(out)
        Elementwise.add(downsample?.forward(x) ?? x, into: &sum)
        return relu.forward(sum)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu.backward(dy)
        var g = swish.backward(conv3.backward(d))
        if let se { g = se.backward(g) }
        var dx = conv1.backward(conv2.backward(g))
        Elementwise.add(downsample?.backward(d) ?? d, into: &dx)
        return dx
    }
}

/// mmaction2's `X3D` backbone on channel-major C×N×T×H×W clips: stem `conv1_s` (1×3×3, stride (1, 2, 2), no norm
/// or activation) and `conv1_t` (a channel-wise 5×1×1 + BN + ReLU), stages layer1…layerN of BlockX3D (widths
/// base·2^i, bottlenecks ×`gamma_b`, the first block carrying the spatial stride and a downsample), then `conv5`
/// (1×1×1 to ×`gamma_b`, BN, ReLU). State-dict names and shapes equal mmaction2's.
public final class X3D: Layer, Backbone {
    public let spec: X3DSpec
    public let conv1S: PlainConvModule, conv1T: ConvModule
    public let layers: [Sequential]
    public let conv5: ConvModule
    public var isTraining = true
    public var featureChannels: Int { spec.featureChannels }

    /// From-scratch init as mmaction2's `pretrained=None`: Kaiming (fan_out) for every conv (SE units included,
    /// biases 0), BN 1/0, and with `zero_init_residual` each block's conv3 BN weight 0.
    public init(_ spec: X3DSpec, rng: inout Philox) {
        self.spec = spec
        func convModule(_ cin: Int, _ cout: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                        padding: (Int, Int, Int) = (0, 0, 0), groups: Int = 1, act: Bool) -> ConvModule {
            let conv = Conv3d(cin, cout, kernel: kernel, stride: stride, padding: padding, groups: groups, bias: false)
            conv.kaimingInit(rng: &rng)
            return ConvModule(conv: conv, bn: spec.norm.make(cout), activate: act)
        }
        let base = spec.baseChannels
        let stem = Conv3d(spec.inChannels, base, kernel: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1), bias: false)
        stem.kaimingInit(rng: &rng)
        stem.computesInputGradient = false   // nothing upstream of the stem needs a gradient
        conv1S = PlainConvModule(stem)
        conv1T = convModule(base, base, kernel: (5, 1, 1), padding: (2, 0, 0), groups: base, act: true)
        var layerIn = base
        var stages: [Sequential] = []
        for (i, count) in spec.stageBlocks.enumerated() {
            let s = spec.spatialStrides[i]
            let inplanes = base << i, planes = Int(Double(inplanes) * spec.gammaB)
            var blocks: [any Layer] = []
            for b in 0..<count {
                let cin = b == 0 ? layerIn : inplanes, stride = b == 0 ? s : 1
                let down = b == 0 && (s != 1 || layerIn != inplanes)
                    ? convModule(layerIn, inplanes, kernel: (1, 1, 1), stride: (1, s, s), act: false) : nil
                let c1 = convModule(cin, planes, kernel: (1, 1, 1), act: true)
                let c2 = convModule(planes, planes, kernel: (3, 3, 3), stride: (1, stride, stride), padding: (1, 1, 1),
                                    groups: planes, act: false)
                let c3 = convModule(planes, inplanes, kernel: (1, 1, 1), act: false)
                var se: SEModule?
                if let ratio = spec.seRatio, spec.seAll || b % 2 == 0 {
                    se = SEModule(channels: planes, reduction: ratio)
                    se?.kaimingInit(rng: &rng)
                }
                if spec.zeroInitResidual && spec.pretrained == nil { c3.bn.weight.value.fill(0) }
                blocks.append(BlockX3D(conv1: c1, conv2: c2, conv3: c3, se: se, downsample: down))
            }
            stages.append(Sequential(blocks))
            layerIn = inplanes
        }
        layers = stages
        conv5 = convModule(layerIn, spec.featureChannels, kernel: (1, 1, 1), act: true)
    }

    public var children: [(String, any Module)] {
        [("conv1_s", conv1S), ("conv1_t", conv1T)] + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
            + [("conv5", conv5)]
    }

    public func forward(_ x: Tensor) -> Tensor {
        conv5.forward(layers.reduce(conv1T.forward(conv1S.forward(x))) { $1.forward($0) })
    }

    /// Backward through the trainable part: frozen stages (eval mode, no gradients) and the stem below them kept
    /// nothing for one.
    public func backward(_ dy: Tensor) -> Tensor {
        var d = conv5.backward(dy)
        for i in layers.indices.reversed() {
            if i < spec.frozenStages { return Tensor.zeros([0]) }
            d = layers[i].backward(d)
        }
        if spec.frozenStages >= 0 { return Tensor.zeros([0]) }
        return conv1S.backward(conv1T.backward(d))
    }

    /// PyTorch `.train(mode)` plus X3D's rules: `frozen_stages` (conv1_s, conv1_t and stages 1…k in eval mode with
    /// frozen parameters, in either mode) and `norm_eval` (every BatchNorm in eval mode while training).
    public func applyMode(training: Bool) {
        setTraining(training)
        if spec.frozenStages >= 0 {
            let frozen: [any Module] = [conv1S, conv1T] + layers.prefix(spec.frozenStages).map { $0 as any Module }
            for m in frozen {
                m.setTraining(false)
                for (_, p) in m.namedParameters() { p.requiresGrad = false }
            }
        }
        guard training, spec.normEval else { return }
        namedModules().compactMap { $0.1 as? BatchNorm }.forEach { $0.isTraining = false }
    }
}

/// mmaction2's `X3DHead`: adaptive average pool to 1×1×1, `fc1` (in_channels → 2048, bias per `fc1_bias`), ReLU,
/// dropout, `fc2` (→ classes). Input channel-major C×N×T×H×W; output N×classes. Both fcs normal(0, init_std),
/// biases 0. State-dict keys fc1.weight (fc1.bias), fc2.weight, fc2.bias; `fcCls` is fc2, the classifier.
public final class X3DHead: RecognizerHead {
    public static let midChannels = 2048
    public let fc1: Linear, fc2: Linear
    public let dropout: Dropout?
    let pool = GlobalAvgPool(), relu = ReLU()
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }

    public init(inChannels: Int, numClasses: Int, fc1Bias: Bool = false, dropoutRatio: Float = 0.5, initStd: Float = 0.01,
                midChannels: Int = X3DHead.midChannels, rng: inout Philox) {
        fc1 = Linear(inChannels, midChannels, bias: fc1Bias)
        fc1.normalInit(std: initStd, rng: &rng)
        fc2 = Linear(midChannels, numClasses)
        fc2.normalInit(std: initStd, rng: &rng)
        dropout = dropoutRatio > 0 ? Dropout(p: dropoutRatio, rng: rng.fork(stream: 0xD80)) : nil
    }

    public var fcCls: Linear { fc2 }
    public var numClasses: Int { fc2.outFeatures }
    public var children: [(String, any Module)] { [("fc1", fc1), ("fc2", fc2), ("relu", relu)] }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        var v = relu.forward(fc1.forward(pool.forward(features[0])))
        if let dropout { v = dropout.forward(v) }
        return fc2.forward(v)
    }

    public func backward(scores dScores: Tensor) -> [Tensor] {
        var d = fc2.backward(dScores)
        if let dropout { d = dropout.backward(d) }
        return [pool.backward(fc1.backward(relu.backward(d)))]
    }

    public var randomStreams: [Philox] {
        get { dropout.map { [$0.rng] } ?? [] }
        set { if let d = dropout, let rng = newValue.first { d.rng = rng } }
    }

    public func applyMode(training: Bool) { setTraining(training) }
}
