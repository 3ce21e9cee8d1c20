import Foundation
import XCTest

/// F17, headless: SIGHUP (closed terminal, ssh drop), SIGINT and SIGTERM finish the iteration, save `iter_N` and
/// `latest`, and exit 128 + the signal. Before, SIGHUP killed the run at once and saved nothing of the epoch.
final class SignalTests: XCTestCase {
    func testEachStopSignalSavesTheRunningEpochAndExitsWithItsStatus() throws {
        let ws = try DemoWorkspace(self)
        for (signal, name) in [(SIGHUP, "SIGHUP"), (SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            let work = ws.path("w-\(name)")
            let run = try ws.start(ws.train(workDir: work, epochs: 1000, checkpointInterval: 1000))
            XCTAssertTrue(run.waitFor { run.stdout.contains("Epoch [2][1/3]") }, run.stdout + run.stderr)
            run.send(signal)
            XCTAssertEqual(run.wait(), 128 + signal, "\(name): \(run.stderr)")
            let stderr = run.stderr
            let prefix = "reel: stopped by \(name) at iteration "
            let line = try XCTUnwrap(stderr.split(separator: "\n").first { $0.hasPrefix(prefix) }, stderr)
            let n = try XCTUnwrap(Int(line.dropFirst(prefix.count).prefix { $0.isNumber }))
            XCTAssertEqual(String(line), "\(prefix)\(n); saved \(work)/iter_\(n).safetensors")
            XCTAssertGreaterThanOrEqual(n, 4)
            XCTAssertNotNil(try ws.verify(work + "/iter_\(n).safetensors"))
            XCTAssertEqual(try ws.verify(work + "/latest.safetensors")?.hasSuffix("iter \(n)"), true)
            XCTAssertEqual(DemoWorkspace.tempFiles(in: work), [])
        }
        // The saved mid-epoch position resumes to the end.
        let resumed = try ws.run(ws.train(workDir: ws.path("w-SIGHUP"), epochs: 3, flags: ["--auto-resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("Finished after 9 iterations"), resumed.stdout)
    }

    func testASecondSignalQuitsAtOnceWithTheFirstOnesStatus() throws {
        let ws = try DemoWorkspace(self)
        let work = ws.path("w")
        let run = try ws.start(ws.train(workDir: work, epochs: 1000, checkpointInterval: 1000))
        XCTAssertTrue(run.waitFor { run.stdout.contains("Epoch [1][2/3]") })
        run.send(SIGHUP)
        usleep(20_000)
        run.send(SIGTERM)
        XCTAssertEqual(run.wait(), 129, run.stderr)
        XCTAssertTrue(run.stderr.contains("reel: quitting without saving"), run.stderr)
        // Whatever it had written is whole.
        for f in (try FileManager.default.contentsOfDirectory(atPath: work)) where f.hasSuffix(".safetensors") {
            XCTAssertNotNil(try ws.verify(work + "/" + f))
        }
    }

    /// `nohup reel train …` asks for SIGHUP to be ignored: it is.
    func testHangupStaysIgnoredUnderNohup() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/nohup") else { throw XCTSkip("no /usr/bin/nohup") }
        let ws = try DemoWorkspace(self)
        let run = try ws.start(ws.train(workDir: ws.path("w"), epochs: 1000, checkpointInterval: 1000), launcher: "/usr/bin/nohup")
        XCTAssertTrue(run.waitFor { run.stdout.contains("Epoch [1][2/3]") })
        run.send(SIGHUP)
        XCTAssertTrue(run.waitFor(timeout: 30) { run.stdout.contains("Epoch [3][1/3]") }, "training went on: " + run.stderr)
        XCTAssertTrue(run.process.isRunning)
        run.send(SIGTERM)
        XCTAssertEqual(run.wait(), 143, run.stderr)
    }
}
