import Foundation
import XCTest

/// F17 in the dashboard, under tmux: SIGINT sent from outside (it was ignored) and closing the terminal
/// (`tmux kill-session`: SIGHUP, which killed the run unsaved) both stop the run with a checkpoint; a run that fails
/// in the dashboard exits non-zero (it exited 0).
final class DashboardSignalTests: XCTestCase {
    /// The dashboard on the demo workspace, with its pid, exit status and stderr going to files. `keepAfterHangup`
    /// runs it under a shell that survives the hangup (so the status can be recorded) without passing the ignored
    /// SIGHUP on to reel. The pane's first process is a plain `sh`, the session leader: on the hangup it exits and
    /// the kernel sends SIGHUP to the foreground process group (as a login shell does when a terminal closes).
    func start(_ ws: DemoWorkspace, _ reelArguments: String, keepAfterHangup: Bool = false) -> TmuxSession {
        let reel = "\(ReelProcess.binary.path) \(reelArguments) 2>\(ws.path("err"))"
        let script = """
            cd \(ws.dir.path)
            stty -a > \(ws.path("stty-before"))
            \(keepAfterHangup ? "trap '' HUP" : "")
            (\(keepAfterHangup ? "trap - HUP; " : "")echo $BASHPID > \(ws.path("pid")); exec \(reel))
            echo $? > \(ws.path("status"))
            stty -a > \(ws.path("stty-after"))
            sleep 60
            """
        try? script.write(toFile: ws.path("dashboard.sh"), atomically: true, encoding: .utf8)
        return TmuxSession(self, command: "bash \(ws.path("dashboard.sh")); sleep 60")
    }

    func read(_ ws: DemoWorkspace, _ name: String) -> String? {
        try? String(contentsOfFile: ws.path(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func waitForFile(_ ws: DemoWorkspace, _ name: String, timeout: Double = 60) -> String? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let s = read(ws, name), !s.isEmpty { return s }
            usleep(50_000)
        }
        return nil
    }

    /// The iter_N checkpoint named by "reel: stopped by NAME; saved …/iter_N.safetensors", verified to load.
    func checkStopped(_ ws: DemoWorkspace, by name: String, work: String) throws {
        let err = read(ws, "err") ?? ""
        let prefix = "reel: stopped by \(name); saved \(work)/iter_"
        XCTAssertTrue(err.hasPrefix(prefix) && err.hasSuffix(".safetensors"), err)
        let n = try XCTUnwrap(Int(err.dropFirst(prefix.count).prefix { $0.isNumber }), err)
        XCTAssertEqual(try ws.verify("\(work)/iter_\(n).safetensors")?.hasSuffix("iter \(n)"), true)
        XCTAssertEqual(try ws.verify("\(work)/latest.safetensors")?.hasSuffix("iter \(n)"), true)
        XCTAssertEqual(DemoWorkspace.tempFiles(in: work), [])
    }

    func testInterruptFromOutsideSavesRestoresTheTerminalAndExits130() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let ws = try DemoWorkspace(self)
        let work = ws.path("w")
        let tmux = start(ws, "train \(ws.config) --work-dir \(work) --cfg-options total_epochs=1000 checkpoint_config.interval=1000")
        tmux.waitFor("training") { $0.contains("RUNNING") && $0.contains("epoch ") }
        usleep(1_500_000)   // well into the run
        let pid = try XCTUnwrap(waitForFile(ws, "pid").flatMap { Int32($0) })
        kill(pid, SIGINT)
        XCTAssertEqual(waitForFile(ws, "status"), "130")
        try checkStopped(ws, by: "SIGINT", work: work)
        XCTAssertEqual(waitForFile(ws, "stty-after"), read(ws, "stty-before"), "terminal settings restored")
        XCTAssertFalse(tmux.screen().contains("RUNNING"), "the dashboard is gone")
    }

    func testClosingTheTerminalSavesTheRunAndExits129() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let ws = try DemoWorkspace(self)
        let work = ws.path("w")
        let tmux = start(ws, "train \(ws.config) --work-dir \(work) --cfg-options total_epochs=1000 checkpoint_config.interval=1000",
                         keepAfterHangup: true)
        tmux.waitFor("training") { $0.contains("RUNNING") && $0.contains("epoch ") }
        usleep(1_500_000)
        let pid = try XCTUnwrap(waitForFile(ws, "pid").flatMap { Int32($0) })
        let closed = Date()
        tmux.kill()
        XCTAssertEqual(waitForFile(ws, "status"), "129")
        XCTAssertLessThan(Date().timeIntervalSince(closed), 10)
        XCTAssertEqual(kill(pid, 0), -1, "the process is gone")
        try checkStopped(ws, by: "SIGHUP", work: work)
    }

    func testARunThatFailsInTheDashboardExitsWithItsStatus() throws {
        guard TmuxSession.isAvailable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        for (option, status, text) in [("data.train.ann_file=/nonexistent/list.txt", "2", "/nonexistent/list.txt"),
                                       ("optimizer.lr=1e30 optimizer_config.grad_clip=None", "1", "reel: training failed: ")] {
            let ws = try DemoWorkspace(self)
            let tmux = start(ws, "train \(ws.config) --work-dir \(ws.path("w")) --cfg-options total_epochs=30 \(option)")
            tmux.waitFor("the failure") { $0.contains("FAILED") }
            tmux.keys("q")
            XCTAssertEqual(waitForFile(ws, "status"), status, option)
            XCTAssertTrue((read(ws, "err") ?? "").contains(text), read(ws, "err") ?? "")
        }
    }
}
