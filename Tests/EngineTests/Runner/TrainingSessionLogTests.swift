import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// What `TrainingSession.build` puts into the run's record besides the loggers' output.
final class TrainingSessionLogTests: XCTestCase {
    /// Seed-note audit 2026-12-02, fp16 row: the config's warnings reached the terminal but never the `.log`. They
    /// are the run's first messages: in the `.log`, in `events.jsonl` (after `started`) and to every sink.
    func testConfigWarningsAreTheRunsFirstMessages() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("fp16 = dict(loss_scale=512.)", epochs: 1, sinks: [log])
        try runner.run()
        let config = try String(contentsOfFile: tiny.dir + "/config.py", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try XCTUnwrap(config.firstIndex { $0.hasPrefix("fp16 = ") }) + 1
        let warning = "\(tiny.dir)/config.py:\(line):1: warning: 'fp16' is not supported by Reel yet: CPU mixed precision is planned "
            + "after the first milestone; training runs in float32\n    fp16 = dict(loss_scale=512.)\n    ^"
        XCTAssertEqual(try tiny.logMessages().first, warning)
        let messages = log.events.compactMap { e -> String? in if case .message(let m) = e { m } else { nil } }
        XCTAssertEqual(messages.first, warning)
        let recorded = try tiny.recordedEvents()
        XCTAssertEqual(EventRecord.typeName(recorded[0]), "started")
        XCTAssertEqual(recorded[1], .message(warning))
    }

    /// Without `log_config` the run still writes its `.log` (mmaction2's train.py creates it for every run).
    func testARunWithoutLoggerHooksStillWritesItsLog() throws {
        let tiny = try TinyRun()
        let runner = try tiny.runner("log_config = None", epochs: 1)
        try runner.run()
        XCTAssertNil(tiny.file(endingIn: ".log.json"))
        let messages = try tiny.logMessages()
        // The seed line (logged while the run is built) comes first, then mmcv's start lines.
        XCTAssertEqual(messages.first, "Set random seed to 3, deterministic: False (--seed)")
        XCTAssertTrue(messages.dropFirst().first?.hasPrefix("Start running, work_dir: ") == true, "\(messages)")
        XCTAssertTrue(messages.contains("Saving checkpoint at 1 epochs"), "\(messages)")
    }
}
