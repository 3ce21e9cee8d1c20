import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// OmniSource (mmaction2's OmniSourceRunner): the auxiliary sources' rounds after every `train_ratio[0]`-th main
/// iteration with their own pipelines and batch sizes, their suffixed log values, and a mid-epoch resume that puts
/// every auxiliary loader back where the uninterrupted run had it. scripts/mmaction2_omnisource_check.py compares the
/// same schedule with mmaction2's own runner.
final class OmniSourceTests: XCTestCase {
    /// The demo's TSM-R18 (width 16) on the demo data: the main source (16 videos, batches of 8: 2 iterations an
    /// epoch), web images made from the demo's first frames (each repeated into an 8-frame clip, class-balanced) and
    /// the val videos as a second video source.
    static func config(root: String, ratio: String = "[2, 1, 2]") -> String {
        return """
        model = dict(type='Recognizer2D',
            backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16, num_segments=8, norm_eval=False),
            cls_head=dict(type='TSMHead', num_classes=8, in_channels=128, num_segments=8, dropout_ratio=0.5, init_std=0.001),
            test_cfg=dict(average_clips='prob'))
        omnisource = True
        norm = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        clips = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8), dict(type='RawFrameDecode'),
                 dict(type='MultiScaleCrop', input_size=56, scales=(1, 0.875)), dict(type='Resize', scale=(56, 56), keep_ratio=False),
                 dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW')]
        images = [dict(type='ImageDecode'), dict(type='RandomResizedCrop'), dict(type='Resize', scale=(56, 56), keep_ratio=False),
                  dict(type='BuildPseudoClip', clip_len=8), dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW')]
        data = dict(videos_per_gpu=8, workers_per_gpu=1, omni_videos_per_gpu=[8, 3, 4], train_ratio=\(ratio),
            train=[dict(type='RawframeDataset', ann_file='\(root)/data/train_list.txt', data_prefix='\(root)/data/rawframes', pipeline=clips),
                   dict(type='ImageDataset', ann_file='\(root)/images.txt', data_prefix='\(root)/data/rawframes', pipeline=images,
                        sample_by_class=True, power=0.5),
                   dict(type='RawframeDataset', ann_file='\(root)/data/val_list.txt', data_prefix='\(root)/data/rawframes', pipeline=clips)],
            val=dict(type='RawframeDataset', ann_file='\(root)/data/val_list.txt', data_prefix='\(root)/data/rawframes', pipeline=clips))
        optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
        optimizer_config = dict(grad_clip=dict(max_norm=20, norm_type=2))
        lr_config = dict(policy='step', step=[1])
        total_epochs = 2
        checkpoint_config = dict(interval=1)
        log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])

        """
    }

    /// The same run with the one main dataset (a dict) under omnisource=True.
    static func singleSourceConfig(root: String) -> String {
        let text = config(root: root)
        let start = text.range(of: "data = dict(")!.lowerBound, end = text.range(of: "optimizer = dict")!.lowerBound
        return text.replacingCharacters(in: start..<end, with: """
            data = dict(videos_per_gpu=8, workers_per_gpu=1,
                train=dict(type='RawframeDataset', ann_file='\(root)/data/train_list.txt', data_prefix='\(root)/data/rawframes', pipeline=clips))

            """)
    }

    /// The demo data of `DemoConfigRun` (16 train and 8 val videos) and web images made of its first frames.
    final class Fixture {
        let root: String
        init(_ test: XCTestCase) throws {
            root = try DemoConfigRun(test).root
            // Web images: each training video's first frame, with its label.
            let lines = try String(contentsOfFile: root + "/data/train_list.txt", encoding: .utf8).split(separator: "\n").map { line in
                let f = line.split(separator: " ")
                return "\(f[0])/img_00001.jpg \(f[2])"
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: root + "/images.txt", atomically: true, encoding: .utf8)
        }

        func runner(work: String, ratio: String = "[2, 1, 2]", options: TrainOptions = TrainOptions(), control: RunControl = RunControl(),
                    sinks: [RunEventSink] = []) throws -> Runner {
            let path = root + "/omni.py"
            try OmniSourceTests.config(root: root, ratio: ratio).write(toFile: path, atomically: true, encoding: .utf8)
            var o = options
            o.workDir = root + "/" + work
            return try TrainingSession.build(try ConfigLoader.load(path), options: o, control: control, sinks: sinks)
        }
    }

    /// train_ratio [2, 1, 2]: after main iterations 0 and 2 (of 4), one image batch of 3 and two video batches of 4,
    /// each an optimizer step; the record of those iterations carries each source's values with its suffix.
    func testAuxiliaryRoundsFollowEverySecondMainIteration() throws {
        let fx = try Fixture(self)
        var seeded = TrainOptions()
        seeded.seed = 7
        let log = EventLog()
        let runner = try fx.runner(work: "w", options: seeded, sinks: [log])
        let omni = try XCTUnwrap(runner.omniSource)
        XCTAssertEqual(omni.mainEvery, 2)
        XCTAssertEqual(omni.sources.map(\.times), [1, 2])
        XCTAssertEqual(omni.sources.map(\.loader.batchSize), [3, 4])
        XCTAssertEqual(runner.loader.batchSize, 8, "omni_videos_per_gpu[0] is the main loader's")
        XCTAssertNotNil(omni.sources[0].loader.classSampler)
        try runner.run()
        let records = log.iterations
        XCTAssertEqual(records.map(\.iter), [0, 1, 2, 3])
        for r in records {
            let keys = r.values.map(\.key)
            if r.iter % 2 == 0 {
                XCTAssertEqual(keys, ["top1_acc", "top5_acc", "loss_cls", "loss", "grad_norm",
                                      "top1_acc/aux0", "top5_acc/aux0", "loss_cls/aux0", "loss/aux0", "grad_norm/aux0",
                                      "top1_acc/aux1", "top5_acc/aux1", "loss_cls/aux1", "loss/aux1", "grad_norm/aux1"])
                XCTAssertTrue(r.values["loss_cls/aux1"]!.isFinite)
            } else {
                XCTAssertEqual(keys, ["top1_acc", "top5_acc", "loss_cls", "loss", "grad_norm"])
            }
        }
        XCTAssertTrue(log.messages.contains { $0.hasPrefix("OmniSource: data.train[0] sets the epoch (2 iterations); after every 2 main iterations data.train[1] trains 1 (16 items, videos_per_gpu 3), data.train[2] trains 2") })
    }

    /// A stop after main iteration 1 of epoch 2 (mid-epoch, after that epoch's auxiliary round) and a resume end with
    /// every tensor identical to the uninterrupted run's: each auxiliary loader resumes at the batch it had reached.
    func testMidEpochResumeMatchesTheUninterruptedRun() throws {
        let fx = try Fixture(self)
        var seeded = TrainOptions()
        seeded.seed = 7
        try fx.runner(work: "straight", ratio: "[1, 1, 2]", options: seeded).run()
        let control = RunControl()
        let log = EventLog()
        log.onIteration = { r in if r.iter == 2 { control.send(.stop) } }
        let stopped = try fx.runner(work: "split", ratio: "[1, 1, 2]", options: seeded, control: control, sinks: [log]).run()
        XCTAssertEqual([stopped.iter, stopped.epoch], [3, 1])
        var resume = TrainOptions()
        resume.autoResume = true
        let resumed = try fx.runner(work: "split", ratio: "[1, 1, 2]", options: resume)
        XCTAssertEqual([resumed.epoch, resumed.iter, resumed.resumeInnerIter], [1, 3, 1])
        try resumed.run()
        let (differing, total) = try DemoConfigRun.differingTensors(fx.root + "/straight/epoch_2.safetensors",
                                                                    fx.root + "/split/epoch_2.safetensors")
        XCTAssertEqual(differing, [], "\(differing.count) of \(total) tensors differ")
    }

    /// mmaction2's class probabilities: labels 0,0,0,1,2,2 with power 0.5 weigh the classes √(3/6), √(1/6), √(2/6).
    /// Fixed length: six draws with replacement, item i with p_class / n_class; dynamic length: ⌊p_c · n_c⌋ of class c.
    func testClassSamplerDrawsByClass() {
        let labels = [0, 0, 0, 1, 2, 2]
        let weights = [0.5, 1.0 / 6, 2.0 / 6].map { $0.squareRoot() }
        let p = weights.map { $0 / weights.reduce(0, +) }
        let sampler = ClassSampler(ClassSampling(power: 0.5, dynamicLength: false), labels: labels)
        for (a, b) in zip(sampler.probabilities, p) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(sampler.itemsPerEpoch(world: 1), 6)
        XCTAssertEqual(sampler.itemsPerEpoch(world: 4), 8, "rounded up to a multiple of the ranks")
        var rng = Philox(seed: 3)
        var counts = [Int](repeating: 0, count: 6)
        let epochs = 5000
        for _ in 0..<epochs { for i in sampler.draw(shuffle: true, world: 1, rng: &rng) { counts[i] += 1 } }
        let expected = labels.map { c in p[c] / Double(labels.filter { $0 == c }.count) }
        for i in 0..<6 { XCTAssertEqual(Double(counts[i]) / Double(epochs * 6), expected[i], accuracy: 0.006, "item \(i)") }

        // power 1: every item alike.
        let plain = ClassSampler(ClassSampling(power: 1, dynamicLength: false), labels: labels)
        for q in plain.probabilities.enumerated() { XCTAssertEqual(q.element, [3.0, 1, 2][q.offset] / 6, accuracy: 1e-12) }

        // Dynamic length: ⌊0.4177·3⌋ = 1 of class 0, ⌊0.2412·1⌋ = 0 of class 1, ⌊0.3411·2⌋ = 0 of class 2.
        let dynamic = ClassSampler(ClassSampling(power: 0.5, dynamicLength: true), labels: labels)
        XCTAssertEqual(dynamic.itemsPerEpoch(world: 1), 1)
        let drawn = dynamic.draw(shuffle: true, world: 1, rng: &rng)
        XCTAssertEqual(drawn.count, 1)
        XCTAssertTrue([0, 1, 2].contains(drawn[0]), "a class-0 item (mmaction2 appends the position within the class)")
    }

    /// RawVideoDataset: text and JSON annotations, videos without a positive clip dropped under 'positive', and the
    /// clip file named by clipname_tmpl (joined as a path when it starts with a letter, appended otherwise).
    func testRawVideoAnnotationsAndClipFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-raw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "a/v1 2 4 0 3\na/v2 1 3\na/v3 0 5 4\n".write(toFile: dir + "/raw.txt", atomically: true, encoding: .utf8)
        func dataset(_ extra: String, file: String = "raw.txt") throws -> RawframeDataset {
            let text = "d = dict(type='RawVideoDataset', ann_file='\(dir)/\(file)', data_prefix='/clips', pipeline=[]\(extra))\n"
            let c = try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py")
            return try RawframeDataset(config: c.root["d"]!, files: c.files, modelClasses: 3)
        }
        let positive = try dataset("")
        XCTAssertEqual(positive.records.map(\.frameDir), ["/clips/a/v1", "/clips/a/v3"], "v2 lists no positive clip")
        XCTAssertEqual(positive.records[0].clips?.count, 4)
        XCTAssertEqual(positive.records[0].clips?.positive, [0, 3])
        var rng = Philox(seed: 1)
        var seen = Set<String>()
        for _ in 0..<40 { seen.insert(positive.samplePath(0, rng: &rng)) }
        XCTAssertEqual(seen, ["/clips/a/v1/part_0.mp4", "/clips/a/v1/part_3.mp4"])
        let random = try dataset(", sampling_strategy='random', clipname_tmpl='_clip{:02d}.mp4'")
        XCTAssertEqual(random.count, 3)
        seen = []
        for _ in 0..<60 { seen.insert(random.samplePath(1, rng: &rng)) }
        XCTAssertEqual(seen, ["/clips/a/v2_clip00.mp4", "/clips/a/v2_clip01.mp4", "/clips/a/v2_clip02.mp4"])

        try #"[{"video_dir": "b/w", "label": 2, "num_clips": 2, "positive_clip_inds": [1]}, {"video_dir": "b/x", "label": [1], "num_clips": 1, "positive_clip_inds": [0]}]"#
            .write(toFile: dir + "/raw.json", atomically: true, encoding: .utf8)
        let json = try dataset("", file: "raw.json")
        XCTAssertEqual(json.records.map(\.labels), [[2], [1]])
        XCTAssertEqual(json.records.map(\.frameDir), ["/clips/b/w", "/clips/b/x"])

        func message(_ text: String) -> String {
            do { return "no error: \(try AnnotationList.parse(text, file: "r.txt", format: { var f = AnnotationFormat(numClasses: 3, videos: true); f.rawVideos = true; return f }()))" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(message("v 1\n"), "r.txt:1: error: expected 'video_dir label num_clips positive_clip…', got 2 field(s)")
        XCTAssertEqual(message("v 1 2 2\n"), "r.txt:1: error: positive clip 2 is not one of the video's 2 clips (0…1)")
        XCTAssertEqual(message("v 3 2 0\n"), "r.txt:1: error: label 3 is out of range for num_classes=3")
        XCTAssertEqual(message("v 1 0\n"), "r.txt:1: error: num_clips must be at least 1, got 0")
    }

    /// ImageDecode decodes the one image, BuildPseudoClip repeats it: FormatShape NCTHW gives 1×3×4×H×W.
    func testImageDecodeAndPseudoClip() throws {
        let fx = try FrameFixture(videos: 1, frames: 1, width: 20, height: 12)
        let image = fx.root + "/rawframes/video_0/img_00001.jpg"
        var sample = PipelineSample(frameDir: image, totalFrames: 0, labels: [1])
        var rng = Philox(seed: 0)
        let pipeline = Pipeline(steps: [ImageDecode(), BuildPseudoClip(clipLen: 4), FormatShape(inputFormat: "NCTHW")])
        sample = try pipeline.run(sample, rng: &rng, workspace: PipelineWorkspace())
        XCTAssertEqual(sample.imgs?.shape, [1, 3, 4, 12, 20])
        XCTAssertEqual(sample.originalShape?.width, 20)
        let bad = PipelineSample(frameDir: fx.root + "/missing.jpg", totalFrames: 0, labels: [1])
        XCTAssertThrowsError(try pipeline.run(bad, rng: &rng, workspace: PipelineWorkspace())) { error in
            XCTAssertTrue("\(error)".contains("missing.jpg"), "\(error)")
        }
    }

    /// What mmaction2 fails on, or cannot mean, is refused at its key.
    func testOmniSourceSettingsAreCheckedWhenRead() throws {
        let fx = try Fixture(self)
        let base = OmniSourceTests.config(root: fx.root)
        func message(_ text: String) -> String {
            do { _ = try RunSpec.read(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py")); return "no error" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(message(base), "no error")
        XCTAssertTrue(message(base.replacingOccurrences(of: "train_ratio=[2, 1, 2]", with: "train_ratio=[2, 1]"))
            .contains("error: train_ratio has 2 entries for the 3 datasets of data.train"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "train_ratio=[2, 1, 2]", with: "train_ratio=[0, 1, 2]"))
            .contains("error: train_ratio's first entry (main iterations per round) must be at least 1"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "omni_videos_per_gpu=[8, 3, 4]", with: "omni_videos_per_gpu=[8, 3]"))
            .contains("error: omni_videos_per_gpu needs one batch size (at least 1) for each of the 3 datasets"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "omnisource = True", with: "omnisource = False"))
            .contains("error: data.train is a list of datasets: mmaction2 trains on several only with omnisource=True"))
        XCTAssertTrue(message(base + "workflow = [('train', 1), ('val', 1)]\n").contains("does not run a ('val', m) workflow phase"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "data_prefix='\(fx.root)/data/rawframes', pipeline=clips))",
                                                        with: "data_prefix='\(fx.root)/data/rawframes', pipeline=clips, sample_by_class=True))"))
            .contains("error: sample_by_class=True on data.val: an evaluation scores every video once"))
        XCTAssertTrue(message(base + "runner = dict(type='IterBasedRunner', max_iters=10)\n").contains("which is epoch-based"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "images = [dict(type='ImageDecode'),", with: "images = [dict(type='RawFrameDecode'),"))
            .contains("error: RawFrameDecode samples or decodes a video, but an ImageDataset lists single images"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "clips = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8), dict(type='RawFrameDecode'),",
                                                        with: "clips = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8), dict(type='ImageDecode'),"))
            .contains("error: ImageDecode reads one image per item, which only an ImageDataset lists"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "sample_by_class=True, power=0.5", with: "start_index=0"))
            .contains("error: ImageDataset sets start_index itself"))
        XCTAssertTrue(message(base.replacingOccurrences(of: "dict(type='FormatShape', input_format='NCHW')]\ndata", with: "dict(type='FormatShape', input_format='NCTHW')]\ndata"))
            .contains("error: Recognizer2D takes input_format='NCHW', but data.train[1]'s FormatShape makes 'NCTHW'"))
        // One dataset with the flag: trained as a regular run, with a warning at the flag.
        let single = try RunSpec.read(try ConfigLoader(read: { $0 == "/c.py" ? OmniSourceTests.singleSourceConfig(root: fx.root) : nil }).load("/c.py"))
        XCTAssertTrue(single.auxiliaryTrain.isEmpty)
        XCTAssertEqual(single.warnings.map(\.message), ["omnisource=True with one train dataset: trained as a regular run (mmaction2's "
                                                        + "train.py asserts that data.train is a list)"])
    }
}
