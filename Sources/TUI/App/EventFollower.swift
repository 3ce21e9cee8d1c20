import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Watch mode: follows a work dir's `events.jsonl` (the run's own record, docs/events.md) and hands the dashboard
/// the events of one run — the newest, unless the user picked another — which it applies exactly as a live run's
/// (`RunView.apply`), so a watched run looks as it did live. Another run starting in the same work dir replaces
/// the shown one (`reset`), it never mixes into it.
public final class EventFollower {
    public let workDir: String
    let reader: EventRecordReader
    /// Every run of the file so far, oldest first.
    public private(set) var runs: [RecordedRun] = []
    /// The run shown (an id in `runs`); nil before the first line arrives.
    public private(set) var shownID: String?
    /// Follow the newest run (until the user picks an older one).
    private var followNewest = true

    /// What the dashboard must do: start the view over (`reset`, then apply `events` to an empty `RunView`) or
    /// apply `events` on top of what it shows.
    public struct Update: Equatable {
        public var reset = false
        public var events: [RunEvent] = []
        public var info: RunInfo?
    }

    public init(workDir: String) {
        self.workDir = workDir
        reader = EventRecordReader(workDir: workDir)
    }

    public var shownIndex: Int? { runs.firstIndex { $0.id == shownID } }

    /// Reads what was appended since the last call.
    public func poll() -> Update {
        let (new, restarted) = reader.poll()
        var update = Update()
        if restarted { runs = []; shownID = nil; update.reset = true }
        var newForShown: [RunEvent] = []
        for e in new {
            if let i = runs.firstIndex(where: { $0.id == e.run }) { runs[i].events.append(e.event) }
            else { runs.append(RecordedRun(id: e.run, events: [e.event])) }
            if e.run == shownID { newForShown.append(e.event) }
        }
        if let newest = runs.last, followNewest && newest.id != shownID {
            return show(runs.count - 1)
        }
        update.events = newForShown
        return update
    }

    /// Shows the run `step` places away from the shown one (−1 older, +1 newer), replaying it from its start.
    public func step(_ step: Int) -> Update? {
        guard let i = shownIndex, runs.indices.contains(i + step), step != 0 else { return nil }
        return show(i + step)
    }

    private func show(_ i: Int) -> Update {
        shownID = runs[i].id
        followNewest = i == runs.count - 1
        return Update(reset: true, events: runs[i].events, info: runs[i].info)
    }

    /// What to say while there is no run to show: the work dir or its record is missing (a run from a Reel older
    /// than the event record has only `.log`/`.log.json`), or the record has nothing this Reel can read.
    public var note: String? {
        guard runs.isEmpty else { return nil }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: workDir, isDirectory: &isDir), isDir.boolValue else {
            return "\(workDir) does not exist (yet): waiting for a run to write \(EventRecord.fileName) there."
        }
        guard reader.exists else {
            let names = (try? fm.contentsOfDirectory(atPath: workDir)) ?? []
            if names.contains(where: { $0.hasSuffix(".log.json") }) {
                return "\(workDir) has no \(EventRecord.fileName): its runs come from an older Reel, which did not record "
                    + "their events. Watch mode follows runs of this version (the old runs' .log and .log.json are still there)."
            }
            return "Waiting for a run: \(reader.path) does not exist yet."
        }
        if reader.skipped > 0 {
            return "\(reader.path) has no run this Reel can show (\(reader.skipped) line(s) skipped; last: \(reader.lastSkip?.description ?? "unreadable"))."
        }
        return "Waiting for the run's first event in \(reader.path)."
    }
}
