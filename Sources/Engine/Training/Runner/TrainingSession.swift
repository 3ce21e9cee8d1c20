import Config
import Foundation
import EngineCore
import EngineData
import EngineDistributed

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

    /// With `group` of more than one process (`--launcher mpi`), the run is this process's rank of a data-parallel
    /// job: rank 0's seed and weights everywhere, each rank on its shard of the data, gradients averaged, and only
    /// rank 0 writing the work dir (config dump, logs, events, checkpoints). `sinks` are this process's own.
    public static func build(_ config: ResolvedConfig, options: TrainOptions, control: RunControl = RunControl(),
                             sinks: [RunEventSink] = [], group: (any ProcessGroup)? = nil) throws -> Runner {
        let parallel = group.flatMap { $0.world > 1 ? DataParallel(group: $0) : nil }
        let isMain = parallel?.isMain ?? true
        let shard = parallel.map { DistributedShard(rank: $0.rank, world: $0.world) } ?? .single
        // Every setting, read once: the same reading `reel config check` runs.
        let spec = try RunSpec.read(config)
        let workDir = spec.workDirectory(override: options.workDir)
        // Weights: resume_from wins over load_from (SEMANTICS.md §2.6); --auto-resume picks latest.safetensors.
        // The resumed file is read (and checked) first: its seed keys the loader and the model's streams.
        var resume = options.resumeFrom ?? spec.resumeFrom
        let latest = (workDir as NSString).appendingPathComponent("latest.safetensors")
        if options.autoResume, FileManager.default.fileExists(atPath: latest) { resume = latest }
        let checkpoint = try resume.map { path in (path: path, file: try CheckpointFile.read(path)) }
        let checkpointSeed = try checkpoint.map { c in (path: c.path, seed: try CheckpointStore.metadata(of: c.file, path: c.path)?.seed) }
        let runSeed = RunSeed.choose(explicit: options.seed, config: spec.seed, checkpoint: checkpointSeed)
        // mmaction2's init_random_seed: rank 0's seed (random when none is given) is every rank's.
        var seed = runSeed.value
        if let parallel { withUnsafeMutableBytes(of: &seed) { parallel.group.broadcast($0, from: 0) } }
        let (byEpoch, maxEpochs, maxIters) = (spec.length.byEpoch, spec.length.maxEpochs, spec.length.maxIters)

        var pretrainedNotes: [String] = []
        let model = try ModelBuilder.build(spec.model, seed: seed, notes: { pretrainedNotes.append($0) })
        let optimizer = try OptimizerBuilder.build(spec.optimizer, model: model)
        let trainLoader = try spec.train.makeLoader(seed: seed, shard: shard)

        let runner = Runner(model: model, optimizer: optimizer, loader: trainLoader, workDir: workDir, byEpoch: byEpoch,
                            maxEpochs: maxEpochs, maxIters: maxIters, seed: seed, configText: PrettyText.render(config.root),
                            configName: (config.path as NSString).lastPathComponent, control: control)
        for s in sinks { runner.subscribe(s) }
        runner.parallel = parallel
        // skip_broken notes reach the console and the .log as messages, on the engine thread (see Loader.onSkipped).
        trainLoader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
        if !spec.auxiliaryTrain.isEmpty {
            // Each auxiliary loader shuffles from its own seed, derived from the run's.
            let sources = try spec.auxiliaryTrain.enumerated().map { k, aux in
                let loader = try aux.makeLoader(seed: seed &+ UInt64(k + 1) &* 0x9E37_79B9_7F4A_7C15, shard: shard)
                guard loader.batchesPerEpoch > 0 else {
                    throw DatasetError(file: loader.dataset.annotationFile, line: nil, message: "data.train[\(k + 1)] gives no batch "
                                       + "(\(loader.dataset.count) items, videos_per_gpu \(loader.batchSize) with drop_last)")
                }
                loader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
                return (loader: loader, times: spec.trainRatio[k + 1])
            }
            runner.omniSource = OmniSource(sources: sources, mainEvery: spec.trainRatio[0])
        }
        let timestamp = logTimestamp()
        if isMain {
            try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
            try AtomicFile.write(Data(runner.configText.utf8), to: (workDir as NSString).appendingPathComponent(runner.configName))
            // The run's complete record (docs/events.md), for every run: headless, dashboard and tests alike.
            runner.subscribe(try EventRecordWriter(workDir: workDir))
            // mmaction2's train.py writes `<timestamp>.log` whatever log_config lists (SEMANTICS.md §1.10).
            runner.subscribe(try TextLogFile(workDir: workDir, timestamp: timestamp))
        }
        if let parallel {
            let b = spec.train.loader.batchSize
            runner.log("Distributed training: rank \(parallel.rank) of \(parallel.world) (\(parallel.group.localWorld) ranks on \(parallel.group.host)), "
                       + "videos_per_gpu=\(b) per rank, \(b * parallel.world) videos per step; \(Parallel.workers) threads per rank"
                       + (spec.syncBatchNorm ? "; SyncBN: batch statistics summed over the ranks" : ""))
        }
        if let omni = runner.omniSource {
            runner.log("OmniSource: data.train[0] sets the epoch (\(trainLoader.batchesPerEpoch) iterations); after every "
                       + (omni.mainEvery == 1 ? "main iteration " : "\(omni.mainEvery) main iterations ")
                       + omni.sources.enumerated().map { k, s in
                           "data.train[\(k + 1)] trains \(s.times) (\(s.loader.dataset.count) items, videos_per_gpu \(s.loader.batchSize))"
                       }.joined(separator: ", "))
        }
        // The config's warnings (an unsupported `fp16`, …), which `reel` prints, are part of the run's story too.
        for warning in configWarnings(config) + spec.warnings { runner.log(warning.description) }
        if let p = spec.model.pretrained { runner.log("load model from: \(p)") }
        for note in pretrainedNotes { runner.log(note) }

        // Hooks, in mmcv's registration order (the runner sorts by priority, stably).
        if let schedule = spec.lr {
            // Now the loader length is known: a by-iteration schedule is checked against the run's iterations.
            if let problem = schedule.problem(maxEpochs: maxEpochs, maxIters: runner.maxIters),
               let lr = config.root["lr_config"] { throw config.files.error(problem, at: lr.origin) }
            runner.register(LrUpdaterHook(schedule: schedule))
        }
        runner.register(OptimizerHook(spec: spec.optimizerHook))
        if let c = spec.checkpoint, isMain {
            let hook = CheckpointHook(spec: c)
            runner.checkpointDirectory = hook.directory(forWorkDir: workDir)
            runner.register(hook)
        }
        let timer = IterTimerHook()
        runner.register(timer)
        runner.subscribe(timer)   // it restarts its clock after a pause
        if options.validate {
            let valLoader = try (spec.val ?? spec.data.spec(.val)).makeLoader(seed: seed, shard: shard)
            valLoader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
            runner.register(evaluator: EvalHook(spec: spec.evaluation, loader: valLoader))
        }
        runner.workflow = spec.workflow
        if let v = spec.valWorkflow {
            let loader = try v.makeLoader(seed: seed, shard: shard)
            loader.onSkipped = { [weak runner] in runner?.log("warning: \($0)") }
            runner.valLoader = loader
            // mmaction2's train.py warns the same.
            if options.validate { runner.log("warning: val workflow is duplicated with `--validate`, it is recommended to use `--validate`") }
        }
        if isMain { try registerLoggers(spec.log, runner: runner, byEpoch: byEpoch, seed: seed, timestamp: timestamp) }

        runner.log(runSeed.logLine(deterministic: options.deterministic))
        if let checkpoint {
            try runner.resume(from: checkpoint.path, file: checkpoint.file)
        } else if let load = options.loadFrom ?? spec.loadFrom {
            try runner.loadWeights(from: load)
        }
        // Rank 0's weights and buffers everywhere, the gradient buckets, SyncBN (after loading: every rank starts
        // from rank 0's state whatever it read).
        parallel?.attach(model: model, optimizer: optimizer, syncBatchNorm: spec.syncBatchNorm)
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

    static func registerLoggers(_ log: LogSpec?, runner: Runner, byEpoch: Bool, seed: UInt64, timestamp: String) throws {
        guard let log else { return }
        let interval = log.interval
        var loggers: [any RunLogger] = []
        for spec in log.hooks {
            switch spec.kind {
            case .text:
                let hook = try TextLoggerHook(workDir: runner.workDir, timestamp: timestamp, interval: interval, byEpoch: byEpoch)
                hook.configure(spec)
                try hook.writeMeta(seed: seed, configName: runner.configName, workDir: runner.workDir)
                loggers.append(hook)
            case .tensorboard:
                let dir = spec.logDir ?? (runner.workDir as NSString).appendingPathComponent("tf_logs")
                let hook = try TensorboardLoggerHook(directory: dir, interval: interval, byEpoch: byEpoch, optimizer: runner.optimizer)
                hook.configure(spec)
                loggers.append(hook)
            }
        }
        // A checkpoint keeps as much averaging history as the widest logger average reads.
        let intervals = loggers.map { ($0 as? TextLoggerHook)?.interval ?? ($0 as? TensorboardLoggerHook)?.interval ?? 0 }
        runner.logWindow = max(interval, intervals.max() ?? 0)
        for l in loggers { runner.register(l) }
    }
}
