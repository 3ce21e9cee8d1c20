/// mmaction2's `Recognizer3D` (I3D, SlowOnly, …): every view (clip × crop) of a video goes through the 3-D backbone
/// as one volume; the head gives one row of scores per view (SEMANTICS.md §6.6).
///
/// Input from the pipeline (FormatShape NCTHW): B×V×C×T×H×W, reshaped to (B·V) volumes with `num_segs = V`.
/// Training expects V = 1 (one row per label, as mmaction2's loss does); inference averages the V rows of a video
/// per `test_cfg.average_clips`. `max_testing_views` only splits mmaction2's batch for memory: the scores are the
/// same, so Reel scores all views at once. Children `backbone`, `cls_head` (state-dict keys as mmaction2's).
public final class Recognizer3D: Recognizer {
    public let backbone: any Backbone
    public let clsHead: any RecognizerHead
    public let loss: HeadLoss
    public let averageClips: String?
    public var isTraining = true
    public var blending: BatchBlending?

    public init(backbone: any Backbone, clsHead: any RecognizerHead, loss: HeadLoss = HeadLoss(), averageClips: String?) {
        self.backbone = backbone
        self.clsHead = clsHead
        self.loss = loss
        self.averageClips = averageClips
    }

    public var children: [(String, any Module)] { [("backbone", backbone), ("cls_head", clsHead)] }
    public var backboneModule: any Backbone { backbone }
    public var headModule: any RecognizerHead { clsHead }

    /// The head's streams, then the backbone's when it draws too (C3D's dropout), then the blending's, so checkpoints
    /// keep them all.
    public var randomStreams: [Philox] {
        get { clsHead.randomStreams + ((backbone as? any RandomBackbone)?.randomStreams ?? []) + blendingStreams }
        set {
            precondition(newValue.count == randomStreams.count, "the model has \(randomStreams.count) random streams")
            let own = clsHead.randomStreams.count
            clsHead.randomStreams = Array(newValue.prefix(own))
            if let b = backbone as? any RandomBackbone {
                b.randomStreams = Array(newValue.dropFirst(own).prefix(b.randomStreams.count))
            }
            setBlendingStream(newValue)
        }
    }

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
