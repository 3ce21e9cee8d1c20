import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// TensorBoard on its own (seed-note audit 2026-12-02 §3 b2): it consumes the run's events with its own interval and
/// averaging instead of copying the text logger's records.
final class TensorboardLoggerHookTests: XCTestCase {
    /// b2: `hooks=[dict(type='TensorboardLoggerHook')]` wrote a 40-byte file (the header only) and no `.log`.
    func testAloneItWritesEveryScalarAndTheRunStillHasItsTextLog() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        var options = TrainOptions()
        options.validate = true
        let runner = try tiny.runner("log_config = dict(interval=1, hooks=[dict(type='TensorboardLoggerHook')])",
                                     epochs: 1, options: options, sinks: [log])
        try runner.run()
        let its = log.iterations, eval = try XCTUnwrap(log.evaluations.first)
        let tb = try tiny.tensorboard()
        XCTAssertEqual(tb.series("train/loss").map(\.step), [1, 2])
        XCTAssertEqual(tb.series("train/loss").map(\.value), its.map { Float($0.values["loss"]!) })
        XCTAssertEqual(tb.series("train/top1_acc").map(\.value), its.map { Float($0.values["top1_acc"]!) })
        XCTAssertEqual(tb.series("train/grad_norm").map(\.value), its.map { Float($0.values["grad_norm"]!) })
        XCTAssertEqual(tb.series("val/top1_acc").map(\.step), [3], "one step after the epoch's last iteration")
        XCTAssertEqual(tb.series("val/top1_acc").map(\.value), [Float(eval.metrics[0].value)])
        XCTAssertEqual(tb.series("val/mean_class_accuracy").map(\.value), [Float(eval.metrics[2].value)])
        XCTAssertEqual(tb.series("learning_rate").map(\.value), [0.05, 0.05, 0.05])
        XCTAssertEqual(tb.series("momentum").map(\.value), [0.9, 0.9, 0.9])
        XCTAssertEqual(Set(tb.scalars.map(\.tag)), ["train/top1_acc", "train/top5_acc", "train/loss_cls", "train/loss", "train/grad_norm",
                                                    "learning_rate", "momentum", "val/top1_acc", "val/top2_acc", "val/mean_class_accuracy"])
        // mmaction2's train.py writes the .log whatever the logger hooks are; the .log.json is TextLoggerHook's.
        XCTAssertNil(tiny.file(endingIn: ".log.json"))
        let messages = try tiny.logMessages()
        XCTAssertTrue(messages.contains { $0.hasPrefix("Start running, work_dir: ") }, "\(messages)")
        XCTAssertTrue(messages.contains("Evaluating top_k_accuracy ..."), "\(messages)")
    }

    /// Its own `interval`: the text logger logs every iteration, TensorBoard every 2 (the average of both); with the
    /// same interval (`val`) both write the same numbers.
    func testItsOwnIntervalAndAveraging() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        var options = TrainOptions()
        options.validate = true
        let runner = try tiny.runner("""
            log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook', interval=2)])
            """, epochs: 2, options: options, sinks: [log])
        try runner.run()
        let its = log.iterations
        let tb = try tiny.tensorboard()
        XCTAssertEqual(tb.series("train/loss").map(\.step), [2, 4])
        XCTAssertEqual(tb.series("train/loss").map(\.value), [Float(weightedMean(Array(its[0..<2]), "loss")),
                                                               Float(weightedMean(Array(its[2..<4]), "loss"))])
        let json = try tiny.jsonRecords()
        XCTAssertEqual(json.map { $0["mode"] as? String }, ["train", "train", "val", "train", "train", "val"])
        let vals = json.filter { $0["mode"] as? String == "val" }
        for (record, scalar) in zip(vals, tb.series("val/top1_acc")) {
            XCTAssertEqual(Double(scalar.value), record["top1_acc"] as! Double, accuracy: 1e-5)
        }
        XCTAssertEqual(tb.series("val/top1_acc").map(\.step), [3, 5])
    }
}
