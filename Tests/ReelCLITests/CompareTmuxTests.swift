import Foundation
import XCTest

/// End to end under tmux: `reel tui --compare` on two headless runs shows each run's figures as its event record
/// (`events.jsonl`) has them.
final class CompareTmuxTests: XCTestCase {
    /// The last iteration's loss and the last evaluation's best score in `dir`'s events.jsonl.
    func figures(_ dir: URL) throws -> (loss: String, best: String) {
        let lines = try String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let loss = try XCTUnwrap(objects.last { $0["type"] as? String == "iteration" }?["loss"] as? Double)
        let best = try XCTUnwrap(objects.last { $0["type"] as? String == "evaluation" }?["best_score"] as? Double)
        return (String(format: "%.4f", loss), String(format: "%.4f", best))
    }

    func testCompareShowsBothRunsFiguresFromTheirEvents() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let demo = try DemoWorkspace(self)
        for (name, lr) in [("lr_a", "0.02"), ("lr_b", "0.005")] {
            let r = try demo.run(["train", demo.config, "--no-tui", "--validate", "--seed", "7", "--work-dir", "work_dirs/\(name)",
                                  "--cfg-options", "total_epochs=2", "optimizer.lr=\(lr)"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let a = try figures(demo.dir.appendingPathComponent("work_dirs/lr_a"))
        let b = try figures(demo.dir.appendingPathComponent("work_dirs/lr_b"))
        let tmux = TmuxSession(self, command: "cd \(demo.dir.path) && \(ReelProcess.binary.path) tui --compare work_dirs/lr_a work_dirs/lr_b; "
                               + "echo REEL_EXIT=$?; sleep 60", width: 160, height: 45)
        let s = tmux.waitFor("the comparison") { $0.contains("final and best") && $0.contains("━━ lr_b ") }
        let rows = s.components(separatedBy: "\n")
        for (name, f) in [("lr_a", a), ("lr_b", b)] {
            let row = try XCTUnwrap(rows.first { $0.contains("━━ \(name) ") && !$0.contains("[x]") }, s)
            XCTAssertNotNil(row.range(of: "\(name) +finished +6/6 +\(f.loss) +\(f.best) ", options: .regularExpression), "\(name): \(f) in\n\(row)")
        }
        XCTAssertNotNil(s.range(of: #"optimizer\.lr +0\.02 +0\.005"#, options: .regularExpression), s)
        XCTAssertTrue(s.contains("loss (smoothed)") && s.contains("┌─ lr "), s)
        tmux.keys("q")
        let end = tmux.waitFor("exit") { $0.contains("REEL_EXIT=") }
        XCTAssertTrue(end.contains("REEL_EXIT=0"), end)
    }

    func testCompareRefusesAMissingDirectory() throws {
        let r = try ReelProcess.run(["tui", "--compare", "/nonexistent/wd"], cwd: try ReelProcess.tempDir(self))
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--compare: /nonexistent/wd is not a directory"), r.stderr)
    }
}
