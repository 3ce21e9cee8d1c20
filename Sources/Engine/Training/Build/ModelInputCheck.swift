import Config
import EngineCore
import EngineData

/// The pipelines against the model: a 2-D recognizer takes `FormatShape` NCHW frames, a 3-D one NCTHW clips, and a
/// 3-D recognizer trains on one view per video (mmaction2's loss fails on more: it gets a row per view and a label
/// per video). Found when the config is read, not as a crash in the first batch; errors point at the step.
public enum ModelInputCheck {
    public static func check(_ model: ModelSpec, data: DataConfig, splits: [DataSplit]) throws {
        try checkSlowFastClips(model, data: data, splits: splits)
        let expected = model.recognizer == .recognizer3D ? "NCTHW" : "NCHW"
        for split in splits where data.has(split) {
            let steps = try data.pipeline(split).steps
            guard let f = steps.compactMap({ $0 as? FormatShape }).last else {
                // Without it the frames stay H×W×C: the model would read rows as channels.
                throw error(data, split, step: "FormatShape", "\(model.recognizer.rawValue) needs FormatShape(input_format="
                            + "'\(expected)') in data.\(split.rawValue).pipeline (without it the frames stay H×W×C)")
            }
            if f.inputFormat != expected {
                throw error(data, split, step: "FormatShape", "\(model.recognizer.rawValue) takes input_format='\(expected)', "
                            + "but data.\(split.rawValue)'s FormatShape makes '\(f.inputFormat)'")
            }
            if model.recognizer == .recognizer2D, let neck = model.neck {
                let (views, frames) = views(steps)
                try checkClips(neck, fcnTest: model.fcnTest, data: data, split: split, frames: views * frames)
            }
            guard split == .train, model.recognizer == .recognizer3D else { continue }
            let views = views(steps).views
            if views != 1 {
                throw error(data, split, step: "SampleFrames", "Recognizer3D trains on one view per video, but data.train's pipeline "
                            + "makes \(views) (num_clips × crops); mmaction2's loss fails on that too")
            }
        }
    }

    /// The views a pipeline makes per video (clips × crops) and the frames of each view: the last sampling step's
    /// (a later one replaces an earlier one's frame indices, as in mmaction2).
    static func views(_ steps: [any PipelineStep]) -> (views: Int, frames: Int) {
        let sampler = steps.compactMap { $0 as? SampleFrames }.last
        var views = sampler?.clipsPerVideo ?? 1
        for case let c as CropStep in steps {
            if case .three = c.kind { views *= 3 }
            if case .ten = c.kind { views *= 10 }
        }
        return (views, sampler?.clipLen ?? 1)
    }

    /// A TPN after a 2-D backbone (mmaction2's Recognizer2D): the neck sees each video's `frames` as one clip and its
    /// temporal pooling must leave one step, since the head then pools H×W only (mmaction2's fails otherwise);
    /// fully-convolutional testing (val/test) instead cuts the frames into clips of `num_segs`, which must divide them.
    static func checkClips(_ neck: TPNSpec, fcnTest: Recognizer2D.FullyConvolutionalTest?, data: DataConfig, split: DataSplit,
                           frames: Int) throws {
        if split != .train, let fcn = fcnTest {
            if frames % fcn.clipFrames != 0 {
                throw error(data, split, step: "SampleFrames", "fcn_test cuts the \(frames) images data.\(split.rawValue)'s pipeline "
                            + "makes per video (clips × clip_len × crops) into clips of num_segs=\(fcn.clipFrames), which does "
                            + "not divide them")
            }
            return
        }
        let scale = neck.temporalScales[0]
        let steps = (frames + scale - 1) / scale
        if steps != 1 {
            throw error(data, split, step: "SampleFrames", "TPN pools the \(frames) frames data.\(split.rawValue)'s pipeline makes per "
                        + "video (one clip on Recognizer2D) by \(scale) in time to \(steps) steps, and the head takes one: use "
                        + "downsample_scales of at least \(frames)" + (split == .train ? "" : ", or test_cfg fcn_test=True"))
        }
    }

    /// The training splits' labels against the head's loss, where mmaction2 would fail in the loss or the blending:
    /// BCELossWithLogits and a `multi_class` head need a `multi_class=True` dataset (multi-hot labels of the scores'
    /// shape), and mixup/cutmix one-hot class indices, which a multi_class dataset does not give. A multi_class
    /// dataset under a single-label head trains, as in mmaction2, with the soft-label cross-entropy.
    public static func checkTargets(_ model: ModelSpec, specs: [DataSpec], config: ResolvedConfig) throws {
        let modelDict = config.root["model"]?.dict
        let head = modelDict?["cls_head"]
        // The first of `values` that exists is where the error points.
        func at(_ values: ConfigValue?...) -> Origin { values.compactMap { $0 }.first?.origin ?? Origin(location: nil, source: .file) }
        for spec in specs {
            let split = spec.split.rawValue
            let dataset = config.root["data"]?.dict?[split]
            if spec.dataset.multiClass {
                if model.blending != nil {
                    throw config.files.error("mixup/cutmix blending one-hot encodes one class per video; data.\(split) has "
                                             + "multi_class=True labels (mmaction2 fails on them too)",
                                             at: at(modelDict?["train_cfg"]?.dict?["blending"], dataset))
                }
                if model.neck?.aux != nil {
                    throw config.files.error("TPN's auxiliary head takes one class per video; data.\(split) has multi_class=True "
                                             + "labels (set aux_head_cfg=None)", at: at(modelDict?["neck"]?.dict?["aux_head_cfg"], dataset))
                }
                continue
            }
            if model.head.loss.function == .binaryCrossEntropy {
                throw config.files.error("BCELossWithLogits takes multi-hot labels: data.\(split) needs multi_class=True and "
                                         + "num_classes (mmaction2 fails on the shapes otherwise)", at: at(head?.dict?["loss_cls"], head))
            }
            if model.head.loss.multiClass {
                throw config.files.error("the head has multi_class=True but data.\(split) gives one label per video: set "
                                         + "multi_class=True and num_classes on the dataset too", at: at(head?.dict?["multi_class"], head))
            }
        }
    }

    /// A `ConfigError` at the split's first step of type `step` (or its pipeline).
    static func error(_ data: DataConfig, _ split: DataSplit, step: String, _ message: String) -> ConfigError {
        let files = data.config.files
        let pipeline = data.config.root["data"]?.dict?[split.rawValue]?.dict?["pipeline"]
        let at = pipeline?.elements?.first { $0.dict?["type"]?.string == step } ?? pipeline
        return files.error(message, at: at?.origin ?? Origin(location: nil, source: .file))
    }
}
