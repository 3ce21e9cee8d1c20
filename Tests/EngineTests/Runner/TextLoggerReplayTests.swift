import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The text logger is a pure function of the run's events (tracker issue 12): fed the `events.jsonl` a real run
/// recorded, a fresh logger writes the `.log.json` the live run wrote, byte for byte, and derives the same records
/// and text lines.
final class TextLoggerReplayTests: XCTestCase {
    /// Replays `run` (one run of an events.jsonl) into a fresh logger configured as the live one was; returns the
    /// `.log.json` text and what the logger relayed.
    func replay(_ run: RecordedRun, runner: Runner, interval: Int, byEpoch: Bool) throws -> (json: String, relayed: [RunEvent]) {
        let dir = NSTemporaryDirectory() + "reel-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = try TextLoggerHook(workDir: dir, timestamp: "replay", interval: interval, byEpoch: byEpoch)
        try logger.writeMeta(seed: runner.seed, configName: runner.configName, workDir: runner.workDir)
        var relayed: [RunEvent] = []
        for e in run.events { relayed += logger.relay(e) }
        XCTAssertNil(logger.takeWriteFailure())
        return (try String(contentsOfFile: logger.jsonPath, encoding: .utf8), relayed)
    }

    /// What the live run relayed: its `log` events and the text lines that follow them.
    func liveRecords(_ run: RecordedRun) -> [RunEvent] {
        var out: [RunEvent] = []
        for (i, e) in run.events.enumerated() {
            guard case .logged = e else { continue }
            out.append(e)
            out.append(run.events[i + 1])
        }
        return out
    }

    func testReplayingAnEpochRunWritesTheSameLogJSON() throws {
        let tiny = try TinyRun()
        var options = TrainOptions(); options.validate = true
        let runner = try tiny.runner(epochs: 2, options: options)
        try runner.run()
        let runs = EventRecordReader.runs(EventRecordReader.readAll(tiny.work + "/events.jsonl"))
        XCTAssertEqual(runs.count, 1)
        let live = try String(contentsOfFile: try XCTUnwrap(tiny.file(endingIn: ".log.json")), encoding: .utf8)
        XCTAssertEqual(live.split(separator: "\n").count, 1 + 4 + 2, "meta, 4 train records, 2 val records")
        let (json, relayed) = try replay(runs[0], runner: runner, interval: 1, byEpoch: true)
        XCTAssertEqual(json, live)
        XCTAssertEqual(relayed, liveRecords(runs[0]))
    }

    /// By-iteration evaluations (the buffer cleared before each) with a log interval of 2 over 3 iterations an
    /// evaluation, in an iteration-based run.
    func testReplayingAnIterationRunWithEvaluationsInsideIterationsWritesTheSameLogJSON() throws {
        let tiny = try TinyRun()
        var options = TrainOptions(); options.validate = true
        let runner = try tiny.runner("""
            runner = dict(type='IterBasedRunner', max_iters=7)
            evaluation = dict(by_epoch=False, interval=3, metrics=['top_k_accuracy'], topk=(1, 2))
            checkpoint_config = dict(interval=3, by_epoch=False)
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook', by_epoch=False)])
            """, options: options)
        try runner.run()
        let runs = EventRecordReader.runs(EventRecordReader.readAll(tiny.work + "/events.jsonl"))
        let live = try String(contentsOfFile: try XCTUnwrap(tiny.file(endingIn: ".log.json")), encoding: .utf8)
        let modes = live.split(separator: "\n").dropFirst().map { $0.contains(#""mode": "val""#) ? "val" : "train" }
        XCTAssertEqual(modes, ["train", "val", "train", "train", "val"], "train at 2, 4, 6; val at 3 and 6, after 6's train line")
        let (json, relayed) = try replay(runs[0], runner: runner, interval: 2, byEpoch: false)
        XCTAssertEqual(json, live)
        XCTAssertEqual(relayed, liveRecords(runs[0]))
    }

    /// A resumed run's `started` event carries the checkpoint's averaging history: replayed alone, its events give
    /// the resumed run's `.log.json`, whose first average spans iterations from before the checkpoint.
    func testReplayingAResumedRunStartsFromTheHistoryInItsStartedEvent() throws {
        let tiny = try TinyRun()
        let settings = """
            checkpoint_config = dict(interval=3, by_epoch=False)
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook', ignore_last=False)])
            """
        try tiny.runner(settings, epochs: 3).run()
        var resume = TrainOptions()
        resume.resumeFrom = tiny.work + "/iter_3.safetensors"
        resume.workDir = tiny.dir + "/resumed"
        let runner = try tiny.runner(settings, epochs: 3, options: resume)
        try runner.run()
        let runs = EventRecordReader.runs(EventRecordReader.readAll(tiny.dir + "/resumed/events.jsonl"))
        guard case .started(let info)? = runs.last?.events.first else { return XCTFail("no started event") }
        let history = try XCTUnwrap(info.logHistory, "a mid-epoch resume carries its history")
        XCTAssertEqual(history.keys.first, "data_time")
        XCTAssertEqual(history.values[try XCTUnwrap(history.keys.firstIndex(of: "loss"))].count, 1, "iteration 3, the epoch's first")
        let names = try FileManager.default.contentsOfDirectory(atPath: tiny.dir + "/resumed").filter { $0.hasSuffix(".log.json") }
        let live = try String(contentsOfFile: tiny.dir + "/resumed/" + XCTUnwrap(names.first), encoding: .utf8)
        let (json, _) = try replay(try XCTUnwrap(runs.last), runner: runner, interval: 2, byEpoch: true)
        XCTAssertEqual(json, live)
        XCTAssertEqual(live.split(separator: "\n").count, 1 + 2, "meta, then epoch 2's record at batch 2 and epoch 3's at 2")
    }
}
