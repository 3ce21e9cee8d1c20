import XCTest
@testable import EngineCore
@testable import EngineData

/// The fused resize/crop/flip path (`SpatialChain`, `BilinearPlan`, `FrameWindow`) against the unfused steps and
/// the scalar bilinear it replaced, bit for bit, on random images of odd sizes.
final class SpatialChainTests: XCTestCase {
    /// The scalar OpenCV bilinear Reel used before `BilinearPlan` (checked against cv2 by the pipeline check),
    /// kept verbatim as the reference.
    enum ReferenceResize {
        static func bilinear(_ src: Frame, width ow: Int, height oh: Int) -> Frame {
            if ow == src.width && oh == src.height { return src }
            let ch = src.channels, rowLen = ow * ch
            // Per output column: the byte offsets of its two source pixels and their weights, flattened for the loop.
            var off0 = [Int](repeating: 0, count: ow), off1 = off0
            var wx0 = [Int32](repeating: 0, count: ow), wx1 = wx0
            for (x, (x0, w0, w1)) in Resize.taps(outSize: ow, inSize: src.width).enumerated() {
                off0[x] = x0 * ch; off1[x] = min(x0 + 1, src.width - 1) * ch; wx0[x] = w0; wx1[x] = w1
            }
            let ys = Resize.taps(outSize: oh, inSize: src.height, clampWeights: false)
            var out = [UInt8](repeating: 0, count: ow * oh * ch)
            // Two horizontal rows, each remembered with its source row: an upscale reuses them over several output rows
            // (OpenCV's ring buffer), a downscale computes each source row once.
            var rows = [Int32](repeating: 0, count: 2 * rowLen)
            var cached = (-1, -1)
            src.pixels.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    rows.withUnsafeMutableBufferPointer { rp in
                        off0.withUnsafeBufferPointer { o0 in off1.withUnsafeBufferPointer { o1 in
                        wx0.withUnsafeBufferPointer { a0 in wx1.withUnsafeBufferPointer { a1 in
                            func horizontal(_ y: Int, into row: UnsafeMutablePointer<Int32>) {
                                let line = sp.baseAddress! + y * src.width * ch
                                if ch == 3 {
                                    for x in 0..<ow {
                                        let p = line + o0[x], q = line + o1[x], w0 = a0[x], w1 = a1[x], r = row + 3 * x
                                        r[0] = Int32(p[0]) &* w0 &+ Int32(q[0]) &* w1
                                        r[1] = Int32(p[1]) &* w0 &+ Int32(q[1]) &* w1
                                        r[2] = Int32(p[2]) &* w0 &+ Int32(q[2]) &* w1
                                    }
                                } else {
                                    for x in 0..<ow {
                                        for c in 0..<ch { row[x * ch + c] = Int32(line[o0[x] + c]) &* a0[x] &+ Int32(line[o1[x] + c]) &* a1[x] }
                                    }
                                }
                            }
                            let buf0 = rp.baseAddress!, buf1 = rp.baseAddress! + rowLen
                            for y in 0..<oh {
                                let (sy, v0, v1) = ys[y]
                                let y0 = min(max(sy, 0), src.height - 1), y1 = min(max(sy + 1, 0), src.height - 1)
                                // Bring source rows y0 and y1 into the buffers, reusing whatever is already there.
                                let (r0, r1): (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>)
                                if cached.0 == y0 && cached.1 == y1 {
                                    (r0, r1) = (buf0, buf1)
                                } else if cached.1 == y0 {
                                    buf0.update(from: buf1, count: rowLen)
                                    if y1 != y0 { horizontal(y1, into: buf1) } else { buf1.update(from: buf0, count: rowLen) }
                                    (r0, r1) = (buf0, buf1)
                                } else {
                                    horizontal(y0, into: buf0)
                                    if y1 != y0 { horizontal(y1, into: buf1) } else { buf1.update(from: buf0, count: rowLen) }
                                    (r0, r1) = (buf0, buf1)
                                }
                                cached = (y0, y1)
                                let dst = op.baseAddress! + y * rowLen
                                for i in 0..<rowLen {
                                    let v = (((r0[i] >> 4) &* v0) >> 16) &+ (((r1[i] >> 4) &* v1) >> 16) &+ 2
                                    dst[i] = UInt8(clamping: v >> 2)
                                }
                            }
                        } }
                        } }
                    }
                }
            }
            return Frame(width: ow, height: oh, channels: ch, pixels: out)
        }
    }

    static func randomFrame(width: Int, height: Int, channels: Int = 3, rng: inout Philox) -> Frame {
        Frame(width: width, height: height, channels: channels, pixels: (0..<(width * height * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    func testBilinearMatchesTheScalarReferenceOnRandomImages() {
        var rng = Philox(seed: 7)
        let sizes = [(171, 128, 112, 112), (37, 23, 112, 112), (150, 97, 112, 112), (5, 3, 17, 11), (113, 61, 7, 9),
                     (64, 64, 31, 63), (2, 1, 4, 1), (1, 5, 3, 2), (171, 128, 170, 129), (33, 17, 33, 9)]
        for (w, h, ow, oh) in sizes {
            for ch in [1, 3, 4] {
                let f = Self.randomFrame(width: w, height: h, channels: ch, rng: &rng)
                XCTAssertEqual(Resize.bilinear(f, width: ow, height: oh), ReferenceResize.bilinear(f, width: ow, height: oh),
                               "\(w)x\(h)x\(ch) -> \(ow)x\(oh)")
            }
        }
    }

    /// Steps without decoding, on a sample whose frames are given.
    func sample(frames: [Frame]) -> PipelineSample {
        var s = PipelineSample(frameDir: "/v", totalFrames: frames.count, labels: [1])
        s.frames = frames
        return s
    }

    func assertFusedEqualsSteps(_ steps: [any PipelineStep], width: Int, height: Int, channels: Int = 3, seeds: Range<UInt64> = 0..<12,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let pipeline = Pipeline(steps: steps)
        for seed in seeds {
            var pixels = Philox(seed: 1000 + seed)
            let frames = (0..<3).map { _ in Self.randomFrame(width: width, height: height, channels: channels, rng: &pixels) }
            var r1 = Philox(seed: seed), r2 = Philox(seed: seed)
            let fused = try pipeline.run(sample(frames: frames), rng: &r1, workspace: PipelineWorkspace())
            let stepwise = try pipeline.trace(sample(frames: frames), rng: &r2, workspace: PipelineWorkspace()).output
            XCTAssertEqual(fused.frames, stepwise.frames, "seed \(seed)", file: file, line: line)
            XCTAssertEqual(fused.imgs, stepwise.imgs, "seed \(seed)", file: file, line: line)
            XCTAssertEqual(fused.cropBoxes, stepwise.cropBoxes, file: file, line: line)
            XCTAssertEqual(fused.flipped, stepwise.flipped, file: file, line: line)
            XCTAssertEqual(fused.labels, stepwise.labels, file: file, line: line)
            XCTAssertEqual(r1.next(), r2.next(), "the same draws", file: file, line: line)
        }
    }

    static let norm = NormalizeStep(mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375])

    /// The TSM train pipeline of the bench (resize short side, RandomResizedCrop, 112×112, flip, normalise).
    func testTrainPipelineFusedEqualsSteps() throws {
        let steps: [any PipelineStep] = [
            ResizeStep(scale: .size(-1, 128)),
            CropStep(typeName: "RandomResizedCrop", kind: .randomResized(area: (0.08, 1), aspectRatio: (3.0 / 4, 4.0 / 3))),
            ResizeStep(scale: .size(112, 112), keepRatio: false), FlipStep(ratio: 0.5, labelMap: [1: 0]),
            Self.norm, FormatShape(inputFormat: "NCHW")]
        try assertFusedEqualsSteps(steps, width: 171, height: 128)       // first resize is the identity
        try assertFusedEqualsSteps(steps, width: 341, height: 255)       // resize only the kept region
        try assertFusedEqualsSteps(steps, width: 97, height: 143)        // upscale, portrait, odd sides
    }

    /// Crops and flips before, between and after resizes, vertical flips, and no resize at all.
    func testCropFlipOrdersFusedEqualSteps() throws {
        let vflip = FlipStep(ratio: 0.5, horizontal: false)
        try assertFusedEqualsSteps([FlipStep(ratio: 1), CropStep(typeName: "RandomCrop", kind: .random(size: 21)),
                                    ResizeStep(scale: .size(30, 19), keepRatio: false), vflip,
                                    CropStep(typeName: "CenterCrop", kind: .center(width: 13, height: 9)), Self.norm,
                                    FormatShape(inputFormat: "NCHW")], width: 47, height: 33)
        try assertFusedEqualsSteps([CropStep(typeName: "CenterCrop", kind: .center(width: 25, height: 17)), vflip,
                                    FlipStep(ratio: 0.5)], width: 40, height: 31, channels: 1)
        try assertFusedEqualsSteps([ResizeStep(scale: .factor(0.5)), FlipStep(ratio: 1),
                                    CropStep(typeName: "MultiScaleCrop", kind: .multiScale(inputSize: (w: 24, h: 24), scales: [1, 0.875, 0.75],
                                                                                           maxGap: 1, randomCrop: false, fixedCrops: 5)),
                                    ResizeStep(scale: .size(24, 24), keepRatio: false), FlipStep(ratio: 0.5), vflip],
                                   width: 101, height: 75)
        try assertFusedEqualsSteps([ResizeStep(scale: .size(-1, 40)), ResizeStep(scale: .size(23, 23), keepRatio: false),
                                    FlipStep(ratio: 1)], width: 63, height: 29, channels: 4)
    }

    func testWindowCopyIsCropThenFlip() {
        var rng = Philox(seed: 3)
        let f = Self.randomFrame(width: 9, height: 7, rng: &rng)
        let box = CropBox(x1: 2, y1: 1, x2: 7, y2: 6)
        let w = FrameWindow(width: 9, height: 7).cropped(box).flipped(horizontal: true).flipped(horizontal: false)
        XCTAssertEqual(w.copy(of: f), f.cropped(box).flipped(horizontal: true).flipped(horizontal: false))
        // A crop of a mirrored window is the mirror of the mirror-image crop.
        let inner = CropBox(x1: 1, y1: 0, x2: 3, y2: 4)
        XCTAssertEqual(w.cropped(inner).copy(of: f), f.cropped(box).flipped(horizontal: true).flipped(horizontal: false).cropped(inner))
    }
}
