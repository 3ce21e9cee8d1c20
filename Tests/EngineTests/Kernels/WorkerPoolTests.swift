import XCTest
import Dispatch
import Synchronization
@testable import EngineCore

/// `WorkerPool`: every chunk of a region runs exactly once, whichever thread takes it; a pool used right after it is
/// created joins the first region (its helpers may start later); a region started inside another, or from a second
/// thread while one runs, is refused so the caller runs it inline (no deadlock, nothing lost).
final class WorkerPoolTests: XCTestCase {
    func testEveryChunkRunsOnceOverManyRegionsOnAFreshPool() {
        for helpers in [1, 3] {
            let pool = WorkerPool(helpers: helpers)   // fresh: the first region races the helpers' start
            for region in 0..<2_000 {
                let count = 1 + region % 17
                let hits = Mutex([Int](repeating: 0, count: count))
                XCTAssertTrue(pool.run(count) { i in hits.withLock { $0[i] += 1 } })
                XCTAssertEqual(hits.withLock { $0 }, [Int](repeating: 1, count: count), "region \(region)")
            }
        }
    }

    func testHelpersThatFellAsleepWakeForTheNextRegion() {
        let pool = WorkerPool(helpers: 1)
        for _ in 0..<3 {
            usleep(20_000)   // longer than the spin: the helper sleeps on its semaphore
            let sum = Atomic<Int>(0)
            XCTAssertTrue(pool.run(64) { i in sum.wrappingAdd(i, ordering: .relaxed) })
            XCTAssertEqual(sum.load(ordering: .relaxed), 64 * 63 / 2)
        }
    }

    func testANestedRegionIsRefusedAndParallelRunsItInline() {
        let pool = WorkerPool(helpers: 1)
        let nestedRefused = Atomic<Int>(0)
        XCTAssertTrue(pool.run(4) { _ in
            if !pool.run(2, { _ in }) { nestedRefused.wrappingAdd(1, ordering: .relaxed) }
        })
        XCTAssertEqual(nestedRefused.load(ordering: .relaxed), 4)
        // Through Parallel: an inner forChunks inside an outer one still covers its whole range.
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = 2
        let total = Atomic<Int>(0)
        Parallel.forChunks(8) { outer in
            for _ in outer { Parallel.forChunks(100) { inner in total.wrappingAdd(inner.count, ordering: .relaxed) } }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 800)
    }

    func testTwoCallingThreadsBothComplete() {
        let pool = WorkerPool(helpers: 1)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<500 {
                let sum = Atomic<Int>(0)
                if !pool.run(10, { i in sum.wrappingAdd(i, ordering: .relaxed) }) {
                    for i in 0..<10 { sum.wrappingAdd(i, ordering: .relaxed) }
                }
                if sum.load(ordering: .relaxed) == 45 { done.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(done.load(ordering: .relaxed), 1_000)
    }
}
