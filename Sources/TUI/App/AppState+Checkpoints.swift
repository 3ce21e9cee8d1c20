import EngineCore
import EngineData
import EngineTraining
import Foundation

/// What `E` found for a checkpoint, shown in its row of the list.
public enum CheckpointEvaluation: Equatable, Sendable {
    case running
    case done([String])   // "top1_acc 0.2625", in the dataset's metric order
    case failed(String)

    public var text: String {
        switch self {
        case .running: "evaluating…"
        case .done(let metrics): metrics.joined(separator: "  ")
        case .failed(let why): "failed: \(why)"
        }
    }
}

/// An `E` result on its way from the evaluating thread to the list.
public struct CheckpointEvaluationResult: Sendable {
    public var path: String
    public var result: CheckpointEvaluation
}

extension CheckpointEntry {
    /// The epoch as the Run screen and the log count it (1-based): an end-of-epoch file's metadata holds the epochs
    /// completed (= the epoch just finished); a mid-epoch file's holds the epochs completed *before* it (mmcv's
    /// 0-based runner counter), so it is shown as the epoch in progress with its batches done: `2, batch 8`.
    public var epochLabel: String {
        guard let m = metadata else { return "" }
        if let inner = batchesDone { return "\(m.epoch + 1), batch \(inner)" }
        return "\(m.epoch)"
    }

    /// Batches of the epoch in progress when the file was saved mid-epoch.
    public var batchesDone: Int? {
        guard let s = metadata?.extra["inner_iter"], let n = Int(s), n > 0 else { return nil }
        return n
    }
}

extension AppState {
    /// The selected checkpoint (by file), if the list has it.
    public var selectedCheckpoint: CheckpointEntry? {
        checkpoints.indices.contains(checkpointSelected) ? checkpoints[checkpointSelected] : nil
    }

    /// After the list changed: the selection stays on its file wherever that file moved. If the file is gone, the
    /// row at the same place is selected (R and E ask or name it, so nothing acts on it unseen).
    public mutating func setCheckpoints(_ list: [CheckpointEntry], best: String?) {
        checkpoints = list
        bestCheckpointName = best
        if let p = checkpointPath, let i = list.firstIndex(where: { $0.path == p }) {
            checkpointSelected = i
        } else {
            checkpointSelected = min(checkpointSelected, max(0, list.count - 1))
            if checkpointPath != nil { showCheckpointDetail = false }
            checkpointPath = selectedCheckpoint?.path
        }
    }

    mutating func selectCheckpoint(_ i: Int) {
        checkpointSelected = min(max(0, checkpoints.count - 1), max(0, i))
        checkpointPath = selectedCheckpoint?.path
        showCheckpointDetail = false
    }

    mutating func handleCheckpoints(_ key: Key) -> [AppEffect] {
        switch key {
        case .up, .char("k"): selectCheckpoint(checkpointSelected - 1)
        case .down, .char("j"): selectCheckpoint(checkpointSelected + 1)
        case .pageUp: selectCheckpoint(checkpointSelected - 10)
        case .pageDown: selectCheckpoint(checkpointSelected + 10)
        case .home: selectCheckpoint(0)
        case .end: selectCheckpoint(checkpoints.count - 1)
        case .enter, .escape: showCheckpointDetail = key == .enter ? !showCheckpointDetail : false
        case .ctrl("r"):
            message = "checkpoints read again"
            return [.rescanCheckpoints]
        case .char("R"), .char("E"), .char("D"):
            guard let c = selectedCheckpoint else { message = "no checkpoint selected"; return [] }
            if let e = c.error { message = "unreadable checkpoint: \(e)"; return [] }
            if watchMode && key != .char("D") { message = "watch mode: runs are started elsewhere"; return [] }
            switch key {
            case .char("R"):
                guard !run.status.isActive else { message = "a run is already active"; return [] }
                confirmation = .resume(c.path)
            case .char("E"):
                message = "evaluating \(c.name)…"
                checkpointEvaluations[c.path] = .running
                return [.evaluateCheckpoint(c.path)]
            default: confirmation = .delete(c.path)
            }
        default: break
        }
        return []
    }
}

/// Reads a work dir's checkpoints when they change: each poll lists the directory and stats its files (cheap), and
/// reads the files' metadata again only when a name, size or time differs from the last poll, keeping what it read
/// for files that did not change. `best.json` names the best checkpoint.
public final class CheckpointDirectory {
    public let path: String
    private var signature: [String] = []
    private var cache: [String: (stamp: String, entry: CheckpointEntry)] = [:]

    public init(path: String) { self.path = path }

    /// The list (newest first) and best.json's checkpoint, or nil when nothing changed since the last call (`force`: read anyway).
    public func poll(force: Bool = false) -> (entries: [CheckpointEntry], best: String?)? {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { CheckpointFile.isWeightsName($0) || $0 == "best.json" }.sorted()
        var stamps: [String: String] = [:]
        for name in names {
            let full = (path as NSString).appendingPathComponent(name)
            guard let a = try? fm.attributesOfItem(atPath: full) else { continue }
            let time = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            stamps[name] = "\((a[.size] as? Int) ?? -1):\(time):\((a[.systemFileNumber] as? Int) ?? 0)"
        }
        let sig = names.map { "\($0)=\(stamps[$0] ?? "")" }
        guard force || sig != signature else { return nil }
        signature = sig
        var entries: [CheckpointEntry] = []
        for name in names where CheckpointFile.isWeightsName(name) {
            let full = (path as NSString).appendingPathComponent(name)
            let stamp = stamps[name] ?? ""
            if !force, let hit = cache[full], hit.stamp == stamp { entries.append(hit.entry); continue }
            let e = CheckpointEntry.read(full)
            cache[full] = (stamp, e)
            entries.append(e)
        }
        cache = cache.filter { k, _ in entries.contains { $0.path == k } }
        return (entries.sorted { ($0.modified, $0.name) > ($1.modified, $1.name) }, Self.bestName(in: path))
    }

    /// `checkpoint` of the directory's best.json (nil when there is none or it does not read).
    static func bestName(in dir: String) -> String? {
        guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("best.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["checkpoint"] as? String
    }
}
