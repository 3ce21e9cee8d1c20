import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// `workflow=[('train', n), ('val', m)]` (issue 13): mmcv's `EpochBasedRunner.val` — after the train epochs, a pass
/// over data.val with the model in eval mode and no update, its losses logged as a val record.
final class ValWorkflowTests: XCTestCase {
    /// The val record's loss is the model's eval-mode loss over the val batches (batch-size weighted), computed
    /// here again from the final weights: the val pass changed neither the weights nor the BN statistics, and the
    /// counters did not move. The header names the config's workflow.
    func testTheValPhaseLogsTheEvalModeLossOfTheValBatches() throws {
        let run = try TinyRun()
        let events = EventLog()
        let runner = try run.runner("workflow = [('train', 1), ('val', 1)]", epochs: 1, sinks: [events])
        XCTAssertEqual(runner.workflow, Workflow(trainEpochs: 1, valEpochs: 1))
        let valLoader = try XCTUnwrap(runner.valLoader)
        XCTAssertTrue(valLoader.shuffle, "the val phase uses the train loader's settings (shuffled)")
        try runner.run()
        XCTAssertEqual(runner.epoch, 1)
        XCTAssertEqual(runner.iter, 2)

        // Worked out again: eval mode, the same batches in the same order (pass 0 after epoch 1: loader epoch 1).
        runner.model.applyMode(training: false)
        var weighted = 0.0, count = 0
        let batches = valLoader.epoch(1)
        defer { batches.cancel() }
        while let b = try batches.next() {
            let out = runner.model.lossOnly(b.imgs, targets: b.targets)
            weighted += out.loss * Double(b.targets.count); count += b.targets.count
        }
        let expected = weighted / Double(count)
        let val = try XCTUnwrap(events.events.compactMap { if case .valEpoch(let v) = $0 { v } else { nil } }.first)
        XCTAssertEqual(val.epoch, 1)
        XCTAssertEqual(val.iter, 2)
        XCTAssertEqual(val.iterations.count, 2)

        let records = try run.jsonRecords().filter { $0["mode"] as? String == "val" && $0["loss"] != nil }
        XCTAssertEqual(records.count, 1)
        let r = try XCTUnwrap(records.first)
        XCTAssertEqual(r["epoch"] as? Int, 1)
        XCTAssertEqual(r["iter"] as? Int, 2)
        XCTAssertEqual(r["loss"] as? Double ?? .nan, JSONLine.round5(expected), accuracy: 1e-12)
        XCTAssertEqual(r["loss_cls"] as? Double ?? .nan, JSONLine.round5(expected), accuracy: 1e-12)
        let messages = try run.logMessages()
        XCTAssertTrue(messages.contains("workflow: [('train', 1), ('val', 1)], max: 1 epochs"), messages.joined(separator: "\n"))
        XCTAssertTrue(messages.contains { $0.hasPrefix("Epoch(val) [1][2]\ttop1_acc: ") && $0.hasSuffix(String(format: "loss: %.4f", expected)) },
                      messages.joined(separator: "\n"))
    }

    /// mmcv's loop: with ('train', 2) and 3 epochs the val phase follows epochs 2 and 3 (the last cycle's second
    /// train epoch is skipped at max_epochs, its val epoch is not).
    func testValEpochsFollowEachCycleAndTheLastOne() throws {
        let run = try TinyRun()
        let events = EventLog()
        let runner = try run.runner("workflow = [('train', 2), ('val', 1)]", epochs: 3, sinks: [events])
        try runner.run()
        let order = events.events.compactMap { e -> String? in
            switch e {
            case .epochFinished(let n, _): return "train\(n)"
            case .valEpoch(let v): return "val\(v.epoch)"
            default: return nil
            }
        }
        XCTAssertEqual(order, ["train1", "train2", "val2", "train3", "val3"])
    }

    /// The text logger's val record from a `.valEpoch` event, as mmcv's after_val_epoch writes it: the average
    /// over the pass (log variables weighted by batch size, times not), iter = the batch count, memory present.
    func testTheValRecordLineAndTextAreMmcvs() throws {
        let dir = NSTemporaryDirectory() + "valrecord-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = try TextLoggerHook(workDir: dir, timestamp: "t", interval: 1)
        let a = IterationRecord(epoch: 2, iter: 6, innerIter: 0, lr: 0.01, values: ["top1_acc": 0.5, "loss_cls": 1.0, "loss": 1.0],
                                loss: 1.0, batchSize: 2, time: 0.2, dataTime: 0.1, memory: 100)
        let b = IterationRecord(epoch: 2, iter: 6, innerIter: 1, lr: 0.01, values: ["top1_acc": 1.0, "loss_cls": 4.0, "loss": 4.0],
                                loss: 4.0, batchSize: 1, time: 0.4, dataTime: 0.3, memory: 120)
        let out = logger.relay(.valEpoch(ValEpochRecord(epoch: 2, iter: 6, lr: 0.01, iterations: [a, b])))
        let json = try String(contentsOfFile: dir + "/t.log.json", encoding: .utf8)
        XCTAssertEqual(json, "{\"mode\": \"val\", \"epoch\": 2, \"iter\": 2, \"lr\": 0.01, \"memory\": 120, \"data_time\": 0.2, "
                       + "\"top1_acc\": 0.66667, \"loss_cls\": 2.0, \"loss\": 2.0, \"time\": 0.3}\n")
        XCTAssertEqual(out.count, 2)
        guard case .message(let line) = out[1] else { return XCTFail("no text line") }
        XCTAssertEqual(line, "Epoch(val) [2][2]\ttop1_acc: 0.6667, loss_cls: 2.0000, loss: 2.0000")
    }

    /// The event is recorded in events.jsonl and read back whole.
    func testTheValEpochEventRoundTripsThroughEventsJSONL() throws {
        let r = IterationRecord(epoch: 1, iter: 4, innerIter: 0, lr: 0.1, values: ["loss": 2.5], loss: 2.5, batchSize: 2,
                                time: 0.5, dataTime: 0.25, memory: 7)
        let event = RunEvent.valEpoch(ValEpochRecord(epoch: 1, iter: 4, lr: 0.1, iterations: [r]))
        let line = EventRecord.encode(event, run: "x", wallTime: 1)
        XCTAssertTrue(line.contains("\"type\":\"val_epoch\"") || line.contains("\"type\": \"val_epoch\""), line)
        XCTAssertEqual(try EventRecord.decode(line).event, event)
    }

    /// `evaluation.out_dir`: the best checkpoint and best.json go to out_dir/<work dir name> (mmcv's EvalHook), the
    /// regular checkpoints stay in the work dir.
    func testEvaluationOutDirReceivesTheBestCheckpoint() throws {
        let run = try TinyRun()
        var options = TrainOptions()
        options.validate = true
        let runner = try run.runner("evaluation = dict(interval=1, metrics=['top_k_accuracy'], topk=(1, 2), out_dir='\(run.dir)/best')",
                                    epochs: 1, options: options)
        try runner.run()
        let best = try FileManager.default.contentsOfDirectory(atPath: run.dir + "/best/work").sorted()
        XCTAssertEqual(best.filter { !$0.contains(".optimizer-") }, ["best.json", "best_top1_acc_epoch_1.safetensors"])
        XCTAssertEqual(best.filter { $0.hasPrefix("best_top1_acc_epoch_1.safetensors.optimizer-") }.count, 1, "its optimizer sidecar goes along")
        XCTAssertTrue(run.files().contains("epoch_1.safetensors"))
        XCTAssertFalse(run.files().contains("best.json"))
        XCTAssertTrue(try run.logMessages().contains("The best checkpoint will be saved to \(run.dir)/best/work by HardDiskBackend"))
    }
}
