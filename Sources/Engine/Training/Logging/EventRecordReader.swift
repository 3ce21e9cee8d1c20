import Foundation
import EngineCore
import EngineData

/// Reads `events.jsonl` (EventRecord's schema) incrementally, for `reel tui --watch`: each `poll` returns the
/// events of the lines completed since the last one. It remembers its byte offset; a last line without its newline
/// (being written, or torn by a crash) is kept until it completes. Lines it cannot use — malformed, another schema
/// version, an unknown type — are counted in `skipped` and passed over, as the version rule says.
public final class EventRecordReader {
    public let path: String
    /// Bytes consumed so far (up to the end of the last complete line).
    public private(set) var offset: UInt64 = 0
    /// How many lines were passed over, and why the last one was.
    public private(set) var skipped = 0
    public private(set) var lastSkip: EventRecord.Skip?
    private var partial = Data()

    public init(path: String) { self.path = path }

    /// The reader of a work dir's event record.
    public convenience init(workDir: String) {
        self.init(path: (workDir as NSString).appendingPathComponent(EventRecord.fileName))
    }

    /// Whether the file exists (a run has started writing it).
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The events of the lines completed since the last call. A file that became shorter than what was read (it was
    /// replaced or cleared) is read again from its start; `restarted` says so.
    public func poll() -> (events: [RecordedEvent], restarted: Bool) {
        guard let h = FileHandle(forReadingAtPath: path) else { return ([], false) }
        defer { try? h.close() }
        var restarted = false
        let size = (try? h.seekToEnd()) ?? 0
        if size < offset + UInt64(partial.count) {
            offset = 0; partial = Data(); restarted = true
        }
        let start = offset + UInt64(partial.count)
        guard size > start else { return ([], restarted) }
        // The throwing read: Foundation's readData(ofLength:) ends the process on a read error (EIO, EISDIR).
        guard (try? h.seek(toOffset: start)) != nil, let data = try? h.read(upToCount: Int(size - start)) else { return ([], restarted) }
        partial.append(data)
        var events: [RecordedEvent] = []
        var lineStart = partial.startIndex
        while let nl = partial[lineStart...].firstIndex(of: 0x0A) {
            let line = partial[lineStart..<nl]
            lineStart = partial.index(after: nl)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do { events.append(try EventRecord.decode(String(decoding: line, as: UTF8.self))) } catch let skip as EventRecord.Skip {
                skipped += 1
                lastSkip = skip
            } catch {
                skipped += 1
            }
        }
        offset += UInt64(lineStart - partial.startIndex)
        partial = Data(partial[lineStart...])
        return (events, restarted)
    }

    /// Every complete line of `path` (a missing file has none).
    public static func readAll(_ path: String) -> [RecordedEvent] { EventRecordReader(path: path).poll().events }

    /// Events grouped by run, in the order each run first appears. Lines of one run interleaved with another's
    /// (two processes in one work dir) still land in their own run.
    public static func runs(_ events: [RecordedEvent]) -> [RecordedRun] {
        var out: [RecordedRun] = []
        var index: [String: Int] = [:]
        for e in events {
            if let i = index[e.run] { out[i].events.append(e.event); continue }
            index[e.run] = out.count
            out.append(RecordedRun(id: e.run, events: [e.event]))
        }
        return out
    }
}

/// One run's events from an event record, in the order they were written.
public struct RecordedRun: Sendable, Equatable {
    public var id: String
    public var events: [RunEvent]
    public init(id: String, events: [RunEvent]) { self.id = id; self.events = events }
    /// The run's `started` facts (nil when the file holds only its later lines).
    public var info: RunInfo? {
        for e in events { if case .started(let i) = e { return i } }
        return nil
    }
}
