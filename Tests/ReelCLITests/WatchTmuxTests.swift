import Foundation
import XCTest

/// End to end: a headless `reel train`, then `reel tui --watch` on its work dir under tmux. What the watcher shows
/// is compared with the run's own figures (its files, best.json and events.jsonl); a second run into the same
/// work dir replaces the first on screen instead of mixing with it.
final class WatchTmuxTests: XCTestCase {
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
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let demo = try DemoWorkspace(self)
        let dir = demo.dir
        func train(epochs: Int) throws {
            let run = try demo.run(["train", demo.config, "--no-tui", "--validate", "--seed", "7", "--work-dir", "work_dirs/tsm_r18_demo",
                                    "--cfg-options", "total_epochs=\(epochs)"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let work = dir.appendingPathComponent("work_dirs/tsm_r18_demo")
        let firstStart = Date()
        try train(epochs: 2)
        let first = try figures(work, since: firstStart)

        let tmux = TmuxSession(self, command: "cd \(dir.path) && \(ReelProcess.binary.path) tui --watch work_dirs/tsm_r18_demo; "
                               + "echo REEL_EXIT=$?; sleep 60", width: 140, height: 40)
        var s = tmux.waitFor("the finished run") { $0.contains("● FINISHED") }
        let total = 2 * first.itersPerEpoch
        for text in ["reached max_epochs=2", "run 1 of 1", "epoch 2/2", "\(total)/\(total) done", "checkpoints  \(first.checkpoints) ",
                     "\(first.bestEpoch) ◆", "best \(first.best)", "Epoch(val) [2]", "watching: finished"] {
            XCTAssertTrue(s.contains(text), "'\(text)' in\n\(s)")
        }
        XCTAssertFalse(s.contains("RUNNING"), s)
        // The Config screen shows the run's config.
        tmux.keys("1")
        tmux.waitFor("the run's config") { $0.contains("tsm_r18_demo.py") && $0.contains("optimizer = SGD") }
        tmux.keys("2")

        // A second run into the same work dir: the watcher switches to it and shows nothing of the first.
        let secondStart = Date()
        try train(epochs: 1)
        let second = try figures(work, since: secondStart)
        s = tmux.waitFor("the second run") { $0.contains("run 2 of 2") && $0.contains("● FINISHED") }
        for text in ["reached max_epochs=1", "epoch 1/1", "\(second.itersPerEpoch)/\(second.itersPerEpoch) done",
                     "checkpoints  \(second.checkpoints) ", "1 ◆", "best \(second.best)"] {
            XCTAssertTrue(s.contains(text), "'\(text)' in\n\(s)")
        }
        XCTAssertFalse(s.contains("epoch 2/2") || s.contains("Epoch(val) [2]") || s.contains("\(total)/\(total)"), s)
        // [ goes back to the first run.
        tmux.keys("[")
        tmux.waitFor("the first run again") { $0.contains("run 1 of 2") && $0.contains("epoch 2/2") && $0.contains("best \(first.best)") }
        tmux.keys("q")
        let end = tmux.waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
    }
}
