/// mmaction2's `Recognizer2D` (TSN, TSM, TPN-TSM): the frames of every clip go through the 2-D backbone as one batch,
/// the head turns them into one row of class scores per video (SEMANTICS.md §6.6).
///
/// Input from the pipeline: B×M×C×H×W (M = clips × frames per video), reshaped to (B·M) images with
/// `num_segs = M`. Children `backbone`, `neck` (TPN, if any) and `cls_head`, so state-dict keys are `backbone.…`
/// and `cls_head.fc_cls.…` as in mmaction2. Training, validation and inference steps are `Recognizer`'s.
///
/// With a neck, each video's M frames form one clip (T = M) for it and the head scores one row per video; the
/// reader makes sure the neck pools such a clip to one step in time, as mmaction2's head needs. `test_cfg.fcn_test`
/// (mmaction2's `_do_fcn_test`) instead cuts a video's frames into clips of `num_segs` for inference, optionally
/// flipped, and averages the clips' rows per `average_clips`.
public final class Recognizer2D: Recognizer {
    public typealias StepOutput = RecognizerStep
    /// `test_cfg.fcn_test=True`: the frames of one clip (`num_segs`, by default ResNetTSM's `num_segments`), and
    /// `flip` (every test frame mirrored left–right first).
    public struct FullyConvolutionalTest: Sendable, Equatable {
        public var clipFrames: Int
        public var flip = false
        public init(clipFrames: Int, flip: Bool = false) { self.clipFrames = clipFrames; self.flip = flip }
    }

    public let backbone: ResNet
    public let neck: (any Neck)?
    public let clsHead: any RecognizerHead
    public let loss: HeadLoss
    public let averageClips: String?
    public let fcnTest: FullyConvolutionalTest?
    public var isTraining = true
    public var blending: BatchBlending?

    public init(backbone: ResNet, neck: (any Neck)? = nil, clsHead: any RecognizerHead, loss: HeadLoss = HeadLoss(),
                averageClips: String?, fcnTest: FullyConvolutionalTest? = nil) {
        precondition(fcnTest == nil || neck != nil, "fully-convolutional testing runs TPNHead after a neck")
        self.backbone = backbone
        self.neck = neck
        self.clsHead = clsHead
        self.loss = loss
        self.averageClips = averageClips
        self.fcnTest = fcnTest
    }

    public var backboneModule: any Backbone { backbone }
    public var neckModule: (any Neck)? { neck }
    public var headModule: any RecognizerHead { clsHead }

    /// C×(B·M)×H×W maps → C×(B·M/g)×g×H×W clips of g = `clipFrames` (all M by default) frames; the head then
    /// scores one row per clip (num_segs 1).
    public func neckInput(_ features: [Tensor], segments: Int, clipFrames: Int?) -> (features: [Tensor], segments: Int) {
        let g = clipFrames ?? segments
        let clips = features.map { f in
            precondition(f.rank == 4 && f.shape[1] % g == 0, "\(f.shape[1]) frames do not split into clips of \(g)")
            return f.reshaped([f.shape[0], f.shape[1] / g, g, f.shape[2], f.shape[3]])
        }
        return (clips, 1)
    }

    /// C×N×g×H×W → C×(N·g)×H×W.
    public func backboneGradients(_ d: [Tensor]) -> [Tensor] {
        d.map { $0.reshaped([$0.shape[0], $0.shape[1] * $0.shape[2], $0.shape[3], $0.shape[4]]) }
    }

    /// Scores per video; with `fcnTest`, of each `num_segs` clip (flipped if asked), averaged per `average_clips`.
    public func predict(_ imgs: Tensor) -> Tensor {
        let input = fcnTest?.flip == true ? Self.flippedHorizontally(imgs) : imgs
        return RecognizerScores.averageClip(scores(input, clipFrames: fcnTest?.clipFrames).scores, videos: imgs.shape[0],
                                            mode: averageClips)
    }

    /// `torch.flip(imgs, [-1])`: every row of every frame reversed.
    static func flippedHorizontally(_ imgs: Tensor) -> Tensor {
        let w = imgs.shape.last!
        var out = Tensor(uninitialized: imgs.shape)
        imgs.withData { src in out.withMutableData { dst in
            for row in 0..<(imgs.count / w) {
                for x in 0..<w { dst[row * w + x] = src[row * w + w - 1 - x] }
            }
        } }
        return out
    }

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
