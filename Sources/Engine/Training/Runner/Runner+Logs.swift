import EngineCore
import EngineData
extension Runner {
    /// Sends the current iteration's `.iteration` event, once: normally after the iteration's hooks, earlier when a
    /// by-iteration evaluation needs the loggers to see the iteration before its metrics.
    func publishIteration() {
        guard !iterationPublished else { return }
        iterationPublished = true
        emit(.iteration(record))
    }

    /// mmcv's flush before a by-iteration evaluation (EvalHook.after_train_iter, SEMANTICS.md §3.7): the loggers
    /// write this iteration's record now, then the log buffer is cleared, so the metrics that follow are written
    /// as their own val record instead of being averaged away, and the train line comes first. Event sinks
    /// (TensorBoard, the dashboard) get the iteration first for the same reason.
    func flushLogsBeforeEvaluation() throws {
        publishIteration()
        for case let logger as TextLoggerHook in hooks { try logger.afterTrainIter(self) }
        logBuffer.clear()
    }
}
