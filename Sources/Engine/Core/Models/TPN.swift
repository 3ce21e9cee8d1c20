import Foundation

/// A module between a multi-output backbone and the head (mmaction2's `neck`): feature maps in, feature maps out,
/// and in training an auxiliary loss of its own that joins the head's.
public protocol Neck: Module {
    /// The maps the head takes (training mode keeps what backward needs).
    func forward(features: [Tensor]) -> [Tensor]
    /// The auxiliary loss on the features of the last `forward` and the batch's classes (nil: the neck has none).
    /// Its gradient is added to the inputs' by the next `backward`.
    func auxiliaryLoss(classes: [Int]) -> (name: String, value: Double)?
    /// ∂L/∂inputs from ∂L/∂outputs (plus the auxiliary loss's, when one was computed).
    func backward(features: [Tensor]) -> [Tensor]
    /// The generators the neck draws from in training (the auxiliary head's dropout).
    var randomStreams: [Philox] { get set }
}

/// What a `TPN` is built from (mmaction2's TPN arguments, with the sub-configs it reads).
public struct TPNSpec: Sendable, Equatable {
    /// The backbone stages' channels (`in_channels`), lowest level first.
    public var inChannels: [Int]
    /// Channels of each temporal-modulation output (`out_channels`).
    public var outChannels: Int
    /// `spatial_modulation_cfg.out_channels`: every level is brought to it by stride-2 (1,3,3) convs.
    public var spatialOut: Int
    /// `temporal_modulation_cfg.downsample_scales`: the max-pool over time after each level's temporal conv.
    public var temporalScales: [Int]
    /// Whether `upsample_cfg` / `downsample_cfg` are given (the top-down and bottom-up additions).
    public var topDown = true, bottomUp = true
    /// `level_fusion_cfg`: mid and out channels.
    public var fusionMid: [Int]
    public var fusionOut: Int
    /// `flow_type == 'parallel'`: the bottom-up flow starts from the temporal-modulation outputs, not the top-down ones.
    public var parallel = false
    /// `aux_head_cfg`: classes and loss weight (nil: no auxiliary head).
    public var aux: (classes: Int, lossWeight: Float)?
    /// The channels mmaction2's pyramid fusion gives (fixed at 2048 in its code).
    public static let outputChannels = 2048

    public init(inChannels: [Int], outChannels: Int, spatialOut: Int, temporalScales: [Int], fusionMid: [Int], fusionOut: Int) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.spatialOut = spatialOut
        self.temporalScales = temporalScales; self.fusionMid = fusionMid; self.fusionOut = fusionOut
    }

    public static func == (a: TPNSpec, b: TPNSpec) -> Bool {
        a.inChannels == b.inChannels && a.outChannels == b.outChannels && a.spatialOut == b.spatialOut
            && a.temporalScales == b.temporalScales && a.topDown == b.topDown && a.bottomUp == b.bottomUp
            && a.fusionMid == b.fusionMid && a.fusionOut == b.fusionOut && a.parallel == b.parallel
            && a.aux?.classes == b.aux?.classes && a.aux?.lossWeight == b.aux?.lossWeight
    }
}

/// mmaction2's TPN neck (Temporal Pyramid Network) for 3-D recognizers: spatial modulation brings every backbone level
/// to the top level's channels and size, a temporal modulation (grouped (3,1,1) conv, then a max-pool over time) to
/// `out_channels`; a top-down flow adds each level into the one below, a bottom-up flow adds each level's (3,1,1)
/// conv into the one above (cascade: after the top-down flow; parallel: from the modulated levels), each flow is
/// fused (grouped 1×1×1 conv per level, concatenation, 1×1×1 conv), and the two fusions are concatenated and fused
/// to 2048 channels. An auxiliary head on the second-to-last backbone level adds its cross-entropy in training.
///
/// Channel-major maps (C×N×T×H×W), so concatenating over channels appends the blocks. State-dict names follow
/// mmaction2 (`neck.spatial_modulation.spatial_modulation.0.0.conv.weight`, `neck.temporal_modulation_ops.0.conv.conv.weight`,
/// `neck.level_fusion_1.downsamples.0.conv.bn.weight`, `neck.downsample_ops.0.conv.conv.weight`,
/// `neck.pyramid_fusion.conv.weight`, `neck.aux_head.fc.weight`, …). Convolutions start Xavier-uniform, BatchNorms 1/0,
/// the auxiliary fc normal(0, 0.01): mmaction2's TPN.init_weights.
public final class TPN: Neck {
    public let spec: TPNSpec
    /// Per level: the stride-2 ConvModules of the spatial modulation (none for the top level).
    let spatial: [Sequential]
    let temporal: [TemporalModulation]
    /// The bottom-up flow's (3,1,1) convs between consecutive levels.
    let downsampleOps: [PlainConvModule]
    let levelFusion1: LevelFusion, levelFusion2: LevelFusion
    let pyramidFusion: ConvModule
    let auxHead: TPNAuxHead?
    public var isTraining = true

    private var inputs: [Tensor] = []
    /// ∂loss_aux/∂logits of the last `auxiliaryLoss`, until `backward` takes it through the auxiliary head.
    private var auxLogitsGradient: Tensor?

    /// `auxDropout`: the auxiliary head's dropout (0.5 in mmaction2; tests take 0 to check gradients).
    public init(_ spec: TPNSpec, auxDropout: Float = 0.5, rng: inout Philox) {
        self.spec = spec
        spatial = spec.inChannels.map { c in
            let steps = c >= spec.spatialOut ? 0 : Int(log2(Double(spec.spatialOut / c)))
            return Sequential((0..<steps).map { f -> any Layer in
                TPN.convModule(c << f, c << (f + 1), kernel: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1), rng: &rng)
            })
        }
        temporal = spec.temporalScales.map { TemporalModulation(spec.inChannels.last!, spec.outChannels, scale: $0, rng: &rng) }
        downsampleOps = spec.bottomUp ? (1..<spec.inChannels.count).map { _ in
            PlainConvModule(TPN.xavier(Conv3d(spec.outChannels, spec.outChannels, kernel: (3, 1, 1), padding: (1, 0, 0), bias: false),
                                       rng: &rng))
        } : []
        levelFusion1 = LevelFusion(inChannels: spec.inChannels.map { _ in spec.outChannels }, mid: spec.fusionMid, out: spec.fusionOut, rng: &rng)
        levelFusion2 = LevelFusion(inChannels: spec.inChannels.map { _ in spec.outChannels }, mid: spec.fusionMid, out: spec.fusionOut, rng: &rng)
        pyramidFusion = TPN.convModule(spec.fusionOut * 2, TPNSpec.outputChannels, kernel: (1, 1, 1), rng: &rng)
        auxHead = spec.aux.map { TPNAuxHead(inChannels: spec.inChannels[spec.inChannels.count - 2], classes: $0.classes,
                                            lossWeight: $0.lossWeight, dropout: auxDropout, rng: &rng) }
    }

    /// mmcv's ConvModule as TPN builds it (Conv3d without bias, BN3d, the default ReLU) with TPN's Xavier init.
    static func convModule(_ i: Int, _ o: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                           padding: (Int, Int, Int) = (0, 0, 0), groups: Int = 1, rng: inout Philox) -> ConvModule {
        let conv = xavier(Conv3d(i, o, kernel: kernel, stride: stride, padding: padding, groups: groups, bias: false), rng: &rng)
        return ConvModule(conv: conv, bn: BatchNorm(o, dims: 3), activate: true)
    }

    /// mmcv's `xavier_init(distribution='uniform')`: U(±√(6 / (fan_in + fan_out))), fan_in = in/groups·k,
    /// fan_out = out·k (PyTorch's fan computation), bias 0.
    static func xavier(_ conv: Conv3d, rng: inout Philox) -> Conv3d {
        let k = conv.kernel.t * conv.kernel.h * conv.kernel.w
        let fanIn = conv.inChannels / conv.groups * k, fanOut = conv.outChannels * k
        let bound = (6 / Float(fanIn + fanOut)).squareRoot()
        conv.weight.value = Tensor.uniform(conv.weight.shape, in: -bound...bound, rng: &rng)
        conv.bias?.value.fill(0)
        return conv
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [
            // mmaction2's DownSample holds its ConvModule as `conv`: `downsample_ops.0.conv.conv.weight`.
            ("temporal_modulation_ops", ModuleList(temporal)), ("downsample_ops", ModuleList(downsampleOps.map { Named("conv", $0) })),
            ("level_fusion_1", levelFusion1), ("spatial_modulation", SpatialModulationNames(spatial)),
            ("level_fusion_2", levelFusion2), ("pyramid_fusion", pyramidFusion),
        ]
        if let auxHead { c.append(("aux_head", auxHead)) }
        return c
    }

    public func forward(features x: [Tensor]) -> [Tensor] {
        precondition(x.count == spec.inChannels.count, "TPN takes \(spec.inChannels.count) levels, got \(x.count)")
        inputs = x
        auxLogitsGradient = nil
        let t = zip(spatial, temporal).enumerated().map { i, ops in ops.1.forward(ops.0.forward(x[i])) }
        var o = t
        if spec.topDown {
            for i in stride(from: o.count - 1, to: 0, by: -1) { o[i - 1] = Self.sum(o[i - 1], o[i]) }
        }
        let topDown = levelFusion1.forward(o)
        var b = spec.parallel ? t : o
        for i in downsampleOps.indices { b[i + 1] = Self.sum(b[i + 1], downsampleOps[i].forward(b[i])) }
        let bottomUp = levelFusion2.forward(b)
        return [pyramidFusion.forward(Self.concat([topDown, bottomUp]))]
    }

    public func auxiliaryLoss(classes: [Int]) -> (name: String, value: Double)? {
        guard let auxHead, inputs.count >= 2 else { return nil }
        let (value, gradient) = auxHead.loss(inputs[inputs.count - 2], classes: classes)
        auxLogitsGradient = gradient
        return ("loss_aux", value)
    }

    public func backward(features d: [Tensor]) -> [Tensor] {
        let halves = Self.split(pyramidFusion.backward(d[0]), channels: [spec.fusionOut, spec.fusionOut])
        var db = levelFusion2.backward(halves[1])
        for i in downsampleOps.indices.reversed() { db[i] = Self.sum(db[i], downsampleOps[i].backward(db[i + 1])) }
        // ∂/∂(the top-down outputs): the first fusion's, plus, in cascade, the bottom-up flow's (it started from them).
        var dO = levelFusion1.backward(halves[0])
        if !spec.parallel { dO = zip(dO, db).map { Self.sum($0, $1) } }
        if spec.topDown {
            for i in 1..<dO.count { dO[i] = Self.sum(dO[i], dO[i - 1]) }
        }
        // In the parallel flow the bottom-up one started from the modulated levels themselves.
        let dt = spec.parallel ? zip(dO, db).map { Self.sum($0, $1) } : dO
        var dx = zip(spatial, temporal).enumerated().map { i, ops in ops.0.backward(ops.1.backward(dt[i])) }
        if let auxHead, let g = auxLogitsGradient {
            dx[dx.count - 2] = Self.sum(dx[dx.count - 2], auxHead.backward(logits: g))
            auxLogitsGradient = nil
        }
        return dx
    }

    public var randomStreams: [Philox] {
        get { auxHead.map { [$0.dropout.rng] } ?? [] }
        set { if let auxHead, let rng = newValue.first { auxHead.dropout.rng = rng } }
    }

    /// a + b as a new tensor.
    static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        var out = a   // copy on write: `a` is untouched
        Elementwise.add(b, into: &out)
        return out
    }

    /// Channel-major maps joined over channels (their blocks one after another).
    static func concat(_ parts: [Tensor]) -> Tensor {
        let rest = Array(parts[0].shape.dropFirst())
        var out = Tensor(uninitialized: [parts.reduce(0) { $0 + $1.shape[0] }] + rest)
        var offset = 0
        out.withMutableData { o in
            for p in parts {
                p.withData { (o + offset).update(from: $0, count: p.count) }
                offset += p.count
            }
        }
        return out
    }

    /// The inverse of `concat`: the blocks of `channels` channels each.
    static func split(_ x: Tensor, channels: [Int]) -> [Tensor] {
        let rest = Array(x.shape.dropFirst()), per = rest.reduce(1, *)
        var offset = 0
        return channels.map { c in
            var part = Tensor(uninitialized: [c] + rest)
            x.withData { src in part.withMutableData { $0.update(from: src + offset, count: c * per) } }
            offset += c * per
            return part
        }
    }
}

/// A list of modules registered as children `0`, `1`, … (PyTorch's `nn.ModuleList`), for state-dict names.
final class ModuleList: Module {
    let items: [any Module]
    var isTraining = true
    init(_ items: [any Module]) { self.items = items }
    var children: [(String, any Module)] { items.enumerated().map { (String($0.offset), $0.element) } }
}

/// `spatial_modulation.spatial_modulation`: mmaction2's SpatialModulation keeps its per-level op lists in a
/// ModuleList of that name.
final class SpatialModulationNames: Module {
    let levels: ModuleList
    var isTraining = true
    init(_ levels: [Sequential]) { self.levels = ModuleList(levels) }
    var children: [(String, any Module)] { [("spatial_modulation", levels)] }
}

/// TPN's temporal modulation: a (3,1,1) conv with 32 groups (no bias, no norm), then a max-pool over time with
/// kernel = stride = `scale` and ceil mode.
final class TemporalModulation: Layer {
    let conv: PlainConvModule
    let pool: TemporalMaxPool
    var isTraining = true

    init(_ inChannels: Int, _ outChannels: Int, scale: Int, rng: inout Philox) {
        conv = PlainConvModule(TPN.xavier(Conv3d(inChannels, outChannels, kernel: (3, 1, 1), padding: (1, 0, 0), groups: 32,
                                                 bias: false), rng: &rng))
        pool = TemporalMaxPool(scale: scale)
    }

    /// `pool` has no parameters; listed as mmaction2 registers it.
    var children: [(String, any Module)] { [("conv", conv), ("pool", pool)] }
    func forward(_ x: Tensor) -> Tensor { pool.forward(conv.forward(x)) }
    func backward(_ dy: Tensor) -> Tensor { conv.backward(pool.backward(dy)) }
}

/// TPN's LevelFusion: per level a grouped (32) 1×1×1 ConvModule (BN, ReLU; its max-pool is the identity at the
/// (1,1,1) scale Reel accepts), the results concatenated, then a 1×1×1 ConvModule to `out` channels.
final class LevelFusion: Module {
    let downsamples: [ConvModule]
    let fusionConv: ConvModule
    var isTraining = true

    init(inChannels: [Int], mid: [Int], out: Int, rng: inout Philox) {
        downsamples = zip(inChannels, mid).map { TPN.convModule($0, $1, kernel: (1, 1, 1), groups: 32, rng: &rng) }
        fusionConv = TPN.convModule(mid.reduce(0, +), out, kernel: (1, 1, 1), rng: &rng)
    }

    /// mmaction2's DownSample keeps its ConvModule as `conv`: `downsamples.0.conv.conv.weight`.
    var children: [(String, any Module)] {
        [("downsamples", ModuleList(downsamples.map { Named("conv", $0) })), ("fusion_conv", fusionConv)]
    }

    func forward(_ x: [Tensor]) -> Tensor {
        fusionConv.forward(TPN.concat(zip(downsamples, x).map { $0.forward($1) }))
    }

    func backward(_ dy: Tensor) -> [Tensor] {
        let parts = TPN.split(fusionConv.backward(dy), channels: downsamples.map { $0.convolution.outChannels })
        return zip(downsamples, parts).map { $0.backward($1) }
    }
}

/// A module registered under one child name (mmaction2 wrappers such as DownSample that hold a single `conv`).
final class Named: Module {
    let name: String
    let module: any Module
    var isTraining = true
    init(_ name: String, _ module: any Module) { self.name = name; self.module = module }
    var children: [(String, any Module)] { [(name, module)] }
}

/// TPN's auxiliary head: a stride-2 (1,3,3) ConvModule doubling the channels (BN, ReLU), global average pool,
/// dropout 0.5, `fc`; its loss is `loss_weight` × the cross-entropy of the batch's classes.
final class TPNAuxHead: Module {
    let conv: ConvModule
    let pool = GlobalAvgPool()
    let dropout: Dropout
    let fc: Linear
    let lossWeight: Float
    var isTraining = true {
        didSet { dropout.isTraining = isTraining }
    }

    init(inChannels: Int, classes: Int, lossWeight: Float, dropout p: Float = 0.5, rng: inout Philox) {
        conv = TPN.convModule(inChannels, inChannels * 2, kernel: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1), rng: &rng)
        fc = Linear(inChannels * 2, classes)
        fc.normalInit(std: 0.01, rng: &rng)
        dropout = Dropout(p: p, rng: rng.fork(stream: 0xA0C5))
        self.lossWeight = lossWeight
    }

    var children: [(String, any Module)] { [("conv", conv), ("fc", fc)] }

    /// The weighted loss of `x` (the backbone level) against `classes`, and ∂loss/∂logits (for `backward`).
    func loss(_ x: Tensor, classes: [Int]) -> (Double, Tensor) {
        let logits = fc.forward(dropout.forward(pool.forward(conv.forward(x))))
        return CrossEntropyLoss(lossWeight: lossWeight)(logits, labels: classes)
    }

    /// ∂loss/∂x from ∂loss/∂logits of the last `loss` (parameter gradients accumulated).
    func backward(logits d: Tensor) -> Tensor {
        conv.backward(pool.backward(dropout.backward(fc.backward(d))))
    }
}

/// `nn.MaxPool3d((s, 1, 1), (s, 1, 1), ceil_mode=True)`: the maximum over each run of `scale` frames (a last,
/// shorter run when T is not a multiple), on channel-major C×N×T×H×W maps; the gradient goes to the first maximum.
final class TemporalMaxPool: Layer, PiecewiseLinear {
    let scale: Int
    var isTraining = true
    /// Tests: forward keeps the last free forward's choices (see `PiecewiseLinear`).
    var freezesPattern = false
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []

    init(scale: Int) { self.scale = scale }

    func forward(_ x: Tensor) -> Tensor {
        guard scale > 1 else { return x }
        let cn = x.shape[0] * x.shape[1], t = x.shape[2], hw = x.count / max(1, cn * t)
        let to = (t + scale - 1) / scale
        var y = Tensor(uninitialized: [x.shape[0], x.shape[1], to] + Array(x.shape.dropFirst(3)))
        let frozen = freezesPattern && inputShape == x.shape
        var arg = frozen ? argmax : [Int32](repeating: 0, count: cn * to * hw)
        x.withData { xp in y.withMutableData { yp in
            if frozen {
                for b in 0..<cn { for o in 0..<to { for p in 0..<hw { yp[(b * to + o) * hw + p] = xp[(b * t + Int(arg[(b * to + o) * hw + p])) * hw + p] } } }
                return
            }
            for b in 0..<cn {
                for o in 0..<to {
                    for p in 0..<hw {
                        var best = xp[(b * t + o * scale) * hw + p], at = o * scale
                        for s in (o * scale + 1)..<min(t, (o + 1) * scale) where !best.isNaN {
                            let v = xp[(b * t + s) * hw + p]
                            if v > best || v.isNaN { best = v; at = s }
                        }
                        yp[(b * to + o) * hw + p] = best
                        arg[(b * to + o) * hw + p] = Int32(at)
                    }
                }
            }
        } }
        if isTraining && !frozen { argmax = arg; inputShape = x.shape }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard scale > 1 else { return dy }
        let cn = inputShape[0] * inputShape[1], t = inputShape[2], hw = dy.count / max(1, cn * dy.shape[2])
        let to = dy.shape[2]
        var dx = Tensor.zeros(inputShape)
        dy.withData { d in dx.withMutableData { o in
            for b in 0..<cn {
                for q in 0..<to {
                    for p in 0..<hw { o[(b * t + Int(argmax[(b * to + q) * hw + p])) * hw + p] += d[(b * to + q) * hw + p] }
                }
            }
        } }
        return dx
    }
}
