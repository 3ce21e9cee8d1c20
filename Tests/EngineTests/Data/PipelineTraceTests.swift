import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// `Pipeline.trace`: the one step-by-step walk `reel inspect pipeline` prints and the dashboard's frame preview
/// draws (issue 12). It must make the same draws as `run`, so what they show is what training gets.
final class PipelineTraceTests: XCTestCase {
    static let pipeline = "[dict(type='SampleFrames', clip_len=1, num_clips=3), dict(type='RawFrameDecode'), "
        + "dict(type='RandomResizedCrop'), dict(type='Resize', scale=(16, 16), keep_ratio=False), dict(type='Flip', flip_ratio=0.5), "
        + PipelineTests.norm + ", dict(type='FormatShape', input_format='NCHW')]"

    func testTheTraceKeepsEachStepsSampleAndEndsWhereRunEnds() throws {
        let fx = try FrameFixture(videos: 2, frames: 10, width: 48, height: 32)
        let ds = try fx.dataset(Self.pipeline)
        var a = Philox(seed: 7, stream: 1), b = Philox(seed: 7, stream: 1)
        let trace = try ds.pipeline.trace(ds.initialSample(1), rng: &a, workspace: PipelineWorkspace())
        let run = try ds.pipeline.run(ds.initialSample(1), rng: &b, workspace: PipelineWorkspace())
        XCTAssertEqual(trace.after.map(\.step), ["SampleFrames", "RawFrameDecode", "RandomResizedCrop", "Resize", "Flip", "Normalize", "FormatShape"])
        XCTAssertEqual(trace.output.imgs?.shape, [3, 3, 16, 16])
        XCTAssertEqual(trace.output.imgs?.scalars, run.imgs?.scalars, "the same draws as run")
        XCTAssertEqual(trace.output.frameIndices, run.frameIndices)
        XCTAssertEqual(trace.input(of: 0).frames.count, 0, "before sampling nothing is decoded")
        XCTAssertEqual(trace.input(of: 2).frames.map(\.width), [48, 48, 48], "the crop receives the decoded frames")
        XCTAssertEqual(trace.after[3].sample.frames.map(\.width), [16, 16, 16])
        XCTAssertEqual(trace.after[2].sample.cropBoxes.count, trace.input(of: 2).cropBoxes.count + 1, "the crop records its box")
    }

    /// The preview's partial trace (up to a step) makes the same draws as the full one up to there.
    func testAPartialTraceIsThePrefixOfTheFullOne() throws {
        let fx = try FrameFixture(videos: 2, frames: 10, width: 48, height: 32)
        let ds = try fx.dataset(Self.pipeline)
        var a = Philox(seed: 0, stream: 0), b = Philox(seed: 0, stream: 0)
        let part = try ds.pipeline.trace(ds.initialSample(0), rng: &a, workspace: PipelineWorkspace(), steps: 3)
        let full = try ds.pipeline.trace(ds.initialSample(0), rng: &b, workspace: PipelineWorkspace())
        XCTAssertEqual(part.after.count, 3)
        XCTAssertEqual(part.after[2].sample.cropBoxes, full.after[2].sample.cropBoxes)
        XCTAssertEqual(part.after[2].sample.frames.map(\.pixels), full.after[2].sample.frames.map(\.pixels))
    }
}
