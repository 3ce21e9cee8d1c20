import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A sink that writes a file. Sinks cannot throw (events are emitted from inside hooks), so such a sink keeps its
/// first failed write and the runner throws it at the next iteration boundary (`Runner.throwSinkFailure`).
public protocol FileRecordingSink: RunEventSink {
    /// The first write failure not yet reported, cleared by this call.
    func takeWriteFailure() -> Error?
}

/// Appends every `RunEvent` of a run to the work dir's `events.jsonl` (EventRecord's schema, docs/events.md):
/// one line per event, each written with a single `write(2)` on an `O_APPEND` descriptor, so every line reaches
/// the file (and any reader following it) as soon as it happens and two processes appending never interleave
/// inside a line.
///
/// Events before `.started` (the resume messages `TrainingSession.build` logs) are held and written right after
/// it, so a run's first line is always its `started` event. A failed write is cut back off the file (no torn line
/// from a full disk); the failure is kept for `takeWriteFailure` and thrown as `EventRecordWriter.WriteError`.
public final class EventRecordWriter: FileRecordingSink {
    /// A write to the event record that failed: the file and the system's reason.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public let path: String
    private var fd: Int32
    private var run: String?
    private var held: [RunEvent] = []
    private var failure: Error?
    private let clock: () -> Date

    /// Opens (creating) `path` for appending. If an earlier writer was killed in the middle of a line, that line
    /// is ended first, so it cannot swallow this run's first line.
    public init(path: String, clock: @escaping () -> Date = Date.init) throws {
        self.path = path
        self.clock = clock
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        let size = lseek(fd, 0, SEEK_END)
        var last: UInt8 = 0
        if size > 0, pread(fd, &last, 1, size - 1) == 1, last != 0x0A { try append(Data([0x0A])) }
    }

    /// The writer for a run's work dir.
    public convenience init(workDir: String) throws {
        try self.init(path: (workDir as NSString).appendingPathComponent(EventRecord.fileName))
    }

    deinit { if fd >= 0 { close(fd) } }

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
        do { try append(Data(line.utf8)) } catch {
            if failure == nil { failure = error }
        }
    }

    /// Appends all of `data` or nothing: a partial write (the disk filled up during it) is cut off again.
    private func append(_ data: Data) throws {
        let start = lseek(fd, 0, SEEK_END)
        var failed: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                offset += n
            }
        }
        guard failed == 0 else {
            if start >= 0 { _ = ftruncate(fd, start) }
            throw WriteError(path: path, reason: String(cString: strerror(failed)))
        }
    }
}
