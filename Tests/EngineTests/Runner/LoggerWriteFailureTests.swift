import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// F15: the log writers on a full disk. Before, `FileHandle.write` trapped (SIGILL, exit 132) from
/// TextLoggerHook.swift:55 and EventFile.swift:58; now the run stops with a `RunFailure` whose cause names the file.
/// `/dev/full` stands in for the full disk: every write to it fails with ENOSPC.
final class LoggerWriteFailureTests: XCTestCase {
    /// A run without config loggers, plus a `.log` (or a text logger whose `.log.json`) on /dev/full.
    func runWithFullLog(json: Bool) throws -> (TinyRun, RunFailure?) {
        let tiny = try TinyRun()
        let runner = try tiny.runner("log_config = dict(interval=1, hooks=[])")
        let full = tiny.work + "/full.log" + (json ? ".json" : "")
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: "/dev/full")
        if json {
            runner.register(try TextLoggerHook(workDir: tiny.work, timestamp: "full", interval: 1))
        } else {
            runner.subscribe(try TextLogFile(path: full))
        }
        do { try runner.run() } catch let f as RunFailure { return (tiny, f) }
        return (tiny, nil)
    }

    func testAFullTextLogStopsTheRunWithTheFileInTheCause() throws {
        let (tiny, failure) = try runWithFullLog(json: false)
        let f = try XCTUnwrap(failure, "the run went on with its log unwritable")
        XCTAssertEqual(f.cause as? FileWriteError, FileWriteError(path: tiny.work + "/full.log", reason: "No space left on device"))
        // "Start running" is the first message: the runner reports the failed write after before_run, before training.
        XCTAssertEqual(f.iter, 0)
        XCTAssertFalse(tiny.files().contains { $0.hasSuffix(".safetensors") })
    }

    func testAFullJSONLogStopsTheRunAtTheFirstRecord() throws {
        let (tiny, failure) = try runWithFullLog(json: true)
        let f = try XCTUnwrap(failure)
        XCTAssertEqual(f.cause as? FileWriteError, FileWriteError(path: tiny.work + "/full.log.json", reason: "No space left on device"))
        XCTAssertEqual(f.iter, 0, "interval 1: the first record is written after the first iteration, before it is counted")
    }

    func testMetaLineOnAFullDiskThrows() throws {
        let dir = NSTemporaryDirectory() + "reel-meta-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/m.log.json", withDestinationPath: "/dev/full")
        let logger = try TextLoggerHook(workDir: dir, timestamp: "m")
        XCTAssertThrowsError(try logger.writeMeta(seed: 1, configName: "c.py", workDir: dir)) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: dir + "/m.log.json", reason: "No space left on device"))
        }
    }

    func testEventFileOnAFullDiskThrowsAtItsFirstRecord() throws {
        let dir = NSTemporaryDirectory() + "reel-tb-full-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/events.out.tfevents.1000.\(ProcessInfo.processInfo.hostName)"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/full")
        XCTAssertThrowsError(try EventFileWriter(directory: dir, wallTime: 1000)) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: path, reason: "No space left on device"))
        }
    }

    /// The TensorBoard logger gets iterations as events (which cannot throw): a failed scalar write is kept for the
    /// runner, which throws it at the iteration boundary. The disk "fills" by the file-size limit after the file's
    /// first record.
    func testTensorboardLoggerKeepsAFailedScalarWriteForTheRunner() throws {
        let tiny = try TinyRun()
        let runner = try tiny.runner("log_config = dict(interval=1, hooks=[])")
        let hook = try TensorboardLoggerHook(directory: tiny.work + "/tb", interval: 1, optimizer: runner.optimizer)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: hook.writer.path)[.size] as? Int)
        withFileSizeLimit(size) {
            hook.receive(.iteration(IterationRecord(epoch: 0, iter: 0, innerIter: 0, lr: 0.1, values: ["loss": 1.5], batchSize: 2)))
        }
        XCTAssertEqual(hook.takeWriteFailure() as? FileWriteError, FileWriteError(path: hook.writer.path, reason: "File too large"))
        XCTAssertNil(hook.takeWriteFailure(), "reported once")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: hook.writer.path)[.size] as? Int, size,
                       "no partial record was left")
    }
}
