/// mmaction2's `TRNHead` (Temporal Relation Networks): average-pool each frame's features, dropout, `fc_cls` to
/// `hidden_dim`, then a relation module over each clip's `num_segments` frames (its own count, not the recognizer's).
///
/// - `TRN`: one MLP (ReLU, Linear(T·hidden → 512), ReLU, Linear(512 → classes)) on the frames in order
///   (`consensus.classifier.1/.3`).
/// - `TRNMultiScale`: for every scale s = T, T−1, …, 2 an MLP (ReLU, Linear(s·hidden → 256), ReLU, Linear(256 → classes),
///   `consensus.fc_fusion_scales.i.1/.3`) on ordered s-frame subsets: scale T on all frames, every other scale on
///   min(3, C(T, s)) subsets drawn without replacement each forward (one draw for the whole batch), the MLP outputs
///   summed. mmaction2 draws with NumPy's global generator in training and testing alike; Reel draws from the head's
///   own stream in training (kept in checkpoints) and from a fixed one in evaluation, so an evaluation repeats.
///
/// Inits: `fc_cls` normal(0, init_std), bias 0; the MLPs PyTorch's Linear default U(±1/√fan_in).
/// Input: features C×(R·T)×h×w (channel-major); output R×classes, R = the clips (views) in the batch.
public final class TRNHead: RecognizerHead {
    public enum Relation: String, Sendable, CaseIterable { case single = "TRN", multiScale = "TRNMultiScale" }

    public let fcCls: Linear
    public let dropout: Dropout?
    public let relation: Relation
    public let numSegments: Int, hiddenDim: Int, numClasses: Int
    /// Per scale: its frame count, its MLP, all its ordered frame subsets and how many a forward uses.
    let scales: [(size: Int, mlp: Sequential, subsets: [[Int]], used: Int)]
    let consensus: Container
    let pool = GlobalAvgPool()
    /// Draws the subsets in training.
    public var rng: Philox
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }
    /// The subsets the last forward used per scale, for backward.
    private var chosen: [[Int]] = []

    public init(inChannels: Int, numClasses: Int, numSegments: Int, relation: Relation, hiddenDim: Int,
                dropoutRatio: Float, initStd: Float, rng: inout Philox) {
        precondition(numSegments >= (relation == .multiScale ? 2 : 1), "TRNHead: too few segments")
        self.relation = relation
        self.numSegments = numSegments
        self.hiddenDim = hiddenDim
        self.numClasses = numClasses
        fcCls = Linear(inChannels, hiddenDim)
        fcCls.normalInit(std: initStd, rng: &rng)
        dropout = dropoutRatio > 0 ? Dropout(p: dropoutRatio, rng: rng.fork(stream: 0xD80)) : nil
        self.rng = rng.fork(stream: 0x7E1)
        func mlp(_ inputs: Int, _ bottleneck: Int) -> Sequential {
            let fc1 = Linear(inputs, bottleneck), fc2 = Linear(bottleneck, numClasses)
            for fc in [fc1, fc2] {
                let bound = 1 / Float(fc.inFeatures).squareRoot()
                fc.weight.value = Tensor.uniform(fc.weight.shape, in: -bound...bound, rng: &rng)
                fc.bias?.value = Tensor.uniform([fc.outFeatures], in: -bound...bound, rng: &rng)
            }
            return Sequential([ReLU(), fc1, ReLU(), fc2])
        }
        switch relation {
        case .single:
            let m = mlp(numSegments * hiddenDim, 512)
            scales = [(numSegments, m, [Array(0..<numSegments)], 1)]
            consensus = Container([("classifier", m)])
        case .multiScale:
            scales = stride(from: numSegments, to: 1, by: -1).map { s in
                let subsets = Self.combinations(numSegments, s)
                return (s, mlp(s * hiddenDim, 256), subsets, min(3, subsets.count))
            }
            consensus = Container([("fc_fusion_scales", Container(scales.enumerated().map { (String($0.offset), $0.element.mlp as any Module) }))])
        }
    }

    /// The s-element subsets of 0..<n in lexicographic order (Python's itertools.combinations).
    static func combinations(_ n: Int, _ s: Int) -> [[Int]] {
        var out: [[Int]] = [], current: [Int] = []
        func extend(from start: Int) {
            if current.count == s { out.append(current); return }
            for i in start..<n where n - i >= s - current.count {
                current.append(i); extend(from: i + 1); current.removeLast()
            }
        }
        extend(from: 0)
        return out
    }

    public var children: [(String, any Module)] { [("fc_cls", fcCls), ("consensus", consensus)] }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        var x = pool.forward(features[0])                              // (R·T)×C
        if let dropout { x = dropout.forward(x) }
        let h = fcCls.forward(x)                                        // (R·T)×hidden
        let t = numSegments, rows = h.shape[0]
        precondition(rows % t == 0, "TRNHead: \(rows) frames do not split into clips of num_segments=\(t)")
        let r = rows / t, hd = hiddenDim
        // One draw per forward: training from the head's stream, evaluation from a fixed one.
        var draw = isTraining ? rng : Philox(seed: 0x7E1)
        chosen = scales.map { scale in
            guard scale.used < scale.subsets.count else { return Array(0..<scale.subsets.count) }
            var picked = Array(0..<scale.subsets.count)
            for i in 0..<scale.used { picked.swapAt(i, i + draw.nextInt(in: 0..<(picked.count - i))) }
            return Array(picked.prefix(scale.used))
        }
        if isTraining { rng = draw }
        var out = Tensor.zeros([r, numClasses])
        h.withData { hp in
            for (si, scale) in scales.enumerated() {
                // The chosen subsets of every clip stacked: (k·R)×(s·hidden), subset-major.
                let picks = chosen[si], s = scale.size
                var stacked = Tensor(uninitialized: [picks.count * r, s * hd])
                stacked.withMutableData { sp in
                    for (k, subset) in picks.enumerated() {
                        for clip in 0..<r {
                            for (j, frame) in scale.subsets[subset].enumerated() {
                                (sp + ((k * r + clip) * s + j) * hd).update(from: hp + (clip * t + frame) * hd, count: hd)
                            }
                        }
                    }
                }
                let y = scale.mlp.forward(stacked)
                out.withMutableData { op in
                    y.withData { yp in
                        for k in 0..<picks.count { for i in 0..<(r * numClasses) { op[i] += yp[k * r * numClasses + i] } }
                    }
                }
            }
        }
        return out
    }

    public func backward(scores dScores: Tensor) -> [Tensor] {
        let t = numSegments, r = dScores.shape[0], hd = hiddenDim
        var dh = Tensor.zeros([r * t, hd])
        dh.withMutableData { dp in
            for (si, scale) in scales.enumerated() {
                let picks = chosen[si], s = scale.size
                var dy = Tensor(uninitialized: [picks.count * r, numClasses])
                dy.withMutableData { yp in
                    dScores.withData { gp in for k in 0..<picks.count { (yp + k * r * numClasses).update(from: gp, count: r * numClasses) } }
                }
                let dStacked = scale.mlp.backward(dy)
                dStacked.withData { sp in
                    for (k, subset) in picks.enumerated() {
                        for clip in 0..<r {
                            for (j, frame) in scale.subsets[subset].enumerated() {
                                let src = sp + ((k * r + clip) * s + j) * hd, dst = dp + (clip * t + frame) * hd
                                for i in 0..<hd { dst[i] += src[i] }
                            }
                        }
                    }
                }
            }
        }
        var d = fcCls.backward(dh)
        if let dropout { d = dropout.backward(d) }
        return [pool.backward(d)]
    }

    public var randomStreams: [Philox] {
        get { (dropout.map { [$0.rng] } ?? []) + [rng] }
        set {
            var streams = newValue[...]
            if let d = dropout, let first = streams.popFirst() { d.rng = first }
            if let last = streams.popFirst() { rng = last }
        }
    }

    public func applyMode(training: Bool) {
        isTraining = training
        setTraining(training)
    }
}

/// A module that only names its children (an `nn.Module` holding submodules, or an `nn.ModuleList`).
final class Container: Module {
    let named: [(String, any Module)]
    var isTraining = true
    init(_ named: [(String, any Module)]) { self.named = named }
    var children: [(String, any Module)] { named }
    var kind: ModuleKind { .container }
}
