import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

final class PhiloxTests: XCTestCase {
    /// The Random123 known-answer vector for Philox4x32-10 with key (0xa4093822, 0x299f31d0) and counter
    /// (0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344): output (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1).
    func testKnownAnswer() {
        var p = Philox(seed: 0x299f_31d0_a409_3822)
        p = Philox(state: [0xa409_3822, 0x299f_31d0, 0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344, 4, 0])
        XCTAssertEqual([p.next(), p.next(), p.next(), p.next()], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    func testSameSeedSameStreamAndStateRoundTrip() {
        var a = Philox(seed: 7), b = Philox(seed: 7)
        for _ in 0..<5 { _ = a.next() }
        for _ in 0..<5 { _ = b.next() }
        _ = a.nextNormal()
        _ = b.nextNormal()
        XCTAssertEqual(a, b)
        var c = Philox(state: a.state)   // mid-block, with a pending normal
        XCTAssertEqual((0..<11).map { _ in a.nextNormal() }, (0..<11).map { _ in c.nextNormal() })
        XCTAssertEqual((0..<10).map { _ in a.next() }, (0..<10).map { _ in c.next() })
        XCTAssertNotEqual(Philox(seed: 7).fork(stream: 1).state, Philox(seed: 7).fork(stream: 2).state)
    }

    func testDistributions() {
        var p = Philox(seed: 1)
        let n = 100_000
        var sum = 0.0, sumSq = 0.0, below = 0
        for _ in 0..<n {
            let z = Double(p.nextNormal()); sum += z; sumSq += z * z
            if p.nextFloat() < 0.25 { below += 1 }
        }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.02)
        XCTAssertEqual(sumSq / Double(n), 1, accuracy: 0.02)
        XCTAssertEqual(Double(below) / Double(n), 0.25, accuracy: 0.01)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[p.nextInt(in: 0..<3)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
    }
}
