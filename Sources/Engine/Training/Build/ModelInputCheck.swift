import Config
import EngineCore
import EngineData

/// The pipelines against the model: a 2-D recognizer takes `FormatShape` NCHW frames, a 3-D one NCTHW clips, and a
/// 3-D recognizer trains on one view per video (mmaction2's loss fails on more: it gets a row per view and a label
/// per video). Found when the config is read, not as a crash in the first batch; errors point at the step.
public enum ModelInputCheck {
    public static func check(_ model: ModelSpec, data: DataConfig, splits: [DataSplit]) throws {
        try checkSlowFastClips(model, data: data, splits: splits)
        for split in splits where data.has(split) {
            var pipeline = data.config.root["data"]?.dict?[split.rawValue]
            if split == .train, let first = pipeline?.elements?.first { pipeline = first }   // OmniSource's main source
            try check(model, steps: try data.pipeline(split).steps, name: "data.\(split.rawValue)", training: split == .train,
                      pipeline: pipeline?.dict?["pipeline"], files: data.config.files)
        }
    }

    /// OmniSource's auxiliary training sources (`data.train[1…]`), checked as the main one.
    public static func checkAuxiliary(_ model: ModelSpec, data: DataConfig, specs: [DataSpec]) throws {
        let list = data.config.root["data"]?.dict?["train"]?.elements ?? []
        for (k, spec) in specs.enumerated() {
            try check(model, steps: spec.dataset.pipeline.steps, name: "data.train[\(k + 1)]", training: true,
                      pipeline: list.count > k + 1 ? list[k + 1].dict?["pipeline"] : nil, files: data.config.files)
        }
    }

    /// One pipeline (`name`'s, whose config list is `pipeline`) against the model.
    static func check(_ model: ModelSpec, steps: [any PipelineStep], name: String, training: Bool, pipeline: ConfigValue?,
                      files: SourceFiles) throws {
        let expected = model.recognizer == .recognizer3D ? "NCTHW" : "NCHW"
        // A ConfigError at the pipeline's first step of type `step` (or the pipeline).
        func error(step: String, _ message: String) -> ConfigError {
            let at = pipeline?.elements?.first { $0.dict?["type"]?.string == step } ?? pipeline
            return files.error(message, at: at?.origin ?? Origin(location: nil, source: .file))
        }
        guard let f = steps.compactMap({ $0 as? FormatShape }).last else {
            // Without it the frames stay H×W×C: the model would read rows as channels.
            throw error(step: "FormatShape", "\(model.recognizer.rawValue) needs FormatShape(input_format='\(expected)') in "
                        + "\(name).pipeline (without it the frames stay H×W×C)")
        }
        if f.inputFormat != expected {
            throw error(step: "FormatShape", "\(model.recognizer.rawValue) takes input_format='\(expected)', but \(name)'s "
                        + "FormatShape makes '\(f.inputFormat)'")
        }
        let (views, frames) = views(steps)
        if model.recognizer == .recognizer2D, let neck = model.neck {
            if !training, let fcn = model.fcnTest {
                if (views * frames) % fcn.clipFrames != 0 {
                    throw error(step: "SampleFrames", "fcn_test cuts the \(views * frames) images \(name)'s pipeline makes per video "
                                + "(clips × clip_len × crops) into clips of num_segs=\(fcn.clipFrames), which does not divide them")
                }
            } else {
                // The neck sees a video's frames as one clip; the head then pools H×W only, so time must pool to one step.
                let scale = neck.temporalScales[0]
                let steps = (views * frames + scale - 1) / scale
                if steps != 1 {
                    throw error(step: "SampleFrames", "TPN pools the \(views * frames) frames \(name)'s pipeline makes per video "
                                + "(one clip on Recognizer2D) by \(scale) in time to \(steps) steps, and the head takes one: use "
                                + "downsample_scales of at least \(views * frames)" + (training ? "" : ", or test_cfg fcn_test=True"))
                }
            }
        }
        if training && model.recognizer == .recognizer3D && views != 1 {
            throw error(step: "SampleFrames", "Recognizer3D trains on one view per video, but \(name)'s pipeline makes \(views) "
                        + "(num_clips × crops); mmaction2's loss fails on that too")
        }
    }

    /// The views a pipeline makes per video (clips × crops) and the frames of each view: the last sampling step's
    /// (a later one replaces an earlier one's frame indices, as in mmaction2), or an image's pseudo clip.
    static func views(_ steps: [any PipelineStep]) -> (views: Int, frames: Int) {
        let sampler = steps.compactMap { $0 as? SampleFrames }.last
        var views = sampler?.clipsPerVideo ?? 1
        for case let c as CropStep in steps {
            if case .three = c.kind { views *= 3 }
            if case .ten = c.kind { views *= 10 }
        }
        return (views, sampler?.clipLen ?? steps.compactMap { ($0 as? BuildPseudoClip)?.clipLen }.last ?? 1)
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
