/// mmaction2's `Recognizer2D` (TSN, TSM): the frames of every clip go through the 2-D backbone as one batch, the
/// head turns them into one row of class scores per video (SEMANTICS.md §6.6).
///
/// Input from the pipeline: B×M×C×H×W (M = clips × frames per video), reshaped to (B·M) images with
/// `num_segs = M`. Children `backbone` and `cls_head`, so state-dict keys are `backbone.…` and `cls_head.fc_cls.…`
/// as in mmaction2. Training, validation and inference steps are `Recognizer`'s.
public final class Recognizer2D: Recognizer {
    public typealias StepOutput = RecognizerStep
    public let backbone: ResNet
    public let clsHead: any RecognizerHead
    public let loss: HeadLoss
    public let averageClips: String?
    public var isTraining = true
    public var blending: BatchBlending?

    public init(backbone: ResNet, clsHead: any RecognizerHead, loss: HeadLoss = HeadLoss(), averageClips: String?) {
        self.backbone = backbone
        self.clsHead = clsHead
        self.loss = loss
        self.averageClips = averageClips
    }

    public var children: [(String, any Module)] { [("backbone", backbone), ("cls_head", clsHead)] }
    public var backboneModule: any Backbone { backbone }
    public var headModule: any RecognizerHead { clsHead }

    /// B×M×C×H×W → C×(B·M)×H×W; the head groups the frames by M.
    public func backboneInput(_ imgs: Tensor) -> (x: Tensor, segments: Int) {
        precondition(imgs.rank == 5, "Recognizer2D expects B×M×C×H×W, got \(imgs.shape)")
        return (Elementwise.toChannelMajor(imgs, channels: imgs.shape[2]), imgs.shape[1])
    }

    /// The backbone's features and `num_segs` for a batch (tests check the head on them).
    func features(_ imgs: Tensor) -> (Tensor, segments: Int) {
        let (x, segments) = backboneInput(imgs)
        return (backbone.forward(x), segments)
    }

    /// `RecognizerScores.averageClip` (kept under this name for callers of the 2-D model).
    public static func averageClip(_ scores: Tensor, videos: Int, mode: String?) -> Tensor {
        RecognizerScores.averageClip(scores, videos: videos, mode: mode)
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
