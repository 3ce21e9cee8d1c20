/// mmaction2's `SlowFastHead` (SEMANTICS.md §6.5): average-pool each pathway's map to 1×1×1, concatenate, dropout,
/// `fc_cls`. mmaction2 unpacks the backbone's (slow, fast) as `x_fast, x_slow` and concatenates `(x_slow, x_fast)`,
/// so the fc's first inputs are the fast pathway's channels and the slow ones follow; Reel keeps that order, so
/// model-zoo weights load as they are. Input: features [slow, fast], channel-major; output N×classes.
public final class SlowFastHead: RecognizerHead {
    public let fcCls: Linear
    public var numClasses: Int { fcCls.outFeatures }
    public let dropout: Dropout?
    let slowPool = GlobalAvgPool(), fastPool = GlobalAvgPool()
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }
    private var fastChannels = 0

    public init(inChannels: Int, numClasses: Int, dropoutRatio: Float = 0.8, initStd: Float = 0.01, rng: inout Philox) {
        fcCls = Linear(inChannels, numClasses)
        fcCls.normalInit(std: initStd, rng: &rng)
        dropout = dropoutRatio > 0 ? Dropout(p: dropoutRatio, rng: rng.fork(stream: 0xD80)) : nil
    }

    public var children: [(String, any Module)] { [("fc_cls", fcCls)] }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        precondition(features.count == 2, "SlowFastHead takes the (slow, fast) features of ResNet3dSlowFast")
        let slow = slowPool.forward(features[0]), fast = fastPool.forward(features[1])   // N×Cs, N×Cf
        fastChannels = fast.shape[1]
        var v = Self.concatColumns(fast, slow)
        if let dropout { v = dropout.forward(v) }
        return fcCls.forward(v)
    }

    public func backward(scores dScores: Tensor) -> [Tensor] {
        var d = fcCls.backward(dScores)
        if let dropout { d = dropout.backward(d) }
        let (dFast, dSlow) = Self.splitColumns(d, first: fastChannels)
        return [slowPool.backward(dSlow), fastPool.backward(dFast)]
    }

    public var randomStreams: [Philox] {
        get { dropout.map { [$0.rng] } ?? [] }
        set { if let d = dropout, let rng = newValue.first { d.rng = rng } }
    }

    public func applyMode(training: Bool) {
        isTraining = training
        fcCls.isTraining = training
    }

    /// N×A and N×B → N×(A+B), a's columns first (torch.cat dim 1).
    static func concatColumns(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape[0], ca = a.shape[1], cb = b.shape[1]
        var y = Tensor(uninitialized: [n, ca + cb])
        a.withData { ap in b.withData { bp in y.withMutableData { yp in
            for i in 0..<n {
                (yp + i * (ca + cb)).update(from: ap + i * ca, count: ca)
                (yp + i * (ca + cb) + ca).update(from: bp + i * cb, count: cb)
            }
        } } }
        return y
    }

    /// The adjoint of `concatColumns`.
    static func splitColumns(_ x: Tensor, first: Int) -> (Tensor, Tensor) {
        let n = x.shape[0], c = x.shape[1]
        var a = Tensor(uninitialized: [n, first]), b = Tensor(uninitialized: [n, c - first])
        x.withData { xp in a.withMutableData { ap in b.withMutableData { bp in
            for i in 0..<n {
                (ap + i * first).update(from: xp + i * c, count: first)
                (bp + i * (c - first)).update(from: xp + i * c + first, count: c - first)
            }
        } } }
        return (a, b)
    }
}
