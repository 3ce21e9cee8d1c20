import Foundation
import EngineCore
import EngineData

/// mmcv's `IterTimerHook` (SEMANTICS.md §3.11): `data_time` is the wait for the batch (since the previous iteration
/// ended), `time` the whole iteration including that wait.
///
/// Steering is not iteration time: the clock restarts when the run resumes from a pause, and after an evaluation
/// or a checkpoint asked for between iterations (`e`, `s`), so neither the logged times nor the ETAs computed from
/// them (text log, console bar, dashboard) count the time spent there. mmcv has no pause, so nothing to match.
/// Scheduled evaluations and checkpoints count as in mmcv. It hears about pauses as a `RunEventSink`.
public final class IterTimerHook: Hook, RunEventSink {
    public var name: String { "IterTimerHook" }
    public var priority: HookPriority { .low }
    /// Seconds on a monotonic clock; injected by tests.
    private let clock: () -> Double
    private var start: Double

    public init(clock: @escaping () -> Double = IterTimerHook.monotonicSeconds) {
        self.clock = clock
        start = clock()
    }

    public static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public func beforeTrainEpoch(_ context: any HookContext) throws { start = clock() }

    public func beforeTrainIter(_ context: any HookContext) throws {
        context.recordDataTime(clock() - start)
    }

    public func afterTrainIter(_ context: any HookContext) throws {
        let now = clock()
        context.recordTime(now - start)
        start = now
    }

    public func receive(_ event: RunEvent) {
        switch event {
        case .resumed: start = clock()
        case .evaluated(let e) where e.trigger == .manual: start = clock()
        case .checkpointSaved(let c) where c.kind == .manual: start = clock()
        default: break
        }
    }
}
