import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// SampleFrames index sets, worked from SEMANTICS.md §5.2–5.3 (start_index 1 unless noted).
final class SampleFramesTests: XCTestCase {
    func sampler(_ text: String) throws -> SampleFrames {
        let t = "s = " + text + "\n"
        let c = try ConfigLoader(read: { _ in t }).load("/s.py")
        return try SampleFrames(config: c.root["s"]!, files: c.files)
    }

    func testTestModeTSN1x1x8() throws {
        var rng = Philox(seed: 0)
        let s = try sampler("dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True)")
        // a = 12.5: offsets trunc(12.5k + 6.25) = 6, 18, 31, 43, 56, 68, 81, 93.
        XCTAssertEqual(s.indices(totalFrames: 100, rng: &rng), [7, 19, 32, 44, 57, 69, 82, 94])
        var twice = s
        twice.twiceSample = true
        XCTAssertEqual(twice.indices(totalFrames: 100, rng: &rng), [7, 19, 32, 44, 57, 69, 82, 94, 1, 13, 26, 38, 51, 63, 76, 88])
    }

    func testTrainModeSegmentsStayInTheirSegment() throws {
        let s = try sampler("dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8)")
        var rng = Philox(seed: 1)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let idx = s.indices(totalFrames: 100, rng: &rng)
            XCTAssertEqual(idx.count, 8)
            for (k, i) in idx.enumerated() {
                XCTAssertTrue((12 * k + 1)...(12 * k + 12) ~= i, "clip \(k): \(i)")   // 12k + U, U ∈ [0, 11], +1
                seen.insert(i - 12 * k)
            }
        }
        XCTAssertEqual(seen, Set(1...12), "every offset in [0, a) is reachable")
    }

    func testLongClips() throws {
        var rng = Philox(seed: 2)
        let test = try sampler("dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1, test_mode=True)")
        XCTAssertEqual(test.indices(totalFrames: 100, rng: &rng), Array(stride(from: 19, through: 79, by: 4)))
        let loop = try sampler("dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1)")
        XCTAssertEqual(loop.indices(totalFrames: 40, rng: &rng),
                       Array(stride(from: 1, through: 39, by: 2)) + Array(stride(from: 1, through: 23, by: 2)))
        let repeatLast = try sampler("dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1, out_of_bound_opt='repeat_last')")
        XCTAssertEqual(repeatLast.indices(totalFrames: 40, rng: &rng),
                       Array(stride(from: 1, through: 39, by: 2)) + [Int](repeating: 39, count: 12))
        let ten = try sampler("dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=10, test_mode=True)")
        let starts = stride(from: 0, to: 320, by: 32).map { ten.indices(totalFrames: 250, startIndex: 0, rng: &rng)[$0] }
        XCTAssertEqual(starts, [9, 28, 46, 65, 84, 102, 121, 140, 158, 177])
    }

    func testShortVideoBranchUsesHalfEvenRounding() throws {
        var rng = Philox(seed: 3)
        let s = try sampler("dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8)")
        // N = 5: a = 0 and N ≤ 8 → round_half_even(0.625k) = 0, 1, 1, 2, 2, 3, 4, 4 (2.5 → 2).
        XCTAssertEqual(s.indices(totalFrames: 5, rng: &rng), [1, 2, 2, 3, 3, 4, 5, 5])
        // N = 12 > max(C, L): 8 sorted draws from [0, 12).
        for _ in 0..<100 {
            let idx = s.indices(totalFrames: 12, rng: &rng)
            XCTAssertEqual(idx, idx.sorted())
            XCTAssertTrue(idx.allSatisfy { (1...12).contains($0) })
        }
    }

    func testJitterKeepTailAndDense() throws {
        var rng = Philox(seed: 4)
        let jitter = try sampler("dict(type='SampleFrames', clip_len=4, frame_interval=3, num_clips=1, temporal_jitter=True, test_mode=True)")
        for _ in 0..<50 {
            let idx = jitter.indices(totalFrames: 100, startIndex: 0, rng: &rng)
            // Test offset trunc((100 − 12 + 1)/2) = 44; each index 44 + 3j + U, U ∈ [0, 3).
            for (j, i) in idx.enumerated() { XCTAssertTrue((44 + 3 * j)..<(47 + 3 * j) ~= i) }
        }
        let tail = try sampler("dict(type='SampleFrames', clip_len=1, num_clips=4, keep_tail_frames=True)")
        for _ in 0..<100 {
            let idx = tail.indices(totalFrames: 10, startIndex: 0, rng: &rng)
            for (k, i) in idx.enumerated() { XCTAssertTrue(Int(2.5 * Double(k))...Int(2.5 * Double(k + 1)) ~= i, "\(idx)") }
        }
        let dense = try sampler("dict(type='DenseSampleFrames', clip_len=1, frame_interval=1, num_clips=2, test_mode=True)")
        // N = 100: P = 37, step 32; positions trunc(linspace(0, 36, 10)) = 0, 4, 8, 12, 16, 20, 24, 28, 32, 36.
        let idx = dense.indices(totalFrames: 100, startIndex: 0, rng: &rng)
        XCTAssertEqual(stride(from: 0, to: 20, by: 2).map { idx[$0] }, [0, 4, 8, 12, 16, 20, 24, 28, 32, 36])
        XCTAssertEqual(idx[1], 32)
    }

    func testBadArgumentsAreLocated() {
        XCTAssertThrowsError(try sampler("dict(type='SampleFrames', clip_len=0)")) { e in
            XCTAssertEqual((e as? ConfigError)?.message, "clip_len must be at least 1, not 0")
        }
        XCTAssertThrowsError(try sampler("dict(type='SampleFrames', clip_len=1, out_of_bound_opt='wrap')"))
    }
}
