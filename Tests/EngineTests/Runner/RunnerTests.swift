import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// A tiny training setup on disk: 4 videos of 16×16 frames, a ResNet-18 layout at base width 4, 2 segments.
final class TinyRun {
    let fixture: FrameFixture
    let dir: String

    init() throws {
        fixture = try FrameFixture(videos: 4, frames: 4, width: 16, height: 16)
        dir = fixture.root
    }

    func config(_ extra: String = "", epochs: Int = 2) throws -> ResolvedConfig {
        let text = """
            model = dict(type='Recognizer2D',
                backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=4, num_segments=2, shift_div=2),
                cls_head=dict(type='TSMHead', num_classes=4, in_channels=32, num_segments=2, dropout_ratio=0.0, init_std=0.01),
                test_cfg=dict(average_clips='prob'))
            norm = dict(type='Normalize', mean=[128, 128, 128], std=[64, 64, 64])
            train_pipeline = [dict(type='SampleFrames', clip_len=1, num_clips=2), dict(type='RawFrameDecode'), norm,
                              dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs', 'label'], meta_keys=[])]
            val_pipeline = [dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'), norm,
                            dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs', 'label'], meta_keys=[])]
            data = dict(videos_per_gpu=2, workers_per_gpu=1,
                train=dict(type='RawframeDataset', ann_file='\(dir)/ann.txt', data_prefix='\(dir)/rawframes', pipeline=train_pipeline),
                val=dict(type='RawframeDataset', ann_file='\(dir)/ann.txt', data_prefix='\(dir)/rawframes', pipeline=val_pipeline))
            optimizer = dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=0.0001)
            optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
            lr_config = dict(policy='step', step=[1])
            checkpoint_config = dict(interval=1)
            evaluation = dict(interval=1, metrics=['top_k_accuracy', 'mean_class_accuracy'], topk=(1, 2))
            log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
            total_epochs = \(epochs)
            work_dir = '\(dir)/work'
            \(extra)
            """
        let path = dir + "/config.py"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigLoader.load(path)
    }

    func runner(_ extra: String = "", epochs: Int = 2, options: TrainOptions = TrainOptions(), control: RunControl = RunControl(),
                sinks: [RunEventSink] = []) throws -> Runner {
        var o = options
        o.seed = o.seed ?? 3
        return try TrainingSession.build(try config(extra, epochs: epochs), options: o, control: control, sinks: sinks)
    }

    var work: String { dir + "/work" }
    func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).sorted() }
}

/// Records every event (and can send commands when an iteration ends).
final class EventLog: RunEventSink {
    var events: [RunEvent] = []
    var onIteration: ((IterationRecord) -> Void)?
    func receive(_ event: RunEvent) {
        events.append(event)
        if case .iteration(let r) = event { onIteration?(r) }
    }
    var iterations: [IterationRecord] { events.compactMap { if case .iteration(let r) = $0 { r } else { nil } } }
    var evaluations: [EvalRecord] { events.compactMap { if case .evaluated(let r) = $0 { r } else { nil } } }
    var checkpoints: [CheckpointRecord] { events.compactMap { if case .checkpointSaved(let r) = $0 { r } else { nil } } }
}

final class RunnerTests: XCTestCase {
    func testTwoEpochsWriteCheckpointsLogsAndEvents() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        var options = TrainOptions()
        options.validate = true
        let runner = try tiny.runner(options: options, sinks: [log])
        XCTAssertEqual(runner.hooks.map(\.name), ["StepLrUpdaterHook", "OptimizerHook", "CheckpointHook", "IterTimerHook",
                                                  "EvalHook", "TextLoggerHook", "TensorboardLoggerHook"])
        let summary = try runner.run()
        XCTAssertEqual(summary.ending, .completed)
        XCTAssertEqual(summary.iter, 4)
        XCTAssertEqual(log.iterations.map(\.iter), [0, 1, 2, 3])
        XCTAssertEqual(log.iterations.map(\.innerIter), [0, 1, 0, 1])
        // Step at epoch 1: 0.05 then 0.005.
        XCTAssertEqual(log.iterations.map(\.lr), [0.05, 0.05, 0.005, 0.005].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(log.evaluations.map(\.epoch), [1, 2])
        XCTAssertEqual(log.evaluations[0].metrics.map(\.key), ["top1_acc", "top2_acc", "mean_class_accuracy"])
        let files = tiny.files()
        for f in ["epoch_1.safetensors", "epoch_2.safetensors", "latest.safetensors", "best.json", "config.py", "tf_logs"] {
            XCTAssertTrue(files.contains(f), "\(f) in \(files)")
        }
        // .log.json: meta line, then train records per iteration and a val record per epoch, mmcv's key order.
        let json = try String(contentsOfFile: tiny.work + "/" + files.first { $0.hasSuffix(".log.json") }!, encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(json[0]["seed"] as? Int, 3)
        XCTAssertEqual(json.dropFirst().map { $0["mode"] as! String }, ["train", "train", "val", "train", "train", "val"])
        let line = try String(contentsOfFile: tiny.work + "/" + files.first { $0.hasSuffix(".log.json") }!, encoding: .utf8)
            .split(separator: "\n")[1]
        XCTAssertTrue(line.hasPrefix("{\"mode\": \"train\", \"epoch\": 1, \"iter\": 1, \"lr\": 0.05, \"memory\": "), String(line))
        let keys = line.split(separator: ",").map { $0.split(separator: ":")[0].trimmingCharacters(in: CharacterSet(charactersIn: " {\"")) }
        XCTAssertEqual(Array(keys.dropFirst(5)), ["data_time", "top1_acc", "top5_acc", "loss_cls", "loss", "grad_norm", "time"])
        XCTAssertEqual(json[3]["iter"] as? Int, 2, "val record's iter = number of val batches")
        // The text log has mmcv's train and val lines.
        let text = try String(contentsOfFile: tiny.work + "/" + files.first { $0.hasSuffix(".log") }!, encoding: .utf8)
        XCTAssertTrue(text.contains(" - mmaction - INFO - Epoch [1][1/2]\tlr: 5.000e-02, eta: "), text)
        XCTAssertTrue(text.contains(" - mmaction - INFO - Epoch(val) [2][2]\ttop1_acc: "), text)
        // best.json names the file that exists.
        let best = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tiny.work + "/best.json"))) as! [String: Any]
        XCTAssertEqual(best["metric"] as? String, "top1_acc")
        XCTAssertTrue(files.contains(best["checkpoint"] as! String))
        // The checkpoint's metadata counts completed epochs and iterations.
        let meta = try CheckpointStore.metadata(of: try SafeTensors.read(tiny.work + "/epoch_1.safetensors"))!
        XCTAssertEqual([meta.epoch, meta.iter], [1, 2])
    }

    /// Resume is exact: 1 epoch + resume for the 2nd gives the same weights as 2 epochs straight, also from a
    /// checkpoint taken in the middle of an epoch (Reel records the batches done; see docs/differences.md).
    func testResumeReproducesAnUninterruptedRun() throws {
        let straight = try TinyRun()
        let a = try straight.runner()
        try a.run()
        let reference = a.model.stateDict().map { $0.1 }

        let split = try TinyRun()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in if r.iter == 2 { control.send(.stop) } }   // stop after 3 of 4 iterations
        let b = try split.runner(control: control, sinks: [log])
        let stopped = try b.run()
        XCTAssertEqual(stopped.ending, .stopped)
        XCTAssertEqual(stopped.iter, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: split.work + "/iter_3.safetensors"))
        var options = TrainOptions()
        options.autoResume = true
        let c = try split.runner(options: options)
        XCTAssertEqual([c.epoch, c.iter, c.resumeInnerIter], [1, 3, 1])
        try c.run()
        XCTAssertEqual(c.iter, 4)
        for (x, y) in zip(reference, c.model.stateDict().map { $0.1 }) {
            switch (x, y) {
            case (.parameter(let p), .parameter(let q)): XCTAssertEqual(p.value, q.value)
            case (.buffer(let p), .buffer(let q)): XCTAssertEqual(p.value, q.value)
            default: XCTFail("state layout differs")
            }
        }
    }

    func testPauseResumeAndSaveCommandsApplyBetweenIterations() throws {
        let tiny = try TinyRun()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in
            if r.iter == 0 { control.send(.pause); control.send(.saveCheckpoint); control.send(.resume) }
        }
        let runner = try tiny.runner(epochs: 1, control: control, sinks: [log])
        try runner.run()
        let kinds = log.events.compactMap { e -> String? in
            switch e {
            case .paused(let i): "paused \(i)"
            case .resumed(let i, _): "resumed \(i)"
            case .checkpointSaved(let c): "saved \(c.kind.rawValue) \(c.iter)"
            case .iteration(let r): "iter \(r.iter)"
            default: nil
            }
        }
        XCTAssertEqual(kinds, ["iter 0", "paused 1", "saved manual 1", "resumed 1", "iter 1", "saved regular 2"])
    }

    func testNaNLossStopsTheRunAndKeepsTheLastCheckpoint() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("optimizer = dict(type='SGD', lr=1e30, momentum=0.9)\noptimizer_config = dict(grad_clip=None)",
                                     epochs: 3, sinks: [log])
        XCTAssertThrowsError(try runner.run()) { error in
            let f = error as! RunFailure
            XCTAssertTrue(f.message.hasPrefix("loss is nan at iteration") || f.message.hasPrefix("loss is inf at iteration")
                          || f.message.hasPrefix("loss is -inf at iteration"), f.message)
        }
        XCTAssertTrue(log.events.contains { if case .failed = $0 { true } else { false } })
        // Whatever checkpoints were written before the failure are complete files.
        for f in tiny.files() where f.hasSuffix(".safetensors") {
            XCTAssertNoThrow(try SafeTensors.read(tiny.work + "/" + f))
        }
    }

    func testMaxKeepCheckpointsDeletesOnTheIntervalGrid() throws {
        let tiny = try TinyRun()
        let runner = try tiny.runner("checkpoint_config = dict(interval=1, max_keep_ckpts=2)", epochs: 4)
        try runner.run()
        XCTAssertEqual(tiny.files().filter { $0.hasPrefix("epoch_") && $0.hasSuffix(".safetensors") }, ["epoch_3.safetensors", "epoch_4.safetensors"])
        // The deleted checkpoints' optimizer sidecars went with them.
        XCTAssertEqual(tiny.files().compactMap(OptimizerSidecar.checkpointName(ofSidecar:)), ["epoch_3.safetensors", "epoch_4.safetensors"])
    }

    func testIterBasedRunnerAndByIterationCheckpoints() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        let runner = try tiny.runner("runner = dict(type='IterBasedRunner', max_iters=5)\ncheckpoint_config = dict(interval=2)",
                                     sinks: [log])
        XCTAssertFalse(runner.byEpoch)
        try runner.run()
        XCTAssertEqual(log.iterations.map(\.iter), [0, 1, 2, 3, 4])
        XCTAssertEqual(log.iterations.map(\.epoch), [0, 0, 1, 1, 2], "epoch counts loader passes")
        XCTAssertEqual(tiny.files().filter { $0.hasPrefix("iter_") && $0.hasSuffix(".safetensors") }, ["iter_2.safetensors", "iter_4.safetensors", "iter_5.safetensors"])
    }

    func testEvalRuleInferenceAndZeroBestIsSaved() throws {
        let tiny = try TinyRun()
        let loader = try DataConfig(try tiny.config()).loader(.val, seed: 0)
        // No configured metric gives a loss key (mmcv stops with a KeyError at the first evaluation): refused when
        // read (issue 13); the inference itself still says less is better for one.
        let c = try ConfigLoader(read: { _ in "e = dict(save_best='top5_acc')\nf = dict(save_best='loss_cls')\n" }).load("/e.py")
        let e = try RunSpec.readEvaluation(ConfigReader(c.root["e"]!, name: "evaluation", files: c.files))
        XCTAssertEqual(e.greater, true, "an 'acc' key: greater is better")
        XCTAssertEqual(EvalHook(spec: e, loader: loader).saveBest, "top5_acc")
        XCTAssertEqual(EvalHook.isGreaterBetter(key: "loss_cls", rule: nil), false, "a 'loss' key: less is better")
        XCTAssertNil(EvalHook.isGreaterBetter(key: "foo", rule: nil))
        XCTAssertThrowsError(try RunSpec.readEvaluation(ConfigReader(c.root["f"]!, name: "evaluation", files: c.files))) {
            XCTAssertTrue("\($0)".contains("save_best='loss_cls' is not a key the configured metrics produce"), "\($0)")
        }
    }

    func testLogBufferAveragesByCount() {
        let b = LogBuffer()
        b.update([("loss", 1.0)], count: 2)
        b.update([("loss", 4.0)], count: 1)
        b.update([("loss", 10.0)], count: 1)
        b.average(2)
        XCTAssertEqual(b.output.map(\.value), [7.0])
        b.average()
        XCTAssertEqual(b.output.map(\.value), [4.0])   // (2 + 4 + 10) / 4
    }

    func testJSONLineSpellsNumbersAsPython() {
        XCTAssertEqual(JSONLine.encode([("lr", .double(JSONLine.round5(0.000001))), ("a", .double(JSONLine.round5(0.123456789))),
                                        ("b", .double(2.0)), ("c", .double(1e-05)), ("d", .int(3)), ("e", .string("x\"y"))]),
                       "{\"lr\": 0.0, \"a\": 0.12346, \"b\": 2.0, \"c\": 1e-05, \"d\": 3, \"e\": \"x\\\"y\"}")
        XCTAssertEqual(TextLoggerHook.timedelta(3723), "1:02:03")
        XCTAssertEqual(TextLoggerHook.timedelta(2 * 86400 + 3 * 3600 + 4 * 60 + 5), "2 days, 3:04:05")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
