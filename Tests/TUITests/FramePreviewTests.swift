import XCTest
import Config
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// The Config screen's crop/flip preview: the half-block image widget on a buffer, and the preview made from a
/// real (tiny) demo dataset on disk.
final class FramePreviewTests: XCTestCase {
    func testHalfBlockImageDrawsTwoPixelRowsPerCellAndOutlinesBoxes() {
        // 2×2 frame: red green / blue white.
        let f = Frame(width: 2, height: 2, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
        var s = ScreenBuffer(width: 4, height: 3)
        HalfBlockImage(frame: f).draw(in: s.bounds, on: &s)
        XCTAssertEqual(s[0, 0], Cell("▀", Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255))))
        XCTAssertEqual(s[1, 0], Cell("▀", Style(fg: .rgb(0, 255, 0), bg: .rgb(255, 255, 255))))
        XCTAssertEqual(s[2, 0].char, " ", "never scaled up past one pixel per half cell")
        XCTAssertEqual(s[0, 1].char, " ")
        // A 4×4 frame with a box around its right half: the box's columns 2 and 3 are yellow at every row.
        let g = Frame(width: 4, height: 4, pixels: [UInt8](repeating: 10, count: 48))
        var t = ScreenBuffer(width: 4, height: 2)
        HalfBlockImage(frame: g, boxes: [CropBox(x1: 2, y1: 0, x2: 4, y2: 4)]).draw(in: t.bounds, on: &t)
        let yellow = Color.rgb(255, 220, 0), grey = Color.rgb(10, 10, 10)
        XCTAssertEqual(t[0, 0].style, Style(fg: grey, bg: grey))
        XCTAssertEqual(t[2, 0].style, Style(fg: yellow, bg: yellow))
        XCTAssertEqual(t[3, 1].style, Style(fg: yellow, bg: yellow))
        XCTAssertEqual(t[1, 1].style, Style(fg: grey, bg: grey))
    }

    func testPreviewOfACropStepOnTheDemoData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-preview-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spec = DemoDatasetSpec()
        spec.classes = 2; spec.videosPerClass = 2; spec.frames = 8; spec.width = 32; spec.height = 24
        _ = try DemoDataset.write(spec, to: dir)
        let text = """
            train_pipeline = [
                dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=4),
                dict(type='RawFrameDecode'),
                dict(type='CenterCrop', crop_size=16),
                dict(type='Flip', flip_ratio=1.0),
            ]
            data = dict(videos_per_gpu=2, train=dict(type='RawframeDataset', ann_file='\(dir)/train_list.txt',
                        data_prefix='\(dir)/rawframes', pipeline=train_pipeline))
            """
        let path = dir + "/p.py"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path)
        XCTAssertNil(FramePreview.key(for: ["train_pipeline", "0"], in: config), "a sampler has its own preview")
        XCTAssertNil(FramePreview.key(for: ["data", "videos_per_gpu"], in: config))
        let crop = try XCTUnwrap(FramePreview.make(for: ["train_pipeline", "2", "crop_size"], in: config))
        XCTAssertNil(crop.problem)
        XCTAssertEqual(crop.stepName, "CenterCrop")
        XCTAssertEqual([crop.before.width, crop.before.height, crop.after.width, crop.after.height], [32, 24, 16, 16])
        XCTAssertEqual(crop.boxes, [CropBox(x1: 8, y1: 4, x2: 24, y2: 20)])   // centre: ((32−16)/2, (24−16)/2)
        XCTAssertEqual(crop.after.pixels, crop.before.cropped(crop.boxes[0]).pixels)
        // The same step through data.train.pipeline, and the flip after it.
        XCTAssertEqual(FramePreview.key(for: ["data", "train", "pipeline", "2"], in: config)?.hasPrefix("data.train.pipeline.2 "), true)
        let flip = try XCTUnwrap(FramePreview.make(for: ["data", "train", "pipeline", "3"], in: config))
        XCTAssertTrue(flip.flipped)
        XCTAssertEqual(flip.after.pixels, flip.before.flipped(horizontal: true).pixels)
        // A bad annotation path is a problem shown in place of the picture, not a crash.
        try text.replacingOccurrences(of: "train_list", with: "missing_list").write(toFile: path, atomically: true, encoding: .utf8)
        let broken = try XCTUnwrap(FramePreview.make(for: ["train_pipeline", "2"], in: try ConfigLoader.load(path)))
        XCTAssertNotNil(broken.problem)
    }

    /// The same preview on a VideoDataset: the frame comes out of the mp4 (frame-exact, so it is the encoded frame).
    func testPreviewOfACropStepOnAVideo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-vpreview-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = try VideoEncoder(path: dir + "/a.mp4", width: 32, height: 24)
        for t in 0..<6 { try encoder.append(Frame(width: 32, height: 24, pixels: [UInt8](repeating: UInt8(40 * t), count: 32 * 24 * 3))) }
        try encoder.finish()
        try "a.mp4 0\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        let text = """
            train_pipeline = [
                dict(type='DecordInit'),
                dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=1, test_mode=True),
                dict(type='DecordDecode'),
                dict(type='CenterCrop', crop_size=16),
            ]
            data = dict(videos_per_gpu=1, train=dict(type='VideoDataset', ann_file='\(dir)/list.txt', data_prefix='\(dir)',
                        pipeline=train_pipeline))
            """
        try text.write(toFile: dir + "/p.py", atomically: true, encoding: .utf8)
        let crop = try XCTUnwrap(FramePreview.make(for: ["train_pipeline", "3"], in: try ConfigLoader.load(dir + "/p.py")))
        XCTAssertNil(crop.problem)
        XCTAssertEqual([crop.before.width, crop.before.height, crop.after.width, crop.after.height], [32, 24, 16, 16])
        // Test-mode sampling of 1 clip from 6 frames takes frame 3 (the segment's centre): grey level 120.
        let mean = crop.after.pixels.reduce(0) { $0 + Int($1) } / crop.after.pixels.count
        XCTAssertEqual(mean, 120, accuracy: 3)
    }
}
