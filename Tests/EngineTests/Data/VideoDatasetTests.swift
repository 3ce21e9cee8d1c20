import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// `VideoDataset` with the Decord/PyAV/OpenCV Init and Decode steps, on videos the test encodes.
final class VideoDatasetTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-vds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("videos"), withIntermediateDirectories: true)
        var s = VideoEncoder.Settings(); s.bFrames = 2; s.keyframeInterval = 8
        for (i, frames) in [30, 17, 45].enumerated() {
            let e = try VideoEncoder(path: root.appendingPathComponent("videos/v\(i).mp4").path, width: 48, height: 40, settings: s)
            for f in 0..<frames { try e.append(VideoReaderTests.syntheticFrame(f + 100 * i, width: 48, height: 40)) }
            try e.finish()
        }
        try "videos/v0.mp4 0\nvideos/v1.mp4 1\nvideos/v2.mp4 2\n".write(to: root.appendingPathComponent("ann.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func dataset(_ steps: String, extra: String = "") throws -> RawframeDataset {
        let text = """
            model = dict(type='Recognizer2D', cls_head=dict(type='TSNHead', num_classes=3, in_channels=8))
            d = dict(type='VideoDataset', ann_file='\(root.path)/ann.txt', data_prefix='\(root.path)', pipeline=[\(steps)]\(extra))
            data = dict(videos_per_gpu=2, train=d, val=d, test=d)

            """
        return try DataConfig(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py")).dataset(.val)
    }

    static let sampler = "dict(type='SampleFrames', clip_len=2, frame_interval=3, num_clips=3, test_mode=True)"

    /// Each backend's pair gives exactly the frames SampleFrames names (start_index 0), counted as decord counts them.
    func testEveryBackendDecodesTheSampledFramesExactly() throws {
        for (initStep, decodeStep) in [("type='DecordInit', num_threads=2", "type='DecordDecode'"),
                                       ("type='PyAVInit'", "type='PyAVDecode', multi_thread=True"), ("type='OpenCVInit'", "type='OpenCVDecode'")] {
            let ds = try dataset("dict(\(initStep)), \(Self.sampler), dict(\(decodeStep))")
            XCTAssertEqual(ds.kind, .videos)
            XCTAssertEqual(ds.startIndex, 0)
            XCTAssertEqual(ds.records.map(\.frameDir), (0..<3).map { "\(root.path)/videos/v\($0).mp4" })
            var rng = Philox(seed: 1)
            let workspace = PipelineWorkspace()
            for (i, frames) in [30, 17, 45].enumerated() {
                let trace = try ds.pipeline.trace(ds.initialSample(i), rng: &rng, workspace: workspace)
                XCTAssertEqual(trace.after[0].sample.totalFrames, frames)
                let out = trace.after[2].sample
                // SampleFrames' test-mode arithmetic (SEMANTICS.md §5.2): segments of frames/3, clips centred.
                let expected = SampleFrames(clipLen: 2, frameInterval: 3, numClips: 3, testMode: true)
                var r = Philox(seed: 0)
                var probe = PipelineSample(frameDir: "", totalFrames: frames, labels: [i]); probe.startIndex = 0
                try expected.apply(&probe, rng: &r, workspace: workspace)
                XCTAssertEqual(out.frameIndices, probe.frameIndices)
                let reference = try VideoReader(path: ds.records[i].frameDir).frames(out.frameIndices)
                XCTAssertEqual(out.frames, reference, "\(decodeStep), video \(i)")
                XCTAssertEqual(out.originalShape?.height, 40)
                XCTAssertNil(workspace.video, "the Decode step closes the video")
            }
        }
    }

    /// 'efficient' returns the keyframe at or before each index (keyframes every 8 frames here).
    func testEfficientModeReturnsKeyframes() throws {
        let ds = try dataset("dict(type='DecordInit'), \(Self.sampler), dict(type='DecordDecode', mode='efficient')")
        var rng = Philox(seed: 1)
        let s = try ds.item(2, rng: &rng, workspace: PipelineWorkspace())
        let reader = try VideoReader(path: ds.records[2].frameDir)
        let keys = s.frameIndices.map { ($0 / 8) * 8 }
        XCTAssertEqual(s.frameIndices.map(reader.keyframe(atOrBefore:)), keys)
        XCTAssertEqual(s.frames, try reader.frames(keys))
    }

    /// A pipeline that does not fit the dataset is a located config error, not a failure at the first batch.
    func testMismatchedDecodeStepsAreLocatedErrors() throws {
        XCTAssertThrowsError(try dataset("dict(type='RawFrameDecode')")) {
            XCTAssertTrue("\($0)".contains("RawFrameDecode reads frame images, but a VideoDataset lists video files"), "\($0)")
            XCTAssertTrue("\($0)".hasPrefix("/c.py:2:"), "\($0)")
        }
        XCTAssertThrowsError(try dataset("\(Self.sampler), dict(type='DecordDecode')")) {
            XCTAssertTrue("\($0)".contains("SampleFrames needs the video's total_frames, which its Init step sets"), "\($0)")
        }
        XCTAssertThrowsError(try dataset("dict(type='DecordDecode')")) {
            XCTAssertTrue("\($0)".contains("DecordDecode needs an Init step before it"), "\($0)")
        }
        XCTAssertThrowsError(try dataset("dict(type='DecordInit'), \(Self.sampler), dict(type='DecordDecode', mode='fast')")) {
            XCTAssertTrue("\($0)".contains("mode='fast' is not supported by Reel (supported: accurate, efficient)"), "\($0)")
        }
    }

    /// A corrupt video fails naming the file; with skip_broken it is logged and another video takes its place.
    func testBrokenVideoNamesTheFileOrIsSkipped() throws {
        let broken = root.appendingPathComponent("videos/v1.mp4")
        let bytes = try Data(contentsOf: broken)
        try bytes.prefix(bytes.count / 3).write(to: broken)
        let steps = "dict(type='DecordInit'), \(Self.sampler), dict(type='DecordDecode')"
        var rng = Philox(seed: 3)
        XCTAssertThrowsError(try dataset(steps).item(1, rng: &rng, workspace: PipelineWorkspace())) {
            XCTAssertEqual(($0 as? VideoError)?.path, broken.path, "\($0)")
        }
        let workspace = PipelineWorkspace()
        let s = try dataset(steps, extra: ", skip_broken=True").item(1, rng: &rng, workspace: workspace)
        XCTAssertNotEqual(s.frameDir, broken.path)
        XCTAssertEqual(workspace.skipped.count, 1)
        XCTAssertTrue(workspace.skipped[0].contains("skipped \(broken.path)"), workspace.skipped[0])
    }
}
