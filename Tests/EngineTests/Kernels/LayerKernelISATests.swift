import XCTest
import CKernels
@testable import EngineCore

/// The layer kernels of ReelLayerKernels.h (BatchNorm, ReLU, the residual sum) under every ISA this CPU supports,
/// against scalar Swift loops that do the same float operations in the same order: equal bits.
final class LayerKernelISATests: ISATestCase {
    /// Values with ragged lengths (not a multiple of any vector), negative and positive, NaN, ±0 and ±∞.
    static func values(_ n: Int, seed: Int) -> [Float] {
        (0..<n).map { i in
            switch (i * 7 + seed) % 23 {
            case 0: return .nan
            case 1: return -0.0
            case 2: return 0.0
            case 3: return seed.isMultiple(of: 2) ? .infinity : -.infinity
            default: return Float((i * 37 + seed * 11) % 101 - 50) / 7
            }
        }
    }

    /// Swift's max(v, 0), which ReLU uses: NaN stays NaN, −0 becomes +0.
    static func relu(_ v: Float) -> Float { max(v, 0) }

    func testBatchNormSumsUseSixteenPartialsInAFixedTree() {
        for m in [1, 15, 16, 17, 100, 1027] {
            let d = Self.values(m, seed: 4).map { $0.isFinite ? $0 : 1.5 }, x = Self.values(m, seed: 9).map { $0.isFinite ? $0 : -2 }
            let (mean, istd): (Float, Float) = (0.3, 1.7)
            var a = [Double](repeating: 0, count: 16), q = a
            for i in 0..<m {
                let h = Double((x[i] - mean) * istd)
                a[i % 16] += Double(d[i]); q[i % 16] += Double(d[i]) * h
            }
            var w = 8
            while w > 0 { for k in 0..<w { a[k] += a[k + w]; q[k] += q[k + w] }; w /= 2 }
            // And close to a plain double sum (a different order only).
            let plain = zip(d, x).reduce(0.0) { $0 + Double($1.0) * Double(($1.1 - mean) * istd) }
            XCTAssertEqual(q[0], plain, accuracy: 1e-9 * max(1, abs(plain)))
            forEachISA { isa in
                var s = 0.0, s2 = 0.0
                reel_bn_sums(d, x, mean, istd, m, &s, &s2)
                XCTAssertEqual(s.bitPattern, a[0].bitPattern, "\(isa) Σd m=\(m)")
                XCTAssertEqual(s2.bitPattern, q[0].bitPattern, "\(isa) Σd·h m=\(m)")
                // Σx and Σx² with d = x, mean 0, istd 1.
                var t = 0.0, t2 = 0.0
                reel_bn_sums(x, x, 0, 1, m, &t, &t2)
                XCTAssertEqual(t2, x.reduce(0.0) { $0 + Double($1) * Double($1) }, accuracy: 1e-9 * max(1, t2), "\(isa)")
            }
        }
    }

    func testBatchNormNormalizeAndInputGradient() {
        let m = 203
        let x = Self.values(m, seed: 1), d = Self.values(m, seed: 2)
        let (mean, istd, g, beta): (Float, Float, Float, Float) = (0.25, 1.3, -0.7, 0.4)
        let (meanDy, meanDyH, scale): (Float, Float, Float) = (0.11, -0.3, 0.9)
        let normalized = x.map { ((($0 - mean) * istd) * g) + beta }
        let gradient = (0..<m).map { i in scale * ((d[i] - meanDy) - ((x[i] - mean) * istd) * meanDyH) }
        forEachISA { isa in
            for relu in [false, true] {
                var y = [Float](repeating: 7, count: m)
                reel_bn_normalize(x, mean, istd, g, beta, &y, m, relu ? 1 : 0)
                let expected = relu ? normalized.map(Self.relu) : normalized
                XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern), "\(isa) relu \(relu)")
            }
            var out = [Float](repeating: 7, count: m)
            reel_bn_input_gradient(d, x, mean, istd, meanDy, meanDyH, scale, &out, m)
            XCTAssertEqual(out.map(\.bitPattern), gradient.map(\.bitPattern), "\(isa) input gradient")
        }
    }

    func testReLUBackwardAndResidualSumReLU() {
        let n = 301
        let d = Self.values(n, seed: 5), y = Self.values(n, seed: 6), x = Self.values(n, seed: 8)
        let masked = (0..<n).map { y[$0] > 0 ? d[$0] : 0 }
        let summed = (0..<n).map { Self.relu(y[$0] + x[$0]) }
        XCTAssertTrue(summed.contains { $0.isNaN })
        forEachISA { isa in
            var out = [Float](repeating: 7, count: n)
            reel_relu_backward(d, y, &out, n)
            XCTAssertEqual(out.map(\.bitPattern), masked.map(\.bitPattern), "\(isa) ReLU backward")
            var acc = y
            reel_add_relu(x, &acc, n)
            XCTAssertEqual(acc.map(\.bitPattern), summed.map(\.bitPattern), "\(isa) add + ReLU")
        }
    }
}
