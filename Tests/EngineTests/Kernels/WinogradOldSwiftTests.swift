import XCTest
@testable import EngineCore

// TEMPORARY: the former Swift transforms against the reference loops (then deleted with them).
final class WinogradOldSwiftTests: XCTestCase {
    typealias T = WinogradTransformTests
    func testOldSwiftMatchesReferences() {
        var differing = 0, total = 0, worst: Float = 0
        for (h, w) in T.sizes { for c in T.channelCounts {
            let g = Conv2d(c, c, kernel: 3, padding: 1).geometry(forShape: [c, T.planes, h, w])
            let s = Winograd.Shape(g, outChannels: c)
            let ld = T.range.count * s.tilesPerPlane + 3
            let what = "\(h)×\(w) c=\(c)"
            var scratch = [Float](repeating: 0, count: 2 * s.swiftScratchCount + 64)
            let x = T.values(s.channels * s.planes * s.plane, seed: 1)
            var v = [Float](repeating: .nan, count: 16 * s.channels * ld + 8)
            Winograd.swift_transformInput(x, s, planes: T.range, into: &v, ld: ld, scratch: &scratch)
            XCTAssertEqual(Array(v[0..<(16 * s.channels * ld)]).map(\.bitPattern), T.input(x, s, ld: ld).map(\.bitPattern), what)
            var m = T.values(16 * s.outChannels * ld, seed: 2); m += [0, 0, 0, 0, 0, 0, 0, 0]
            let y0 = T.values(s.outChannels * s.planes * s.plane, seed: 3)
            var y = y0
            Winograd.swift_transformOutput(m, ld: ld, s, planes: T.range, into: &y)
            XCTAssertEqual(y.map(\.bitPattern), T.output(Array(m[0..<(16 * s.outChannels * ld)]), ld: ld, s, into: y0).map(\.bitPattern), what)
            let dy = T.values(s.outChannels * s.planes * s.plane, seed: 4)
            var dm = [Float](repeating: .nan, count: 16 * s.outChannels * ld)
            scratch = [Float](repeating: 0, count: 2 * s.swiftScratchCount + 64)
            Winograd.swift_transformOutputGradient(dy, s, planes: T.range, into: &dm, ld: ld, scratch: &scratch)
            XCTAssertEqual(dm.map(\.bitPattern), T.outputGradient(dy, s, ld: ld).map(\.bitPattern), what)
            var dv = T.values(16 * s.channels * ld, seed: 5); dv += [0, 0, 0, 0, 0, 0, 0, 0]
            let dx0 = T.values(s.channels * s.planes * s.plane, seed: 6)
            var dx = dx0
            Winograd.swift_transformInputGradient(dv, ld: ld, s, planes: T.range, into: &dx, scratch: &scratch)
            let ref = T.inputGradient(Array(dv[0..<(16 * s.channels * ld)]), ld: ld, s, into: dx0)
            for i in 0..<dx.count {
                total += 1
                if dx[i] != ref[i] { differing += 1; worst = max(worst, abs(dx[i] - ref[i]) / max(abs(ref[i]), 1e-30)) }
                if dx[i] != ref[i] && (i % s.width) % 16 != 15 { XCTFail("\(what) differs at \(i) col \(i % s.width)") ; break }
            }
        } }
        print("old swift input gradient: \(differing) of \(total) differ, worst relative \(worst)")
    }
}
