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
    /// The val split, when the config has one (needed by `--validate`).
    public var val: DataSpec?
    public var lr: LRSchedule?
    public var optimizerHook: OptimizerHookSpec
    public var checkpoint: CheckpointSpec?
    public var evaluation: EvalSpec
    public var log: LogSpec?

    /// Reads every section a run uses, in the order training builds them (so the first error is the one
    /// `reel train` met before). With `log`, every key read is recorded (the schema drift test).
    public static func read(_ config: ResolvedConfig, log: ReadLog? = nil) throws -> RunSpec {
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
        if let w = top.value("workflow"), !w.isNone { try readWorkflow(w, files: config.files) }
        guard let modelConfig = top.value("model") else { throw top.error("the config has no 'model'") }
        let model = try ModelReader.read(modelConfig, files: config.files, log: log)
        guard let optConfig = top.value("optimizer") else { throw top.error("the config has no 'optimizer'") }
        let optimizer = try OptimizerReader.read(optConfig, files: config.files, log: log)
        let data = try DataConfig(config, log: log)
        let train = try data.loaderSpec(.train)
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
        let val = data.has(.val) ? try data.loaderSpec(.val) : nil
        var evaluation = EvalSpec()
        if let e = top.value("evaluation"), !e.isNone { evaluation = try readEvaluation(try top.reader(e, name: "evaluation")) }
        let logSpec = try top.sub("log_config").map(readLog)
        if let custom = top.value("custom_hooks"), let items = custom.elements, let first = items.first {
            throw config.files.error("custom_hooks are not supported by Reel yet", at: first.origin)
        }
        return RunSpec(config: config, workDir: workDir, seed: seed, resumeFrom: resume, loadFrom: load, length: length,
                       model: model, optimizer: optimizer, data: data, train: train, val: val, lr: lr,
                       optimizerHook: optimizerHook, checkpoint: checkpoint, evaluation: evaluation, log: logSpec)
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

    /// `workflow`: Reel runs train epochs only, so it takes `[('train', n)]` (n ≥ 1; with one entry every n gives
    /// the same run) and refuses a `('val', n)` phase, which mmcv runs as a loss-only pass over the val split.
    static func readWorkflow(_ w: ConfigValue, files: SourceFiles) throws {
        guard let items = w.elements, !items.isEmpty else {
            throw files.error("workflow must be a list of (mode, epochs) tuples, e.g. [('train', 1)]", at: w.origin)
        }
        for item in items {
            guard let pair = item.elements, pair.count == 2, let mode = pair[0].string, let n = pair[1].int, n >= 1 else {
                throw files.error("workflow entries are (mode, epochs) tuples with epochs ≥ 1, e.g. ('train', 1)", at: item.origin)
            }
            guard mode == "train" else {
                throw files.error("workflow phase '\(mode)' is not supported by Reel (only ('train', n)); "
                                  + "evaluate during training with --validate and the evaluation section", at: item.origin)
            }
        }
    }

    /// The run length alone (previews that need nothing else of the config).
    public static func length(of config: ResolvedConfig) throws -> RunLength {
        try readLength(try ConfigReader(config.value, name: "config", files: config.files))
    }
}
