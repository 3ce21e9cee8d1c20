import Foundation

/// mmaction2's `BCELossWithLogits` (PyTorch's `binary_cross_entropy_with_logits`, reduction 'mean'): over all B×K
/// scores, w_c·(max(x, 0) − x·y + log(1 + e^−|x|)), averaged over the B·K elements and times `lossWeight`; the
/// optional `classWeight` w_c weighs class c (PyTorch's `weight=`, which scales the terms but not the divisor).
/// `callAsFunction` returns the loss and ∂loss/∂logits (B×K) = w_c·(σ(x) − y)·lossWeight / (B·K).
public struct BCELossWithLogits: Sendable {
    public var lossWeight: Float
    public var classWeight: [Float]?

    public init(lossWeight: Float = 1, classWeight: [Float]? = nil) {
        self.lossWeight = lossWeight
        self.classWeight = classWeight
    }

    /// `targets`: B×K row-major, each in [0, 1] (multi-hot, or smoothed by the head's `label_smooth_eps`).
    public func callAsFunction(_ logits: Tensor, targets: [Float]) -> (loss: Double, gradient: Tensor) {
        let b = logits.shape[0], k = logits.shape[1]
        precondition(targets.count == b * k, "\(targets.count) targets for \(b)×\(k) scores")
        precondition(classWeight.map { $0.count == k } ?? true, "class_weight has \(classWeight?.count ?? 0) values for \(k) classes")
        let n = Double(b * k), scale = Double(lossWeight) / n
        var grad = Tensor(uninitialized: logits.shape)
        var total = 0.0
        logits.withData { lp in
            grad.withMutableData { gp in
                for i in 0..<(b * k) {
                    let x = Double(lp[i]), y = Double(targets[i]), w = classWeight.map { Double($0[i % k]) } ?? 1
                    // The stable form: log(1 + e^x) − x·y, written so that neither exponential overflows.
                    total += w * (max(x, 0) - x * y + log1p(exp(-abs(x))))
                    let sigmoid = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
                    gp[i] = Float(w * (sigmoid - y) * scale)
                }
            }
        }
        return (total * scale, grad)
    }
}
