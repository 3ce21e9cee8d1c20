import Foundation
import XCTest

/// End to end: the real `reel tui` under tmux (send-keys, capture-pane) on a small demo dataset.
final class DashboardTmuxTests: XCTestCase {
    func testEditRunPauseResumeCheckpointAndQuit() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let dir = try ReelProcess.tempDir(self)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("configs/demo"), to: dir.appendingPathComponent("configs/demo"))
        try FileManager.default.copyItem(at: repo.appendingPathComponent("themes"), to: dir.appendingPathComponent("themes"))
        let made = try ReelProcess.run(["data", "demo", "data/demo", "--videos-per-class", "4", "--frames", "8"], cwd: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        let base = dir.appendingPathComponent("configs/demo/_demo_base.py")
        let before = try String(contentsOf: base, encoding: .utf8)

        let tmux = TmuxSession(self, command: "cd \(dir.path) && \(ReelProcess.binary.path) tui configs/demo/tsm_r18_demo.py --cfg-options total_epochs=1000; echo REEL_EXIT=$?; sleep 60")
        func keys(_ k: String) { tmux.keys(k) }
        func screen() -> String { tmux.screen() }
        @discardableResult func waitFor(_ what: String, _ predicate: (String) -> Bool) -> String { tmux.waitFor(what, predicate) }
        waitFor("the Config screen") { $0.contains("1 Config") && $0.contains("lr_config") }

        // Edit optimizer.lr and write it: the file changes in that one value only.
        keys("/"); for c in "optimizer.lr" { keys(String(c)) }; keys("Enter")
        keys("Enter"); keys("C-u"); for c in "0.005" { keys(String(c)) }; keys("Enter")
        // The value is written in the shared _base_ file: the dashboard asks; `e` edits it there.
        waitFor("the shared-text question") { $0.contains("Change shared text?") }
        keys("e")
        waitFor("the edit") { $0.contains("optimizer.lr = 0.005") }
        keys("w")
        waitFor("the write") { $0.contains("wrote _demo_base.py") }
        let after = try String(contentsOf: base, encoding: .utf8)
        XCTAssertEqual(after, before.replacingOccurrences(of: "lr=0.02,", with: "lr=0.005,"))

        // Start a run: the Run screen shows a progress bar and the loss chart.
        keys("r")
        waitFor("training") { $0.contains("RUNNING") && $0.contains("┌─ loss") && $0.contains("total") && $0.contains("┤") }
        // Pause: the iteration count stops.
        keys("p")
        let paused = waitFor("pause") { $0.contains("PAUSED") }
        func progress(_ s: String) -> String? { s.split(separator: "\n").first { $0.contains("total") }.map(String.init) }
        sleep(2)
        XCTAssertEqual(progress(screen()), progress(paused), "iterations continued while paused")
        keys("p")
        waitFor("resume") { $0.contains("RUNNING") && progress($0) != progress(paused) }
        // A checkpoint appears on the Checkpoints screen.
        keys("3")
        waitFor("a checkpoint") { $0.contains("epoch_") && $0.contains(".safetensors") }
        // Quit: asks, stops the run with a checkpoint, restores the terminal.
        keys("q")
        waitFor("the question") { $0.contains("Quit while a run is active?") && $0.contains("y  stop the run and quit") }
        keys("y")
        let end = waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
        XCTAssertFalse(end.contains("1 Config"), "the dashboard is gone after quitting (alternate screen restored)")
        let work = dir.appendingPathComponent("work_dirs/tsm_r18_demo")
        let files = try FileManager.default.contentsOfDirectory(atPath: work.path)
        XCTAssertTrue(files.contains { $0.hasPrefix("iter_") }, "stop saved a checkpoint: \(files)")
        XCTAssertTrue(files.contains("latest.safetensors"))
    }
}
