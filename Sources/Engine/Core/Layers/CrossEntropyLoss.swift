import Foundation

/// mmaction2's `CrossEntropyLoss` on logits: mean over the batch of −log softmax at the label, times
/// `lossWeight`; with `labelSmoothing` ε the target is (1−ε)·onehot + ε/K (PyTorch's `label_smoothing`).
/// `callAsFunction` returns the loss and ∂loss/∂logits (B×K).
///
/// Labels are one class index per row, in 0..<K (a `multi_class` dataset's label sets take the soft-label form
/// below, through `HeadLoss`). Data never reaches the loss unchecked: `RawframeDataset` refuses an annotation label
/// outside the model's `num_classes` (file and line named) and re-checks labels after the pipeline — so an invalid
/// label here is a programmer error, caught by a precondition before any memory is read.
public struct CrossEntropyLoss: Sendable {
    public var lossWeight: Float
    public var labelSmoothing: Float
    /// Optional per-class weights (weighted mean over the batch, as PyTorch).
    public var classWeight: [Float]?

    public init(lossWeight: Float = 1, labelSmoothing: Float = 0, classWeight: [Float]? = nil) {
        self.lossWeight = lossWeight
        self.labelSmoothing = labelSmoothing
        self.classWeight = classWeight
    }

    public func callAsFunction(_ logits: Tensor, labels: [Int]) -> (loss: Double, gradient: Tensor) {
        let b = logits.shape[0], k = logits.shape[1]
        precondition(labels.count == b, "\(labels.count) labels for \(b) rows")
        if let bad = labels.first(where: { $0 < 0 || $0 >= k }) {
            preconditionFailure("label \(bad) outside 0..<\(k): the dataset binding should have refused it")
        }
        var grad = Tensor(uninitialized: logits.shape)
        var total = 0.0
        let eps = Double(labelSmoothing)
        let weights = labels.map { label in classWeight.map { Double($0[label]) } ?? 1.0 }
        let norm = weights.reduce(0, +)
        logits.withData { lp in
            grad.withMutableData { gp in
                for i in 0..<b {
                    let row = lp + i * k, g = gp + i * k
                    var mx = -Double.infinity
                    for j in 0..<k { mx = max(mx, Double(row[j])) }
                    var sum = 0.0
                    for j in 0..<k { sum += exp(Double(row[j]) - mx) }
                    let logZ = mx + log(sum)
                    let label = labels[i]
                    var rowLoss = (1 - eps) * (logZ - Double(row[label]))
                    if eps > 0 {
                        var meanNeg = 0.0
                        for j in 0..<k { meanNeg += logZ - Double(row[j]) }
                        rowLoss += eps * meanNeg / Double(k)
                    }
                    let w = weights[i]
                    total += w * rowLoss
                    let scale = w / norm * Double(lossWeight)
                    for j in 0..<k {
                        let prob = exp(Double(row[j]) - logZ)
                        let target = (j == label ? 1 - eps : 0) + eps / Double(k)
                        g[j] = Float((prob - target) * scale)
                    }
                }
            }
        }
        return (total / norm * Double(lossWeight), grad)
    }

    /// The soft-label form (mmaction2's CrossEntropyLoss when the labels have the scores' shape, as blending makes
    /// them): −Σ_c y·w_c·log_softmax(s) per row, summed and divided by the batch size, or with class weights by
    /// Σ_b Σ_c w_c·y (PyTorch's weighted mean), times `lossWeight`. `targets` is B×K row-major.
    public func callAsFunction(_ logits: Tensor, targets: [Float]) -> (loss: Double, gradient: Tensor) {
        let b = logits.shape[0], k = logits.shape[1]
        precondition(targets.count == b * k, "\(targets.count) targets for \(b)×\(k) scores")
        precondition(labelSmoothing == 0, "label smoothing with soft labels")
        let w = (0..<k).map { c in classWeight.map { Double($0[c]) } ?? 1.0 }
        var norm = Double(b)
        if classWeight != nil {
            norm = 0
            for i in 0..<b { for c in 0..<k { norm += w[c] * Double(targets[i * k + c]) } }
        }
        var grad = Tensor(uninitialized: logits.shape)
        var total = 0.0
        logits.withData { lp in
            grad.withMutableData { gp in
                for i in 0..<b {
                    let row = lp + i * k, g = gp + i * k, y = i * k
                    var mx = -Double.infinity
                    for j in 0..<k { mx = max(mx, Double(row[j])) }
                    var sum = 0.0
                    for j in 0..<k { sum += exp(Double(row[j]) - mx) }
                    let logZ = mx + log(sum)
                    var weighted = 0.0   // Σ_c w_c·y_c
                    for j in 0..<k {
                        let wy = w[j] * Double(targets[y + j])
                        weighted += wy
                        total -= wy * (Double(row[j]) - logZ)
                    }
                    let scale = Double(lossWeight) / norm
                    for j in 0..<k {
                        let prob = exp(Double(row[j]) - logZ)
                        g[j] = Float((weighted * prob - w[j] * Double(targets[y + j])) * scale)
                    }
                }
            }
        }
        return (total / norm * Double(lossWeight), grad)
    }
}
