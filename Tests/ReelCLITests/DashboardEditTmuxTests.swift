import Foundation
import XCTest

/// End to end under tmux: the dashboard's edit safety (tracker issue 14; B3, B4, B6 of the 2026-12-02 review) —
/// a refused value, `w` refused for a `config check` error, the shared `_base_` question with an override, and
/// quitting with unsaved edits (cancel, discard, write), with the files' contents checked.
final class DashboardEditTmuxTests: XCTestCase {
    var dir: URL!
    var base: URL { dir.appendingPathComponent("configs/demo/_demo_base.py") }
    var tsm: URL { dir.appendingPathComponent("configs/demo/tsm_r18_demo.py") }

    override func setUpWithError() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        dir = try ReelProcess.tempDir(self)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("configs/demo"), to: dir.appendingPathComponent("configs/demo"))
        try FileManager.default.copyItem(at: repo.appendingPathComponent("themes"), to: dir.appendingPathComponent("themes"))
    }

    func open() -> TmuxSession {
        TmuxSession(self, command: "cd \(dir.path) && XDG_CONFIG_HOME=\(dir.path)/xdg \(ReelProcess.binary.path) tui configs/demo/tsm_r18_demo.py; echo REEL_EXIT=$?; sleep 60")
    }

    func type(_ t: TmuxSession, _ text: String) { for c in text { t.keys(String(c)) } }

    /// Selects `key` with a search and opens its editor with `value` typed.
    func edit(_ t: TmuxSession, _ key: String, _ value: String) {
        t.keys("/"); type(t, key); t.keys("Enter")
        t.keys("Enter"); t.keys("C-u"); type(t, value); t.keys("Enter")
    }

    func testRefusedValueSharedBaseOverrideAndCheckErrors() throws {
        let baseBefore = try String(contentsOf: base, encoding: .utf8)
        let tsmBefore = try String(contentsOf: tsm, encoding: .utf8)
        let t = open()
        t.waitFor("the Config screen") { $0.contains("1 Config") && $0.contains("lr_config") }
        // B3: a number field refuses a string; the editor stays open with the reason.
        edit(t, "optimizer.lr", "'abc'")
        t.waitFor("the refusal") { $0.contains("not accepted: expected a number") && $0.contains("edit: 'abc'") }
        t.keys("Escape")
        // B3: a negative epoch count is refused too.
        edit(t, "total_epochs", "-3")
        t.waitFor("the range refusal") { $0.contains("'total_epochs' must be at least 1, not -3") }
        t.keys("Escape")
        // B6: optimizer.lr lives in _demo_base.py, which tsn_r18_demo.py also uses: asked; `o` overrides in tsm only.
        edit(t, "optimizer.lr", "0.01")
        t.waitFor("the shared question") {
            $0.contains("Change shared text?") && $0.contains("also used by slowonly_r18_demo.py,") && $0.contains("tsn_r18_demo.py.") && $0.contains("o    override optimizer.lr in tsm_r18_demo.py only")
        }
        t.keys("o")
        t.waitFor("the override") { $0.contains("optimizer.lr = 0.01  (override in tsm_r18_demo.py)") }
        t.keys("w")
        t.waitFor("the write") { $0.contains("wrote tsm_r18_demo.py") }
        XCTAssertEqual(try String(contentsOf: tsm, encoding: .utf8), tsmBefore + "optimizer = dict(lr=0.01)\n")
        XCTAssertEqual(try String(contentsOf: base, encoding: .utf8), baseBefore)
        // B3/B10: policy 'step' is a valid choice but the config then lacks `step`: `w` asks, naming the error; n keeps the file.
        t.keys("/"); type(t, "lr_config.policy"); t.keys("Enter")
        t.keys("Enter"); t.keys("C-u"); type(t, "'step'"); t.keys("Enter")
        t.waitFor("the shared question") { $0.contains("Change shared text?") }
        t.keys("e")
        t.waitFor("the edit") { $0.contains("lr_config.policy = 'step'") }
        t.keys("w")
        t.waitFor("the check question") { $0.contains("Write a config with errors?") && $0.contains("_demo_base.py:") && $0.contains("needs 'step'") }
        t.keys("n")
        t.waitFor("not written") { $0.contains("not written (fix the errors") }
        XCTAssertEqual(try String(contentsOf: base, encoding: .utf8), baseBefore)
        // B4: q asks; Esc cancels (still open), d quits without writing.
        t.keys("q")
        t.waitFor("the quit question") { $0.contains("Quit with unsaved edits?") && $0.contains("w    write _demo_base.py and quit") && $0.contains("d    discard the edits and quit") }
        t.keys("Escape")
        t.waitFor("cancelled") { $0.contains(" cancelled") && $0.contains("1 Config") }
        t.keys("q"); t.keys("d")
        let end = t.waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
        XCTAssertEqual(try String(contentsOf: base, encoding: .utf8), baseBefore, "discarded")
    }

    func testQuitWithUnsavedEditsWritesThemWithW() throws {
        let baseBefore = try String(contentsOf: base, encoding: .utf8)
        let t = open()
        t.waitFor("the Config screen") { $0.contains("1 Config") && $0.contains("lr_config") }
        edit(t, "total_epochs", "7")
        t.waitFor("the shared question") { $0.contains("Change shared text?") }
        t.keys("e")
        t.waitFor("the edit") { $0.contains("total_epochs = 7") && $0.contains("[modified]") }
        t.keys("q")
        t.waitFor("the quit question") { $0.contains("Quit with unsaved edits?") }
        t.keys("w")
        let end = t.waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
        XCTAssertEqual(try String(contentsOf: base, encoding: .utf8), baseBefore.replacingOccurrences(of: "total_epochs = 30", with: "total_epochs = 7"))
    }
}
