import Config
import Foundation

/// What `reel train` (and the dashboard's `r`) can override on top of the config (mmaction2's tools/train.py
/// options, SEMANTICS.md §1.10).
public struct TrainOptions: Sendable {
    public var workDir: String?
    public var seed: UInt64?
    public var deterministic = false
    public var validate = false
    public var resumeFrom: String?
    public var loadFrom: String?
    public var autoResume = false
    public init() {}
}

/// Builds a ready-to-run `Runner` from a resolved config: model, optimizer, loaders, and the hooks in mmcv's
/// registration order (LR, optimizer, checkpoint, timer, eval, loggers); dumps the config into the work dir.
/// Every config mistake is a located `ConfigError`; a bad checkpoint path is an error naming the file.
public enum TrainingSession {
    public static func workDirectory(for config: ResolvedConfig, override: String?) throws -> String {
        if let override { return override }
        if let v = config.root["work_dir"], !v.isNone {
            guard let s = v.string else { throw config.error("work_dir must be a string", at: v.origin) }
            return s
        }
        let stem = ((config.path as NSString).lastPathComponent as NSString).deletingPathExtension
        return "./work_dirs/\(stem)"
    }

    public static func build(_ config: ResolvedConfig, options: TrainOptions, control: RunControl = RunControl(),
                             sinks: [RunEventSink] = []) throws -> Runner {
        let files = config.files
        let top = try ConfigReader(config.value, name: "config", files: files)
        let workDir = try workDirectory(for: config, override: options.workDir)
        var configSeed: UInt64?
        if top.has("seed") {
            let s = try top.int("seed")
            guard s >= 0 else { throw top.error("seed must be a non-negative integer", key: "seed") }
            configSeed = UInt64(s)
        }
        // Weights: resume_from wins over load_from (SEMANTICS.md §2.6); --auto-resume picks latest.safetensors.
        // The resumed file is read (and checked) first: its seed keys the loader and the model's streams.
        let configResume = try top.optionalString("resume_from"), configLoad = try top.optionalString("load_from")
        var resume = options.resumeFrom ?? configResume
        let latest = (workDir as NSString).appendingPathComponent("latest.safetensors")
        if options.autoResume, FileManager.default.fileExists(atPath: latest) { resume = latest }
        let checkpoint = try resume.map { path in (path: path, file: try CheckpointFile.read(path)) }
        let checkpointSeed = try checkpoint.map { c in (path: c.path, seed: try CheckpointStore.metadata(of: c.file, path: c.path)?.seed) }
        let runSeed = RunSeed.choose(explicit: options.seed, config: configSeed, checkpoint: checkpointSeed)
        let seed = runSeed.value

        // Length: runner=dict(...) (Reel honours it, mmaction2 ignores it) or total_epochs.
        var byEpoch = true, maxEpochs = 0, maxIters = 0
        if let r = try top.sub("runner") {
            let type = try r.require("type", in: ["EpochBasedRunner", "IterBasedRunner"], default: "EpochBasedRunner")
            byEpoch = type == "EpochBasedRunner"
            if byEpoch { maxEpochs = try r.int("max_epochs", top.has("total_epochs") ? try top.int("total_epochs") : nil) }
            else { maxIters = try r.int("max_iters") }
        } else {
            maxEpochs = try top.int("total_epochs")
        }
        guard maxEpochs > 0 || maxIters > 0 else { throw top.error("the run length must be at least 1", key: byEpoch ? "total_epochs" : "runner") }

        guard let modelConfig = top.value("model") else { throw top.error("the config has no 'model'") }
        let model = try ModelBuilder.build(modelConfig, files: files, seed: seed)
        guard let optConfig = top.value("optimizer") else { throw top.error("the config has no 'optimizer'") }
        let optimizer = try OptimizerBuilder.build(optConfig, model: model, files: files)
        let data = try DataConfig(config)
        let trainLoader = try data.loader(.train, seed: seed)

        let runner = Runner(model: model, optimizer: optimizer, loader: trainLoader, workDir: workDir, byEpoch: byEpoch,
                            maxEpochs: maxEpochs, maxIters: maxIters, seed: seed, configText: PrettyText.render(config.root),
                            configName: (config.path as NSString).lastPathComponent, control: control)
        for s in sinks { runner.subscribe(s) }
        // skip_broken notes reach the console and the .log as messages, on the engine thread (see Loader.onSkipped).
        trainLoader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        try AtomicFile.write(Data(runner.configText.utf8), to: (workDir as NSString).appendingPathComponent(runner.configName))
        // The run's complete record (docs/events.md), for every run: headless, dashboard and tests alike.
        runner.subscribe(try EventRecordWriter(workDir: workDir))
        // mmaction2's train.py writes `<timestamp>.log` whatever log_config lists (SEMANTICS.md §1.10).
        let timestamp = logTimestamp()
        runner.subscribe(try TextLogFile(workDir: workDir, timestamp: timestamp))
        // The config's warnings (an unsupported `fp16`, …), which `reel` prints, are part of the run's story too.
        for warning in configWarnings(config) { runner.log(warning.description) }

        // Hooks, in mmcv's registration order (the runner sorts by priority, stably).
        if let lr = top.value("lr_config"), !lr.isNone {
            let schedule = try LRSchedule(lrConfig: lr, files: files, defaultByEpoch: byEpoch)
            if let problem = schedule.problem(maxEpochs: maxEpochs, maxIters: runner.maxIters) { throw files.error(problem, at: lr.origin) }
            runner.register(LrUpdaterHook(schedule: schedule))
        }
        if let o = top.value("optimizer_config"), !o.isNone {
            runner.register(try OptimizerHook(config: o, files: files))
        } else {
            throw top.error("optimizer_config is None: nothing would update the weights (write optimizer_config = dict(grad_clip=None))")
        }
        if let c = top.value("checkpoint_config"), !c.isNone {
            runner.register(try CheckpointHook(config: c, files: files, defaultByEpoch: byEpoch))
        }
        let timer = IterTimerHook()
        runner.register(timer)
        runner.subscribe(timer)   // it restarts its clock after a pause
        if options.validate {
            let valLoader = try data.loader(.val, seed: seed)
            valLoader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
            runner.register(try EvalHook(config: top.value("evaluation"), files: files, loader: valLoader))
        }
        try registerLoggers(top, runner: runner, byEpoch: byEpoch, seed: seed, timestamp: timestamp)
        if let custom = top.value("custom_hooks"), let items = custom.elements, let first = items.first {
            throw files.error("custom_hooks are not supported by Reel yet", at: first.origin)
        }

        runner.log(runSeed.logLine(deterministic: options.deterministic))
        if let checkpoint {
            try runner.resume(from: checkpoint.path, file: checkpoint.file)
        } else if let load = options.loadFrom ?? configLoad {
            try runner.loadWeights(from: load)
        }
        return runner
    }

    /// The warnings `reel config check` reports for `config` (severity warning), in its order.
    public static func configWarnings(_ config: ResolvedConfig) -> [ConfigError] {
        (config.warnings + SchemaChecker.check(config)).filter { $0.severity == .warning }
    }

    /// The name the run's `.log` and `.log.json` share (mmaction2's `time.strftime('%Y%m%d_%H%M%S')`).
    static func logTimestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd_HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: Date())
    }

    static func registerLoggers(_ top: ConfigReader, runner: Runner, byEpoch: Bool, seed: UInt64, timestamp: String) throws {
        guard let log = try top.sub("log_config") else { return }
        let interval = try log.int("interval", 10)
        var loggers: [any Hook] = []
        for item in log.value("hooks")?.elements ?? [] {
            let r = try ConfigReader(item, name: "logger hook", files: top.files)
            switch try r.string("type") {
            case "TextLoggerHook":
                let hook = try TextLoggerHook(workDir: runner.workDir, timestamp: timestamp, interval: interval, byEpoch: byEpoch)
                try hook.configure(r)
                try hook.writeMeta(seed: seed, configName: runner.configName, workDir: runner.workDir)
                loggers.append(hook)
            case "TensorboardLoggerHook":
                let dir = try r.string("log_dir", (runner.workDir as NSString).appendingPathComponent("tf_logs"))
                let hook = try TensorboardLoggerHook(directory: dir, interval: interval, byEpoch: byEpoch)
                try hook.configure(r)
                runner.subscribe(hook)
                loggers.append(hook)
            case let other:
                throw r.error("logger hook '\(other)' is not supported by Reel (supported: TextLoggerHook, TensorboardLoggerHook)", key: "type")
            }
        }
        // mmcv gives the last logger hook reset_flag=True; TensorBoard averages on its own, so the text logger is
        // the one that must clear the shared buffer.
        if let text = loggers.compactMap({ $0 as? TextLoggerHook }).last { text.resetFlag = true }
        // A checkpoint keeps as much log history as the widest average reads.
        runner.logWindow = max(interval, loggers.compactMap { ($0 as? TextLoggerHook)?.interval }.max() ?? 0)
        for l in loggers { runner.register(l) }
    }
}
