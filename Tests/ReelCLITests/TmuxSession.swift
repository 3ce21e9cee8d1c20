import Foundation
import XCTest

/// A detached tmux session running one shell command: send keys, read the pane, kill the session (which hangs up
/// the terminal, as closing a terminal window or losing an ssh connection does).
final class TmuxSession {
    let name: String

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: "/usr/bin/tmux") }

    /// Starts `command` in a new session of `width`×`height`; the session is killed at the test's teardown.
    init(_ test: XCTestCase, command: String, width: Int = 120, height: Int = 36) {
        name = "reel-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        test.addTeardownBlock { [name] in TmuxSession.run(["kill-session", "-t", name]) }
        // The server must not inherit popen's pipe: start the session with its output sent to /dev/null.
        _ = system("tmux new-session -d -s \(name) -x \(width) -y \(height) \(Self.quote(command)) >/dev/null 2>&1 </dev/null")
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs tmux with popen/pclose (which wait with waitpid); the server tmux may start gets /dev/null, not a pipe
    /// of ours, so nothing waits on it.
    @discardableResult
    static func run(_ args: [String]) -> String {
        guard let f = popen("tmux \(args.map(quote).joined(separator: " ")) 2>/dev/null </dev/null", "r") else { return "" }
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

    func screen() -> String { Self.run(["capture-pane", "-t", name, "-p"]) }
    func keys(_ k: String...) { Self.run(["send-keys", "-t", name] + k); usleep(150_000) }
    func kill() { Self.run(["kill-session", "-t", name]) }

    /// Polls the pane until `predicate` holds (or fails after `timeout` seconds with the last screen).
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line,
                 _ predicate: (String) -> Bool) -> String {
        let end = Date().addingTimeInterval(timeout)
        var s = screen()
        while !predicate(s) && Date() < end { usleep(200_000); s = screen() }
        XCTAssertTrue(predicate(s), "waiting for \(what); screen:\n\(s)", file: file, line: line)
        return s
    }
}
