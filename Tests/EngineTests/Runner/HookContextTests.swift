import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Hooks see the run through a narrow `HookContext` (tracker issue 12): what a hook needs from the run — the
/// checkpoint directory, the best score, a place for its values — comes through the context, never by looking up
/// another hook or the runner.
final class HookContextTests: XCTestCase {
    func validating() -> TrainOptions { var o = TrainOptions(); o.validate = true; return o }

    /// EvalHook works against a context with no runner and no CheckpointHook behind it: the best checkpoint and
    /// best.json go to the context's checkpoint directory, the best score through the typed API, and the metrics
    /// out as one `.evaluated` event carrying what the val record needs (val batches, lr).
    func testEvalHookNeedsOnlyItsContext() throws {
        let tiny = try TinyRun()
        let config = try tiny.config()
        let loader = try DataConfig(config).loader(.val, seed: 0)
        let model = try ModelBuilder.build(try XCTUnwrap(config.root["model"]), files: config.files, seed: 1)
        let optimizer = try OptimizerBuilder.build(try XCTUnwrap(config.root["optimizer"]), model: model, files: config.files)
        let dir = tiny.dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let context = FakeHookContext(model: model, optimizer: optimizer, workDir: tiny.dir + "/unused", checkpointDirectory: dir)
        context.epoch = 0; context.iter = 2
        let hook = EvalHook(loader: loader)
        try hook.afterTrainEpoch(context)

        let evaluated = context.events.compactMap { if case .evaluated(let e) = $0 { e } else { nil } }
        XCTAssertEqual(evaluated.count, 1)
        let e = try XCTUnwrap(evaluated.first)
        XCTAssertEqual(e.trigger, .epoch)
        XCTAssertEqual(e.batches, 2, "4 val videos, 2 a batch")
        XCTAssertEqual(e.lr, 0.05)
        XCTAssertEqual(e.bestKey, "top1_acc")
        XCTAssertTrue(e.isNewBest)
        XCTAssertEqual(context.saved.map(\.path), [dir + "/best_top1_acc_epoch_1.safetensors"])
        XCTAssertEqual(context.bestCheckpoint, dir + "/best_top1_acc_epoch_1.safetensors")
        XCTAssertEqual(context.bestMetric, "top1_acc")
        XCTAssertEqual(context.bestScore, e.metrics[0].value)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/best.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: tiny.dir + "/unused"), "the work dir is not written")
    }

    /// A by-iteration evaluation asks the context to publish the iteration first, before any of its own messages.
    func testByIterationEvaluationPublishesTheIterationFirst() throws {
        let tiny = try TinyRun()
        let config = try tiny.config()
        let model = try ModelBuilder.build(try XCTUnwrap(config.root["model"]), files: config.files, seed: 1)
        let optimizer = try OptimizerBuilder.build(try XCTUnwrap(config.root["optimizer"]), model: model, files: config.files)
        let context = FakeHookContext(model: model, optimizer: optimizer, workDir: tiny.dir, checkpointDirectory: tiny.dir)
        context.byEpoch = false; context.iter = 1
        let hook = EvalHook(loader: try DataConfig(config).loader(.val, seed: 0))
        hook.byEpoch = false; hook.interval = 2; hook.saveBest = nil
        try hook.afterTrainIter(context)
        XCTAssertTrue(context.iterationPublishedEarly)
        XCTAssertEqual(context.messages.first, "Evaluating top_k_accuracy ...")
        XCTAssertTrue(context.isTraining, "back in train mode after a by-iteration evaluation")
    }

    /// In a real run with `checkpoint_config.out_dir`, the checkpoint directory is run state: the regular, best and
    /// manual checkpoints and best.json all land in out_dir/<work dir name>, none in the work dir.
    func testOutDirReachesEveryCheckpointWriter() throws {
        let tiny = try TinyRun()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in if r.iter == 0 { control.send(.saveCheckpoint) } }
        let runner = try tiny.runner("checkpoint_config = dict(interval=1, out_dir='\(tiny.dir)/ckpts')", epochs: 1,
                                     options: validating(), control: control, sinks: [log])
        XCTAssertEqual(runner.checkpointDirectory, tiny.dir + "/ckpts/work")
        try runner.run()
        let out = try FileManager.default.contentsOfDirectory(atPath: tiny.dir + "/ckpts/work").sorted()
        // Optimizer sidecars go with their checkpoints (OptimizerSidecarTests); the checkpoints are what matters here.
        XCTAssertEqual(out.filter { !$0.hasPrefix(".") && !$0.contains(".optimizer-") }, ["best.json", "best_top1_acc_epoch_1.safetensors", "epoch_1.safetensors",
                                                          "iter_1.safetensors", "latest.safetensors"])
        XCTAssertEqual(log.checkpoints.map(\.kind), [.manual, .regular, .best])
        XCTAssertFalse(tiny.files().contains { $0.hasSuffix(".safetensors") || $0 == "best.json" }, "\(tiny.files())")
    }

    /// Loggers are listed in the hook table but are sinks: the text logger's record and line come after the
    /// iteration that caused them, and every sink sees that one order.
    func testLoggerRecordsFollowTheirIterationInEverySink() throws {
        let tiny = try TinyRun()
        let first = EventLog(), second = EventLog()
        let runner = try tiny.runner(epochs: 1, sinks: [first, second])
        XCTAssertEqual(runner.hooks.map(\.name).suffix(2), ["TextLoggerHook", "TensorboardLoggerHook"])
        try runner.run()
        XCTAssertEqual(first.events, second.events)
        func kinds(_ events: [RunEvent]) -> [String] {
            events.compactMap { e -> String? in
                switch e {
                case .iteration(let r): "iteration \(r.iter)"
                case .logged(let r): "log \(r.mode) \(r.iter)"
                case .message(let m) where m.hasPrefix("Epoch ["): "line"
                default: nil
                }
            }
        }
        XCTAssertEqual(kinds(first.events), ["iteration 0", "log train 1", "line", "iteration 1", "log train 2", "line"])
        XCTAssertEqual(kinds(EventRecordReader.readAll(tiny.work + "/events.jsonl").map(\.event)), kinds(first.events), "events.jsonl too")
    }
}
