import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// What moving the loggers from hooks to event sinks could have broken: the paths that used to reach into the
/// runner (evaluate-now's val record, the checkpoint's log history taken inside an iteration).
final class LoggerSinkTests: XCTestCase {
    /// `e` while training: its metrics are a val record of their own between the train records (the runner used
    /// to look the text logger up and make it write the record).
    func testEvaluateNowIsLoggedAsAValRecord() throws {
        let tiny = try TinyRun()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in if r.iter == 0 { control.send(.evaluate) } }
        var options = TrainOptions(); options.validate = true
        let runner = try tiny.runner(epochs: 1, options: options, control: control, sinks: [log])
        try runner.run()
        XCTAssertEqual(log.evaluations.map(\.trigger), [.manual, .epoch])
        let json = try tiny.jsonRecords()
        XCTAssertEqual(json.map { $0["mode"] as? String }, ["train", "val", "train", "val"])
        XCTAssertEqual(json[1]["epoch"] as? Int, 1)
        XCTAssertEqual(json[1]["iter"] as? Int, 2, "the val batches")
        XCTAssertEqual(json[1]["lr"] as? Double, 0.05)
        XCTAssertEqual(json[1]["top1_acc"] as? Double, JSONLine.round5(log.evaluations[0].metrics[0].value))
        let manual = log.evaluations[0]
        let line = String(format: "Epoch(val) [1][2]\ttop1_acc: %.4f, top2_acc: %.4f, mean_class_accuracy: %.4f",
                          manual.metrics[0].value, manual.metrics[1].value, manual.metrics[2].value)
        XCTAssertTrue(try tiny.logMessages().contains(line))
    }

    /// A checkpoint written by CheckpointHook inside an iteration (before the iteration's event is out) keeps that
    /// iteration in its history: resumed from it, the text log and TensorBoard give the uninterrupted run's averages.
    func testResumingFromAnIterationCheckpointLogsTheUninterruptedAverages() throws {
        let tiny = try TinyRun()
        let settings = """
            checkpoint_config = dict(interval=3, by_epoch=False)
            log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
            """
        try tiny.runner(settings, epochs: 3).run()
        let whole = try tiny.jsonRecords()
        let wholeTB = try tiny.tensorboard()
        var resume = TrainOptions()
        resume.resumeFrom = tiny.work + "/iter_3.safetensors"
        resume.workDir = tiny.dir + "/resumed"
        try tiny.runner(settings, epochs: 3, options: resume).run()
        let names = try FileManager.default.contentsOfDirectory(atPath: tiny.dir + "/resumed")
        let jsonName = try XCTUnwrap(names.first { $0.hasSuffix(".log.json") })
        let resumed = try String(contentsOfFile: tiny.dir + "/resumed/" + jsonName, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(resumed.count, 2, "epoch 2's record (iterations 3 and 4) and epoch 3's")
        for (r, w) in zip(resumed, whole.suffix(2)) {
            XCTAssertEqual(r["epoch"] as? Int, w["epoch"] as? Int)
            for key in ["loss", "top1_acc", "grad_norm"] { XCTAssertEqual(r[key] as? Double, w[key] as? Double, key) }
        }
        let tb = try TensorboardScalars(directory: tiny.dir + "/resumed/tf_logs")
        XCTAssertEqual(tb.steps("train/loss"), [4, 6])
        XCTAssertEqual(tb.series("train/loss").map(\.value), Array(wholeTB.series("train/loss").map(\.value).suffix(2)),
                       "TensorBoard starts from the checkpoint's history too")
    }
}
