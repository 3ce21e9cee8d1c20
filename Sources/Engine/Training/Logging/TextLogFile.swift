import Foundation
import EngineCore
import EngineData

/// The run's `<timestamp>.log`: every `.message` of the run in the format of mmaction2's root logger,
/// `YYYY-MM-DD HH:MM:SS,mmm - mmaction - INFO - <message>` (SEMANTICS.md §3.9).
///
/// mmaction2's tools/train.py creates this file for every run, whatever `log_config` lists (SEMANTICS.md §1.10);
/// `TextLoggerHook` only adds its record lines (as messages) and writes the `.log.json`. So it is a sink of its own,
/// created with the run, not part of a logger hook: a run with only `TensorboardLoggerHook`, or no `log_config`,
/// still has its `.log`. A failed write is kept for `takeWriteFailure` (the runner stops on it).
public final class TextLogFile: FileRecordingSink {
    public let path: String
    private let file: AppendFile
    private let clock: () -> Date
    private let formatter: DateFormatter
    private var failure: Error?

    /// Opens (creating) `path` for appending. Throws `FileWriteError`.
    public init(path: String, clock: @escaping () -> Date = Date.init) throws {
        self.path = path
        self.clock = clock
        file = try AppendFile(path: path)
        formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        formatter.locale = Locale(identifier: "en_US_POSIX")
    }

    /// `work_dir/<timestamp>.log`, the name the run's `.log.json` shares.
    public convenience init(workDir: String, timestamp: String) throws {
        try self.init(path: (workDir as NSString).appendingPathComponent("\(timestamp).log"))
    }

    public func receive(_ event: RunEvent) {
        guard case .message(let text) = event else { return }
        do { try file.write("\(formatter.string(from: clock())) - mmaction - INFO - \(text)\n") } catch {
            if failure == nil { failure = error }
        }
    }

    public func takeWriteFailure() -> Error? {
        defer { failure = nil }
        return failure
    }
}
