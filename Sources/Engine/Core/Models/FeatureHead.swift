/// What mmaction2's recognizers return with `test_cfg=dict(feature_extraction=True)` and no `cls_head`
/// (tools/misc/clip_feature_extraction.py): the backbone's feature map average-pooled over everything but channels
/// (AdaptiveAvgPool2d/3d(1)), then averaged over each video's rows (its segments, or its clips and crops) — one row
/// of `numClasses` = feature channels per video, before any `average_clips`. Inference only: it has nothing to train.
public final class FeatureHead: RecognizerHead {
    public let numClasses: Int
    public var isTraining = false

    public init(channels: Int) { numClasses = channels }

    public func forward(features: [Tensor], segments: Int) -> Tensor {
        let x = features[0]
        let c = x.shape[0], rows = x.shape[1], plane = x.count / max(1, c * rows)
        precondition(c == numClasses && rows % segments == 0, "feature head: \(x.shape) with \(segments) rows a video")
        let videos = rows / segments
        var out = Tensor.zeros([videos, c])
        x.withData { xp in
            out.withMutableData { op in
                for ch in 0..<c {
                    for r in 0..<rows {
                        var s: Float = 0
                        let p = xp + (ch * rows + r) * plane
                        for i in 0..<plane { s += p[i] }
                        op[(r / segments) * c + ch] += s / Float(plane) / Float(segments)
                    }
                }
            }
        }
        return out
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
