import Foundation
import EngineCore
import EngineData

/// mmcv's EpochBasedRunner and IterBasedRunner (SEMANTICS.md §2), with Reel's steering: the training loop, its
/// counters (`epoch`, `iter`, `innerIter`, 0-based as in mmcv) and the one stream of `RunEvent`s that is the run's
/// record.
///
/// Hooks are called at mmcv's stages with a narrow `HookContext`, never the runner; loggers are sinks of the event
/// stream (`RunLogger`), listed in the hook table but never called by the loop. The runner itself never touches the
/// terminal or log files. Commands (`RunControl`) are applied between iterations.
public final class Runner {
    public let model: any Recognizer
    public let optimizer: Optimizer
    public let loader: Loader
    public let workDir: String
    /// Epoch-based (mmaction2's runner) or iteration-based.
    public let byEpoch: Bool
    public let maxEpochs: Int
    public private(set) var maxIters: Int
    public let control: RunControl
    public let seed: UInt64
    public let configText: String
    public let configName: String
    /// Where checkpoints go (`checkpoint_config.out_dir` joined with the work dir's name, else the work dir): run
    /// state, set by whoever builds the run, read by the checkpoint and evaluation hooks and by manual saves.
    public var checkpointDirectory: String
    /// The config's `workflow`: train epochs per cycle, then val epochs over `valLoader` (mmcv's EpochBasedRunner).
    public var workflow = Workflow()
    /// The loader of the `('val', m)` phase: `data.val` with the train loader's settings, as mmaction2 builds it.
    public var valLoader: Loader?
    /// The data-parallel job this process is a rank of (`--launcher mpi`); nil for one process. Set (with
    /// `DataParallel.attach`) by whoever builds the run, before it starts.
    public var parallel: DataParallel?
    /// OmniSource's auxiliary training sources (`omnisource=True`), set by whoever builds the run; nil: one source.
    public var omniSource: OmniSource?
    /// The auxiliary loaders' positions in the current epoch.
    var auxiliaryCursors: [AuxiliaryCursor] = []
    /// Whether this process writes checkpoints: one process, or rank 0 of a data-parallel job.
    public var isMainProcess: Bool { parallel?.isMain ?? true }

    public var epoch = 0
    public var iter = 0
    public var innerIter = 0
    /// Batches of the resumed epoch already trained before the checkpoint (a mid-epoch resume skips them).
    public var resumeInnerIter = 0
    /// The iteration at the start of this run (after a resume), for the ETA.
    public private(set) var startIter = 0
    public private(set) var isTraining = true
    /// The current iteration's record, filled by the loop and the hooks (through their context), then published.
    var record = IterationRecord(epoch: 0, iter: 0, innerIter: 0)
    /// The stretch of iterations the loggers average over (mmcv's log buffer: since the epoch started or the last
    /// by-iteration evaluation), kept as run state so a checkpoint carries it and a resumed run's loggers start
    /// from it (`RunInfo.logHistory`). Nothing reads it during the run.
    let averagingHistory = LogBuffer()
    /// How many recent history entries per key a checkpoint keeps: the largest logger interval (set by
    /// `TrainingSession`), all a later `average(interval)` reads.
    public var logWindow = 10
    /// The log history a resumed checkpoint carried: put back when training starts, and sent in `RunInfo`.
    var resumedLog: LogBuffer.Snapshot?
    /// `last_ckpt` and the best checkpoint: kept in checkpoints' metadata, restored on resume.
    public internal(set) var hookMessages = CheckpointMetadata.HookMessages()
    /// The newest checkpoint known to hold a finite state: the last one this run saved, or the one it resumed
    /// from. Failures name it (not `hookMessages.lastCheckpoint`, which a resumed file may set to anything).
    public internal(set) var lastGoodCheckpoint: String?
    /// The hook table as mmcv prints it: hooks and loggers by priority, in registration order within one.
    public private(set) var hooks: [any NamedHook] = []
    /// The hooks the loop calls, by priority.
    private(set) var stages: [any Hook] = []
    /// The evaluation hook, held explicitly: `e` (evaluate now) runs it between iterations.
    public private(set) var evaluator: EvalHook?
    /// Whether the current iteration's `.iteration` event is out (`publishIteration`); true between iterations.
    var iterationPublished = true
    private var sinks: [RunEventSink] = []
    /// Events waiting for delivery: what a relay derives goes out after the event it came from (`emit`).
    private var pending: [RunEvent] = []
    private var delivering = false
    private(set) var stopRequested = false
    private var runStart = Date()
    /// Why the run ended, for `RunSummary.reason` (set by a stop command; otherwise it reached its length).
    private lazy var endReason = byEpoch ? "reached max_epochs=\(maxEpochs)" : "reached max_iters=\(maxIters)"
    private(set) lazy var context = Context(self)

    public init(model: any Recognizer, optimizer: Optimizer, loader: Loader, workDir: String, byEpoch: Bool, maxEpochs: Int,
                maxIters: Int, seed: UInt64, configText: String = "", configName: String = "", control: RunControl = RunControl()) {
        self.model = model; self.optimizer = optimizer; self.loader = loader; self.workDir = workDir
        self.byEpoch = byEpoch; self.maxEpochs = maxEpochs; self.seed = seed; self.configText = configText
        self.configName = configName; self.control = control; self.checkpointDirectory = workDir
        self.maxIters = byEpoch ? maxEpochs * loader.batchesPerEpoch : maxIters
    }

    public var itersPerEpoch: Int { loader.batchesPerEpoch }

    /// Adds a hook at its priority, after the hooks of equal priority (mmcv's `register_hook`).
    public func register(_ hook: any Hook) {
        stages.insert(hook, at: stages.firstIndex { $0.priority > hook.priority } ?? stages.count)
        list(hook)
    }

    /// Adds the evaluation hook: registered like any hook, and kept for evaluations asked for while training.
    public func register(evaluator hook: EvalHook) {
        evaluator = hook
        register(hook)
    }

    /// Adds a logger: listed in the hook table at its priority, fed the run's events. A logger that is also a
    /// `Hook` (the text logger's end-of-run copy to `out_dir`) is called at the stages too.
    public func register(_ logger: any RunLogger) {
        list(logger)
        subscribe(logger)
        if let hook = logger as? any Hook { stages.insert(hook, at: stages.firstIndex { $0.priority > hook.priority } ?? stages.count) }
    }

    /// The text logger is a logger and a hook (its end-of-run copy): registered as a logger.
    public func register(_ logger: TextLoggerHook) { register(logger as any RunLogger) }

    private func list(_ entry: any NamedHook) {
        hooks.insert(entry, at: hooks.firstIndex { $0.priority > entry.priority } ?? hooks.count)
    }

    public func subscribe(_ sink: RunEventSink) { sinks.append(sink) }

    /// Delivers `event` to every sink in subscription order. What a `RunEventRelay` derives from it (the text
    /// logger's records and lines) is queued and delivered the same way once `event` has reached every sink, so
    /// all sinks see one order; derived events never reach the runner or its hooks.
    public func emit(_ event: RunEvent) {
        pending.append(event)
        guard !delivering else { return }
        delivering = true
        defer { delivering = false }
        while !pending.isEmpty {
            let e = pending.removeFirst()
            for s in sinks {
                if let relay = s as? RunEventRelay { pending += relay.relay(e) } else { s.receive(e) }
            }
        }
    }

    /// A file-writing sink's first failed write (a full disk), thrown at the iteration boundary so the run fails
    /// there with the file named instead of going on without its record.
    func throwSinkFailure() throws {
        for case let s as FileRecordingSink in sinks { if let error = s.takeWriteFailure() { throw error } }
    }

    /// A line for the text log and log tails.
    public func log(_ message: String) { emit(.message(message)) }

    /// LR of the first param group (what mmcv logs).
    public var currentLR: Double { optimizer.groups.first?.lr ?? 0 }

    // MARK: - Running

    /// Trains until max epochs/iters or a stop command. Failures (NaN loss, data errors) are emitted as `.failed`
    /// and rethrown.
    @discardableResult
    public func run() throws -> RunSummary {
        runStart = Date()
        startIter = iter
        emit(.started(RunInfo(runID: Self.makeRunID(start: runStart), workDir: workDir, configName: configName,
                              configText: configText, byEpoch: byEpoch, maxEpochs: maxEpochs,
                              maxIters: maxIters, itersPerEpoch: itersPerEpoch, startEpoch: epoch, startIter: iter, seed: seed,
                              hookOrder: hooks.map { "(\($0.priority.label)) \($0.name)" }, worldSize: parallel?.world ?? 1,
                              rank: parallel?.rank ?? 0, saveBest: saveBestKey,
                              logHistory: resumedLog)))
        log("Start running, work_dir: \(workDir)")
        log("Hooks will be executed in the following order:\n" + hooks.map { "(\($0.priority.label.padding(toLength: 13, withPad: " ", startingAt: 0))) \($0.name)" }.joined(separator: "\n"))
        log("workflow: \(workflow), max: \(byEpoch ? "\(maxEpochs) epochs" : "\(maxIters) iters")")
        do {
            for h in stages { try h.beforeRun(context) }
            try throwSinkFailure()   // an unwritable .log or events.jsonl stops the run before it trains
            removeStaleTempFiles()
            if byEpoch {
                // mmcv's cycle: n train epochs (none once max_epochs is reached), then m val epochs, even after the last.
                while epoch < maxEpochs && !stopRequested {
                    for _ in 0..<workflow.trainEpochs where epoch < maxEpochs && !stopRequested { try trainEpoch() }
                    guard let valLoader else { continue }
                    for pass in 0..<workflow.valEpochs where !stopRequested { try valEpoch(valLoader, pass: pass) }
                }
            } else {
                try trainIterations()
            }
            for h in stages { try h.afterRun(context) }
            try throwSinkFailure()
        } catch let failure as RunFailure {
            emit(.failed(failure))
            throw failure
        } catch {
            let failure = RunFailure(message: "\(error)", iter: iter, lastCheckpoint: lastGoodCheckpoint, cause: error)
            emit(.failed(failure))
            throw failure
        }
        let summary = RunSummary(ending: stopRequested ? .stopped : .completed, epoch: epoch, iter: iter,
                                 seconds: Date().timeIntervalSince(runStart), bestKey: hookMessages.bestMetric,
                                 bestScore: hookMessages.bestScore, reason: endReason)
        emit(.finished(summary))
        return summary
    }

    private func trainEpoch() throws {
        setTraining(true)
        maxIters = maxEpochs * loader.batchesPerEpoch
        startLogBuffer()
        for h in stages { try h.beforeTrainEpoch(context) }
        let batches = loader.epoch(epoch, startingAt: resumeInnerIter)
        startAuxiliarySources(innerIter: resumeInnerIter)
        defer { batches.cancel(); auxiliaryCursors.forEach { $0.cancel() } }
        innerIter = resumeInnerIter
        resumeInnerIter = 0
        while !stopRequested, let batch = try batches.next() {
            try trainIteration(batch)
            innerIter += 1
        }
        if stopRequested && innerIter < loader.batchesPerEpoch { return }
        for h in stages { try h.afterTrainEpoch(context) }
        epoch += 1
        emit(.epochFinished(epoch: epoch, iter: iter))
    }

    /// IterBasedRunner: an endless loader re-created (next epoch) on exhaustion; `epoch` counts loader passes.
    private func trainIterations() throws {
        setTraining(true)
        startLogBuffer()
        for h in stages { try h.beforeTrainEpoch(context) }
        while iter < maxIters && !stopRequested {
            let batches = loader.epoch(epoch, startingAt: resumeInnerIter)
            defer { batches.cancel() }
            innerIter = resumeInnerIter
            resumeInnerIter = 0
            while iter < maxIters && !stopRequested, let batch = try batches.next() {
                try trainIteration(batch)
                innerIter += 1
            }
            if innerIter >= loader.batchesPerEpoch { epoch += 1 }
        }
    }

    private func trainIteration(_ batch: Batch) throws {
        record = IterationRecord(epoch: epoch, iter: iter, innerIter: innerIter, batchSize: batch.targets.count)
        iterationPublished = false
        if !isTraining { setTraining(true) }
        for h in stages { try h.beforeTrainIter(context) }
        record.lr = currentLR
        optimizer.zeroGradients()
        // In a data-parallel run the loss is every rank's average, so a non-finite one stops them all.
        let out = parallel?.trainStep(model, batch.imgs, targets: batch.targets) ?? model.trainStep(batch.imgs, targets: batch.targets)
        guard out.loss.isFinite else {
            let what = out.loss.isNaN ? "nan" : out.loss > 0 ? "inf" : "-inf"
            throw RunFailure(message: "loss is \(what) at iteration \(iter + 1) (epoch \(epoch + 1), batch \(innerIter + 1)); "
                             + "the run stopped before updating the weights", iter: iter + 1, lastCheckpoint: lastGoodCheckpoint)
        }
        record.loss = out.loss
        for (k, v) in out.logVars { record.values[k] = v }
        // OmniSource's auxiliary iterations follow the main optimizer step (before the hooks that save or log).
        let stepHook = stages.lastIndex { $0 is OptimizerHook }
        if stepHook == nil { try auxiliaryIterations(step: nil) }
        for (i, h) in stages.enumerated() {
            try h.afterTrainIter(context)
            if i == stepHook { try auxiliaryIterations(step: h as? OptimizerHook) }
        }
        publishIteration()
        try throwSinkFailure()
        iter += 1
        try applyCommands()
    }

    /// Switches the model between train and eval mode (EvalHook leaves it in eval mode, as mmcv does).
    public func setTraining(_ training: Bool) {
        isTraining = training
        model.applyMode(training: training)
    }

    // MARK: - Commands

    private func applyCommands() throws {
        var pending = control.drain()
        if let parallel { pending = agreedCommands(pending, parallel) }
        // Commands already drained are taken first; only an empty queue blocks while paused.
        func next(waiting: Bool) -> RunCommand? {
            if !pending.isEmpty { return pending.removeFirst() }
            return waiting ? control.waitForCommand() : nil
        }
        var paused = false
        var pauseStart = Date()
        while let c = next(waiting: paused) {
            switch c {
            case .pause:
                if !paused {
                    paused = true
                    pauseStart = Date()
                    emit(.paused(iter: iter))
                    log("Paused at iteration \(iter)")
                }
            case .resume:
                if paused {
                    paused = false
                    emit(.resumed(iter: iter, pausedSeconds: Date().timeIntervalSince(pauseStart)))
                    log("Resumed at iteration \(iter)")
                }
            case .stop:
                try saveManualCheckpoint()
                log("Stopped at iteration \(iter) (checkpoint saved)")
                stopRequested = true
                endReason = "stop command at iteration \(iter)"
                return
            case .saveCheckpoint: try saveManualCheckpoint()
            case .evaluate: try evaluateNow()
            }
        }
    }

    /// The commands of a data-parallel job: stop, save and evaluate act on every rank at the same iteration when
    /// any rank received them (a signal reaches each rank of an mpirun job on its own); pause is refused, since a
    /// paused rank would hold the others in their next collective.
    private func agreedCommands(_ local: [RunCommand], _ parallel: DataParallel) -> [RunCommand] {
        if local.contains(where: { $0 == .pause || $0 == .resume }) {
            log("Pause is not available in a data-parallel run (the other ranks would wait in their collectives)")
        }
        let kinds: [RunCommand] = [.saveCheckpoint, .evaluate, .stop]
        let agreed = parallel.any(kinds.map { local.contains($0) })
        return zip(kinds, agreed).filter(\.1).map(\.0)
    }

    private func evaluateNow() throws {
        guard let evaluator else { log("No evaluation configured (run with --validate)"); return }
        try evaluator.evaluate(context, trigger: .manual)
    }

    /// Saves the exact position (`iter_N.safetensors`, mid-epoch included) and refreshes `latest`.
    public func saveManualCheckpoint() throws {
        guard isMainProcess else { return }
        let dir = checkpointDirectory
        let path = (dir as NSString).appendingPathComponent("iter_\(iter).safetensors")
        // Commands run after the iteration's hooks, before `innerIter` moves on: innerIter + 1 batches are done.
        try saveCheckpoint(to: path, epoch: epoch, innerIter: innerIter + 1, withOptimizer: true)
        try CheckpointStore.updateLatest(in: dir, to: path)
        hookMessages.lastCheckpoint = path
        emit(.checkpointSaved(CheckpointRecord(path: path, kind: .manual, epoch: epoch, iter: iter)))
        log("Saved checkpoint at iteration \(iter): \(path)")
    }
}
