import XCTest
import CKernels
@testable import EngineCore

/// Every C kernel under every instruction set this CPU supports (baseline always; AVX2+FMA and AVX-512 where
/// present), against plain reference loops. On a machine without AVX-512 the AVX-512 code path is not run; the
/// tests say which ISAs they covered.
final class KernelISATests: ISATestCase {
    func testDetectionAndForcing() {
        XCTAssertTrue(KernelISA.available.contains(.baseline))
        XCTAssertEqual(KernelISA.available.last, KernelISA.supported)
        XCTAssertEqual(KernelISA.allCases.map(\.description), ["baseline", "avx2", "avx512"])
        // An ISA above what the CPU has is refused and leaves the active one unchanged.
        if KernelISA.supported < .avx512 {
            KernelISA.activate(.baseline)
            XCTAssertFalse(KernelISA.activate(.avx512))
            XCTAssertEqual(KernelISA.active, .baseline)
        }
        #if arch(x86_64)
        // What /proc/cpuinfo says this CPU has must agree with CPUID (Linux).
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) {
            let flags = Set(flagsLine.split(separator: " ").map(String.init))
            let expected: KernelISA = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) ? .avx512
                : (flags.contains("avx2") && flags.contains("fma") ? .avx2 : .baseline)
            XCTAssertEqual(KernelISA.supported, expected)
        }
        #endif
    }

    func testBiasResidualReLU() {
        let (rows, cols, ld) = (5, 37, 41)
        let y0 = (0..<(rows * ld)).map { Float(($0 * 31) % 17) - 8 }
        let res = (0..<(rows * ld)).map { Float(($0 * 13) % 11) - 5.5 }
        let bias: [Float] = [0.5, -1, 2, -3, 0.25]
        for relu in [false, true] {
            for withResidual in [false, true] {
                var expected = y0
                for r in 0..<rows { for i in 0..<cols {
                    var v = y0[r * ld + i] + bias[r] + (withResidual ? res[r * ld + i] : 0)
                    if relu { v = max(v, 0) }
                    expected[r * ld + i] = v
                } }
                forEachISA { isa in
                    var y = y0
                    res.withUnsafeBufferPointer { rp in
                        reel_bias_act(&y, rows, cols, ld, bias, withResidual ? rp.baseAddress : nil, ld, relu ? 1 : 0)
                    }
                    XCTAssertEqual(y, expected, "\(isa) relu \(relu) residual \(withResidual)")
                }
            }
        }
    }

    /// The direct convolution on the shapes it is used for (the stem, strided 3×3 and 1×1) and ragged edges: output
    /// widths not a multiple of any vector, output channels not a multiple of 8, bias and ReLU fused.
    func testDirectConvolutionMatchesTheDefinition() {
        let cases: [(c: Int, o: Int, h: Int, w: Int, k: Int, s: Int, p: Int)] = [
            (3, 16, 20, 37, 7, 2, 3), (3, 5, 9, 9, 7, 2, 3), (4, 12, 10, 18, 3, 2, 1), (6, 9, 11, 35, 1, 2, 0),
            (2, 8, 7, 5, 3, 1, 1), (3, 3, 6, 40, 5, 3, 2), (5, 17, 16, 16, 2, 2, 0), (1, 1, 1, 1, 1, 1, 0),
        ]
        for (i, t) in cases.enumerated() {
            let conv = Conv2d(t.c, t.o, kernel: t.k, stride: t.s, padding: t.p, bias: true)
            conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 300 + UInt64(i))
            conv.bias?.value = GradientCheck.random([t.o], seed: 400 + UInt64(i))
            conv.algorithm = .direct
            conv.isTraining = false
            let x = GradientCheck.random([t.c, 3, t.h, t.w], seed: 500 + UInt64(i))
            XCTAssertTrue(conv.usesDirect(conv.geometry(for: x)), "\(t)")
            let ref = ConvolutionTests.naive(conv, x)
            forEachISA { isa in
                let y = conv.forward(x)
                XCTAssertEqual(y.shape, ref.shape, "\(t)")
                for j in 0..<y.count { XCTAssertEqual(y[j], ref[j], accuracy: 1e-4, "\(isa) \(t) y[\(j)]") }
                let fused = conv.inferenceForward(x, weights: conv.weight.value, bias: conv.bias?.value, relu: true)
                for j in 0..<y.count { XCTAssertEqual(fused[j], max(ref[j], 0), accuracy: 1e-4, "\(isa) \(t) relu y[\(j)]") }
            }
        }
    }

    /// Training through the direct forward: backward (im2col recomputed tile by tile) equals the im2col path's.
    func testDirectTrainingMatchesIm2col() {
        let direct = Conv2d(3, 8, kernel: 7, stride: 2, padding: 3, bias: false)
        let plain = Conv2d(3, 8, kernel: 7, stride: 2, padding: 3, bias: false)
        direct.weight.value = GradientCheck.random(direct.weight.shape, seed: 1)
        plain.weight.value = direct.weight.value
        plain.algorithm = .im2col
        XCTAssertTrue(direct.usesDirect(direct.geometry(forShape: [3, 4, 18, 18])), "the stem runs direct under auto")
        let x = GradientCheck.random([3, 4, 18, 18], seed: 2)
        let y = direct.forward(x), yRef = plain.forward(x)
        for j in 0..<y.count { XCTAssertEqual(y[j], yRef[j], accuracy: 1e-4) }
        let dy = GradientCheck.random(y.shape, seed: 3)
        let dx = direct.backward(dy), dxRef = plain.backward(dy)
        XCTAssertEqual(dx.scalars, dxRef.scalars)
        XCTAssertEqual(direct.weight.grad.scalars, plain.weight.grad.scalars)
        GradientCheck.check(direct, input: GradientCheck.random([3, 2, 9, 9], seed: 4))
    }

    /// The stem's backward (weight gradient only) by the direct kernel, under every ISA, against the im2col path's,
    /// on ragged widths and output channels not a multiple of 4.
    func testDirectWeightGradientMatchesIm2col() {
        for (i, t) in [(c: 3, o: 16, h: 20, w: 37, k: 7, s: 2, p: 3), (c: 2, o: 6, h: 9, w: 9, k: 3, s: 2, p: 1),
                       (c: 3, o: 5, h: 8, w: 30, k: 3, s: 1, p: 1)].enumerated() {
            let plain = Conv2d(t.c, t.o, kernel: t.k, stride: t.s, padding: t.p, bias: true)
            plain.weight.value = GradientCheck.random(plain.weight.shape, seed: 20 + UInt64(i))
            plain.algorithm = .im2col
            plain.computesInputGradient = false
            let x = GradientCheck.random([t.c, 3, t.h, t.w], seed: 30 + UInt64(i))
            let y = plain.forward(x)
            let dy = GradientCheck.random(y.shape, seed: 40 + UInt64(i))
            _ = plain.backward(dy)
            forEachISA { isa in
                let direct = Conv2d(t.c, t.o, kernel: t.k, stride: t.s, padding: t.p, bias: true)
                direct.weight.value = plain.weight.value
                direct.algorithm = .direct
                direct.computesInputGradient = false
                _ = direct.forward(x)
                XCTAssertEqual(direct.backward(dy).count, 0)
                for j in 0..<direct.weight.grad.count {
                    XCTAssertEqual(direct.weight.grad[j], plain.weight.grad[j], accuracy: 1e-3, "\(isa) \(t) dw[\(j)]")
                }
                XCTAssertEqual(direct.bias!.grad.scalars, plain.bias!.grad.scalars, "\(isa) \(t) db")
            }
        }
    }
}

extension KernelISATests {
    /// The small-matrix sgemm on ragged shapes (rows not a multiple of 8, columns not a multiple of any vector, K
    /// across the 256-product passes), plain and transposed A, overwrite and accumulate, under every ISA.
    func testSmallSgemmMatchesDoublePrecisionProducts() {
        let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (8, 32, 9), (13, 70, 147), (16, 16, 300), (64, 5, 600), (3, 33, 2)]
        for (i, s) in shapes.enumerated() {
            for transA in [false, true] {
                let lda = (transA ? s.m : s.k) + 3, ldb = s.n + 5, ldc = s.n + 2
                let a = GradientCheck.random([(transA ? s.k : s.m) * lda], seed: 700 + UInt64(i)).scalars
                let b = GradientCheck.random([s.k * ldb], seed: 800 + UInt64(i)).scalars
                let c0 = GradientCheck.random([s.m * ldc], seed: 900 + UInt64(i)).scalars
                for beta: Float in [0, 1] {
                    var expected = c0
                    for r in 0..<s.m { for j in 0..<s.n {
                        var sum = 0.0
                        for q in 0..<s.k { sum += Double(transA ? a[q * lda + r] : a[r * lda + q]) * Double(b[q * ldb + j]) }
                        expected[r * ldc + j] = Float(sum + Double(beta) * Double(c0[r * ldc + j]))
                    } }
                    forEachISA { isa in
                        var c = c0
                        reel_sgemm(transA ? 1 : 0, s.m, s.n, s.k, a, lda, b, ldb, beta, &c, ldc)
                        for j in 0..<c.count {
                            XCTAssertEqual(c[j], expected[j], accuracy: 1e-4 * Float(max(1, s.k / 16)),
                                           "\(isa) \(s) transA \(transA) beta \(beta) c[\(j)]")
                        }
                    }
                }
            }
        }
    }
}

extension KernelISATests {
    /// C = A·Bᵀ (the weight gradients' product) against double-precision dot products, under every ISA: rows not a
    /// multiple of 8, columns not a multiple of any vector (and fewer than one vector), K not a multiple of a vector and
    /// across the 256-product passes, leading dimensions wider than the matrices, overwrite and accumulate.
    func testSgemmNTMatchesDoublePrecisionProducts() {
        let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (8, 32, 16), (13, 70, 147), (16, 16, 300), (64, 5, 600),
                                                  (3, 33, 2), (17, 47, 515), (9, 64, 256)]
        for (i, s) in shapes.enumerated() {
            let lda = s.k + 3, ldb = s.k + 5, ldc = s.n + 2
            let a = GradientCheck.random([s.m * lda], seed: 1700 + UInt64(i)).scalars
            let b = GradientCheck.random([s.n * ldb], seed: 1800 + UInt64(i)).scalars
            let c0 = GradientCheck.random([s.m * ldc], seed: 1900 + UInt64(i)).scalars
            for beta: Float in [0, 1] {
                var expected = c0
                for r in 0..<s.m { for j in 0..<s.n {
                    var sum = 0.0
                    for q in 0..<s.k { sum += Double(a[r * lda + q]) * Double(b[j * ldb + q]) }
                    expected[r * ldc + j] = Float(sum + Double(beta) * Double(c0[r * ldc + j]))
                } }
                forEachISA { isa in
                    var c = c0
                    reel_sgemm_nt(s.m, s.n, s.k, a, lda, b, ldb, beta, &c, ldc)
                    for j in 0..<c.count {
                        // Padding columns of C (j mod ldc ≥ n) must keep their values: expected holds c0 there.
                        XCTAssertEqual(c[j], expected[j], accuracy: 1e-4 * Float(max(1, s.k / 16)),
                                       "\(isa) \(s) beta \(beta) c[\(j)]")
                    }
                }
            }
        }
    }

    /// `GEMM.sgemm(transB:)` gives the same product whichever backend runs it (Reel's kernel under AVX-512, else
    /// OpenBLAS): a weight-gradient shaped call (dY·colᵀ, ldb the full column count) accumulated into C.
    func testGEMMTransposedBMatchesTheTripleLoop() {
        let (m, n, k, ld) = (12, 40, 70, 90)
        let a = GradientCheck.random([m * ld], seed: 31).scalars
        let b = GradientCheck.random([n * ld], seed: 32).scalars
        let c0 = GradientCheck.random([m * n], seed: 33).scalars
        forEachISA { isa in
            var c = c0
            GEMM.sgemm(transB: true, m: m, n: n, k: k, a: a, lda: ld, b: b, ldb: ld, beta: 1, c: &c, ldc: n)
            for r in 0..<m { for j in 0..<n {
                var sum = Double(c0[r * n + j])
                for q in 0..<k { sum += Double(a[r * ld + q]) * Double(b[j * ld + q]) }
                XCTAssertEqual(c[r * n + j], Float(sum), accuracy: 1e-4, "\(isa) \(GEMM.backend) c[\(r)][\(j)]")
            } }
        }
    }
}
