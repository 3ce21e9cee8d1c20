/// mmaction2's `I3DHead` (SEMANTICS.md §6.5): N×C×T×H×W features → adaptive average pool to 1×1×1
/// (`spatial_type='avg'`; None flattens the map as PyTorch's `view(N, −1)` does) → dropout → `fc_cls`.
/// Input is channel-major C×N×(T×H×W) (or C×N for flat features); output N×classes, one row per view.
/// `fc_cls` is initialised normal(0, init_std) with zero bias.
public final class I3DHead: RecognizerHead {
    public let fcCls: Linear
    public var numClasses: Int { fcCls.outFeatures }
    public let dropout: Dropout?
    /// `spatial_type == 'avg'`.
    public let avgPool: Bool
    let pool = GlobalAvgPool()
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }
    private var inputShape: [Int] = []

    public init(inChannels: Int, numClasses: Int, avgPool: Bool = true, dropoutRatio: Float = 0.5, initStd: Float = 0.01,
                rng: inout Philox) {
        fcCls = Linear(inChannels, numClasses)
        fcCls.normalInit(std: initStd, rng: &rng)
        dropout = dropoutRatio > 0 ? Dropout(p: dropoutRatio, rng: rng.fork(stream: 0xD80)) : nil
        self.avgPool = avgPool
    }

    public var children: [(String, any Module)] { [("fc_cls", fcCls)] }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        let x = features[0]
        inputShape = x.shape
        var v = avgPool ? pool.forward(x) : Self.flatten(x)
        if let dropout { v = dropout.forward(v) }
        return fcCls.forward(v)
    }

    public func backward(scores dScores: Tensor) -> [Tensor] {
        var d = fcCls.backward(dScores)
        if let dropout { d = dropout.backward(d) }
        return [avgPool ? pool.backward(d) : Self.unflatten(d, shape: inputShape)]
    }

    public var randomStreams: [Philox] {
        get { dropout.map { [$0.rng] } ?? [] }
        set { if let d = dropout, let rng = newValue.first { d.rng = rng } }
    }

    public func applyMode(training: Bool) {
        isTraining = training
        fcCls.isTraining = training
    }

    /// Channel-major C×N×(P) → N×(C·P), column c·P + p: the order of PyTorch's `view(N, −1)` on N×C×….
    static func flatten(_ x: Tensor) -> Tensor {
        let c = x.shape[0], n = x.shape[1], p = x.count / max(1, c * n)
        var y = Tensor(uninitialized: [n, c * p])
        x.withData { xp in y.withMutableData { yp in
            for ch in 0..<c { for i in 0..<n { (yp + i * c * p + ch * p).update(from: xp + (ch * n + i) * p, count: p) } }
        } }
        return y
    }

    /// The adjoint of `flatten` (a permutation, so its inverse).
    static func unflatten(_ d: Tensor, shape: [Int]) -> Tensor {
        let c = shape[0], n = shape[1], p = d.count / max(1, c * n)
        var x = Tensor(uninitialized: shape)
        d.withData { dp in x.withMutableData { xp in
            for ch in 0..<c { for i in 0..<n { (xp + (ch * n + i) * p).update(from: dp + i * c * p + ch * p, count: p) } }
        } }
        return x
    }
}
