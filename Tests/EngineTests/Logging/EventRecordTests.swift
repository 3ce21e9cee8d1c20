import Config
import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// `events.jsonl`: the schema's exact lines, the writer/reader round trip of every event type, torn lines, two
/// runs in one file, the version rule, and write failures.
final class EventRecordTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "reel-events-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    var path: String { dir + "/events.jsonl" }
    func fileText() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func info(_ id: String, seed: UInt64 = 7) -> RunInfo {
        RunInfo(runID: id, workDir: "/w", configName: "c.py", configText: "model = dict(type='Recognizer2D')\nlr = 0.1\n",
                byEpoch: true, maxEpochs: 2, maxIters: 60, itersPerEpoch: 30, startEpoch: 0, startIter: 0, seed: seed,
                hookOrder: ["(VERY_HIGH) StepLrUpdaterHook", "(LOW) EvalHook"], saveBest: "top1_acc")
    }

    /// One of every event type, with the awkward values: non-finite numbers, text needing escapes, a 64-bit seed.
    static func everyEvent(_ id: String) -> [RunEvent] {
        [.started(info(id, seed: UInt64.max)),
         .message("Start running, work_dir: /w\n\"quoted\"\ttab ünïcode 🎞"),
         .iteration(IterationRecord(epoch: 0, iter: 0, innerIter: 0, lr: 0.002, values: ["loss": 2.5, "top1_acc": 0.125, "grad_norm": .infinity],
                                    loss: 2.5, batchSize: 8, time: 0.5, dataTime: 0.01)),
         .logged(LogRecord(mode: "train", epoch: 1, iter: 10, lr: 0.0074, memory: 209,
                           values: [("data_time", 0.0078), ("top1_acc", 0.175), ("loss", 2.5)], step: 10)),
         .paused(iter: 1),
         .resumed(iter: 1, pausedSeconds: 11.25),
         .checkpointSaved(CheckpointRecord(path: "/w/iter_1.safetensors", kind: .manual, epoch: 0, iter: 1)),
         .evaluated(EvalRecord(epoch: 1, iter: 30, metrics: [("top1_acc", 0.125), ("top5_acc", 0.6875), ("mean_class_accuracy", 0.125)],
                               bestKey: "top1_acc", bestScore: 0.125, isNewBest: true)),
         .evaluated(EvalRecord(epoch: 1, iter: 31, metrics: [("top1_acc", 0.25)], bestKey: "top1_acc", bestScore: 0.25, isNewBest: true,
                               trigger: .manual)),
         .evaluated(EvalRecord(epoch: 1, iter: 0, metrics: [("top1_acc", 0.25)], bestKey: nil, bestScore: nil, isNewBest: false,
                               trigger: .beforeTraining)),
         .logged(LogRecord(mode: "val", epoch: 1, iter: 10, lr: 0.0194, memory: nil, values: [("top1_acc", 0.125)], step: 31)),
         .checkpointSaved(CheckpointRecord(path: "/w/best_top1_acc_epoch_1.safetensors", kind: .best, epoch: 1, iter: 30)),
         .checkpointSaved(CheckpointRecord(path: "/w/epoch_1.safetensors", kind: .regular, epoch: 1, iter: 30)),
         .checkpointDeleted(path: "/w/best_top1_acc_epoch_1.safetensors"),
         .epochFinished(epoch: 1, iter: 30),
         .finished(RunSummary(ending: .stopped, epoch: 1, iter: 31, seconds: 12.5, bestKey: "top1_acc", bestScore: 0.125,
                              reason: "stop command at iteration 31")),
         .finished(RunSummary(ending: .completed, epoch: 2, iter: 60, seconds: 20, bestKey: nil, bestScore: nil, reason: nil)),
         .failed(RunFailure(message: "loss is nan at iteration 5", iter: 5, lastCheckpoint: nil))]
    }

    func testTheLinesAreTheDocumentedSchema() throws {
        let it = RunEvent.iteration(IterationRecord(epoch: 1, iter: 35, innerIter: 5, lr: 0.01, values: ["loss": 2.25, "grad_norm": 3.5],
                                                    loss: 2.25, batchSize: 8, time: 0.5, dataTime: 0.0125))
        XCTAssertEqual(EventRecord.encode(it, run: "r1", wallTime: 1700000000.12345),
                       #"{"v":1,"type":"iteration","run":"r1","wall_time":1700000000.123,"epoch":1,"iter":35,"inner_iter":5,"lr":0.01,"#
                       + #""loss":2.25,"batch_size":8,"time":0.5,"data_time":0.0125,"values":{"loss":2.25,"grad_norm":3.5}}"#,
                       "values in the run's order (mmcv's, as .log.json has them): the text logger replays them")
        XCTAssertEqual(EventRecord.encode(.resumed(iter: 3, pausedSeconds: 11.5), run: "r1", wallTime: 2),
                       #"{"v":1,"type":"resumed","run":"r1","wall_time":2,"iter":3,"paused_seconds":11.5}"#)
        XCTAssertEqual(EventRecord.encode(.logged(LogRecord(mode: "val", epoch: 1, iter: 10, lr: 0.02, memory: nil,
                                                            values: [("top1_acc", .nan), ("top5_acc", .infinity)], step: 31)),
                                          run: "r1", wallTime: 2),
                       #"{"v":1,"type":"log","run":"r1","wall_time":2,"mode":"val","epoch":1,"iter":10,"lr":0.02,"memory":null,"#
                       + #""step":31,"values":{"top1_acc":"NaN","top5_acc":"Infinity"}}"#)
        let eval = RunEvent.evaluated(EvalRecord(epoch: 20, iter: 20, metrics: [("top1_acc", 0.5)], bestKey: "top1_acc", bestScore: 0.5,
                                                 isNewBest: true, trigger: .iteration))
        XCTAssertEqual(EventRecord.encode(eval, run: "r1", wallTime: 2),
                       #"{"v":1,"type":"evaluation","run":"r1","wall_time":2,"epoch":20,"iter":20,"metrics":{"top1_acc":0.5},"#
                       + #""best_key":"top1_acc","best_score":0.5,"new_best":true,"trigger":"iteration"}"#)
        // A line from before the field existed reads as a scheduled evaluation by epoch.
        let old = #"{"v":1,"type":"evaluation","run":"r1","wall_time":2,"epoch":1,"iter":30,"metrics":{"top1_acc":0.5},"#
            + #""best_key":null,"best_score":null,"new_best":false}"#
        guard case .evaluated(let e) = try EventRecord.decode(old).event else { return XCTFail("not an evaluation") }
        XCTAssertEqual(e.trigger, .epoch)
        let started = EventRecord.encode(.started(Self.info("r1", seed: 1 << 60)), run: "r1", wallTime: 2)
        XCTAssertTrue(started.hasPrefix(#"{"v":1,"type":"started","run":"r1","wall_time":2,"config_name":"c.py","work_dir":"/w","#
                                        + #""seed":"1152921504606846976","by_epoch":true,"max_epochs":2,"max_iters":60,"iters_per_epoch":30,"#
                                        + #""start_epoch":0,"start_iter":0,"world_size":1,"rank":0,"save_best":"top1_acc","#), started)
        XCTAssertEqual(EventRecord.typeName(.finished(RunSummary(ending: .stopped, epoch: 0, iter: 0, seconds: 0, bestKey: nil, bestScore: nil))),
                       "stopped")
    }

    func testEveryEventTypeRoundTripsThroughTheFile() throws {
        var t = 1_700_000_000.0
        let writer = try EventRecordWriter(path: path, clock: { t += 0.25; return Date(timeIntervalSince1970: t) })
        let events = Self.everyEvent("run-a")
        for e in events { writer.receive(e) }
        XCTAssertNil(writer.takeWriteFailure())
        let text = try fileText()
        XCTAssertEqual(text.split(separator: "\n").count, events.count)
        XCTAssertTrue(text.hasSuffix("}\n"))
        let read = EventRecordReader.readAll(path)
        XCTAssertEqual(read.map(\.event), events)
        XCTAssertEqual(Set(read.map(\.run)), ["run-a"])
        XCTAssertEqual(read.first?.wallTime, 1_700_000_000.25)
        XCTAssertEqual(read.last?.wallTime, 1_700_000_000 + 0.25 * Double(events.count))
        // NaN survives as NaN (checked by hand: NaN ≠ NaN for ==).
        let nan = RunEvent.logged(LogRecord(mode: "val", epoch: 1, iter: 1, lr: 0, memory: nil, values: [("top1_acc", .nan)], step: 1))
        guard case .logged(let r) = try EventRecord.decode(EventRecord.encode(nan, run: "r", wallTime: 0)).event else { return XCTFail() }
        XCTAssertTrue(r.values[0].value.isNaN)
    }

    /// A data-parallel iteration carries every rank's figures (docs/events.md `ranks`); one process's has none.
    func testADataParallelIterationKeepsEveryRanksFigures() throws {
        var r = IterationRecord(epoch: 0, iter: 4, innerIter: 4, lr: 0.01, loss: 1.25, batchSize: 4, time: 0.5, dataTime: 0.01)
        XCTAssertFalse(EventRecord.encode(.iteration(r), run: "r", wallTime: 0).contains("ranks"))
        r.ranks = [RankFigures(time: 0.5, dataTime: 0.01, allreduceWait: 0.002), RankFigures(time: 0.625, dataTime: 0, allreduceWait: 0)]
        let line = EventRecord.encode(.iteration(r), run: "r", wallTime: 0)
        XCTAssertTrue(line.contains(#""ranks":[[0.5,0.01,0.002],[0.625,0,0]]"#), line)
        XCTAssertEqual(try EventRecord.decode(line).event, .iteration(r))
        let broken = line.replacingOccurrences(of: "[0.625,0,0]", with: "[0.625,0]")
        XCTAssertThrowsError(try EventRecord.decode(broken))
    }

    func testMessagesBeforeStartedAreWrittenRightAfterIt() throws {
        let writer = try EventRecordWriter(path: path)
        writer.receive(.message("resumed epoch 1, iter 30"))
        XCTAssertEqual(try fileText(), "", "nothing is written before the run starts")
        writer.receive(.started(Self.info("r")))
        writer.receive(.message("Start running"))
        XCTAssertEqual(EventRecordReader.readAll(path).map(\.event),
                       [.started(Self.info("r")), .message("resumed epoch 1, iter 30"), .message("Start running")])
    }

    func testFollowingKeepsAPartialLastLineUntilItCompletes() throws {
        let lines = Self.everyEvent("r").prefix(3).map { EventRecord.encode($0, run: "r", wallTime: 1) + "\n" }
        let whole = lines.joined()
        let cut = whole.utf8.count - 10   // inside the third line
        try Data(whole.utf8.prefix(cut)).write(to: URL(fileURLWithPath: path))
        let reader = EventRecordReader(path: path)
        let first = reader.poll()
        XCTAssertEqual(first.events.map(\.event), Array(Self.everyEvent("r").prefix(2)))
        XCTAssertFalse(first.restarted)
        XCTAssertEqual(reader.offset, UInt64(lines[0].utf8.count + lines[1].utf8.count))
        XCTAssertEqual(reader.poll().events, [], "no new complete line")
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        h.write(Data(whole.utf8.dropFirst(cut)))
        try h.close()
        XCTAssertEqual(reader.poll().events.map(\.event), [Self.everyEvent("r")[2]])
        XCTAssertEqual(reader.skipped, 0)
        // The file replaced by a shorter one: read again from the start.
        try Data(lines[0].utf8).write(to: URL(fileURLWithPath: path))
        let again = reader.poll()
        XCTAssertTrue(again.restarted)
        XCTAssertEqual(again.events.map(\.event), [Self.everyEvent("r")[0]])
    }

    func testATornLineFromACrashDoesNotSwallowTheNextRun() throws {
        let torn = EventRecord.encode(.started(Self.info("old")), run: "old", wallTime: 1) + "\n"
            + #"{"v":1,"type":"iteration","run":"old","wall_ti"#
        try Data(torn.utf8).write(to: URL(fileURLWithPath: path))
        let writer = try EventRecordWriter(path: path)
        writer.receive(.started(Self.info("new")))
        let reader = EventRecordReader(path: path)
        let runs = EventRecordReader.runs(reader.poll().events)
        XCTAssertEqual(runs.map(\.id), ["old", "new"])
        XCTAssertEqual(runs[1].events, [.started(Self.info("new"))])
        XCTAssertEqual(reader.skipped, 1)
        guard case .malformed = reader.lastSkip else { return XCTFail("\(String(describing: reader.lastSkip))") }
    }

    func testTwoRunsInOneFileAreSplitByRunID() throws {
        let a = try EventRecordWriter(path: path), b = try EventRecordWriter(path: path)
        a.receive(.started(Self.info("a")))
        a.receive(.message("a1"))
        b.receive(.started(Self.info("b")))
        a.receive(.message("a2"))   // two processes appending to one work dir's record
        b.receive(.message("b1"))
        let runs = EventRecordReader.runs(EventRecordReader.readAll(path))
        XCTAssertEqual(runs.map(\.id), ["a", "b"])
        XCTAssertEqual(runs[0].events, [.started(Self.info("a")), .message("a1"), .message("a2")])
        XCTAssertEqual(runs[1].events, [.started(Self.info("b")), .message("b1")])
        XCTAssertEqual(runs[1].info?.runID, "b")
    }

    func testUnknownFieldsAndTypesAndOtherVersionsAreIgnored() throws {
        let lines = [
            #"{"v":1,"type":"message","run":"r","wall_time":1,"text":"hi","level":"INFO","extra":{"nested":[1,2]}}"#,
            #"{"v":1,"type":"gpu_temperature","run":"r","wall_time":1,"celsius":61}"#,
            #"{"v":2,"type":"message","run":"r","wall_time":1,"text":"from the future"}"#,
            #"{"v":1,"type":"message","run":"r","wall_time":1}"#,
            "not json",
            "",
            #"{"v":1,"type":"paused","run":"r","wall_time":1.5,"iter":4}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let reader = EventRecordReader(path: path)
        XCTAssertEqual(reader.poll().events.map(\.event), [.message("hi"), .paused(iter: 4)])
        XCTAssertEqual(reader.skipped, 4)
        XCTAssertThrowsError(try EventRecord.decode(lines[1])) { XCTAssertEqual($0 as? EventRecord.Skip, .unknownType("gpu_temperature")) }
        XCTAssertThrowsError(try EventRecord.decode(lines[2])) { XCTAssertEqual($0 as? EventRecord.Skip, .otherVersion(2)) }
        XCTAssertThrowsError(try EventRecord.decode(lines[3])) { XCTAssertEqual($0 as? EventRecord.Skip, .malformed("no 'text'")) }
    }

    func testAFailedWriteIsKeptForTheRunnerAndNamesTheFile() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let writer = try EventRecordWriter(path: "/dev/full")
        writer.receive(.started(Self.info("r")))
        writer.receive(.message("x"))
        let failure = writer.takeWriteFailure()
        XCTAssertEqual(failure as? FileWriteError, FileWriteError(path: "/dev/full", reason: "No space left on device"))
        XCTAssertEqual("\(failure!)", "cannot write /dev/full: No space left on device")
        XCTAssertNil(writer.takeWriteFailure(), "reported once")
    }

    /// A record that cannot be read (here a directory: EISDIR) is nothing to show, not a crash (Foundation's
    /// non-throwing reads end the process); once it is a file, it is read.
    func testAnUnreadableRecordIsSkipped() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let reader = EventRecordReader(path: path)
        XCTAssertEqual(reader.poll().events, [])
        XCTAssertThrowsError(try EventRecordWriter(path: path)) { XCTAssertEqual(($0 as? FileWriteError)?.reason, "Is a directory") }
        try FileManager.default.removeItem(atPath: path)
        try EventRecordWriter(path: path).receive(.started(Self.info("r")))
        XCTAssertEqual(reader.poll().events.map(\.event), [.started(Self.info("r"))])
    }

    func testJSONValueParsesWhatItWritesAndRefusesBrokenText() throws {
        let v = JSONValue.object([("b", .number(1)), ("a", .array([.string("x\u{1}\"\\é😀"), .null, .bool(false), .number(-2.5e-7)]))])
        XCTAssertEqual(try JSONValue.parse(v.text), v)
        XCTAssertEqual(try JSONValue.parse(#" {"s": "\ud83d\ude00\u00e9\n"} "#)["s"], .string("😀é\n"))
        for bad in ["{", "[1,]", #"{"a" 1}"#, "01x", #""\q""#, "[" + String(repeating: "[", count: 100) + "]]", "1 2"] {
            XCTAssertThrowsError(try JSONValue.parse(bad), bad)
        }
    }
}
