import Config
import Foundation
import EngineCore
import EngineData

/// A sink that writes a file. Sinks cannot throw (events are emitted from inside hooks), so such a sink keeps its
/// first failed write and the runner throws it at the next iteration boundary (`Runner.throwSinkFailure`).
public protocol FileRecordingSink: RunEventSink {
    /// The first write failure not yet reported, cleared by this call.
    func takeWriteFailure() -> Error?
}

/// Appends every `RunEvent` of a run to the work dir's `events.jsonl` (EventRecord's schema, docs/events.md):
/// one line per event, each written with a single `write(2)` on an `O_APPEND` descriptor (`AppendFile`), so every
/// line reaches the file (and any reader following it) as soon as it happens and two processes appending never
/// interleave inside a line.
///
/// Events before `.started` (the resume messages `TrainingSession.build` logs) are held and written right after
/// it, so a run's first line is always its `started` event. A failed write is cut back off the file (no torn line
/// from a full disk); the `FileWriteError` is kept for `takeWriteFailure`, so the run stops on it.
public final class EventRecordWriter: FileRecordingSink {
    public let path: String
    private let file: AppendFile
    private var run: String?
    private var held: [RunEvent] = []
    private var failure: Error?
    private let clock: () -> Date

    /// Opens (creating) `path` for appending. If an earlier writer was killed in the middle of a line, that line
    /// is ended first, so it cannot swallow this run's first line. Throws `FileWriteError`.
    public init(path: String, clock: @escaping () -> Date = Date.init) throws {
        self.path = path
        self.clock = clock
        let endsInsideALine = Self.lastByte(of: path).map { $0 != 0x0A } ?? false
        file = try AppendFile(path: path)
        if endsInsideALine { try file.write(Data([0x0A])) }
    }

    /// The writer for a run's work dir.
    public convenience init(workDir: String) throws {
        try self.init(path: (workDir as NSString).appendingPathComponent(EventRecord.fileName))
    }

    public func receive(_ event: RunEvent) {
        if case .started(let info) = event {
            run = info.runID
            write(event)
            let pending = held
            held = []
            for e in pending { write(e) }
            return
        }
        guard run != nil else { held.append(event); return }
        write(event)
    }

    public func takeWriteFailure() -> Error? {
        defer { failure = nil }
        return failure
    }

    private func write(_ event: RunEvent) {
        let line = EventRecord.encode(event, run: run ?? "", wallTime: clock().timeIntervalSince1970) + "\n"
        do { try file.write(line) } catch {
            if failure == nil { failure = error }
        }
    }

    /// The file's last byte (nil: missing, empty or unreadable), with Foundation's throwing reads, which report a
    /// read error instead of ending the process.
    private static func lastByte(of path: String) -> UInt8? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let size = try? h.seekToEnd(), size > 0 else { return nil }
        guard (try? h.seek(toOffset: size - 1)) != nil, let byte = try? h.read(upToCount: 1) else { return nil }
        return byte.first
    }
}
