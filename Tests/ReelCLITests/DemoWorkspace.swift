import Foundation
import XCTest

/// A scratch directory holding a small demo dataset (8 classes × 4 videos of 8 frames: 24 train, 8 val videos),
/// where `reel train` on the repository's TSM demo config runs an epoch (3 iterations) in well under a second.
/// Processes run with the directory as their working directory (the demo configs name `data/demo/…`).
final class DemoWorkspace {
    let dir: URL
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let config = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path

    init(_ test: XCTestCase) throws {
        dir = try ReelProcess.tempDir(test)
        let made = try ReelProcess.run(["data", "demo", "data/demo", "--videos-per-class", "4", "--frames", "8"], cwd: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// `reel train` headless: `epochs` epochs, a checkpoint every `checkpointInterval`, a log line every iteration.
    func train(workDir: String, epochs: Int, checkpointInterval: Int = 1, options: [String] = [], flags: [String] = []) -> [String] {
        ["train", config, "--no-tui", "--work-dir", workDir] + flags
            + ["--cfg-options", "total_epochs=\(epochs)", "checkpoint_config.interval=\(checkpointInterval)", "log_config.interval=1"]
            + options
    }

    func run(_ arguments: [String]) throws -> ReelProcess.Result { try ReelProcess.run(arguments, cwd: dir) }

    /// Starts `reel` (or `launcher` with its `launcherArguments`, then reel's path) in the background, output to files.
    func start(_ arguments: [String], launcher: String? = nil, launcherArguments: [String] = []) throws -> RunningReel {
        try RunningReel(arguments, cwd: dir, launcher: launcher, launcherArguments: launcherArguments)
    }

    /// `reel checkpoint verify` on each file: its "epoch E, iter I", or nil (with a test failure) if it does not read.
    func verify(_ file: String, line: UInt = #line) throws -> String? {
        let r = try run(["checkpoint", "verify", file])
        XCTAssertEqual(r.status, 0, "\(file) does not load: \(r.stderr)", line: line)
        guard r.status == 0, let open = r.stdout.range(of: "tensors, "), let close = r.stdout.range(of: ")", options: .backwards)
        else { return nil }
        return String(r.stdout[open.upperBound..<close.lowerBound])
    }

    /// The names in `dir` (a work dir) that are temp files of an atomic write.
    static func tempFiles(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }.sorted()
    }

    /// Lines of every `.log.json` in `dir` that do not parse as a JSON object.
    static func unparsableLogLines(in dir: String) -> [String] {
        var bad: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".log.json") {
            let text = (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                if (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] == nil {
                    bad.append("\(name): \(line)")
                }
            }
            if !text.isEmpty && !text.hasSuffix("\n") { bad.append("\(name): no final newline") }
        }
        return bad
    }
}

/// A `reel` process running in the background with its output going to files.
final class RunningReel {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], cwd: URL, launcher: String? = nil, launcherArguments: [String] = []) throws {
        let id = UUID().uuidString
        stdoutPath = cwd.appendingPathComponent("out-\(id).txt").path
        stderrPath = cwd.appendingPathComponent("err-\(id).txt").path
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if let launcher {
            process.executableURL = URL(fileURLWithPath: launcher)
            process.arguments = launcherArguments + [ReelProcess.binary.path] + arguments
        } else {
            process.executableURL = ReelProcess.binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = cwd
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) { kill(pid, signal) }

    /// Polls (every `interval` seconds) until `condition` holds or the process ends; true if it held.
    @discardableResult
    func waitFor(timeout: Double = 60, interval: Double = 0.01, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            if !process.isRunning { return condition() }
            usleep(useconds_t(interval * 1e6))
        }
        return false
    }

    /// Waits for the exit (killing it after `timeout` seconds); the exit status, or 128 + the signal that ended it.
    func wait(timeout: Double = 120) -> Int32 {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL); XCTFail("reel did not exit within \(timeout) s") }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
