import Foundation
import XCTest

/// End to end: a headless `reel train`, then `reel tui --watch` on its work dir under tmux. What the watcher shows
/// is compared with the run's own figures (its files, best.json and events.jsonl); a second run into the same
/// work dir replaces the first on screen instead of mixing with it.
final class WatchTmuxTests: XCTestCase {
    var session = "reel-watch-\(getpid())"

    /// tmux through popen/pclose; the server it may start gets /dev/null, not a pipe of ours (as DashboardTmuxTests).
    @discardableResult
    func tmux(_ args: [String]) -> String {
        let quoted = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        guard let f = popen("tmux \(quoted) 2>/dev/null </dev/null", "r") else { return "" }
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        pclose(f)
        return String(decoding: out, as: UTF8.self)
    }

    func screen() -> String { tmux(["capture-pane", "-t", session, "-p"]) }
    func keys(_ k: String) { tmux(["send-keys", "-t", session, k]); usleep(150_000) }

    @discardableResult
    func waitFor(_ what: String, timeout: Double = 60, _ predicate: (String) -> Bool) -> String {
        let end = Date().addingTimeInterval(timeout)
        var s = screen()
        while !predicate(s) && Date() < end { usleep(200_000); s = screen() }
        XCTAssertTrue(predicate(s), "waiting for \(what); screen:\n\(s)")
        return s
    }

    /// The run's own account: its checkpoint files (written since `since`; `latest` is a copy), its best score and
    /// epoch from best.json, and its batches per epoch from the first line of its record.
    func figures(_ work: URL, since: Date) throws -> (checkpoints: Int, best: String, bestEpoch: Int, itersPerEpoch: Int) {
        let names = try FileManager.default.contentsOfDirectory(atPath: work.path)
        let mine = try names.filter { $0.hasSuffix(".safetensors") && $0 != "latest.safetensors" }.filter { name in
            let modified = try FileManager.default.attributesOfItem(atPath: work.appendingPathComponent(name).path)[.modificationDate] as! Date
            return modified >= since
        }
        let best = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("best.json"))) as! [String: Any]
        let lines = try String(contentsOf: work.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n")
        let started = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .last { $0["type"] as? String == "started" }!
        return (mine.count, String(format: "%.4f", best["best_score"] as! Double), best["epoch"] as! Int, started["iters_per_epoch"] as! Int)
    }

    func testWatchShowsTheFinishedRunAsItWasAndASecondRunReplacesIt() throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/tmux") else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let dir = try ReelProcess.tempDir(self)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("configs/demo"), to: dir.appendingPathComponent("configs/demo"))
        try FileManager.default.copyItem(at: repo.appendingPathComponent("themes"), to: dir.appendingPathComponent("themes"))
        let made = try ReelProcess.run(["data", "demo", "data/demo", "--videos-per-class", "4", "--frames", "8"], cwd: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        func train(epochs: Int) throws {
            let run = try ReelProcess.run(["train", "configs/demo/tsm_r18_demo.py", "--no-tui", "--validate", "--seed", "7",
                                           "--cfg-options", "total_epochs=\(epochs)"], cwd: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let work = dir.appendingPathComponent("work_dirs/tsm_r18_demo")
        let firstStart = Date()
        try train(epochs: 2)
        let first = try figures(work, since: firstStart)

        addTeardownBlock { [self] in tmux(["kill-session", "-t", session]) }
        let command = "cd \(dir.path) && \(ReelProcess.binary.path) tui --watch work_dirs/tsm_r18_demo; echo REEL_EXIT=$?; sleep 60"
        let quotedCommand = "'" + command.replacingOccurrences(of: "'", with: "'\\''") + "'"
        _ = system("tmux new-session -d -s \(session) -x 140 -y 40 \(quotedCommand) >/dev/null 2>&1 </dev/null")
        var s = waitFor("the finished run") { $0.contains("● FINISHED") }
        let total = 2 * first.itersPerEpoch
        for text in ["reached max_epochs=2", "run 1 of 1", "epoch 2/2", "\(total)/\(total) eta", "checkpoints  \(first.checkpoints) ",
                     "\(first.bestEpoch) ◆", "best \(first.best)", "Epoch(val) [2]", "watching: finished"] {
            XCTAssertTrue(s.contains(text), "'\(text)' in\n\(s)")
        }
        XCTAssertFalse(s.contains("RUNNING"), s)
        // The Config screen shows the run's config.
        keys("1")
        waitFor("the run's config") { $0.contains("tsm_r18_demo.py") && $0.contains("optimizer = SGD") }
        keys("2")

        // A second run into the same work dir: the watcher switches to it and shows nothing of the first.
        let secondStart = Date()
        try train(epochs: 1)
        let second = try figures(work, since: secondStart)
        s = waitFor("the second run") { $0.contains("run 2 of 2") && $0.contains("● FINISHED") }
        for text in ["reached max_epochs=1", "epoch 1/1", "\(second.itersPerEpoch)/\(second.itersPerEpoch) eta",
                     "checkpoints  \(second.checkpoints) ", "1 ◆", "best \(second.best)"] {
            XCTAssertTrue(s.contains(text), "'\(text)' in\n\(s)")
        }
        XCTAssertFalse(s.contains("epoch 2/2") || s.contains("Epoch(val) [2]") || s.contains("\(total)/\(total)"), s)
        // [ goes back to the first run.
        keys("[")
        waitFor("the first run again") { $0.contains("run 1 of 2") && $0.contains("epoch 2/2") && $0.contains("best \(first.best)") }
        keys("q")
        let end = waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
    }
}
