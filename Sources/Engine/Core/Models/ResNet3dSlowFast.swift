/// mmaction2's `ResNet3dSlowFast` backbone (SEMANTICS.md §6.7) on channel-major clips C×N×T×H×W.
///
/// The clip is subsampled in time for each pathway exactly as mmaction2's `interpolate(mode='nearest',
/// scale_factor=(1/r, 1, 1))` does (`temporalIndices`), r = resample_rate (slow) and resample_rate // speed_ratio
/// (fast). Each pathway runs its stem (conv1, maxpool — SlowFast always pools after the stem and never applies
/// pool2, whatever with_pool1/with_pool2 say); with lateral connections the fast map goes through
/// `conv1_lateral` and is concatenated to the slow map's channels, then after every stage but the last through
/// `layerK_lateral`. Features: [slow, fast] (the last stages). Children `slow_path`, `fast_path`: state-dict names
/// as mmaction2's (`slow_path.conv1.conv.weight`, `slow_path.layer1_lateral.conv.weight`, …).
public final class ResNet3dSlowFast: Backbone {
    public let spec: ResNet3dSlowFastSpec
    public let slowPath: SlowFastPathway, fastPath: SlowFastPathway
    public var isTraining = true

    public init(_ spec: ResNet3dSlowFastSpec, rng: inout Philox) {
        self.spec = spec
        // mmaction2 initialises the fast pathway first; Reel draws slow then fast (its draws are its own anyway).
        var slow = spec.slow
        slow.lateralChannels = spec.lateralChannels
        slowPath = SlowFastPathway(net: ResNet3d(slow, rng: &rng), laterals: Self.laterals(spec, rng: &rng))
        fastPath = SlowFastPathway(net: ResNet3d(spec.fast, rng: &rng), laterals: [])
    }

    /// `conv1_lateral`, `layer1_lateral` … `layer{N-1}_lateral`: fast channels (slow / channel_ratio) → twice as
    /// many, kernel (fusion_kernel, 1, 1), stride (speed_ratio, 1, 1), no bias; BN3d + ReLU with `lateral_norm`.
    /// Kaiming fan_out init (mmaction2 re-draws them after the pathway's own init), BN 1/0.
    static func laterals(_ spec: ResNet3dSlowFastSpec, rng: inout Philox) -> [(String, any Layer)] {
        guard spec.lateral else { return [] }
        let k = spec.fusionKernel
        return (0..<spec.slow.numStages).map { s in
            let inplanes = spec.slowInplanes(stage: s)
            let conv = Conv3d(inplanes / spec.channelRatio, inplanes * 2 / spec.channelRatio, kernel: (k, 1, 1),
                              stride: (spec.speedRatio, 1, 1), padding: ((k - 1) / 2, 0, 0), bias: false)
            conv.kaimingInit(rng: &rng)
            let layer: any Layer
            if spec.lateralNorm {
                let bn = BatchNorm(conv.outChannels, dims: 3)
                if !spec.slow.normRequiresGrad { bn.weight.requiresGrad = false; bn.bias.requiresGrad = false }
                layer = ConvModule(conv: conv, bn: bn, activate: true)
            } else {
                layer = PlainConvModule(conv)
            }
            return (s == 0 ? "conv1_lateral" : "layer\(s)_lateral", layer)
        }
    }

    public var children: [(String, any Module)] { [("slow_path", slowPath), ("fast_path", fastPath)] }

    public func features(_ x: Tensor) -> [Tensor] {
        let slow = slowPath.net, fast = fastPath.net
        var s = slow.maxpool.forward(slow.conv1.forward(Self.resample(x, rate: spec.resampleRate)))
        var f = fast.maxpool.forward(fast.conv1.forward(Self.resample(x, rate: spec.fastRate)))
        let laterals = slowPath.laterals.map(\.1)
        if spec.lateral { s = Self.concatChannels(s, laterals[0].forward(f)) }
        for i in slow.layers.indices {
            s = slow.layers[i].forward(s)
            f = fast.layers[i].forward(f)
            if spec.lateral && i != slow.layers.count - 1 { s = Self.concatChannels(s, laterals[i + 1].forward(f)) }
        }
        return [s, f]
    }

    /// Back through both pathways and the lateral connections. A frozen stage stops its pathway's gradient there
    /// (its lateral conv still gets its parameter gradients); the reader keeps a laterally fed slow pathway's
    /// frozen_stages ≤ 0, since the lateral convs' gradients pass back through every slow stage.
    public func backward(features d: [Tensor]) -> Tensor {
        let slow = slowPath.net, fast = fastPath.net
        let laterals = slowPath.laterals.map(\.1)
        let slowFrozen = spec.slow.frozenStages, fastFrozen = spec.fast.frozenStages
        var ds: Tensor? = d[0], df: Tensor? = d[1]
        func fuse(_ lateral: any Layer) {
            guard let g = ds else { return }
            let (main, fromFast) = Self.splitChannels(g, first: g.shape[0] - Self.outChannels(lateral))
            ds = main
            let dFast = lateral.backward(fromFast)
            if df != nil { Elementwise.add(dFast, into: &df!) }
        }
        for i in slow.layers.indices.reversed() {
            if spec.lateral && i != slow.layers.count - 1 { fuse(laterals[i + 1]) }
            if let g = ds, i >= slowFrozen { ds = slow.layers[i].backward(g) } else { ds = nil }
            if let g = df, i >= fastFrozen { df = fast.layers[i].backward(g) } else { df = nil }
        }
        if spec.lateral { fuse(laterals[0]) }
        if let g = ds, slowFrozen < 0 { _ = slow.conv1.backward(slow.maxpool.backward(g)) }
        if let g = df, fastFrozen < 0 { _ = fast.conv1.backward(fast.maxpool.backward(g)) }
        // Nothing upstream of the stems needs a gradient (the clip itself).
        return Tensor.zeros([0])
    }

    public func applyMode(training: Bool) {
        isTraining = training
        slowPath.applyMode(training: training, frozenStages: spec.slow.frozenStages, normEval: spec.slow.normEval)
        fastPath.applyMode(training: training, frozenStages: spec.fast.frozenStages, normEval: spec.fast.normEval)
    }

    /// Output channels of a lateral connection (a bare or a normed conv module).
    static func outChannels(_ lateral: any Layer) -> Int {
        if let c = lateral as? PlainConvModule { return c.conv.outChannels }
        if let c = lateral as? ConvModule { return c.convolution.outChannels }
        preconditionFailure("a lateral connection is a conv module")
    }

    /// The frames PyTorch's `interpolate(x, scale_factor=(1/rate, 1, 1), mode='nearest')` keeps of a T-frame clip:
    /// ⌊T · (1/rate)⌋ frames (in double precision, truncated), frame i from ⌊i · s⌋ (single precision, clamped to
    /// T − 1) with s = float(1 / (1/rate)); an unchanged length is the identity.
    public static func temporalIndices(length t: Int, rate: Int) -> [Int] {
        let factor = 1.0 / Double(rate)
        let out = Int(Double(t) * factor)
        if out == t { return Array(0..<t) }
        if out == 2 * t { return (0..<out).map { $0 >> 1 } }
        let scale = Float(1.0 / factor)
        return (0..<out).map { min(Int((Float($0) * scale).rounded(.down)), t - 1) }
    }

    /// C×N×T×H×W → C×N×T'×H×W with the frames `temporalIndices` picks.
    static func resample(_ x: Tensor, rate: Int) -> Tensor {
        let t = x.shape[2], plane = x.shape[3] * x.shape[4]
        let idx = temporalIndices(length: t, rate: rate)
        if idx.count == t { return x }
        let volumes = x.shape[0] * x.shape[1]
        var y = Tensor(uninitialized: [x.shape[0], x.shape[1], idx.count, x.shape[3], x.shape[4]])
        x.withData { xp in
            y.withMutableData { yp in
                for v in 0..<volumes {
                    for (j, i) in idx.enumerated() {
                        (yp + (v * idx.count + j) * plane).update(from: xp + (v * t + i) * plane, count: plane)
                    }
                }
            }
        }
        return y
    }

    /// torch.cat((a, b), dim=1) on channel-major tensors: b's channels after a's.
    static func concatChannels(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(Array(a.shape.dropFirst()) == Array(b.shape.dropFirst()),
                     "SlowFast lateral connection: slow \(a.shape) and fast \(b.shape) maps differ in N×T×H×W")
        var y = Tensor(uninitialized: [a.shape[0] + b.shape[0]] + Array(a.shape.dropFirst()))
        y.withMutableData { yp in
            a.withData { (yp).update(from: $0, count: a.count) }
            b.withData { (yp + a.count).update(from: $0, count: b.count) }
        }
        return y
    }

    /// The adjoint of `concatChannels`: the first `first` channels, and the rest.
    static func splitChannels(_ x: Tensor, first: Int) -> (Tensor, Tensor) {
        let rest = Array(x.shape.dropFirst()), per = x.count / max(1, x.shape[0])
        var a = Tensor(uninitialized: [first] + rest), b = Tensor(uninitialized: [x.shape[0] - first] + rest)
        x.withData { xp in
            a.withMutableData { $0.update(from: xp, count: first * per) }
            b.withMutableData { $0.update(from: xp + first * per, count: (x.shape[0] - first) * per) }
        }
        return (a, b)
    }
}

/// One pathway of a SlowFast network (mmaction2's `ResNet3dPathway`): a ResNet3d plus, on the slow pathway, its
/// lateral connections, registered after the ResNet3d's own children as mmaction2 does.
public final class SlowFastPathway: Module {
    public let net: ResNet3d
    public let laterals: [(String, any Layer)]
    public var isTraining = true

    init(net: ResNet3d, laterals: [(String, any Layer)]) {
        self.net = net
        self.laterals = laterals
    }

    public var children: [(String, any Module)] { net.children + laterals.map { ($0.0, $0.1 as any Module) } }

    /// ResNet3d's train-mode rules, plus mmaction2's pathway rules: `frozen_stages` k also freezes the lateral
    /// convs after stages 1…k (not `conv1_lateral`), and `norm_eval` reaches the lateral BNs.
    func applyMode(training: Bool, frozenStages: Int, normEval: Bool) {
        isTraining = training
        net.applyMode(training: training)
        for (_, l) in laterals { l.setTraining(training) }
        if frozenStages >= 1 {
            for (_, l) in laterals.dropFirst().prefix(min(frozenStages, net.layers.count - 1)) {
                l.setTraining(false)
                for (_, p) in l.namedParameters() { p.requiresGrad = false }
            }
        }
        if training && normEval {
            for (_, l) in laterals { l.namedModules().compactMap { $0.1 as? BatchNorm }.forEach { $0.isTraining = false } }
        }
    }
}
