import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// F17: SIGHUP, SIGINT and SIGTERM become one stop command; a repeat goes to `onRepeat` with the first signal.
final class StopSignalsTests: XCTestCase {
    final class Received: @unchecked Sendable {
        let lock = NSLock()
        var first: [Int32] = [], repeats: [Int32] = []
        func add(_ s: Int32, repeat r: Bool) { lock.lock(); if r { repeats.append(s) } else { first.append(s) }; lock.unlock() }
        var snapshot: ([Int32], [Int32]) { lock.lock(); defer { lock.unlock() }; return (first, repeats) }
    }

    func waitUntil(_ condition: () -> Bool) {
        let end = Date().addingTimeInterval(5)
        while !condition() && Date() < end { usleep(5_000) }
    }

    func testHangupStopsTheRunAndARepeatReportsTheFirstSignal() {
        let control = RunControl()
        let got = Received()
        let signals = StopSignals(onFirst: { s in got.add(s, repeat: false); control.send(.stop) },
                                  onRepeat: { s in got.add(s, repeat: true) })
        defer { signals.cancel() }
        kill(getpid(), SIGHUP)
        waitUntil { signals.received != nil }
        XCTAssertEqual(signals.received, SIGHUP)
        XCTAssertEqual(control.drain(), [.stop])
        kill(getpid(), SIGTERM)
        waitUntil { !got.snapshot.1.isEmpty }
        XCTAssertEqual(got.snapshot.0, [SIGHUP])
        XCTAssertEqual(got.snapshot.1, [SIGHUP], "a second signal exits with the first one's status")
        XCTAssertEqual(StopSignals.exitStatus(for: SIGHUP), 129)
        XCTAssertEqual(StopSignals.exitStatus(for: SIGINT), 130)
        XCTAssertEqual(StopSignals.exitStatus(for: SIGTERM), 143)
    }

    func testInterruptFromAnotherThreadIsCaught() {
        let control = RunControl()
        let signals = StopSignals(onFirst: { _ in control.send(.stop) }, onRepeat: { _ in })
        defer { signals.cancel() }
        Thread { kill(getpid(), SIGINT) }.start()
        waitUntil { signals.received != nil }
        XCTAssertEqual(signals.received, SIGINT)
        XCTAssertEqual(control.drain(), [.stop])
    }
}
