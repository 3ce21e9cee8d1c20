import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Paused time is not iteration time (dashboard review 2026-12-02, B15: an 11 s pause was logged as
/// `time: 1.528, data_time: 1.102` against ~0.5/0.005, and went into every ETA).
final class IterTimerHookTests: XCTestCase {
    final class FakeClock { var now = 0.0 }

    /// Under an injected clock: the pause, a manual evaluation and a manual checkpoint are left out exactly.
    func testTheClockRestartsAfterAPauseAndAfterSteering() throws {
        let clock = FakeClock()
        let timer = IterTimerHook(clock: { clock.now })
        let runner = try TinyRun().runner(epochs: 1)
        let context = FakeHookContext(model: runner.model, optimizer: runner.optimizer)
        try timer.beforeTrainEpoch(context)
        clock.now = 0.25
        try timer.beforeTrainIter(context)
        XCTAssertEqual(context.record.dataTime, 0.25)
        clock.now = 1
        try timer.afterTrainIter(context)
        XCTAssertEqual(context.record.time, 1)

        timer.receive(.paused(iter: 1))
        clock.now = 12
        timer.receive(.resumed(iter: 1, pausedSeconds: 11))
        clock.now = 12.5
        try timer.beforeTrainIter(context)
        XCTAssertEqual(context.record.dataTime, 0.5, "was 11.5")
        clock.now = 13
        try timer.afterTrainIter(context)
        XCTAssertEqual(context.record.time, 1, "was 12")

        clock.now = 20
        timer.receive(.evaluated(EvalRecord(epoch: 1, iter: 2, metrics: [], bestKey: nil, bestScore: nil, isNewBest: false, trigger: .manual)))
        clock.now = 20.125
        try timer.beforeTrainIter(context)
        XCTAssertEqual(context.record.dataTime, 0.125)
        clock.now = 30
        timer.receive(.checkpointSaved(CheckpointRecord(path: "/w/iter_3.safetensors", kind: .manual, epoch: 0, iter: 3)))
        clock.now = 30.5
        try timer.afterTrainIter(context)
        XCTAssertEqual(context.record.time, 0.5)

        // Scheduled evaluations count, as in mmcv.
        timer.receive(.evaluated(EvalRecord(epoch: 1, iter: 4, metrics: [], bestKey: nil, bestScore: nil, isNewBest: false, trigger: .iteration)))
        clock.now = 31
        try timer.beforeTrainIter(context)
        XCTAssertEqual(context.record.dataTime, 0.5)
    }

    /// A real run paused for 1.2 s after its first iteration: the second iteration's times and its `.log.json` record
    /// leave the pause out, and so do the ETAs (the text log, the console bar and the dashboard compute theirs from
    /// `time`).
    func testARealPauseIsNotLoggedAsIterationTime() throws {
        let tiny = try TinyRun()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in
            guard r.iter == 0 else { return }
            control.send(.pause)
            DispatchQueue.global().asyncAfter(deadline: .now() + 1.2) { control.send(.resume) }
        }
        let runner = try tiny.runner(epochs: 1, control: control, sinks: [log])
        try runner.run()
        let paused = try XCTUnwrap(log.events.lazy.compactMap { e -> Double? in if case .resumed(_, let s) = e { s } else { nil } }.first)
        XCTAssertGreaterThan(paused, 1.1)
        let second = log.iterations[1]
        XCTAssertLessThan(second.time, paused / 2, "time \(second.time) after a \(paused) s pause")
        XCTAssertLessThan(second.dataTime, paused / 2)
        let json = try tiny.jsonRecords()
        XCTAssertEqual(json[1]["time"] as? Double, JSONLine.round5(second.time))
        XCTAssertEqual(json[1]["data_time"] as? Double, JSONLine.round5(second.dataTime))
    }
}
