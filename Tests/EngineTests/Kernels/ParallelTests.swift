import Foundation
import Synchronization
import XCTest
@testable import EngineCore

/// The scheduler (issue 15): loops are cut into several chunks per worker, taken dynamically, and what a chunk covers
/// never depends on which thread runs it, so per-chunk partial sums added in chunk order repeat bit for bit.
final class ParallelTests: XCTestCase {
    func testChunkCounts() {
        XCTAssertEqual(Parallel.chunkCount(1000, workers: 1), 1, "one worker: one chunk, as before chunking")
        XCTAssertEqual(Parallel.chunkCount(1000, workers: 2), 8)
        XCTAssertEqual(Parallel.chunkCount(5, workers: 2), 5, "never more chunks than items")
        XCTAssertEqual(Parallel.chunkCount(3 << 16, grain: 1 << 16, workers: 2), 3, "at least `grain` items a chunk")
        XCTAssertEqual(Parallel.chunkCount(1000, grain: 1 << 16, workers: 2), 1)
        XCTAssertEqual(Parallel.chunkCount(0, workers: 2), 1)
    }

    func testChunksAreBalancedContiguousAndInOrder() {
        XCTAssertEqual((0..<8).map { Parallel.chunk($0, of: 8, count: 10) },
                       [0..<1, 1..<2, 2..<3, 3..<5, 5..<6, 6..<7, 7..<8, 8..<10])
        for count in 1...40 {
            for chunks in 1...min(count, 9) {
                let ranges = (0..<chunks).map { Parallel.chunk($0, of: chunks, count: count) }
                XCTAssertEqual(ranges.first?.lowerBound, 0)
                XCTAssertEqual(ranges.last?.upperBound, count)
                XCTAssertTrue(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                XCTAssertTrue(ranges.allSatisfy { $0.count == count / chunks || $0.count == count / chunks + 1 })
            }
        }
    }

    /// Every chunk runs exactly once with its own index and range, even when some chunks are slow (a thread that
    /// loses its core), and `forChunks` covers the same ranges.
    func testEachChunkRunsOnceWithItsFixedRange() {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = 2
        let seen = Mutex<[Int: Range<Int>]>([:])
        Parallel.forWorkers(100) { i, r in
            if i % 3 == 0 { usleep(2000) }
            seen.withLock { XCTAssertNil($0.updateValue(r, forKey: i)) }
        }
        let expected = (0..<8).map { Parallel.chunk($0, of: 8, count: 100) }
        XCTAssertEqual(seen.withLock { m in (0..<8).map { m[$0] } }, expected)
        XCTAssertEqual(Parallel.workerCount(100), 8)
        let ranges = Mutex<[Range<Int>]>([])
        Parallel.forChunks(100) { r in ranges.withLock { $0.append(r) } }
        XCTAssertEqual(ranges.withLock { $0.sorted { $0.lowerBound < $1.lowerBound } }, expected)
    }

    /// A float sum with one partial per chunk, added in chunk order: the same bits on every run however the chunks
    /// land on threads (random delays shuffle which thread takes which), and with one worker the plain loop's bits.
    func testChunkPartialSumsRepeatBitForBit() {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        var rng = SystemRandomNumberGenerator()
        let values = (0..<10_000).map { _ in Float.random(in: -1...1, using: &rng) * 1e3 }
        func sum() -> Float {
            var partial = [Float](repeating: 0, count: Parallel.workerCount(values.count))
            partial.withUnsafeMutableBufferPointer { p in
                let base = p.baseAddress!
                Parallel.forWorkers(values.count) { i, r in
                    if Int.random(in: 0..<4) == 0 { usleep(UInt32.random(in: 0..<500)) }
                    var s: Float = 0
                    for j in r { s += values[j] }
                    base[i] = s
                }
            }
            return partial.reduce(0, +)
        }
        Parallel.workers = 2
        let first = sum()
        for _ in 0..<20 { XCTAssertEqual(sum().bitPattern, first.bitPattern) }
        Parallel.workers = 1
        XCTAssertEqual(sum().bitPattern, values.reduce(0, +).bitPattern)
    }
}
