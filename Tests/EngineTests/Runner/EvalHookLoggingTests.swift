import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// How evaluations reach the log files (seed-note audit 2026-12-02 §3 b1, b3). TinyRun: 2 iterations an epoch,
/// 2 val batches, so a val record's `iter` is 2.
final class EvalHookLoggingTests: XCTestCase {
    func validating() -> TrainOptions { var o = TrainOptions(); o.validate = true; return o }

    /// b1: an evaluation by iteration on a logging iteration was averaged away (no val record, no `val/*` scalars).
    /// mmcv flushes the loggers first, so the train line comes first and the metrics get their own val record.
    func testByIterationEvaluationOnALoggingIterationIsLoggedAfterTheTrainRecord() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("""
            evaluation = dict(by_epoch=False, interval=2, metrics=['top_k_accuracy'], topk=(1, 2))
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
            """, epochs: 2, options: validating(), sinks: [log])
        try runner.run()
        let evals = log.evaluations
        XCTAssertEqual(evals.map(\.trigger), [.iteration, .iteration])
        XCTAssertEqual(evals.map(\.iter), [2, 4])

        let json = try tiny.jsonRecords()
        XCTAssertEqual(json.map { $0["mode"] as? String }, ["train", "val", "train", "val"])
        XCTAssertEqual(json.map { $0["iter"] as? Int }, [2, 2, 2, 2])
        XCTAssertEqual(json.map { $0["epoch"] as? Int }, [1, 1, 2, 2])
        for (record, e) in zip([json[1], json[3]], evals) {
            XCTAssertEqual(Array(record.keys).sorted(), ["epoch", "iter", "lr", "mode", "top1_acc", "top2_acc"])
            XCTAssertEqual(record["top1_acc"] as? Double, JSONLine.round5(e.metrics[0].value))
            XCTAssertEqual(record["top2_acc"] as? Double, JSONLine.round5(e.metrics[1].value))
        }
        let its = log.iterations
        XCTAssertEqual(json[0]["loss"] as? Double, JSONLine.round5(weightedMean(Array(its[0..<2]), "loss")))
        XCTAssertEqual(json[2]["loss"] as? Double, JSONLine.round5(weightedMean(Array(its[2..<4]), "loss")))

        // The text log: train line, the dataset's lines, then the val line in today's epoch-based format.
        let messages = try tiny.logMessages()
        let train = try XCTUnwrap(messages.firstIndex { $0.hasPrefix("Epoch [1][2/2]\tlr: 5.000e-02, eta: ") })
        let evaluating = try XCTUnwrap(messages.firstIndex(of: "Evaluating top_k_accuracy ..."))
        let valLine = String(format: "Epoch(val) [1][2]\ttop1_acc: %.4f, top2_acc: %.4f", evals[0].metrics[0].value, evals[0].metrics[1].value)
        let val = try XCTUnwrap(messages.firstIndex(of: valLine), "\(messages)")
        XCTAssertLessThan(train, evaluating)
        XCTAssertLessThan(evaluating, val)

        // TensorBoard: train and val scalars at the same steps as mmcv (iter+1), the same numbers as .log.json.
        let tb = try tiny.tensorboard()
        XCTAssertEqual(tb.steps("train/loss"), [2, 4])
        XCTAssertEqual(tb.steps("val/top1_acc"), [2, 4])
        XCTAssertEqual(tb.series("val/top1_acc").map(\.value), evals.map { Float($0.metrics[0].value) })
        XCTAssertEqual(tb.series("train/loss").map(\.value), [Float(weightedMean(Array(its[0..<2]), "loss")),
                                                               Float(weightedMean(Array(its[2..<4]), "loss"))])
        XCTAssertEqual(tb.steps("learning_rate"), [2, 2, 4, 4])

        // The event stream has the iteration before the evaluation that sits in it.
        let order = log.events.compactMap { e -> String? in
            switch e {
            case .iteration(let r): "iter \(r.iter + 1)"
            case .evaluated(let r): "eval \(r.iter)"
            default: nil
            }
        }
        XCTAssertEqual(order, ["iter 1", "iter 2", "eval 2", "iter 3", "iter 4", "eval 4"])
    }

    /// b1 under IterBasedRunner: no evaluation was ever logged. Evaluations at iterations 3 and 6, logs at 2, 4, 6:
    /// `Iter(val) [2]` records, and (as mmcv clears the buffer before evaluating) the record at 4 averages only
    /// iteration 4.
    func testIterBasedRunnerLogsItsEvaluationsAndClearsTheBufferBeforeThem() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("""
            runner = dict(type='IterBasedRunner', max_iters=6)
            checkpoint_config = dict(interval=6)
            evaluation = dict(by_epoch=False, interval=3, metrics=['top_k_accuracy'], topk=(1, 2))
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
            """, options: validating(), sinks: [log])
        try runner.run()
        let evals = log.evaluations, its = log.iterations
        XCTAssertEqual(evals.map(\.iter), [3, 6])
        let json = try tiny.jsonRecords()
        XCTAssertEqual(json.map { $0["mode"] as? String }, ["train", "val", "train", "train", "val"])
        XCTAssertEqual(json.map { $0["iter"] as? Int }, [2, 2, 4, 6, 2])
        XCTAssertEqual(json[1]["top1_acc"] as? Double, JSONLine.round5(evals[0].metrics[0].value))
        XCTAssertEqual(json[4]["top1_acc"] as? Double, JSONLine.round5(evals[1].metrics[0].value))
        XCTAssertEqual(json[2]["loss"] as? Double, JSONLine.round5(its[3].values["loss"]!), "only iteration 4 since the clear")
        XCTAssertEqual(json[3]["loss"] as? Double, JSONLine.round5(weightedMean(Array(its[4..<6]), "loss")))

        let messages = try tiny.logMessages()
        let vals = messages.filter { $0.hasPrefix("Iter(val) [2]\t") }
        XCTAssertEqual(vals, evals.map { String(format: "Iter(val) [2]\ttop1_acc: %.4f, top2_acc: %.4f", $0.metrics[0].value, $0.metrics[1].value) })
        XCTAssertTrue(messages.contains { $0.hasPrefix("Iter [6/6]\tlr: ") }, "\(messages)")

        let tb = try tiny.tensorboard()
        XCTAssertEqual(tb.steps("val/top1_acc"), [3, 6])
        XCTAssertEqual(tb.steps("train/loss"), [2, 4, 6])
        XCTAssertEqual(tb.series("train/loss")[1].value, Float(its[3].values["loss"]!))
    }

    /// b3: the evaluation before training (`start=0`, or `start` ≤ the resumed epoch) was written to `.log.json`
    /// and TensorBoard; mmcv's logger clears it away. It is still shown: the `.evaluated` event and the
    /// dataset's "Evaluating" lines in the `.log` (and so on the console).
    func testTheEvaluationBeforeTrainingIsShownButNotLogged() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("""
            evaluation = dict(start=0, interval=1, metrics=['top_k_accuracy'], topk=(1, 2))
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
            """, epochs: 1, options: validating(), sinks: [log])
        try runner.run()
        XCTAssertEqual(log.evaluations.map(\.trigger), [.beforeTraining, .epoch])
        XCTAssertEqual(log.evaluations.map(\.iter), [0, 2])
        XCTAssertEqual(try tiny.jsonRecords().map { $0["mode"] as? String }, ["train", "val"])
        XCTAssertEqual(try tiny.logMessages().filter { $0 == "Evaluating top_k_accuracy ..." }.count, 2)
        let tb = try tiny.tensorboard()
        XCTAssertEqual(tb.steps("val/top1_acc"), [3])
        XCTAssertEqual(tb.steps("train/loss"), [2])
    }

    /// LogBuffer.average as mmcv's: keys without history keep their output (the evaluation's metrics).
    func testAveragingKeepsOutputKeysThatHaveNoHistory() {
        let b = LogBuffer()
        b.setOutput([("top1_acc", 0.5)])
        b.average(2)
        XCTAssertEqual(b.output.map(\.key), ["top1_acc"])
        XCTAssertEqual(b.output.map(\.value), [0.5])
        b.update([("loss", 3.0)], count: 2)
        b.average(2)
        XCTAssertEqual(b.output.map(\.key), ["top1_acc", "loss"])
        XCTAssertEqual(b.output.map(\.value), [0.5, 3.0])
    }
}
