import Foundation
import XCTest

/// End to end under tmux (review dashboard-2026-12-02 B21, B22): the Checkpoints screen while files change.
final class CheckpointsTmuxTests: XCTestCase {
    /// B21: a file added above the selected one moved the selection to another file, and R resumed from it unasked.
    /// B22: files written by another process never appeared.
    func testAFileAddedWhileBrowsingDoesNotMoveTheSelectionAndResumeAsksNamingTheFile() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let demo = try DemoWorkspace(self)
        let trained = try demo.run(demo.train(workDir: "work_dirs/wd", epochs: 2, flags: ["--seed", "7"]))
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let tmux = TmuxSession(self, command: "cd \(demo.dir.path) && \(ReelProcess.binary.path) tui \(demo.config) --work-dir work_dirs/wd "
                               + "--cfg-options total_epochs=2; echo REEL_EXIT=$?; sleep 60", width: 140, height: 36)
        tmux.waitFor("the Config screen") { $0.contains("1 Config") && $0.contains("lr_config") }
        tmux.keys("3")
        tmux.waitFor("the list") { $0.contains("epoch_1.safetensors") }
        // The oldest file (the last row); its details box is titled with its name.
        tmux.keys("End"); tmux.keys("Enter")
        let details = tmux.waitFor("the details") { $0.range(of: #"┌─ \S+\.safetensors"#, options: .regularExpression) != nil }
        let title = try XCTUnwrap(details.range(of: #"┌─ (\S+\.safetensors)"#, options: .regularExpression))
        let selected = String(details[title].dropFirst(3))
        tmux.keys("Escape")
        // Another process writes a newer file: it appears at the top of the list without a key press.
        let work = demo.dir.appendingPathComponent("work_dirs/wd")
        try FileManager.default.copyItem(at: work.appendingPathComponent("epoch_2.safetensors"), to: work.appendingPathComponent("iter_5.safetensors"))
        let listed = tmux.waitFor("the new file", timeout: 10) { $0.contains("iter_5.safetensors") }
        let rows = listed.components(separatedBy: "\n")
        XCTAssertLessThan(rows.firstIndex { $0.contains("iter_5.safetensors") }!, rows.firstIndex { $0.contains(selected) }!, listed)
        // R asks first, naming the file still selected; n leaves it.
        tmux.keys("R")
        let asked = tmux.waitFor("the resume dialog") { $0.contains("Resume training from a checkpoint?") }
        let lines = asked.components(separatedBy: "\n")
        let titleRow = lines.firstIndex { $0.contains("Resume training from a checkpoint?") }!
        XCTAssertTrue(lines[(titleRow + 1)...].prefix(3).contains { $0.contains(selected) }, "the dialog names \(selected):\n\(asked)")
        tmux.keys("n")
        tmux.waitFor("cancelled") { $0.contains("cancelled") }
        tmux.keys("Enter")
        tmux.waitFor("the same details") { $0.contains("┌─ \(selected)") }
        tmux.keys("q")
        let end = tmux.waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: work.path).contains { $0.hasPrefix("iter_") && $0 != "iter_5.safetensors" },
                       "no run was started")
    }
}
