import XCTest
import CKernels
@testable import EngineCore
@testable import EngineData

/// The data pipeline's C kernels (`reel_bilinear_h`/`_v` behind `BilinearPlan`, `reel_u8_to_planes` behind
/// `FormatShape`) under every ISA this CPU supports, bit for bit against the Swift loops they replaced.
final class PipelineKernelISATests: ISATestCase {
    /// Whole-frame resizes, up and down, odd sizes, 1/3/4 channels: the kernels against the scalar reference
    /// (`SpatialChainTests.ReferenceResize`, the pre-BilinearPlan Swift code).
    func testBilinearMatchesScalarReference() {
        let cases: [(w: Int, h: Int, ow: Int, oh: Int)] = [(171, 128, 112, 112), (37, 23, 61, 45), (97, 61, 33, 17),
                                                           (5, 3, 67, 41), (1, 1, 19, 7), (64, 48, 1, 1), (45, 33, 45, 34),
                                                           (171, 128, 20, 9), (203, 17, 29, 5)]
        forEachISA { isa in
            var rng = Philox(seed: 7, stream: 1)
            for ch in [1, 3, 4] {
                for c in cases {
                    let f = SpatialChainTests.randomFrame(width: c.w, height: c.h, channels: ch, rng: &rng)
                    XCTAssertEqual(Resize.bilinear(f, width: c.ow, height: c.oh),
                                   SpatialChainTests.ReferenceResize.bilinear(f, width: c.ow, height: c.oh),
                                   "\(isa) \(ch) channels \(c)")
                }
            }
        }
    }

    /// The horizontal pass's groups: 4 outputs whose taps lie in one 16-byte window take the shuffle path; a steep
    /// downscale's groups (taps further apart) are marked for the scalar loop, which the cases above also run.
    func testBilinearGroupsMarkWideSpansForTheScalarLoop() {
        func starts(width: Int, to out: Int, channels ch: Int) -> [Int32] {
            let taps = Resize.taps(outSize: out, inSize: width)
            var ofs = [Int32](), lo = [Int16](), hi = [Int16]()
            for (s, w0, w1) in taps { for c in 0..<ch { ofs.append(Int32(s * ch + c)); lo.append(Int16(w0)); hi.append(Int16(w1)) } }
            var plan = [UInt8](repeating: 0, count: reel_bilinear_h_plan_bytes(ofs.count))
            reel_bilinear_h_plan(ofs, lo, hi, ch, ofs.count, &plan)
            let groups = ofs.count / 4
            return (0..<groups).map { g in plan.withUnsafeBytes { $0.load(fromByteOffset: 32 * groups + 4 * g, as: Int32.self) } }
        }
        XCTAssertFalse(starts(width: 171, to: 112, channels: 3).contains(-1))
        XCTAssertFalse(starts(width: 37, to: 61, channels: 3).contains(-1))
        XCTAssertEqual(Set(starts(width: 171, to: 20, channels: 3)), [-1], "each group spans two pixels 25 bytes apart")
        XCTAssertFalse(starts(width: 171, to: 20, channels: 4).contains(-1), "each group is one pixel's 4 channels")
    }

    /// Cropped and mirrored source windows and kept regions (the fused chain's plans): equal to copying the window,
    /// resizing it with the reference, and copying the region.
    func testWindowedBilinearWithFlipsMatchesReference() {
        forEachISA { isa in
            var rng = Philox(seed: 11, stream: 2)
            for ch in [1, 3, 4] {
                for (flipSource, flipRegion) in [(false, false), (true, false), (false, true), (true, true)] {
                    let f = SpatialChainTests.randomFrame(width: 53, height: 41, channels: ch, rng: &rng)
                    var source = FrameWindow(width: 53, height: 41).cropped(CropBox(x: 3, y: 2, width: 47, height: 37))
                    if flipSource { source = source.flipped(horizontal: true) }
                    let target = (width: 59, height: 29)
                    var region = FrameWindow(width: target.width, height: target.height)
                        .cropped(CropBox(x: 5, y: 1, width: 51, height: 27))
                    if flipRegion { region = region.flipped(horizontal: true) }
                    let plan = BilinearPlan(source: source, sourceWidth: 53, channels: ch, target: target, region: region)
                    let full = SpatialChainTests.ReferenceResize.bilinear(source.copy(of: f), width: target.width,
                                                                          height: target.height)
                    XCTAssertEqual(plan.apply(f), region.copy(of: full), "\(isa) \(ch) channels flips \(flipSource) \(flipRegion)")
                }
            }
        }
    }

    /// uint8 HWC → float planes: table lookups and the checked affine path give the reference loop's floats, with and
    /// without the R/B swap, 1/3/4 channels, pixel counts that are not multiples of any vector length.
    func testPixelConversionMatchesTableLoop() {
        let norms: [Normalization?] = [nil, Normalization(mean: [123.675, 116.28, 103.53, 7], std: [58.395, 57.12, 57.375, 3],
                                                          toBGR: false),
                                       Normalization(mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], toBGR: true),
                                       Normalization(mean: [0.1, 200, 77.7, 1], std: [0.3, 1e-3, 9.9, 255], toBGR: false)]
        forEachISA { isa in
            var rng = Philox(seed: 3, stream: 4)
            for norm in norms {
                for ch in [1, 3, 4] where norm == nil || norm!.mean.count >= ch {
                    for (w, h) in [(31, 7), (112, 112), (1, 1), (5, 3)] {
                        let f = SpatialChainTests.randomFrame(width: w, height: h, channels: ch, rng: &rng)
                        let table = PixelConversion.table(norm, channels: ch)
                        let swap = norm?.toBGR == true && ch == 3
                        var expected = [Float](repeating: 0, count: w * h * ch)
                        for i in 0..<(w * h) {
                            for c in 0..<ch {
                                let sc = swap ? 2 - c : c
                                expected[c * w * h + i] = table[c * 256 + Int(f.pixels[i * ch + sc])]
                            }
                        }
                        for formula in PixelConversion.formulas(norm, table: table) {
                            var got = [Float](repeating: .nan, count: w * h * ch)
                            table.withUnsafeBufferPointer { t in got.withUnsafeMutableBufferPointer { g in
                                PixelConversion.write(f, table: t.baseAddress!, formula: formula, toBGR: swap, to: g.baseAddress!,
                                                      planeStride: w * h)
                            } }
                            XCTAssertEqual(got, expected, "\(isa) \(ch) channels \(w)x\(h) formula \(formula.kind) \(String(describing: norm))")
                        }
                    }
                }
            }
        }
        // The mmaction2 ImageNet normalisation takes the float quotient, and both arithmetic formulas fit it.
        let imagenet = Normalization(mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], toBGR: false)
        XCTAssertEqual(PixelConversion.formulas(imagenet, table: PixelConversion.table(imagenet, channels: 3)).map(\.kind),
                       [REEL_PIXELS_QUOTIENT, REEL_PIXELS_AFFINE, REEL_PIXELS_TABLE])
    }
}
