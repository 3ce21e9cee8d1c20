import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// A rawframe dataset on disk for the data tests: `videos` videos of `frames` frames, each frame a known pattern
/// (pixel (x, y) of frame t of video v = ((x·7 + t·5 + v) mod 256, (y·11) mod 256, 128)), stored as JPEG.
final class FrameFixture {
    let root: String
    let frames: Int, width: Int, height: Int

    init(videos: Int = 3, frames: Int = 10, width: Int = 48, height: Int = 32, quality: Int = 100) throws {
        root = NSTemporaryDirectory() + "reel-frames-" + UUID().uuidString
        self.frames = frames; self.width = width; self.height = height
        var lines: [String] = []
        for v in 0..<videos {
            let dir = root + "/rawframes/video_\(v)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for t in 0..<frames {
                try JPEGDecoder.encode(Self.pattern(v: v, t: t, width: width, height: height), quality: quality)
                    .write(to: URL(fileURLWithPath: dir + "/" + FilenameTemplate.format("img_{:05}.jpg", t + 1)))
            }
            lines.append("video_\(v) \(frames) \(v)")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: root + "/ann.txt", atomically: true, encoding: .utf8)
    }

    static func pattern(v: Int, t: Int, width: Int, height: Int) -> Frame {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                px[i] = UInt8((x * 7 + t * 5 + v) % 256); px[i + 1] = UInt8((y * 11) % 256); px[i + 2] = 128
            }
        }
        return Frame(width: width, height: height, pixels: px)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A dataset dict over this fixture with the given pipeline text.
    func dataset(_ pipeline: String, extra: String = "") throws -> RawframeDataset {
        let text = "d = dict(type='RawframeDataset', ann_file='\(root)/ann.txt', data_prefix='\(root)/rawframes'\(extra), pipeline=\(pipeline))\n"
        let c = try ConfigLoader(read: { $0 == "/d.py" ? text : nil }).load("/d.py")
        return try RawframeDataset(config: c.root["d"]!, files: c.files)
    }
}

final class PipelineTests: XCTestCase {
    static let norm = "dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)"
    static let valPipeline = """
        [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=4, test_mode=True),
         dict(type='RawFrameDecode'), dict(type='CenterCrop', crop_size=16), \(norm),
         dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
         dict(type='ToTensor', keys=['imgs'])]
        """

    func testFilenameTemplates() {
        XCTAssertEqual(FilenameTemplate.format("img_{:05}.jpg", 7), "img_00007.jpg")
        XCTAssertEqual(FilenameTemplate.format("img_{:05d}.jpg", 123456), "img_123456.jpg")
        XCTAssertEqual(FilenameTemplate.format("{}.jpg", 12), "12.jpg")
        XCTAssertEqual(FilenameTemplate.format("frame{:3}.png", 5), "frame  5.png")
    }

    /// Val pipeline on known frames: N=10, 1x1x4 test → a = 2.5, offsets trunc(2.5k + 1.25) = 1, 3, 6, 8, +1.
    /// CenterCrop 16 of 48×32 → x1 = 16, y1 = 8. Values are (pixel − mean)/std of the decoded frame (quality 100
    /// JPEG; the decoder's own output is the reference, so this checks indexing, crop, layout and arithmetic).
    func testValPipelineIndicesCropLayoutAndNormalisation() throws {
        let fx = try FrameFixture()
        let ds = try fx.dataset(Self.valPipeline)
        XCTAssertEqual(ds.count, 3)
        var rng = Philox(seed: 0)
        let s = try ds.item(1, rng: &rng, workspace: PipelineWorkspace())
        XCTAssertEqual(s.frameIndices, [2, 4, 7, 9])
        XCTAssertEqual(s.labels, [1])
        XCTAssertEqual(s.cropBoxes, [CropBox(x1: 16, y1: 8, x2: 32, y2: 24)])
        let imgs = try XCTUnwrap(s.imgs)
        XCTAssertEqual(imgs.shape, [4, 3, 16, 16])
        let decoded = try JPEGDecoder().decode(file: fx.root + "/rawframes/video_1/img_00007.jpg")
        let mean: [Float] = [123.675, 116.28, 103.53], std: [Float] = [58.395, 57.12, 57.375]
        for (c, x, y) in [(0, 0, 0), (1, 5, 3), (2, 15, 15), (0, 9, 12)] {
            let raw = decoded[16 + x, 8 + y, c]
            let expected = Float((Double(raw) - Double(mean[c])) / Double(std[c]))
            XCTAssertEqual(imgs[((2 * 3 + c) * 16 + y) * 16 + x], expected, "frame 2 channel \(c) at (\(x), \(y))")
        }
        // The decoded pattern itself is close to what was encoded (quality 100): red = (x·7 + t·5 + v) mod 256.
        XCTAssertEqual(Int(decoded[20, 10, 0]), (20 * 7 + 6 * 5 + 1) % 256, accuracy: 3)
    }

    func testToBGRSwapsBeforeSubtracting() throws {
        var s = PipelineSample(frameDir: "-", totalFrames: 1, labels: [0])
        s.frames = [Frame(width: 1, height: 1, pixels: [10, 20, 30])]
        var rng = Philox(seed: 0)
        try NormalizeStep(mean: [1, 2, 3], std: [2, 4, 8], toBGR: true).apply(&s, rng: &rng, workspace: PipelineWorkspace())
        try FormatShape(inputFormat: "NCHW").apply(&s, rng: &rng, workspace: PipelineWorkspace())
        // BGR order: (30 − 1)/2, (20 − 2)/4, (10 − 3)/8.
        XCTAssertEqual(s.imgs!.scalars, [14.5, 4.5, 0.875])
    }

    /// NCTHW: 2 clips × 3 frames of 1×2 pixels → 2×3×3×1×2 with out[clip][c][t][y][x] = frame(clip·3 + t)[y][x][c].
    func testFormatShapeNCTHW() throws {
        var s = PipelineSample(frameDir: "-", totalFrames: 6, labels: [0])
        s.clipLen = 3
        s.frames = (0..<6).map { t in Frame(width: 2, height: 1, pixels: (0..<6).map { UInt8(t * 10 + $0) }) }
        var rng = Philox(seed: 0)
        try FormatShape(inputFormat: "NCTHW").apply(&s, rng: &rng, workspace: PipelineWorkspace())
        let out = s.imgs!
        XCTAssertEqual(out.shape, [2, 3, 3, 1, 2])
        for clip in 0..<2 { for c in 0..<3 { for t in 0..<3 { for x in 0..<2 {
            XCTAssertEqual(out[(((clip * 3 + c) * 3 + t) * 1) * 2 + x], Float((clip * 3 + t) * 10 + x * 3 + c))
        } } } }
    }

    /// ThreeCrop on 48×32 with 32: s = 8, crops at x = 0, 16, 8 (left, right, middle), view-major.
    /// TenCrop 16: each position followed by its mirror image.
    func testMultiViewCropsAreViewMajor() throws {
        let fx = try FrameFixture(videos: 1, frames: 4)
        let three = try fx.dataset("""
            [dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'),
             dict(type='ThreeCrop', crop_size=32), dict(type='FormatShape', input_format='NCHW')]
            """)
        var rng = Philox(seed: 0)
        let s = try three.item(0, rng: &rng, workspace: PipelineWorkspace())
        XCTAssertEqual(s.cropBoxes.map(\.x1), [0, 16, 8])
        XCTAssertEqual(s.numCrops, 3)
        XCTAssertEqual(s.imgs!.shape, [6, 3, 32, 32])
        // View 1 (right) of clip 0 is the decoded frame's columns 16..<48.
        let decoded = try JPEGDecoder().decode(file: s.framePath(index: s.frameIndices[0]))
        XCTAssertEqual(s.frames[2], decoded.cropped(CropBox(x: 16, y: 0, width: 32, height: 32)))
        let ten = try fx.dataset("""
            [dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'),
             dict(type='TenCrop', crop_size=16)]
            """)
        let t = try ten.item(0, rng: &rng, workspace: PipelineWorkspace())
        XCTAssertEqual(t.frames.count, 20)
        XCTAssertEqual(t.numCrops, 10)
        // View 1 (frames 2, 3) is view 0 (frames 0, 1) mirrored.
        XCTAssertEqual(t.frames[2], t.frames[0].flipped(horizontal: true))
        XCTAssertEqual(t.frames[3], t.frames[1].flipped(horizontal: true))
        XCTAssertNotEqual(t.frames[2], t.frames[0])
    }

    func testFlipMirrorsAllFramesAndMapsTheLabel() throws {
        var s = PipelineSample(frameDir: "-", totalFrames: 1, labels: [2])
        s.frames = [Frame(width: 3, height: 1, pixels: [1, 1, 1, 2, 2, 2, 3, 3, 3]), Frame(width: 3, height: 1, pixels: [4, 4, 4, 5, 5, 5, 6, 6, 6])]
        var flip = FlipStep(ratio: 1)
        flip.labelMap = [2: 4]
        var rng = Philox(seed: 0)
        try flip.apply(&s, rng: &rng, workspace: PipelineWorkspace())
        XCTAssertTrue(s.flipped)
        XCTAssertEqual(s.frames[0].pixels, [3, 3, 3, 2, 2, 2, 1, 1, 1])
        XCTAssertEqual(s.frames[1].pixels, [6, 6, 6, 5, 5, 5, 4, 4, 4])
        XCTAssertEqual(s.labels, [4])
        // Ratio 0 never flips but still draws once (the stream advances as mmaction2's does).
        var never = s, r2 = Philox(seed: 0), r3 = Philox(seed: 0)
        try FlipStep(ratio: 0).apply(&never, rng: &r2, workspace: PipelineWorkspace())
        XCTAssertFalse(never.flipped)
        _ = r3.nextDouble()
        XCTAssertEqual(r2, r3)
    }

    func testRandomRescaleShortSideInInclusiveRange() throws {
        let c = try ConfigLoader(read: { _ in "s = dict(type='RandomRescale', scale_range=(20, 22))\n" }).load("/s.py")
        let step = try RandomRescale(config: c.root["s"]!, files: c.files)
        var seen = Set<Int>()
        var rng = Philox(seed: 4)
        for _ in 0..<200 {
            var s = PipelineSample(frameDir: "-", totalFrames: 1, labels: [0])
            s.frames = [Frame(width: 40, height: 30, pixels: [UInt8](repeating: 9, count: 3600))]
            try step.apply(&s, rng: &rng, workspace: PipelineWorkspace())
            seen.insert(s.frames[0].height)
            XCTAssertEqual(s.frames[0].width, Int(Double(40 * s.frames[0].height) / 30 + 0.5))
        }
        XCTAssertEqual(seen, [20, 21, 22])
    }

    // MARK: - Bad input

    func testMissingAndCorruptFramesNameTheFileAndSkipBrokenResamples() throws {
        let fx = try FrameFixture()
        try FileManager.default.removeItem(atPath: fx.root + "/rawframes/video_0/img_00002.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0x00, 0x12]).write(to: URL(fileURLWithPath: fx.root + "/rawframes/video_2/img_00001.jpg"))
        let pipeline = "[dict(type='SampleFrames', clip_len=10, num_clips=1, test_mode=True), dict(type='RawFrameDecode'), dict(type='FormatShape', input_format='NCHW')]"
        let ds = try fx.dataset(pipeline)
        var rng = Philox(seed: 0)
        XCTAssertThrowsError(try ds.item(0, rng: &rng, workspace: PipelineWorkspace())) {
            XCTAssertEqual("\($0)", "\(fx.root)/rawframes/video_0/img_00002.jpg: frame file is missing")
        }
        XCTAssertThrowsError(try ds.item(2, rng: &rng, workspace: PipelineWorkspace())) {
            XCTAssertTrue("\($0)".hasPrefix("\(fx.root)/rawframes/video_2/img_00001.jpg: not a decodable JPEG"), "\($0)")
        }
        let tolerant = try fx.dataset(pipeline, extra: ", skip_broken=True")
        let workspace = PipelineWorkspace()
        var seeded = Philox(seed: 0)
        let s = try tolerant.item(0, rng: &seeded, workspace: workspace)
        XCTAssertEqual(s.frameDir, fx.root + "/rawframes/video_1", "the only readable video replaces the broken one")
        // Every replaced item leaves a note naming the broken file and its replacement (F12: it used to be silent).
        XCTAssertFalse(workspace.skipped.isEmpty)
        XCTAssertTrue(workspace.skipped.first?.hasPrefix("skip_broken: skipped \(fx.root)/rawframes/video_0 (\(fx.root)/rawframes/"
                                                         + "video_0/img_00002.jpg: frame file is missing); using ") ?? false, "\(workspace.skipped)")
        XCTAssertTrue(workspace.skipped.last?.hasSuffix("; using \(fx.root)/rawframes/video_1 instead") ?? false, "\(workspace.skipped)")
    }

    /// Crops and resizes use the first frame's geometry for the whole clip: a smaller later frame was read out of
    /// bounds. Now the frame is refused, named, as a broken frame (so skip_broken can replace its video).
    func testAFrameOfAnotherSizeIsRefused() throws {
        let fx = try FrameFixture(videos: 1, frames: 4, width: 48, height: 32)
        let odd = fx.root + "/rawframes/video_0/img_00003.jpg"
        try JPEGDecoder.encode(FrameFixture.pattern(v: 0, t: 2, width: 8, height: 8)).write(to: URL(fileURLWithPath: odd))
        let ds = try fx.dataset("[dict(type='SampleFrames', clip_len=4, num_clips=1, test_mode=True), dict(type='RawFrameDecode'), "
                                + "dict(type='CenterCrop', crop_size=16), dict(type='FormatShape', input_format='NCHW')]")
        var rng = Philox(seed: 0)
        XCTAssertThrowsError(try ds.item(0, rng: &rng, workspace: PipelineWorkspace())) { e in
            XCTAssertEqual("\(e)", "\(odd): frame is 8x8 but the video's other frames are 48x32; all frames of a video must be one size")
            XCTAssertTrue(e is JPEGDecoder.DecodeError)
        }
    }

    /// F12: the loader hands each skip note to `onSkipped` on the consumer's thread, with the batch it belongs to,
    /// and the batch carries them; a dataset without broken items reports nothing.
    func testLoaderReportsSkippedItemsWithTheirBatch() throws {
        let fx = try FrameFixture(videos: 4, frames: 3, width: 16, height: 16)
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: fx.root + "/rawframes/video_2/img_00002.jpg"))
        let pipeline = "[dict(type='SampleFrames', clip_len=3, num_clips=1, test_mode=True), dict(type='RawFrameDecode'), dict(type='FormatShape', input_format='NCHW')]"
        let ds = try fx.dataset(pipeline, extra: ", skip_broken=True")
        for workers in [0, 2] {
            let loader = Loader(dataset: ds, batchSize: 2, workers: workers, shuffle: false, seed: 3)
            let reported = SkipLog()
            let consumer = Thread.current
            loader.onSkipped = { note in
                XCTAssertTrue(Thread.current == consumer, "reported on the consumer's thread")
                reported.add(note)
            }
            let e = loader.epoch(0)
            var batches: [Batch] = []
            while let b = try e.next() { batches.append(b) }
            XCTAssertEqual(batches.map(\.skipped.count), [0, 1], "workers \(workers)")
            XCTAssertEqual(reported.lines, batches[1].skipped)
            XCTAssertTrue(reported.lines.first?.hasPrefix("skip_broken: skipped \(fx.root)/rawframes/video_2 (\(fx.root)/rawframes/video_2/"
                                                          + "img_00002.jpg: not a decodable JPEG") ?? false, "\(reported.lines)")
        }
        let intact = try FrameFixture(videos: 4, frames: 3, width: 16, height: 16)
        let clean = Loader(dataset: try intact.dataset(pipeline, extra: ", skip_broken=True"), batchSize: 2, workers: 0, shuffle: false, seed: 3)
        let reported = SkipLog()
        clean.onSkipped = { reported.add($0) }
        let e = clean.epoch(0)
        while try e.next() != nil {}
        XCTAssertEqual(reported.lines, [])
    }

    func testConfigErrorsAreLocated() throws {
        func error(_ pipeline: String) -> String {
            let text = "p = \(pipeline)\n"
            do {
                let c = try ConfigLoader(read: { _ in text }).load("/p.py")
                _ = try Pipeline(config: c.root["p"]!, files: c.files)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error("[dict(type='Normalise', mean=[1,2,3], std=[1,1,1])]").hasPrefix(
            "/p.py:1:16: error: unknown pipeline step 'Normalise' (did you mean 'Normalize'?); supported: SampleFrames"), error("[dict(type='Normalise')]"))
        XCTAssertTrue(error("[dict(type='Resize', scale=[-1, 256])]").hasPrefix("/p.py:1:32: error: Resize scale must be a float or a tuple (w, h), not a list"))
        XCTAssertTrue(error("[dict(type='RandomResizedCrop', area_range=(0.08, 1))]").contains("must be a tuple of two floats"))
        XCTAssertTrue(error("[dict(type='Collect', keys=['imgs', 'label'])]").contains("add meta_keys=[]"))
        XCTAssertTrue(error("[dict(type='FormatShape', input_format='NHWC')]").contains("not supported by Reel (supported: NCHW, NCTHW)"))
    }

    // MARK: - Loader

    func testLoaderCoversEveryItemOnceAndIsIndependentOfWorkers() throws {
        let fx = try FrameFixture(videos: 5, frames: 6, width: 20, height: 16)
        let ds = try fx.dataset("""
            [dict(type='SampleFrames', clip_len=1, num_clips=3), dict(type='RawFrameDecode'),
             dict(type='RandomResizedCrop'), dict(type='Resize', scale=(8, 8), keep_ratio=False), dict(type='Flip', flip_ratio=0.5),
             \(Self.norm), dict(type='FormatShape', input_format='NCHW')]
            """)
        func run(workers: Int, epoch: Int) throws -> [Batch] {
            let loader = Loader(dataset: ds, batchSize: 2, workers: workers, shuffle: true, seed: 11)
            XCTAssertEqual(loader.batchesPerEpoch, 3)
            let e = loader.epoch(epoch)
            var out: [Batch] = []
            while let b = try e.next() { out.append(b) }
            return out
        }
        let inline = try run(workers: 0, epoch: 0), threaded = try run(workers: 2, epoch: 0)
        XCTAssertEqual(inline.map(\.indices), threaded.map(\.indices))
        XCTAssertEqual(inline.map(\.imgs), threaded.map(\.imgs))
        XCTAssertEqual(inline.map(\.imgs.shape), [[2, 3, 3, 8, 8], [2, 3, 3, 8, 8], [1, 3, 3, 8, 8]])
        XCTAssertEqual(inline.flatMap(\.indices).sorted(), [0, 1, 2, 3, 4])
        XCTAssertEqual(inline.flatMap(\.targets.sets).flatMap { $0 }, inline.flatMap(\.indices), "label = video index in the fixture")
        let next = try run(workers: 1, epoch: 1)
        XCTAssertNotEqual(next.flatMap(\.indices), inline.flatMap(\.indices), "a new epoch reshuffles")
        let dropLast = Loader(dataset: ds, batchSize: 2, workers: 0, shuffle: false, dropLast: true, seed: 0)
        XCTAssertEqual(dropLast.batchesPerEpoch, 2)
        XCTAssertEqual(dropLast.order(epoch: 3), [0, 1, 2, 3, 4])
    }

    func testLoaderRethrowsAWorkersErrorAtItsBatch() throws {
        let fx = try FrameFixture(videos: 4, frames: 3, width: 16, height: 16)
        try FileManager.default.removeItem(atPath: fx.root + "/rawframes/video_3/img_00001.jpg")
        let ds = try fx.dataset("[dict(type='SampleFrames', clip_len=3, num_clips=1, test_mode=True), dict(type='RawFrameDecode'), dict(type='FormatShape', input_format='NCHW')]")
        let e = Loader(dataset: ds, batchSize: 1, workers: 2, shuffle: false, seed: 0).epoch(0)
        for _ in 0..<3 { XCTAssertNotNil(try e.next()) }
        XCTAssertThrowsError(try e.next()) { XCTAssertTrue("\($0)".contains("video_3/img_00001.jpg: frame file is missing")) }
    }

    // MARK: - Metrics (SEMANTICS.md §7 worked examples)

    func testMetricsWorkedExamples() throws {
        let scores: [[Float]] = [[0.9, 0.05, 0.05], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]
        let r = try Metrics.evaluate(scores: scores, labels: [0, 0, 1], metrics: ["top_k_accuracy", "mean_class_accuracy"], topk: [1, 2])
        XCTAssertEqual(r.map(\.key), ["top1_acc", "top2_acc", "mean_class_accuracy"])
        XCTAssertEqual(r[0].value, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r[1].value, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r[2].value, 0.5, accuracy: 1e-12)
        let ties = try Metrics.evaluate(scores: [[0.5, 0.5, 0], [0.3, 0.3, 0.3]], labels: [0, 0], metrics: ["top_k_accuracy", "mean_class_accuracy"], topk: [1, 2])
        XCTAssertEqual(ties.map(\.value), [0.0, 0.5, 1.0])
        XCTAssertThrowsError(try Metrics.evaluate(scores: [[1]], labels: [0], metrics: ["mAP"]))
        XCTAssertThrowsError(try Metrics.evaluate(scores: [[1]], labels: [0, 1], metrics: ["top_k_accuracy"]))
    }
}

final class SkipLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var lines: [String] = []
    func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
}
