/// What mmaction2's recognizers return with `test_cfg=dict(feature_extraction=True)` and no `cls_head`
/// (tools/misc/clip_feature_extraction.py): the backbone's feature map average-pooled over everything but channels
/// (AdaptiveAvgPool2d/3d(1)), then averaged over each video's rows (its segments, or its clips and crops) — one row
/// of `numClasses` = feature channels per video, before any `average_clips`. Inference only: it has nothing to train.
public final class FeatureHead: RecognizerHead {
    public let numClasses: Int
    public var isTraining = false
    let pool = GlobalAvgPool()

    public init(channels: Int) { numClasses = channels }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        let x = features[0]
        precondition(x.shape[0] == numClasses && x.shape[1] % segments == 0, "feature head: \(x.shape) with \(segments) rows a video")
        return ClassificationHead.meanOverSegments(pool.forward(x), segments: segments)
    }

    public func backward(scores dScores: Tensor) -> [Tensor] {
        preconditionFailure("a feature-extraction head has no backward: it is built for inference only")
    }

    public var randomStreams: [Philox] {
        get { [] }
        set {}
    }

    public func applyMode(training: Bool) { isTraining = training }
}
