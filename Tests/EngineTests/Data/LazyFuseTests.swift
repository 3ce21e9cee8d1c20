import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// mmaction2's lazy spatial steps and `Fuse` (i3d_r50_lazy_32x2x1_100e_kinetics400_rgb.py): the geometry recorded
/// without touching the frames, mapped into the original's coordinates, then one crop, one resize and the flip.
/// (Against mmaction2 0.24.1's own pipeline on 341×257 JPEG frames — lazy Resize by size and by factor, CenterCrop,
/// Resize nearest, horizontal and vertical Flip — Reel's output was equal to float rounding: 2.4e-07.)
final class LazyFuseTests: XCTestCase {
    func run(_ steps: [any PipelineStep], on frames: [Frame], seed: UInt64 = 0) throws -> PipelineSample {
        var s = PipelineSample(frameDir: "-", totalFrames: frames.count, labels: [0])
        s.frames = frames
        var rng = Philox(seed: seed)
        for step in steps { try step.apply(&s, rng: &rng, workspace: PipelineWorkspace()) }
        return s
    }

    /// Worked example: 341×257 frames, Resize(-1, 200) → 265×200 (mmcv rounds 265.37); CenterCrop (151, 133) there
    /// is left 57, top 33; back in the original: 57·341/265 = 73.35, 208·341/265 = 267.65, 33·257/200 = 42.41,
    /// 166·257/200 = 213.31 → the box (73, 42)–(268, 213), cut once and resized straight to 97×61, then flipped.
    func testGeometryIsMappedToTheOriginalAndFusedInOneResize() throws {
        let frame = FrameFixture.pattern(v: 1, t: 2, width: 341, height: 257)
        let steps: [any PipelineStep] = [
            ResizeStep(scale: .size(-1, 200), lazy: true),
            CropStep(typeName: "CenterCrop", kind: .center(width: 151, height: 133), lazy: true),
            ResizeStep(scale: .size(97, 61), keepRatio: false, lazy: true),
            FlipStep(ratio: 1, lazy: true),
        ]
        let recorded = try run(steps, on: [frame])
        XCTAssertEqual(recorded.frames, [frame], "lazy steps leave the frames alone")
        let g = try XCTUnwrap(recorded.lazy)
        XCTAssertEqual(g.width, 97); XCTAssertEqual(g.height, 61)
        XCTAssertTrue(g.flip)
        XCTAssertEqual(g.pixelBox(frameWidth: 341, frameHeight: 257), CropBox(x: 73, y: 42, width: 195, height: 171))
        let fused = try run(steps + [FuseStep()], on: [frame])
        XCTAssertNil(fused.lazy)
        XCTAssertEqual(fused.frames, [Resize.bilinear(frame.cropped(CropBox(x: 73, y: 42, width: 195, height: 171)), width: 97, height: 61)
                                        .flipped(horizontal: true)])
        // The non-lazy steps resize the whole frame first: a different (slightly blurrier) result, as in mmaction2.
        let eager = try run(steps.map { s -> any PipelineStep in
            if var r = s as? ResizeStep { r.lazy = false; return r }
            if let c = s as? CropStep { return CropStep(typeName: c.typeName, kind: c.kind) }
            return FlipStep(ratio: 1)
        }, on: [frame])
        XCTAssertEqual(eager.frames[0].width, 97)
        XCTAssertNotEqual(eager.frames, fused.frames)
    }

    /// NumPy's `round()` rounds halves to even; slicing clamps to the frame.
    func testFuseRoundsHalvesToEvenAndClamps() {
        var g = LazyGeometry(width: 10, height: 10)
        g.box = [2.5, 3.5, 9.5, 12]
        XCTAssertEqual(g.pixelBox(frameWidth: 10, frameHeight: 11), CropBox(x: 2, y: 4, width: 8, height: 7))
    }

    /// Random lazy crops draw as their eager selves do (same stream, same box in the frames they see).
    func testLazyRandomCropDrawsLikeTheEagerOne() throws {
        let frame = FrameFixture.pattern(v: 0, t: 0, width: 64, height: 48)
        let kind = CropStep.Kind.randomResized(area: (0.08, 1), aspectRatio: (0.75, 4.0 / 3))
        for seed: UInt64 in 0..<5 {
            let lazy = try run([CropStep(typeName: "RandomResizedCrop", kind: kind, lazy: true), FuseStep()], on: [frame], seed: seed)
            let eager = try run([CropStep(typeName: "RandomResizedCrop", kind: kind)], on: [frame], seed: seed)
            XCTAssertEqual(lazy.frames, eager.frames, "a crop alone is cut exactly (integer box, no resize)")
        }
    }

    func testTheLazyOrderIsCheckedWhenTheConfigIsRead() throws {
        func read(_ steps: String) -> String {
            let text = "p = [dict(type='SampleFrames', clip_len=1), dict(type='RawFrameDecode'), \(steps)]\n"
            do {
                let c = try ConfigLoader(read: { $0 == "/p.py" ? text : nil }).load("/p.py")
                _ = try PipelineReader.read(c.root["p"]!, files: c.files)
                return "ok"
            } catch { return "\(error)".components(separatedBy: "\n")[0] }
        }
        XCTAssertEqual(read("dict(type='Resize', scale=(-1, 256), lazy=True), dict(type='CenterCrop', crop_size=224, lazy=True), "
                            + "dict(type='Flip', flip_ratio=0.5, lazy=True), dict(type='Fuse')"), "ok")
        XCTAssertEqual(read("dict(type='Resize', scale=(-1, 256), lazy=True), dict(type='CenterCrop', crop_size=224), dict(type='Fuse')"),
                       "/p.py:1:123: error: CenterCrop between lazy steps and their Fuse: only lazy=True steps may come before Fuse "
                       + "(mmaction2: 'Use Fuse after lazy operations')")
        XCTAssertTrue(read("dict(type='Flip', lazy=True), dict(type='CenterCrop', crop_size=224, lazy=True), dict(type='Fuse')")
            .contains("error: a lazy CenterCrop after a lazy Flip: put the Flip last before Fuse"))
        XCTAssertTrue(read("dict(type='Flip', lazy=True), dict(type='Flip', lazy=True), dict(type='Fuse')")
            .contains("error: a second lazy Flip before Fuse"))
        XCTAssertTrue(read("dict(type='CenterCrop', crop_size=224), dict(type='Fuse')").contains("error: Fuse without lazy steps before it"))
        XCTAssertEqual(read("dict(type='Resize', scale=(-1, 256), lazy=True), dict(type='Normalize', mean=[0, 0, 0], std=[1, 1, 1])"),
                       "/p.py:1:123: error: Normalize between lazy steps and their Fuse: only lazy=True steps may come before Fuse "
                       + "(mmaction2: 'Use Fuse after lazy operations')")
        XCTAssertEqual(read("dict(type='Resize', scale=(-1, 256), lazy=True)"),
                       "/p.py:1:74: error: lazy=True records the geometry for a Fuse step, but none follows: add dict(type='Fuse') after the lazy steps")
    }
}
