/// The classification heads: TSNHead (average features over segments, then fc) and TSMHead (fc per frame, then
/// average logits over `num_segments`), SEMANTICS.md §6.5. The classifier is `fc_cls` (Linear), initialised
/// normal(0, init_std) with zero bias. Input: backbone features C×(B·S)×h×w (channel-major); output B×classes.
public final class ClassificationHead: RecognizerHead {
    public enum Consensus: Sendable { case featuresBeforeFC, logitsAfterFC }
    public let fcCls: Linear
    public var numClasses: Int { fcCls.outFeatures }
    public let dropout: Dropout?
    public let consensus: Consensus
    /// TSMHead's own `num_segments` (TSNHead uses the recognizer's num_segs).
    public let numSegments: Int?
    public let name: String
    let pool = GlobalAvgPool()
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }
    private var segmentsUsed = 1

    public init(name: String, inChannels: Int, numClasses: Int, dropoutRatio: Float, initStd: Float,
                consensus: Consensus, numSegments: Int?, rng: inout Philox) {
        self.name = name
        fcCls = Linear(inChannels, numClasses)
        fcCls.normalInit(std: initStd, rng: &rng)
        dropout = dropoutRatio > 0 ? Dropout(p: dropoutRatio, rng: rng.fork(stream: 0xD80)) : nil
        self.consensus = consensus
        self.numSegments = numSegments
    }

    public var children: [(String, any Module)] { [("fc_cls", fcCls)] }

    /// Logits B×K from features of B·S frames.
    public func forward(_ features: Tensor, segments: Int) -> Tensor {
        let pooled = pool.forward(features)                    // (B·S)×C
        let s = consensus == .logitsAfterFC ? (numSegments ?? segments) : segments
        segmentsUsed = s
        let rows = pooled.shape[0], c = pooled.shape[1]
        precondition(rows % s == 0, "\(name): \(rows) frames do not split into segments of \(s)")
        switch consensus {
        case .featuresBeforeFC:
            var x = Self.meanOverSegments(pooled, segments: s)  // B×C
            if let dropout { x = dropout.forward(x) }
            return fcCls.forward(x)
        case .logitsAfterFC:
            var x = pooled
            if let dropout { x = dropout.forward(x) }
            let perFrame = fcCls.forward(x)                    // (B·S)×K
            _ = c
            return Self.meanOverSegments(perFrame, segments: s)
        }
    }

    /// Gradient of the features from ∂L/∂logits.
    public func backward(_ dLogits: Tensor) -> Tensor {
        let s = segmentsUsed
        switch consensus {
        case .featuresBeforeFC:
            var d = fcCls.backward(dLogits)
            if let dropout { d = dropout.backward(d) }
            return pool.backward(Self.spreadOverSegments(d, segments: s))
        case .logitsAfterFC:
            var d = fcCls.backward(Self.spreadOverSegments(dLogits, segments: s))
            if let dropout { d = dropout.backward(d) }
            return pool.backward(d)
        }
    }

    /// (B·S)×C → B×C, averaging each group of S consecutive rows.
    static func meanOverSegments(_ x: Tensor, segments s: Int) -> Tensor {
        let rows = x.shape[0], c = x.shape[1], b = rows / s
        var y = Tensor.zeros([b, c])
        x.withData { xp in y.withMutableData { yp in
            for i in 0..<b { for j in 0..<s { for k in 0..<c { yp[i * c + k] += xp[(i * s + j) * c + k] / Float(s) } } }
        } }
        return y
    }

    /// The adjoint of `meanOverSegments`.
    static func spreadOverSegments(_ d: Tensor, segments s: Int) -> Tensor {
        let b = d.shape[0], c = d.shape[1]
        var y = Tensor(uninitialized: [b * s, c])
        d.withData { dp in y.withMutableData { yp in
            for i in 0..<b { for j in 0..<s { for k in 0..<c { yp[(i * s + j) * c + k] = dp[i * c + k] / Float(s) } } }
        } }
        return y
    }
}

extension ClassificationHead {
    public func forward(features: [Tensor], segments: Int) -> Tensor { forward(features[0], segments: segments) }
    public func backward(scores dScores: Tensor) -> [Tensor] { [backward(dScores)] }

    public var randomStreams: [Philox] {
        get { dropout.map { [$0.rng] } ?? [] }
        set { if let d = dropout, let rng = newValue.first { d.rng = rng } }
    }

    public func applyMode(training: Bool) {
        isTraining = training
        fcCls.isTraining = training
    }
}
