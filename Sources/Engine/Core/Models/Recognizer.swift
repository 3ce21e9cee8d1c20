import Foundation

/// What one training or validation step reports, in mmaction2's log order (top-k accuracies, loss_cls, loss).
public struct RecognizerStep: Sendable {
    public var logVars: [(String, Double)]
    public var loss: Double
    public var batchSize: Int
}

/// A backbone network: channel-major input (C×N×… ) to the feature maps its head reads.
///
/// Most backbones give one map; a two-pathway network (SlowFast) gives one per pathway, in the order its head
/// expects (slow, fast), which is why features travel as a list. A `Layer` backbone gets the one-map versions of
/// `features`/`backward(features:)` for free.
public protocol Backbone: Module {
    /// The feature maps of input `x` (training mode keeps what backward needs).
    func features(_ x: Tensor) -> [Tensor]
    /// From ∂L/∂features (same order as `features`): accumulates parameter gradients; returns ∂L/∂input, or an empty
    /// tensor when nothing below needs one (frozen stages, the stem).
    func backward(features: [Tensor]) -> Tensor
    /// PyTorch `.train(mode)` plus the backbone's own train-mode rules (`frozen_stages`, `norm_eval`, …).
    func applyMode(training: Bool)
}

extension Backbone where Self: Layer {
    public func features(_ x: Tensor) -> [Tensor] { [forward(x)] }
    public func backward(features: [Tensor]) -> Tensor { backward(features[0]) }
}

/// A classification head (mmaction2's BaseHead subclasses): feature maps in, class scores out, with the classifier
/// registered as `fc_cls`.
public protocol RecognizerHead: Module {
    /// The number of scores a row of the output holds: the classes (a feature-extraction head: the feature channels).
    var numClasses: Int { get }
    /// Class scores from the backbone's feature maps; `segments` is the recognizer's `num_segs` (frames or views per
    /// video), which heads that average over segments use.
    func forward(features: [Tensor], segments: Int) -> Tensor
    /// ∂L/∂features (one per feature map) from ∂L/∂scores.
    func backward(scores dScores: Tensor) -> [Tensor]
    /// The generators the head draws from in training (dropout masks), in a fixed order.
    var randomStreams: [Philox] { get set }
    /// Train or eval mode (dropout).
    func applyMode(training: Bool)
}

/// The forward of a train or val step: the head's loss, ∂loss/∂scores, the logged accuracies and a neck's
/// auxiliary loss.
struct ScoredLoss {
    var loss: Double
    var gradient: Tensor
    var accuracies: [(String, Double)]
    var auxiliary: (name: String, value: Double)?
}

/// A recognizer (mmaction2's BaseRecognizer subclasses): the pipeline's batch → backbone → head → scores, loss and
/// inference. What differs between recognizers is only how the batch becomes the backbone's input
/// (`backboneInput`); the steps themselves are shared (the defaults below), so the runner, evaluation, benches,
/// `reel test` and checkpoints work with any recognizer.
///
/// To add a recognizer, conform a class and implement `backboneInput`; new backbones and heads plug in through
/// `Backbone`/`RecognizerHead` (see ModelSpec for the config side).
public protocol Recognizer: Module {
    var backboneModule: any Backbone { get }
    /// The neck between backbone and head (mmaction2's `neck`, e.g. TPN), if any.
    var neckModule: (any Neck)? { get }
    var headModule: any RecognizerHead { get }
    /// The head's loss (`loss_cls` with `multi_class`, `label_smooth_eps` and the logged `topk`).
    var loss: HeadLoss { get }
    /// `test_cfg.average_clips`: "prob", "score" or nil.
    var averageClips: String? { get }
    /// The batch as the backbone takes it (channel-major) and `num_segs`: the rows per video that the head and
    /// `average_clip` group by.
    func backboneInput(_ imgs: Tensor) -> (x: Tensor, segments: Int)
    /// Forward, loss and backward for one batch; gradients are added into the parameters' `grad`.
    func trainStep(_ imgs: Tensor, targets: Targets) -> RecognizerStep
    /// Forward and loss only (`val_step`), in the current mode.
    func lossOnly(_ imgs: Tensor, targets: Targets) -> RecognizerStep
    /// Inference: one score row per video (B×K), averaged over its views per `test_cfg.average_clips`.
    func predict(_ imgs: Tensor) -> Tensor
    /// The backbone's maps as the neck takes them, and the `num_segs` the head then groups by. `clipFrames`: how many
    /// of a video's frames form one clip for the neck (nil: all of them). 3-D maps are clips already (the default
    /// returns them unchanged); Recognizer2D regroups its frames.
    func neckInput(_ features: [Tensor], segments: Int, clipFrames: Int?) -> (features: [Tensor], segments: Int)
    /// The neck's input gradients in the backbone's shapes (undoes `neckInput`).
    func backboneGradients(_ d: [Tensor]) -> [Tensor]
    /// Train or eval mode for the whole model, with the backbone's frozen-stage and norm_eval rules.
    func applyMode(training: Bool)
    /// The generators training draws from (the head's dropout masks), in a fixed order. A checkpoint keeps them
    /// (`CheckpointMetadata.rngState`), so a resumed run drops the units an uninterrupted one would.
    var randomStreams: [Philox] { get set }
    /// `train_cfg.blending` (mixup/cutmix), applied to the batches of `trainStep` and `lossOnly`; nil for none.
    var blending: BatchBlending? { get set }
}

extension Recognizer {
    public var numClasses: Int { headModule.numClasses }

    public var neckModule: (any Neck)? { nil }

    public func neckInput(_ features: [Tensor], segments: Int, clipFrames: Int?) -> (features: [Tensor], segments: Int) {
        (features, segments)
    }

    public func backboneGradients(_ d: [Tensor]) -> [Tensor] { d }

    /// `backbone`, `neck` (if any), `cls_head`: mmaction2's registration order, so state-dict keys are its own.
    public var children: [(String, any Module)] {
        [("backbone", backboneModule)] + (neckModule.map { [("neck", $0 as any Module)] } ?? []) + [("cls_head", headModule)]
    }

    /// The head's streams, then the backbone's when it draws too (C3D's dropout), then the neck's (TPN's auxiliary
    /// head), then the blending's, so checkpoints keep them all.
    public var randomStreams: [Philox] {
        get {
            headModule.randomStreams + ((backboneModule as? any RandomBackbone)?.randomStreams ?? [])
                + (neckModule?.randomStreams ?? []) + blendingStreams
        }
        set {
            precondition(newValue.count == randomStreams.count, "the model has \(randomStreams.count) random streams")
            var rest = newValue[...]
            headModule.randomStreams = Array(rest.prefix(headModule.randomStreams.count))
            rest = rest.dropFirst(headModule.randomStreams.count)
            if let b = backboneModule as? any RandomBackbone {
                b.randomStreams = Array(rest.prefix(b.randomStreams.count))
                rest = rest.dropFirst(b.randomStreams.count)
            }
            if let neck = neckModule { neck.randomStreams = Array(rest.prefix(neck.randomStreams.count)) }
            setBlendingStream(newValue)
        }
    }

    /// The blending's stream, which comes last in `randomStreams` (empty without blending).
    var blendingStreams: [Philox] { blending.map { [$0.rng] } ?? [] }

    /// Takes the blending's stream from the end of `streams` (a whole `randomStreams` value).
    func setBlendingStream(_ streams: [Philox]) {
        if let blending, let last = streams.last { blending.rng = last }
    }

    public func applyMode(training: Bool) {
        isTraining = training
        headModule.applyMode(training: training)
        neckModule?.setTraining(training)
        backboneModule.applyMode(training: training)
    }

    /// Class scores of a batch; with `auxiliaryFor` classes, also the neck's auxiliary loss on them (training).
    /// `clipFrames`: see `neckInput`.
    func scores(_ imgs: Tensor, auxiliaryFor classes: [Int]? = nil,
                clipFrames: Int? = nil) -> (scores: Tensor, auxiliary: (name: String, value: Double)?) {
        let (x, videoSegments) = backboneInput(imgs)
        var segments = videoSegments
        var features = backboneModule.features(x)
        var auxiliary: (name: String, value: Double)?
        if let neck = neckModule {
            (features, segments) = neckInput(features, segments: segments, clipFrames: clipFrames)
            features = neck.forward(features: features)
            if let classes { auxiliary = neck.auxiliaryLoss(classes: classes) }
        }
        return (headModule.forward(features: features, segments: segments), auxiliary)
    }

    public func trainStep(_ imgs: Tensor, targets: Targets) -> RecognizerStep {
        let scored = scoredLoss(imgs, targets: targets)
        var dFeatures = headModule.backward(scores: scored.gradient)
        if let neck = neckModule { dFeatures = backboneGradients(neck.backward(features: dFeatures)) }
        _ = backboneModule.backward(features: dFeatures)
        return Self.step(scored, batchSize: targets.count)
    }

    public func lossOnly(_ imgs: Tensor, targets: Targets) -> RecognizerStep {
        Self.step(scoredLoss(imgs, targets: targets), batchSize: targets.count)
    }

    /// A train step on one class per video.
    public func trainStep(_ imgs: Tensor, labels: [Int]) -> RecognizerStep { trainStep(imgs, targets: .classes(labels)) }

    /// A validation step on one class per video.
    public func lossOnly(_ imgs: Tensor, labels: [Int]) -> RecognizerStep { lossOnly(imgs, targets: .classes(labels)) }

    /// The forward of a train or val step: the loss, ∂loss/∂scores and the logged top-k accuracies. With blending,
    /// of the blended batch against its soft labels, and no accuracies (mmaction2 computes them only for class
    /// indices; Build refuses blending on a multi_class dataset, whose labels mmaction2 cannot one-hot either).
    /// A neck's auxiliary loss (TPN) takes class indices: Build refuses it with blending and label sets.
    func scoredLoss(_ imgs: Tensor, targets: Targets) -> ScoredLoss {
        if let blending, case .classes(let labels) = targets {
            // A neck runs without its auxiliary loss here: Build refuses blending with TPN's auxiliary head.
            let (mixed, soft) = blending.blend(imgs, labels: labels)
            let (value, gradient) = loss(scores(mixed).scores, dense: soft)
            return ScoredLoss(loss: value, gradient: gradient, accuracies: [], auxiliary: nil)
        }
        precondition(blending == nil, "blending takes class-index targets")
        var classes: [Int]?
        if neckModule != nil, case .classes(let c) = targets { classes = c }
        let (logits, auxiliary) = scores(imgs, auxiliaryFor: classes)
        let (value, gradient, accuracies) = loss(logits, targets: targets)
        return ScoredLoss(loss: value, gradient: gradient, accuracies: accuracies, auxiliary: auxiliary)
    }

    public func predict(_ imgs: Tensor) -> Tensor {
        RecognizerScores.averageClip(scores(imgs).scores, videos: imgs.shape[0], mode: averageClips)
    }

    /// mmaction2's log order: the neck's loss first (its dict is updated first), the accuracies, `loss_cls`, and
    /// `loss`, the sum of the losses.
    static func step(_ s: ScoredLoss, batchSize: Int) -> RecognizerStep {
        var vars: [(String, Double)] = s.auxiliary.map { [($0.name, $0.value)] } ?? []
        vars += s.accuracies
        vars.append(("loss_cls", s.loss))
        let total = s.loss + (s.auxiliary?.value ?? 0)
        vars.append(("loss", total))
        return RecognizerStep(logVars: vars, loss: total, batchSize: batchSize)
    }
}

/// mmaction2's `BaseRecognizer.average_clip`: nil returns the rows unchanged; "score" averages raw scores over the
/// views of a video; "prob" applies a softmax per view first (SEMANTICS.md §6.6).
public enum RecognizerScores {
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
