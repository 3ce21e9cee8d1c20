import EngineCore
import EngineData

extension Runner {
    /// Sends the current iteration's `.iteration` event, once: after the iteration's hooks, or earlier when a hook
    /// evaluates inside the iteration. The record goes into the averaging history (what a checkpoint keeps).
    func publishIteration() {
        guard !iterationPublished else { return }
        iterationPublished = true
        record.memory = MemoryUsage.peakMiB
        if let parallel {
            // Every rank's figures reach rank 0's record (the per-rank bars of the dashboard and watch mode).
            let all = parallel.allGather([record.time, record.dataTime, parallel.lastExposedSeconds])
            record.ranks = all.map { RankFigures(time: $0[0], dataTime: $0[1], allreduceWait: $0[2]) }
        }
        averagingHistory.append(record)
        emit(.iteration(record))
    }

    /// mmcv's flush before a by-iteration evaluation (EvalHook.after_train_iter, SEMANTICS.md §3.7): the iteration
    /// goes out first — so the loggers write its train line before the metrics' val line — and the averaging
    /// restarts after it. The loggers restart theirs when the `.evaluated` event (trigger `.iteration`) arrives;
    /// nothing is averaged in between.
    func beginEvaluationInIteration() {
        publishIteration()
        averagingHistory.clear()
    }

    /// The history a checkpoint saved now keeps: inside an iteration not yet published, the history plus that
    /// iteration as far as it is recorded (its `time` comes after the checkpoint hook, so it is left out).
    func averagingSnapshot() -> LogBuffer.Snapshot {
        guard !iterationPublished else { return averagingHistory.snapshot(window: logWindow) }
        let current = LogBuffer()
        current.restore(averagingHistory.snapshot(window: logWindow))
        current.append(record, includingTime: false)
        return current.snapshot(window: logWindow)
    }

    /// The `HookContext` the runner hands its hooks: a view of the runner's counters and services that keeps the
    /// runner itself private, so a hook cannot reach it, the other hooks or the loggers.
    final class Context: HookContext {
        private unowned let runner: Runner
        init(_ runner: Runner) { self.runner = runner }

        var epoch: Int { runner.epoch }
        var iter: Int { runner.iter }
        var innerIter: Int { runner.innerIter }
        var maxEpochs: Int { runner.maxEpochs }
        var maxIters: Int { runner.maxIters }
        var itersPerEpoch: Int { runner.itersPerEpoch }
        var byEpoch: Bool { runner.byEpoch }
        var workDir: String { runner.workDir }
        var checkpointDirectory: String { runner.checkpointDirectory }
        var parallel: DataParallel? { runner.parallel }
        var model: any Recognizer { runner.model }
        var optimizer: Optimizer { runner.optimizer }
        var isTraining: Bool { runner.isTraining }
        func setTraining(_ training: Bool) { runner.setTraining(training) }

        func recordDataTime(_ seconds: Double) { runner.record.dataTime = seconds }
        func recordTime(_ seconds: Double) { runner.record.time = seconds }
        func recordValue(_ key: String, _ value: Double) { runner.record.values[key] = value }
        func beginEvaluationInIteration() { runner.beginEvaluationInIteration() }

        func publish(_ event: RunEvent) { runner.emit(event) }
        func log(_ message: String) { runner.log(message) }

        func saveCheckpoint(to path: String, epoch: Int, iter: Int?, innerIter: Int, withOptimizer: Bool, includeConfig: Bool) throws {
            try runner.saveCheckpoint(to: path, epoch: epoch, iter: iter, innerIter: innerIter, withOptimizer: withOptimizer,
                                      includeConfig: includeConfig)
        }
        func setLastCheckpoint(_ path: String) { runner.hookMessages.lastCheckpoint = path }
        var bestScore: Double? { runner.hookMessages.bestScore }
        var bestCheckpoint: String? { runner.hookMessages.bestCheckpoint }
        func setBest(metric: String, score: Double, checkpoint: String) {
            runner.hookMessages.bestScore = score
            runner.hookMessages.bestCheckpoint = checkpoint
            runner.hookMessages.bestMetric = metric
        }
    }
}
