/// mmaction2's `BaseHead.loss`: the head's `loss_cls` with its `multi_class`, `label_smooth_eps` and `topk`
/// (SEMANTICS.md §6.5). Class-index targets give the batch's top-k accuracies (unless `multi_class`) and the
/// cross-entropy of their classes; label-set targets (a `multi_class=True` dataset) are made multi-hot, smoothed to
/// (1 − ε)·y + ε/K when the head is `multi_class` with ε ≠ 0, and given to BCELossWithLogits or to the soft-label
/// cross-entropy, as mmaction2 does whenever the labels have the scores' shape (blended batches too).
public struct HeadLoss: Sendable {
    /// `loss_cls`: which loss and its weights.
    public enum Function: Sendable {
        case crossEntropy(CrossEntropyLoss)
        case binaryCrossEntropy(BCELossWithLogits)
    }

    public var function: Function
    /// `multi_class`: no top-k accuracies are logged, and `label_smooth_eps` applies.
    public var multiClass: Bool
    public var labelSmoothEps: Float
    /// Batch accuracies logged in training (`top1_acc`, `top5_acc`), for class-index targets of a single-label head.
    public var topk: [Int]

    public init(_ function: Function = .crossEntropy(CrossEntropyLoss()), multiClass: Bool = false, labelSmoothEps: Float = 0,
                topk: [Int] = [1, 5]) {
        self.function = function; self.multiClass = multiClass; self.labelSmoothEps = labelSmoothEps; self.topk = topk
    }

    /// Whether training needs label sets (multi-hot targets): a BCE loss or a `multi_class` head.
    public var takesLabelSets: Bool {
        if case .binaryCrossEntropy = function { return true }
        return multiClass
    }

    /// The loss of `logits` (B×K) against `targets`, ∂loss/∂logits, and the logged accuracies (`top{k}_acc`).
    public func callAsFunction(_ logits: Tensor, targets: Targets) -> (loss: Double, gradient: Tensor, accuracies: [(String, Double)]) {
        switch targets {
        case .classes(let labels):
            guard case .crossEntropy(let ce) = function else {
                // Build/DataConfig refuses a BCE head on a single-label dataset (mmaction2 fails on the shapes).
                preconditionFailure("BCELossWithLogits needs multi-hot targets (a multi_class=True dataset)")
            }
            let (value, gradient) = ce(logits, labels: labels)
            let accuracies = multiClass ? [] : zip(topk, TopK.accuracies(scores: logits, labels: labels, topk: topk)).map { ("top\($0)_acc", $1) }
            return (value, gradient, accuracies)
        case .labelSets:
            let (value, gradient) = callAsFunction(logits, dense: targets.multiHot(classes: logits.shape[1]))
            return (value, gradient, [])
        }
    }

    /// The loss of `logits` against B×K row-major targets of the scores' shape (multi-hot, or blended soft labels):
    /// smoothed when the head is `multi_class` with ε ≠ 0, then BCE or the soft-label cross-entropy.
    public func callAsFunction(_ logits: Tensor, dense targets: [Float]) -> (loss: Double, gradient: Tensor) {
        var y = targets
        if multiClass && labelSmoothEps != 0 {
            let eps = labelSmoothEps, k = Float(logits.shape[1])
            y = y.map { (1 - eps) * $0 + eps / k }
        }
        switch function {
        case .crossEntropy(let ce): return ce(logits, targets: y)
        case .binaryCrossEntropy(let bce): return bce(logits, targets: y)
        }
    }
}
