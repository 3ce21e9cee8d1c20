import Config
import Foundation
import EngineCore
import EngineData

/// How long a run is: `runner = dict(type=…, max_epochs | max_iters)` (Reel honours it, mmaction2 ignores it) or
/// `total_epochs`. `maxIters` is 0 for an epoch-based run until the loader length is known.
public struct RunLength: Sendable, Equatable {
    public var byEpoch: Bool
    public var maxEpochs: Int
    public var maxIters: Int
    public init(byEpoch: Bool, maxEpochs: Int, maxIters: Int) { self.byEpoch = byEpoch; self.maxEpochs = maxEpochs; self.maxIters = maxIters }
}

/// Everything a training run takes from its config, read once with located errors: what `reel train` (and the
/// dashboard's `r`) builds from and what `reel config check` runs, so the two give one verdict. Reading touches no
/// file: annotation files and checkpoints are read when the run is built.
public struct RunSpec {
    public let config: ResolvedConfig
    /// `work_dir` as the config gives it (nil: `./work_dirs/<config name>`).
    public var workDir: String?
    public var seed: UInt64?
    public var resumeFrom: String?
    public var loadFrom: String?
    public var length: RunLength
    public var model: ModelSpec
    public var optimizer: OptimizerSpec
    public var data: DataConfig
    public var train: DataSpec
    /// OmniSource (`omnisource=True`): the training sources after the main one (`data.train[1…]`) and `train_ratio`
    /// (see `Runner.OmniSource`); empty and [1] otherwise.
    public var auxiliaryTrain: [DataSpec] = []
    public var trainRatio = [1]
    /// The val split, when the config has one (needed by `--validate`).
    public var val: DataSpec?
    public var lr: LRSchedule?
    public var optimizerHook: OptimizerHookSpec
    public var checkpoint: CheckpointSpec?
    public var evaluation: EvalSpec
    public var log: LogSpec?
    /// `workflow`, and for a `('val', m)` phase its loader spec: `data.val` with the train loader's settings.
    public var workflow = Workflow()
    public var valWorkflow: DataSpec?
    /// Whether the model names `norm_cfg=dict(type='SyncBN')`: in data-parallel training its BatchNorm layers sum
    /// their batch statistics over the ranks (one process: plain BN).
    public var syncBatchNorm = false
    /// One-line warnings of the reading (settings that have no effect in Reel, deprecated keys): `config check`
    /// prints them and the run logs them, with the schema's warnings.
    public var warnings: [ConfigError] = []

    /// Reads every section a run uses, in the order training builds them (so the first error is the one
    /// `reel train` met before). With `log`, every key read is recorded (the schema drift test).
    public static func read(_ config: ResolvedConfig, log: ReadLog? = nil) throws -> RunSpec {
        let log = log ?? ReadLog()   // its notes are the reading's warnings
        let top = try ConfigReader(config.value, name: "config", files: config.files, log: log)
        var workDir: String?
        if let v = top.value("work_dir"), !v.isNone {
            guard let s = v.string else { throw config.error("work_dir must be a string", at: v.origin) }
            workDir = s
        }
        var seed: UInt64?
        if top.has("seed") {
            let s = try top.int("seed")
            guard s >= 0 else { throw top.error("seed must be a non-negative integer", key: "seed") }
            seed = UInt64(s)
        }
        let resume = try top.optionalString("resume_from"), load = try top.optionalString("load_from")
        let length = try readLength(top)
        var workflow = Workflow()
        if let w = top.value("workflow"), !w.isNone { workflow = try readWorkflow(w, files: config.files, byEpoch: length.byEpoch) }
        readGlobals(top)
        guard let modelConfig = top.value("model") else { throw top.error("the config has no 'model'") }
        let model = try ModelReader.read(modelConfig, files: config.files, log: log)
        if model.head.extractsFeatures {
            throw config.files.error("a feature extractor (no cls_head, test_cfg.feature_extraction=True) has nothing to train; "
                                     + "run `reel infer CONFIG CKPT VIDEO --json` for its features", at: modelConfig.origin)
        }
        guard let optConfig = top.value("optimizer") else { throw top.error("the config has no 'optimizer'") }
        let optimizer = try OptimizerReader.read(optConfig, files: config.files, log: log)
        let data = try DataConfig(config, log: log)
        let omniSource = try top.bool("omnisource", false)
        if omniSource, let t = data.config.root["data"]?.dict?["train"], t.elements == nil, let flag = top.value("omnisource") {
            // mmaction2's train.py asserts a list (its own single-source OmniSource baselines fail on it); one dataset
            // is a one-source OmniSource run, which trains as a regular one (docs/differences.md).
            log.note(config.error("omnisource=True with one train dataset: trained as a regular run (mmaction2's train.py "
                                  + "asserts that data.train is a list)", at: flag.origin, severity: .warning))
        }
        let train = try data.spec(.train)
        let auxiliaryTrain = try data.auxiliaryTrainSpecs()
        let trainRatio = try data.trainRatio()
        if omniSource {
            if !length.byEpoch, let r = top.value("runner") {
                throw config.files.error("omnisource=True runs mmaction2's OmniSourceRunner, which is epoch-based: use "
                                         + "EpochBasedRunner", at: r.origin)
            }
            if workflow.valEpochs > 0, let w = top.value("workflow") {
                throw config.files.error("omnisource=True does not run a ('val', m) workflow phase (mmaction2's train.py asserts "
                                         + "it): validate with --validate", at: w.origin)
            }
        }
        let val = data.has(.val) ? try data.spec(.val) : nil
        try ModelInputCheck.check(model, data: data, splits: [.train, .val])
        try ModelInputCheck.checkAuxiliary(model, data: data, specs: auxiliaryTrain)
        try ModelInputCheck.checkTargets(model, specs: [train] + auxiliaryTrain + (val.map { [$0] } ?? []), config: config)
        var lr: LRSchedule?
        if let v = top.value("lr_config"), !v.isNone {
            let schedule = try LRSchedule(reading: try top.reader(v, name: "lr_config"), defaultByEpoch: length.byEpoch)
            // The by-iteration length of an epoch-based run needs the loader: then training checks again.
            if let problem = schedule.problem(maxEpochs: length.maxEpochs, maxIters: length.maxIters) {
                throw config.files.error(problem, at: v.origin)
            }
            lr = schedule
        }
        guard let o = top.value("optimizer_config"), !o.isNone else {
            throw top.error("optimizer_config is None: nothing would update the weights (write optimizer_config = dict(grad_clip=None))")
        }
        let optimizerHook = try readOptimizerHook(try top.reader(o, name: "optimizer_config"))
        var checkpoint: CheckpointSpec?
        if let c = top.value("checkpoint_config"), !c.isNone {
            checkpoint = try readCheckpoint(try top.reader(c, name: "checkpoint_config"), defaultByEpoch: length.byEpoch)
        }
        var valWorkflow: DataSpec?
        if workflow.valEpochs > 0 {
            guard data.has(.val), let w = top.value("workflow"), let entry = w.elements?.last else {
                throw top.error("workflow has a ('val', n) phase but data has no 'val' dataset", key: "workflow")
            }
            // mmaction2's tools/train.py: build_dataset(cfg.data.val) — its own test_mode (default False) — loaded
            // with the train loader's settings (batch size, workers, shuffle).
            guard var spec = val else { throw config.files.error("data.val is needed by the ('val', n) phase", at: entry.origin) }
            spec.loader = try data.loaderSettings(.train)
            valWorkflow = spec
        }
        var evaluation = EvalSpec()
        if let e = top.value("evaluation"), !e.isNone { evaluation = try readEvaluation(try top.reader(e, name: "evaluation")) }
        if let val { try checkMetrics(evaluation, on: val, config: config) }
        let logSpec = try top.sub("log_config").map(readLog)
        if let custom = top.value("custom_hooks"), let items = custom.elements, let first = items.first {
            throw config.files.error("custom_hooks are not supported by Reel yet", at: first.origin)
        }
        return RunSpec(config: config, workDir: workDir, seed: seed, resumeFrom: resume, loadFrom: load, length: length,
                       model: model, optimizer: optimizer, data: data, train: train, auxiliaryTrain: auxiliaryTrain,
                       trainRatio: trainRatio, val: val, lr: lr,
                       optimizerHook: optimizerHook, checkpoint: checkpoint, evaluation: evaluation, log: logSpec,
                       workflow: workflow, valWorkflow: valWorkflow, syncBatchNorm: namesSyncBN(modelConfig),
                       warnings: log.notes)
    }

    /// Whether any dict under `value` is `dict(type='SyncBN', …)` (the model's norm_cfg, wherever it sits).
    public static func namesSyncBN(_ value: ConfigValue) -> Bool {
        if let d = value.dict {
            return d.contains { ($0.key.description == "type" && $0.value.string == "SyncBN") || namesSyncBN($0.value) }
        }
        return value.elements?.contains(where: namesSyncBN) ?? false
    }

    /// Top-level settings of mmaction2's tools/train.py that Reel does not use, each with its decision.
    static func readGlobals(_ top: ConfigReader) {
        top.accepts("cudnn_benchmark", as: .noted(default: .bool(false), why: "a cuDNN (GPU) setting; it has no effect on a CPU"))
        top.accepts("dist_params", as: .inert("torch.distributed's backend; Reel's data-parallel training runs on Open MPI (--launcher mpi)"))
        top.accepts("gpu_ids", as: .inert("mmaction2's train.py replaces it with its --gpu-ids/--gpus option"))
        top.accepts("opencv_num_threads", "mp_start_method", as: .inert("worker settings that change speed, not results"))
        top.accepts("log_level", as: .noted(default: .string("INFO"), why: "Reel's .log holds every INFO line"))
    }

    /// The work directory: the override, the config's `work_dir`, or `./work_dirs/<config name>`.
    public func workDirectory(override: String?) -> String {
        if let override { return override }
        if let workDir { return workDir }
        let stem = ((config.path as NSString).lastPathComponent as NSString).deletingPathExtension
        return "./work_dirs/\(stem)"
    }

    /// `runner=dict(...)` or `total_epochs`: the one place the run length is read.
    static func readLength(_ top: ConfigReader) throws -> RunLength {
        var byEpoch = true, maxEpochs = 0, maxIters = 0
        if let r = try top.sub("runner") {
            let type = try r.require("type", in: ["EpochBasedRunner", "IterBasedRunner"], default: "EpochBasedRunner")
            byEpoch = type == "EpochBasedRunner"
            // Each is needed by its runner type only (max_epochs can come from total_epochs).
            r.note("max_epochs", .value(.none))
            r.note("max_iters", .value(.none))
            if byEpoch { maxEpochs = try r.int("max_epochs", top.has("total_epochs") ? try top.int("total_epochs") : nil) }
            else { maxIters = try r.int("max_iters") }
        } else {
            maxEpochs = try top.int("total_epochs")
        }
        guard maxEpochs > 0 || maxIters > 0 else { throw top.error("the run length must be at least 1", key: byEpoch ? "total_epochs" : "runner") }
        return RunLength(byEpoch: byEpoch, maxEpochs: maxEpochs, maxIters: maxIters)
    }

    /// `workflow`: `[('train', n)]` or, with the epoch runner, `[('train', n), ('val', m)]` (mmcv's val epochs:
    /// a loss-only pass over data.val after every n train epochs). Other shapes are refused: mmaction2's train.py
    /// builds a val loader for a two-entry workflow only and pairs loaders with entries by position, so a val phase
    /// first would run over the train split.
    static func readWorkflow(_ w: ConfigValue, files: SourceFiles, byEpoch: Bool) throws -> Workflow {
        guard let items = w.elements, !items.isEmpty, items.count <= 2 else {
            throw files.error("workflow must be [('train', n)] or [('train', n), ('val', m)]", at: w.origin)
        }
        var counts: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .tuple(let pair) = item.content, pair.count == 2, let mode = pair[0].string, let n = pair[1].int, n >= 1 else {
                throw files.error("workflow entries are (mode, epochs) tuples with epochs ≥ 1, e.g. ('train', 1)", at: item.origin)
            }
            let expected = i == 0 ? "train" : "val"
            guard mode == expected else {
                throw files.error("workflow phase \(i + 1) must be '\(expected)', not '\(mode)': Reel runs [('train', n)] or "
                                  + "[('train', n), ('val', m)]", at: pair[0].origin)
            }
            if mode == "val" && !byEpoch {
                throw files.error("a ('val', m) workflow phase needs the EpochBasedRunner (Reel does not run val iterations)", at: item.origin)
            }
            counts.append(n)
        }
        return Workflow(trainEpochs: counts[0], valEpochs: counts.count > 1 ? counts[1] : 0)
    }

    /// The run length alone (previews that need nothing else of the config).
    public static func length(of config: ResolvedConfig) throws -> RunLength {
        try readLength(try ConfigReader(config.value, name: "config", files: config.files))
    }
}
