import Foundation

/// mmaction2's `Recognizer2D` (TSN, TSM): the frames of every clip go through the 2-D backbone as one batch, the
/// head turns them into one row of class scores per video (SEMANTICS.md §6.6).
///
/// Input from the pipeline: B×M×C×H×W (M = clips × frames per video). Children `backbone` and `cls_head`, so
/// state-dict keys are `backbone.…` and `cls_head.fc_cls.…` as in mmaction2.
public final class Recognizer2D: Module {
    public let backbone: ResNet
    public let clsHead: ClassificationHead
    public let loss: CrossEntropyLoss
    /// Batch accuracies logged in training (`top1_acc`, `top5_acc`).
    public let topk: [Int]
    /// `test_cfg.average_clips`: "prob", "score" or nil.
    public let averageClips: String?
    public var isTraining = true

    /// What one training step reports, in mmaction2's log order (top-k accuracies, loss_cls, loss).
    public struct StepOutput: Sendable {
        public var logVars: [(String, Double)]
        public var loss: Double
        public var batchSize: Int
    }

    public init(backbone: ResNet, clsHead: ClassificationHead, loss: CrossEntropyLoss = CrossEntropyLoss(),
                topk: [Int] = [1, 5], averageClips: String?) {
        self.backbone = backbone
        self.clsHead = clsHead
        self.loss = loss
        self.topk = topk
        self.averageClips = averageClips
    }

    public var children: [(String, any Module)] { [("backbone", backbone), ("cls_head", clsHead)] }

    /// The generators training draws from (the head's dropout masks), in a fixed order. A checkpoint keeps them
    /// (`CheckpointMetadata.rngState`), so a resumed run drops the units an uninterrupted one would.
    public var randomStreams: [Philox] {
        get { clsHead.dropout.map { [$0.rng] } ?? [] }
        set {
            precondition(newValue.count == randomStreams.count, "the model has \(randomStreams.count) random streams")
            if let d = clsHead.dropout, let rng = newValue.first { d.rng = rng }
        }
    }

    /// Train or eval mode for the whole model, with the backbone's frozen-stage and norm_eval rules.
    public func applyMode(training: Bool) {
        isTraining = training
        clsHead.isTraining = training
        clsHead.fcCls.isTraining = training
        backbone.applyMode(training: training)
    }

    func features(_ imgs: Tensor) -> (Tensor, segments: Int) {
        precondition(imgs.rank == 5, "Recognizer2D expects B×M×C×H×W, got \(imgs.shape)")
        let x = Elementwise.toChannelMajor(imgs, channels: imgs.shape[2])
        return (backbone.forward(x), imgs.shape[1])
    }

    /// Forward, loss and backward for one batch; gradients are added into the parameters' `grad`.
    public func trainStep(_ imgs: Tensor, labels: [Int]) -> StepOutput {
        let (feats, segments) = features(imgs)
        let logits = clsHead.forward(feats, segments: segments)
        let (lossValue, dLogits) = loss(logits, labels: labels)
        let accuracies = TopK.accuracies(scores: logits, labels: labels, topk: topk)
        _ = backbone.backward(clsHead.backward(dLogits))
        var vars = zip(topk, accuracies).map { ("top\($0)_acc", $1) }
        vars.append(("loss_cls", lossValue))
        vars.append(("loss", lossValue))
        return StepOutput(logVars: vars, loss: lossValue, batchSize: labels.count)
    }

    /// Forward and loss only (`val_step`), in the current mode.
    public func lossOnly(_ imgs: Tensor, labels: [Int]) -> StepOutput {
        let (feats, segments) = features(imgs)
        let logits = clsHead.forward(feats, segments: segments)
        let lossValue = loss(logits, labels: labels).loss
        var vars = zip(topk, TopK.accuracies(scores: logits, labels: labels, topk: topk)).map { ("top\($0)_acc", $1) }
        vars.append(("loss_cls", lossValue))
        vars.append(("loss", lossValue))
        return StepOutput(logVars: vars, loss: lossValue, batchSize: labels.count)
    }

    /// Inference: B×M×C×H×W → one score row per video (B×K), averaged over views per `test_cfg.average_clips`.
    /// The head already averages a TSN clip's segments; TSM gives one row per group of `num_segments` frames.
    public func predict(_ imgs: Tensor) -> Tensor {
        let b = imgs.shape[0]
        let (feats, segments) = features(imgs)
        let scores = clsHead.forward(feats, segments: segments)
        return Self.averageClip(scores, videos: b, mode: averageClips)
    }

    /// mmaction2's `average_clip`: nil returns the rows unchanged; "score" averages raw scores over the views of a
    /// video; "prob" applies a softmax per view first.
    public static func averageClip(_ scores: Tensor, videos: Int, mode: String?) -> Tensor {
        guard let mode else { return scores }
        let rows = scores.shape[0], k = scores.shape[1], views = rows / videos
        var out = Tensor.zeros([videos, k])
        scores.withData { sp in
            out.withMutableData { op in
                for v in 0..<videos {
                    for r in 0..<views {
                        let row = sp + (v * views + r) * k
                        if mode == "prob" {
                            var mx = -Float.infinity
                            for j in 0..<k { mx = max(mx, row[j]) }
                            var sum: Float = 0
                            for j in 0..<k { sum += exp(row[j] - mx) }
                            for j in 0..<k { op[v * k + j] += exp(row[j] - mx) / sum / Float(views) }
                        } else {
                            for j in 0..<k { op[v * k + j] += row[j] / Float(views) }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Top-k accuracy as mmaction2 computes it (SEMANTICS.md §7): a hit when the label is among the k highest scores;
/// among tied scores the higher class index ranks first.
public enum TopK {
    public static func accuracies(scores: Tensor, labels: [Int], topk: [Int]) -> [Double] {
        let k = scores.shape[1]
        var hits = [Int](repeating: 0, count: topk.count)
        for (i, label) in labels.enumerated() {
            let row = (0..<k).map { scores[i * k + $0] }
            // Ascending stable order by (score, index), read from the end: ties → higher index first.
            let order = (0..<k).sorted { row[$0] != row[$1] ? row[$0] < row[$1] : $0 < $1 }
            for (t, kk) in topk.enumerated() where order.suffix(kk).contains(label) { hits[t] += 1 }
        }
        return hits.map { labels.isEmpty ? 0 : Double($0) / Double(labels.count) }
    }
}
