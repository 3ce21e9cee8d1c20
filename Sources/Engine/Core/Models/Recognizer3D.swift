/// mmaction2's `Recognizer3D` (I3D, SlowOnly, …): every view (clip × crop) of a video goes through the 3-D backbone
/// as one volume; the head gives one row of scores per view (SEMANTICS.md §6.6).
///
/// Input from the pipeline (FormatShape NCTHW): B×V×C×T×H×W, reshaped to (B·V) volumes with `num_segs = V`.
/// Training expects V = 1 (one row per label, as mmaction2's loss does); inference averages the V rows of a video
/// per `test_cfg.average_clips`. `max_testing_views` only splits mmaction2's batch for memory: the scores are the
/// same, so Reel scores all views at once. Children `backbone`, `neck` (TPN, if any), `cls_head` (state-dict keys as
/// mmaction2's).
public final class Recognizer3D: Recognizer {
    public let backbone: any Backbone
    public let neck: (any Neck)?
    public let clsHead: any RecognizerHead
    public let loss: HeadLoss
    public let averageClips: String?
    public var isTraining = true
    public var blending: BatchBlending?

    public init(backbone: any Backbone, neck: (any Neck)? = nil, clsHead: any RecognizerHead, loss: HeadLoss = HeadLoss(),
                averageClips: String?) {
        self.backbone = backbone
        self.neck = neck
        self.clsHead = clsHead
        self.loss = loss
        self.averageClips = averageClips
    }

    public var backboneModule: any Backbone { backbone }
    public var neckModule: (any Neck)? { neck }
    public var headModule: any RecognizerHead { clsHead }

    /// B×V×C×T×H×W → C×(B·V)×T×H×W.
    public func backboneInput(_ imgs: Tensor) -> (x: Tensor, segments: Int) {
        precondition(imgs.rank == 6, "Recognizer3D expects B×V×C×T×H×W, got \(imgs.shape)")
        return (Elementwise.toChannelMajor(imgs, channels: imgs.shape[2]), imgs.shape[1])
    }
}

/// A backbone that draws random numbers in training (C3D's dropout): the recognizer reports its streams after the
/// head's, so a checkpoint keeps them.
public protocol RandomBackbone: AnyObject {
    var randomStreams: [Philox] { get set }
}
