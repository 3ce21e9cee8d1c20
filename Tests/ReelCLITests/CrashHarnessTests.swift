import Foundation
import XCTest

/// The crash harness (`make crashtest`: 50 trials; `make test`: 6): `kill -9` the headless `reel train` of the demo
/// workspace (3 epochs, a checkpoint every epoch, a log line every iteration) at random points — after a random
/// delay, the moment the k-th temp file of an atomic write (config copy, checkpoint) appears, and 1–10 ms after a
/// "Saving checkpoint" line — then check that every checkpoint present loads, `--auto-resume` reaches the end, no
/// temp file is left after the resume, and every `.log.json` line parses.
///
/// REEL_CRASHTEST_TRIALS sets the number of trials, REEL_CRASHTEST_SEED the kill points (printed with the summary).
final class CrashHarnessTests: XCTestCase {
    enum KillPoint: CustomStringConvertible {
        case delay(Double)
        case tempFile(Int, extraMicroseconds: UInt32)
        case afterSaving(epoch: Int, microseconds: UInt32)
        var description: String {
            switch self {
            case .delay(let s): String(format: "after %.2f s", s)
            case .tempFile(let k, let us): "when temp file #\(k) appears (+\(us) µs)"
            case .afterSaving(let e, let us): "\(us) µs after 'Saving checkpoint at \(e) epochs'"
            }
        }
    }

    struct Tally {
        var trials = 0, killedInsideWrite = 0, finishedBeforeKill = 0, checkpoints = 0, loads = 0, resumes = 0
        var leftovers: [String] = [], logFailures: [String] = []
    }

    /// SplitMix64: kill points repeat for a seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    func testKillNineAnywhereLeavesLoadableCheckpointsAndAResumableRun() throws {
        let env = ProcessInfo.processInfo.environment
        let trials = env["REEL_CRASHTEST_TRIALS"].flatMap { Int($0) } ?? 6
        let seed = env["REEL_CRASHTEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0..<1_000_000)
        var random = Random(state: seed)
        let ws = try DemoWorkspace(self)
        let start = Date()
        let clean = try ws.run(ws.train(workDir: ws.path("clean"), epochs: 3))
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let cleanSeconds = Date().timeIntervalSince(start)

        var tally = Tally()
        for trial in 0..<trials {
            let point: KillPoint
            switch trial % 3 {
            case 0: point = .delay(0.05 + random.unit() * cleanSeconds)
            case 1: point = .tempFile(random.int(1...4), extraMicroseconds: UInt32(random.int(0...5000)))
            default: point = .afterSaving(epoch: random.int(1...3), microseconds: UInt32(random.int(1000...10000)))
            }
            try runTrial(trial, point, ws, &tally)
        }
        let summary = "crashtest: \(tally.trials) trials (seed \(seed)), \(tally.killedInsideWrite) killed inside an atomic write, "
            + "\(tally.finishedBeforeKill) finished before the kill; checkpoints load \(tally.loads)/\(tally.checkpoints); "
            + "resumes ok \(tally.resumes)/\(tally.trials); leftovers after resume \(tally.leftovers.count); "
            + "log parse failures \(tally.logFailures.count); \(String(format: "%.0f", Date().timeIntervalSince(start))) s"
        print(summary)
        XCTAssertEqual(tally.loads, tally.checkpoints, summary)
        XCTAssertEqual(tally.resumes, tally.trials, summary)
        XCTAssertEqual(tally.logFailures, [], summary)
        // Temp files of killed writes are removed by the next run in the work dir (F13).
        XCTAssertEqual(tally.leftovers.count, 0, summary + "; first: " + tally.leftovers.prefix(3).joined(separator: ", "))
    }

    func runTrial(_ trial: Int, _ point: KillPoint, _ ws: DemoWorkspace, _ tally: inout Tally) throws {
        let work = ws.path("trial-\(trial)")
        let run = try ws.start(ws.train(workDir: work, epochs: 3))
        var seen = Set<String>()
        let reached: Bool
        switch point {
        case .delay(let s):
            reached = !run.waitFor(timeout: s) { false } && run.process.isRunning
        case .tempFile(let k, let extra):
            reached = run.waitFor(interval: 0.0002) {
                seen.formUnion(DemoWorkspace.tempFiles(in: work))
                return seen.count >= k
            }
            if reached { usleep(extra) }
        case .afterSaving(let epoch, let us):
            reached = run.waitFor(interval: 0.0005) { run.stdout.contains("Saving checkpoint at \(epoch) epochs") }
            if reached { usleep(us) }
        }
        run.send(SIGKILL)
        let status = run.wait()
        tally.trials += 1
        if status != 128 + SIGKILL || !reached { tally.finishedBeforeKill += 1 }
        if !DemoWorkspace.tempFiles(in: work).isEmpty { tally.killedInsideWrite += 1 }

        for f in (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? [] where f.hasSuffix(".safetensors") {
            tally.checkpoints += 1
            if try ws.verify(work + "/" + f) != nil { tally.loads += 1 } else { XCTFail("trial \(trial) (\(point)): \(f) does not load") }
        }
        let resumed = try ws.run(ws.train(workDir: work, epochs: 3, flags: ["--auto-resume"]))
        if resumed.status == 0, resumed.stdout.contains("Finished after 9 iterations"),
           try ws.verify(work + "/latest.safetensors") == "epoch 3, iter 9" {
            tally.resumes += 1
        } else {
            XCTFail("trial \(trial) (\(point)): the resume failed (\(resumed.status)): \(resumed.stderr)")
        }
        tally.leftovers += DemoWorkspace.tempFiles(in: work).map { "trial \(trial) (\(point)): \($0)" }
        tally.logFailures += DemoWorkspace.unparsableLogLines(in: work).map { "trial \(trial): \($0)" }
    }
}
