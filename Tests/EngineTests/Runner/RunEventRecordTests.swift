import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Every training run writes its events to the work dir's `events.jsonl`, and that record is the run's own events.
final class RunEventRecordTests: XCTestCase {
    func testTheRecordHoldsExactlyTheRunsEventsAndASecondRunIsItsOwn() throws {
        let tiny = try TinyRun()
        let live = EventLog()
        var options = TrainOptions()
        options.validate = true
        let control = RunControl()
        live.onIteration = { r in if r.iter == 0 { control.send(.pause); control.send(.resume) } }
        let first = try tiny.runner("checkpoint_config = dict(interval=1, max_keep_ckpts=1)", epochs: 3, options: options,
                                    control: control, sinks: [live])
        try first.run()
        let runs = EventRecordReader.runs(EventRecordReader.readAll(tiny.work + "/events.jsonl"))
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs[0].events, Self.recordOrder(live.events), "the record is the live event stream, event for event")

        // What a viewer needs is in it: lengths, world, save_best, config, the pause, deletions and the ending.
        let info = try XCTUnwrap(runs[0].info)
        XCTAssertEqual([info.maxEpochs, info.maxIters, info.itersPerEpoch, info.startEpoch, info.startIter, info.worldSize, info.rank],
                       [3, 6, 2, 0, 0, 1, 0])
        XCTAssertEqual(info.seed, 3)
        XCTAssertEqual(info.saveBest, "auto")
        XCTAssertEqual(info.configText, try String(contentsOfFile: tiny.work + "/config.py", encoding: .utf8))
        XCTAssertEqual(info.hookOrder.last, "(VERY_LOW) TensorboardLoggerHook")
        let deleted = runs[0].events.compactMap { if case .checkpointDeleted(let p) = $0 { (p as NSString).lastPathComponent } else { nil } }
        XCTAssertEqual(deleted.filter { $0.hasPrefix("epoch_") }, ["epoch_1.safetensors", "epoch_2.safetensors"])
        let resumed = runs[0].events.compactMap { if case .resumed(let i, let s) = $0 { (i, s) } else { nil } }
        XCTAssertEqual(resumed.map(\.0), [1])
        XCTAssertTrue(resumed[0].1 >= 0 && resumed[0].1 < 5, "\(resumed[0].1) s paused")
        guard case .finished(let end) = runs[0].events.last else { return XCTFail("\(String(describing: runs[0].events.last))") }
        XCTAssertEqual(end.ending, .completed)
        XCTAssertEqual(end.reason, "reached max_epochs=3")

        // A second run into the same work dir (resuming the first): its own run id, its first line is `started`,
        // and the resume message logged while it was built comes right after.
        var resume = options
        resume.resumeFrom = tiny.work + "/epoch_3.safetensors"
        let second = try tiny.runner(epochs: 4, options: resume)
        try second.run()
        let text = try String(contentsOfFile: tiny.work + "/events.jsonl", encoding: .utf8)
        let both = EventRecordReader.runs(EventRecordReader.readAll(tiny.work + "/events.jsonl"))
        XCTAssertEqual(both.count, 2)
        XCTAssertNotEqual(both[0].id, both[1].id)
        XCTAssertEqual(both[0].events, Self.recordOrder(live.events), "the first run is untouched")
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines[live.events.count].hasPrefix(#"{"v":1,"type":"started","run":"\#(both[1].id)""#))
        XCTAssertEqual(both[1].events[1], .message("Set random seed to 3, deterministic: False (--seed)"))
        XCTAssertEqual(both[1].events[2], .message("resumed epoch 3, iter 6"))
        XCTAssertEqual(both[1].info?.startEpoch, 3)
        XCTAssertEqual(both[1].info?.saveBest, "top1_acc", "a resumed run names the metric 'auto' already picked")
    }

    /// The live stream as the record holds it: what the run logged while it was built (the seed line, resume
    /// messages) comes right after `started` (EventRecordWriter), so a run's first line is always `started`.
    static func recordOrder(_ events: [RunEvent]) -> [RunEvent] {
        guard let i = events.firstIndex(where: { if case .started = $0 { true } else { false } }) else { return events }
        return [events[i]] + events[..<i] + events[(i + 1)...]
    }

    /// A full disk under the event record stops the run with the file named, before it trains: the `started`
    /// line already fails, and the runner checks its file sinks after `before_run` as at every iteration boundary
    /// (the record is the run's only complete account; a run must not go on silently without it).
    func testAFailedWriteOfTheRecordFailsTheRun() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let tiny = try TinyRun()
        try FileManager.default.createDirectory(atPath: tiny.work, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tiny.work + "/events.jsonl", withDestinationPath: "/dev/full")
        let live = EventLog()
        let runner = try tiny.runner(sinks: [live])
        XCTAssertThrowsError(try runner.run()) { error in
            XCTAssertEqual((error as? RunFailure)?.message, "cannot write \(tiny.work)/events.jsonl: No space left on device")
        }
        XCTAssertEqual(live.iterations.count, 0, "stopped before training")
        guard case .failed = live.events.last else { return XCTFail("\(String(describing: live.events.last))") }
    }
}
