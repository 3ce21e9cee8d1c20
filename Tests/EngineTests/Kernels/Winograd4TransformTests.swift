import XCTest
import CKernels
@testable import EngineCore

/// The Winograd F(4×4, 3×3) activation transforms (C, Sources/Engine/CKernels/Winograd4Width.h) under every ISA this
/// CPU has, against plain loops doing the same additions in the same order: equal bit for bit. Plane widths give 1 to
/// 18 tiles per tile row, so each vector width an ISA picks (4, 8, 16 lanes) runs full, ragged and over several chunks
/// per row; heights cover single and ragged tile rows. A sub-range of planes, a row stride wider than the tiles and
/// NaN scratch and outputs check offsets and that nothing outside the range is written.
final class Winograd4TransformTests: WinogradTransformTests {
    override class var sizes: [(h: Int, w: Int)] { [(1, 1), (2, 3), (4, 4), (5, 7), (8, 8), (9, 13), (12, 17), (16, 16),
                                                    (28, 28), (13, 36), (9, 64), (6, 70)] }
    override class var channelCounts: [Int] { [1, 3] }
    override class var tile: Int { 4 }

    static func column(_ s: Winograd.Shape, _ p: Int, _ i: Int, _ j: Int) -> Int {
        (p - range.lowerBound) * s.tilesPerPlane + i * s.tileCols + j
    }

    // MARK: The 1-D transforms, in the C kernels' order of operations

    static func bt(_ x: [Float]) -> [Float] {
        [(4 * x[0] - 5 * x[2]) + x[4], (x[3] + x[4]) - 4 * (x[1] + x[2]), (x[4] - x[3]) + 4 * (x[1] - x[2]),
         (x[4] - x[2]) + 2 * (x[3] - x[1]), (x[4] - x[2]) - 2 * (x[3] - x[1]), (4 * x[1] - 5 * x[3]) + x[5]]
    }
    static func b(_ x: [Float]) -> [Float] {
        [4 * x[0], (4 * (x[2] - x[1]) + 2 * (x[4] - x[3])) + 4 * x[5], ((0 - 5 * x[0]) - 4 * (x[1] + x[2])) - (x[3] + x[4]),
         ((x[1] - x[2]) + 2 * (x[3] - x[4])) - 5 * x[5], (x[0] + (x[1] + x[2])) + (x[3] + x[4]), x[5]]
    }
    static func at(_ x: [Float]) -> [Float] {
        let s12 = x[1] + x[2], d12 = x[1] - x[2], s34 = x[3] + x[4], d34 = x[3] - x[4]
        return [(x[0] + s12) + s34, d12 + 2 * d34, s12 + 4 * s34, (d12 + 8 * d34) + x[5]]
    }
    static func a(_ u: [Float]) -> [Float] {
        let e = u[0] + u[2], o = u[1] + u[3], e4 = u[0] + 4 * u[2], o4 = 2 * u[1] + 8 * u[3]
        return [u[0], e + o, e - o, e4 + o4, e4 - o4, u[3]]
    }

    // MARK: Reference loops

    override class func input(_ x: [Float], _ s: Winograd.Shape, ld: Int) -> [Float] {
        var v = [Float](repeating: .nan, count: 36 * s.channels * ld)
        for ch in 0..<s.channels { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let r = (0..<6).map { a in bt((0..<6).map { at(x, s, ch, p, 4 * i - 1 + a, 4 * j - 1 + $0) }) }
            for col in 0..<6 {
                let y = bt((0..<6).map { r[$0][col] })
                for a in 0..<6 { v[((6 * a + col) * s.channels + ch) * ld + column(s, p, i, j)] = y[a] }
            }
        } } } }
        return v
    }

    override class func output(_ m: [Float], ld: Int, _ s: Winograd.Shape, into y0: [Float]) -> [Float] {
        var y = y0
        let o = s.outChannels
        for ch in 0..<o { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let sRows = (0..<6).map { a in at((0..<6).map { m[((6 * a + $0) * o + ch) * ld + column(s, p, i, j)] }) }
            let out = (0..<4).map { col in at((0..<6).map { sRows[$0][col] }) }   // out[col][r]
            for r in 0..<4 where 4 * i + r < s.height { for col in 0..<4 where 4 * j + col < s.width {
                y[((ch * s.planes + p) * s.height + 4 * i + r) * s.width + 4 * j + col] = out[col][r]
            } }
        } } } }
        return y
    }

    override class func outputGradient(_ dy: [Float], _ s: Winograd.Shape, ld: Int) -> [Float] {
        let o = s.outChannels
        var dm = [Float](repeating: .nan, count: 36 * o * ld)
        for ch in 0..<o { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let w = (0..<4).map { r in a((0..<4).map { at(dy, s, ch, p, 4 * i + r, 4 * j + $0) }) }
            for col in 0..<6 {
                let z = a((0..<4).map { w[$0][col] })
                for k in 0..<6 { dm[((6 * k + col) * o + ch) * ld + column(s, p, i, j)] = z[k] }
            }
        } } } }
        return dm
    }

    /// Per tile row: the patches summed in a zeroed six-row buffer, whose first two rows are then added to the padded
    /// plane (after the first tile row) and the other four copied.
    override class func inputGradient(_ dv: [Float], ld: Int, _ s: Winograd.Shape, into dx0: [Float]) -> [Float] {
        var dx = dx0
        let (c, wp) = (s.channels, 4 * s.tileCols + 2)
        for ch in 0..<c { for p in range {
            var plane = [Float](repeating: 0, count: (4 * s.tileRows + 2) * wp)
            for i in 0..<s.tileRows {
                var buf = [Float](repeating: 0, count: 6 * wp)
                for j in 0..<s.tileCols {
                    let t = (0..<6).map { k in b((0..<6).map { dv[((6 * k + $0) * c + ch) * ld + column(s, p, i, j)] }) }
                    for col in 0..<6 {
                        let patch = b((0..<6).map { t[$0][col] })
                        for k1 in 0..<6 { buf[k1 * wp + 4 * j + col] += patch[k1] }
                    }
                }
                for k1 in 0..<6 { for x in 0..<wp {
                    if k1 < 2 && i > 0 { plane[(4 * i + k1) * wp + x] += buf[k1 * wp + x] } else { plane[(4 * i + k1) * wp + x] = buf[k1 * wp + x] }
                } }
            }
            for r in 0..<s.height { for x in 0..<s.width {
                dx[((ch * s.planes + p) * s.height + r) * s.width + x] = plane[(r + 1) * wp + x + 1]
            } }
        } }
        return dx
    }

    // MARK: Tests (the transforms' are inherited)

    /// U = G g Gᵀ and its transpose: a kernel that is 1 at one tap gives G's column products, and the weight gradient
    /// of U's transform is its adjoint (⟨dU, T(g)⟩ = ⟨T*(dU), g⟩).
    func testWeightTransformAndItsAdjoint() {
        let (o, c) = (3, 2)
        let g = Self.values(o * c * 9, seed: 17), du = Self.values(36 * o * c, seed: 18)
        let geometry = Conv2d(c, o, kernel: 3, padding: 1).geometry(forShape: [c, 1, 8, 8])
        let s = Winograd.Shape(geometry, outChannels: o, tile: 4)
        var u = [Float](repeating: .nan, count: 36 * o * c), dw = [Float](repeating: 0, count: o * c * 9)
        Winograd.transformWeights(g, s, into: &u)
        Winograd.accumulateWeightGradient(du, s, into: &dw)
        let gRows: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                 [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        var lhs = 0.0, rhs = 0.0
        for oc in 0..<(o * c) {
            for a in 0..<6 { for bb in 0..<6 {
                var expected = 0.0
                for r in 0..<3 { for q in 0..<3 { expected += gRows[a][r] * Double(g[oc * 9 + 3 * r + q]) * gRows[bb][q] } }
                let got = Double(u[(6 * a + bb) * o * c + oc])
                XCTAssertEqual(got, expected, accuracy: 1e-5 * max(1, abs(expected)), "U[\(a)][\(bb)] of kernel \(oc)")
                lhs += Double(du[(6 * a + bb) * o * c + oc]) * expected
            } }
            for k in 0..<9 { rhs += Double(dw[oc * 9 + k]) * Double(g[oc * 9 + k]) }
        }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)))
    }
}
