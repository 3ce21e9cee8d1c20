import XCTest
import CKernels
@testable import EngineCore

/// The Winograd activation transforms (C, Sources/Engine/CKernels/WinogradBody.h) under every ISA this CPU has,
/// against plain loops that compute each value with the same additions in the same order: results must be equal
/// bit for bit. Plane sizes cover single tiles, odd edges, planes narrower than a vector (2, 4, 7, 8 tiles: several
/// tile rows per vector) and rows of more tiles than a vector (ragged remainders); a sub-range of planes and a row
/// stride wider than the tiles check the offsets; scratch starts as NaN (the kernels must not rely on its contents).
///
/// Winograd4TransformTests runs the same tests on the F(4×4, 3×3) transforms by overriding the tile, the sizes and the
/// reference loops.
class WinogradTransformTests: ISATestCase {
    /// Tiles per plane 1…784: each vector width an ISA picks (4, 8 or 16 tiles, by the plane's tile count) is used.
    class var sizes: [(h: Int, w: Int)] { [(1, 1), (2, 2), (3, 5), (4, 4), (6, 6), (5, 7), (7, 7), (8, 8), (14, 14),
                                           (16, 16), (17, 9), (28, 28), (56, 56), (9, 40)] }
    class var channelCounts: [Int] { [1, 3, 5] }
    /// The output tile the transforms under test use, and values per transformed tile.
    class var tile: Int { 2 }
    static var points: Int { (tile + 2) * (tile + 2) }
    /// Planes in the tensors, and the range each transform is given (offsets inside V/M and the activations).
    static let planes = 3, range = 1..<3

    /// Runs `body` for every size, channel count and supported ISA.
    func forEachCase(_ body: (Winograd.Shape, _ ld: Int, _ what: String) -> Void) {
        for (h, w) in Self.sizes {
            for c in Self.channelCounts {
                let g = Conv2d(c, c, kernel: 3, padding: 1).geometry(forShape: [c, Self.planes, h, w])
                let s = Winograd.Shape(g, outChannels: c, tile: Self.tile)
                let ld = Self.range.count * s.tilesPerPlane + 3
                forEachISA { isa in body(s, ld, "\(isa) \(h)×\(w) c=\(c)") }
            }
        }
    }

    /// Values of mixed magnitude and sign, so that a different order of additions would round differently.
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(state >> 40) / Float(1 << 24) - 0.5
            return u * [1, 1e3, 1e-3, 7][Int(state >> 20) % 4]
        }
    }

    func scratch(_ s: Winograd.Shape) -> [Float] { [Float](repeating: .nan, count: s.scratchCount) }

    /// Element (r, c) of plane `p` of channel `ch`, zero outside the plane.
    static func at(_ x: [Float], _ s: Winograd.Shape, _ ch: Int, _ p: Int, _ r: Int, _ c: Int) -> Float {
        r < 0 || c < 0 || r >= s.height || c >= s.width ? 0 : x[((ch * s.planes + p) * s.height + r) * s.width + c]
    }

    // MARK: Reference loops

    class func input(_ x: [Float], _ s: Winograd.Shape, ld: Int) -> [Float] {
        var v = [Float](repeating: .nan, count: 16 * s.channels * ld)
        for ch in 0..<s.channels { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let t = (p - range.lowerBound) * s.tilesPerPlane + i * s.tileCols + j
            let rows = (0..<4).map { a -> [Float] in
                let d = (0..<4).map { at(x, s, ch, p, 2 * i - 1 + a, 2 * j - 1 + $0) }
                return [d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]]
            }
            for b in 0..<4 {
                let values = [rows[0][b] - rows[2][b], rows[1][b] + rows[2][b], rows[2][b] - rows[1][b], rows[1][b] - rows[3][b]]
                for (k, value) in values.enumerated() { v[((4 * k + b) * s.channels + ch) * ld + t] = value }
            }
        } } } }
        return v
    }

    class func output(_ m: [Float], ld: Int, _ s: Winograd.Shape, into y0: [Float]) -> [Float] {
        var y = y0
        let o = s.outChannels
        for ch in 0..<o { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let t = (p - range.lowerBound) * s.tilesPerPlane + i * s.tileCols + j
            func mm(_ xi: Int) -> Float { m[(xi * o + ch) * ld + t] }
            let e = (0..<4).map { a in mm(4 * a) + mm(4 * a + 1) + mm(4 * a + 2) }
            let d = (0..<4).map { a in mm(4 * a + 1) - mm(4 * a + 2) - mm(4 * a + 3) }
            let block = [[e[0] + e[1] + e[2], d[0] + d[1] + d[2]], [e[1] - e[2] - e[3], d[1] - d[2] - d[3]]]
            for r in 0..<2 where 2 * i + r < s.height { for c in 0..<2 where 2 * j + c < s.width {
                y[((ch * s.planes + p) * s.height + 2 * i + r) * s.width + 2 * j + c] = block[r][c]
            } }
        } } } }
        return y
    }

    class func outputGradient(_ dy: [Float], _ s: Winograd.Shape, ld: Int) -> [Float] {
        let o = s.outChannels
        var dm = [Float](repeating: .nan, count: 16 * o * ld)
        for ch in 0..<o { for p in range { for i in 0..<s.tileRows { for j in 0..<s.tileCols {
            let t = (p - range.lowerBound) * s.tilesPerPlane + i * s.tileCols + j
            let u = (0..<2).map { r -> [Float] in
                let y0 = at(dy, s, ch, p, 2 * i + r, 2 * j), y1 = at(dy, s, ch, p, 2 * i + r, 2 * j + 1)
                return [y0, y0 + y1, y0 - y1, 0 - y1]
            }
            for b in 0..<4 {
                let values = [u[0][b], u[0][b] + u[1][b], u[0][b] - u[1][b], 0 - u[1][b]]
                for (k, value) in values.enumerated() { dm[((4 * k + b) * o + ch) * ld + t] = value }
            }
        } } } }
        return dm
    }

    /// The patches B·dV·Bᵀ added into a zero padded plane, tile row by tile row; in each window row first every
    /// tile's columns 0 and 1, then every tile's columns 2 and 3.
    class func inputGradient(_ dv: [Float], ld: Int, _ s: Winograd.Shape, into dx0: [Float]) -> [Float] {
        var dx = dx0
        let (c, wp) = (s.channels, s.width + 3)
        for ch in 0..<c { for p in range {
            var acc = [Float](repeating: 0, count: (s.height + 3) * wp)
            for i in 0..<s.tileRows {
                let patches = (0..<s.tileCols).map { j -> [[Float]] in
                    let t = (p - range.lowerBound) * s.tilesPerPlane + i * s.tileCols + j
                    let w = (0..<4).map { a -> [Float] in
                        let v = (0..<4).map { dv[((4 * a + $0) * c + ch) * ld + t] }
                        return [v[0], v[1] - v[2] + v[3], v[1] + v[2] - v[0], 0 - v[3]]
                    }
                    return [w[0], (0..<4).map { w[1][$0] - w[2][$0] + w[3][$0] },
                            (0..<4).map { w[1][$0] + w[2][$0] - w[0][$0] }, w[3].map { 0 - $0 }]
                }
                for a in 0..<4 {
                    let row = (2 * i + a) * wp
                    for j in 0..<s.tileCols { acc[row + 2 * j] += patches[j][a][0]; acc[row + 2 * j + 1] += patches[j][a][1] }
                    for j in 0..<s.tileCols { acc[row + 2 * j + 2] += patches[j][a][2]; acc[row + 2 * j + 3] += patches[j][a][3] }
                }
            }
            for r in 0..<s.height { for x in 0..<s.width {
                dx[((ch * s.planes + p) * s.height + r) * s.width + x] = acc[(r + 1) * wp + x + 1]
            } }
        } }
        return dx
    }

    // MARK: Tests

    func testInputTransform() {
        forEachCase { s, ld, what in
            let x = Self.values(s.channels * s.planes * s.plane, seed: 1)
            var v = [Float](repeating: .nan, count: Self.points * s.channels * ld), scratch = scratch(s)
            Winograd.transformInput(x, s, planes: Self.range, into: &v, ld: ld, scratch: &scratch)
            XCTAssertEqual(v.map(\.bitPattern), Self.input(x, s, ld: ld).map(\.bitPattern), what)
        }
    }

    func testOutputTransform() {
        forEachCase { s, ld, what in
            let m = Self.values(Self.points * s.outChannels * ld, seed: 2)
            // Planes outside the range keep their values.
            let y0 = Self.values(s.outChannels * s.planes * s.plane, seed: 3)
            var y = y0
            Winograd.transformOutput(m, ld: ld, s, planes: Self.range, into: &y)
            XCTAssertEqual(y.map(\.bitPattern), Self.output(m, ld: ld, s, into: y0).map(\.bitPattern), what)
        }
    }

    func testOutputGradientTransform() {
        forEachCase { s, ld, what in
            let dy = Self.values(s.outChannels * s.planes * s.plane, seed: 4)
            var dm = [Float](repeating: .nan, count: Self.points * s.outChannels * ld), scratch = scratch(s)
            Winograd.transformOutputGradient(dy, s, planes: Self.range, into: &dm, ld: ld, scratch: &scratch)
            XCTAssertEqual(dm.map(\.bitPattern), Self.outputGradient(dy, s, ld: ld).map(\.bitPattern), what)
        }
    }

    func testInputGradientTransform() {
        forEachCase { s, ld, what in
            let dv = Self.values(Self.points * s.channels * ld, seed: 5)
            let dx0 = Self.values(s.channels * s.planes * s.plane, seed: 6)
            var dx = dx0, scratch = scratch(s)
            Winograd.transformInputGradient(dv, ld: ld, s, planes: Self.range, into: &dx, scratch: &scratch)
            XCTAssertEqual(dx.map(\.bitPattern), Self.inputGradient(dv, ld: ld, s, into: dx0).map(\.bitPattern), what)
        }
    }

    /// A zero input gives +0 everywhere (no −0 from a negation where the algebra subtracts from zero).
    func testZeroSigns() {
        forEachCase { s, ld, what in
            let dv = [Float](repeating: 0, count: Self.points * s.channels * ld)
            var dx = [Float](repeating: .nan, count: s.channels * s.planes * s.plane), scratch = scratch(s)
            Winograd.transformInputGradient(dv, ld: ld, s, planes: Self.range, into: &dx, scratch: &scratch)
            for ch in 0..<s.channels {
                let planes = (ch * s.planes + Self.range.lowerBound) * s.plane..<(ch * s.planes + Self.range.upperBound) * s.plane
                XCTAssertEqual(dx[planes].map(\.bitPattern), [UInt32](repeating: 0, count: planes.count), what)
            }
        }
    }
}
