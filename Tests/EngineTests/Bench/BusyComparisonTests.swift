import XCTest
@testable import EngineTraining

/// `reel bench --busy` alternates quiet and busy blocks and counts every call of each under its own condition.
final class BusyComparisonTests: XCTestCase {
    func testBlocksAlternateAndEachCallIsCountedUnderItsCondition() throws {
        var loadRunning = false, starts = 0, log: [Bool] = []
        let r = try BusyComparison.run(rounds: 2, perBlock: 3, warmup: 1, settle: 0,
                                       startLoad: { starts += 1; loadRunning = true; return { loadRunning = false } }) {
            log.append(loadRunning)
            usleep(loadRunning ? 4000 : 1000)
        }
        XCTAssertEqual(starts, 2)
        XCTAssertEqual(log, [false] + [false, false, false, true, true, true] + [false, false, false, true, true, true])
        XCTAssertEqual(r.quiet.runs, 6)
        XCTAssertEqual(r.busy.runs, 6)
        XCTAssertGreaterThan(r.ratio, 1.5, "busy calls slept 4 ms, quiet ones 1 ms")
    }
}
