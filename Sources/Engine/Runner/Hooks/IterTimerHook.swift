import Foundation

/// mmcv's `IterTimerHook`: `data_time` is the wait for the batch (since the previous iteration ended), `time` the
/// whole iteration including that wait.
public final class IterTimerHook: Hook {
    public var name: String { "IterTimerHook" }
    public var priority: HookPriority { .low }
    private var start = DispatchTime.now()

    public init() {}

    public func beforeTrainEpoch(_ runner: Runner) throws { start = .now() }

    public func beforeTrainIter(_ runner: Runner) throws {
        let t = seconds(since: start)
        runner.record.dataTime = t
        runner.logBuffer.update([("data_time", t)])
    }

    public func afterTrainIter(_ runner: Runner) throws {
        let t = seconds(since: start)
        runner.record.time = t
        runner.logBuffer.update([("time", t)])
        start = .now()
    }

    private func seconds(since t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9 }
}
