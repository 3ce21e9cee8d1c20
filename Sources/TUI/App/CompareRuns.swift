import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// One run on the Compare screen: its work dir, its place there, and its picture folded from its events by
/// `RunView.apply` — the same code the live and watched Run screen use.
public struct CompareRun: Sendable {
    /// Work dir and run id: unique across the compared dirs.
    public var id: String
    public var dir: String
    /// The dir's name, with `#k` when the dir holds several runs (k-th, oldest first).
    public var label: String
    public var view = RunView()
    /// The run's config leaves by dotted path (from its `started` event), for the differences.
    public var config: [String: String] = [:]

    /// The evaluation metric keys in the run's order.
    public var metricKeys: [String] { view.evals.last?.metrics.map(\.key) ?? [] }

    /// Best value of `key` over the run's evaluations and the epoch it was reached at (by the run's own rule when
    /// it is the save_best key: its `isNewBest` marks; else the highest value).
    public func best(_ key: String) -> (value: Double, epoch: Int)? {
        if view.evals.last?.bestKey == key, let b = view.bestEval, let v = b.record.metrics.first(where: { $0.key == key })?.value {
            return (v, b.record.epoch)
        }
        var out: (Double, Int)?
        for e in view.evals { if let v = e.metrics.first(where: { $0.key == key })?.value, v > (out?.0 ?? -.infinity) { out = (v, e.epoch) } }
        return out.map { (value: $0.0, epoch: $0.1) }
    }
}

/// The Compare screen's state: the runs found, which are shown, the cursor and the metric plotted.
public struct CompareState: Sendable {
    public var runs: [CompareRun] = []
    /// Ids of the runs shown, in the order they were picked (which gives each its colour).
    public var chosen: [String] = []
    public var cursor = 0
    /// The evaluation metric of the chart and table (nil: the first run's save_best key, else its first metric).
    public var metric: String?
    /// Why there is nothing to compare, in words.
    public var note: String?
    public init() {}

    public var shown: [CompareRun] { chosen.compactMap { id in runs.first { $0.id == id } } }

    /// Config keys whose values differ among the shown runs (dotted paths, each run's value as Python writes it,
    /// "–" where a run does not set the key). `work_dir` is left out: it differs by construction.
    public var differences: [(key: String, values: [String])] {
        let flat = shown.map(\.config)
        guard flat.count > 1 else { return [] }
        var keys: [String] = []
        var seen = Set<String>()
        for f in flat { for k in f.keys.sorted() where seen.insert(k).inserted { keys.append(k) } }
        return keys.filter { k in k != "work_dir" && Set(flat.map { $0[k] ?? "–" }).count > 1 }
            .map { k in (key: k, values: flat.map { $0[k] ?? "–" }) }
    }

    public var metricKey: String? {
        metric ?? shown.lazy.compactMap { $0.view.evals.last?.bestKey }.first ?? shown.lazy.compactMap(\.metricKeys.first).first
    }
}

/// Reads the event records of the compared work dirs (`events.jsonl`, through `EventRecordReader`) and keeps each
/// run's `RunView` up to date as lines arrive, so a run still going on is compared as it goes.
public final class CompareSource {
    public let dirs: [String]
    private var readers: [EventRecordReader]
    public private(set) var runs: [CompareRun] = []

    public init(dirs: [String]) {
        self.dirs = dirs
        readers = dirs.map { EventRecordReader(workDir: $0) }
    }

    /// Work dirs worth offering beside `workDir`: it and its sibling dirs that hold an event record.
    public static func discover(around workDir: String) -> [String] {
        let parent = (workDir as NSString).deletingLastPathComponent
        let fm = FileManager.default
        let siblings = ((try? fm.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent)) ?? []).sorted()
            .map { parent.isEmpty ? $0 : (parent as NSString).appendingPathComponent($0) }
            .filter { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent(EventRecord.fileName)) }
        let own = (workDir as NSString).standardizingPath
        return [workDir] + siblings.filter { ($0 as NSString).standardizingPath != own }
    }

    /// Applies what was appended since the last call; true when anything changed.
    public func poll() -> Bool {
        var changed = false
        for (d, reader) in readers.enumerated() {
            let (events, restarted) = reader.poll()
            if restarted { runs.removeAll { $0.dir == dirs[d] }; changed = true }
            for e in events {
                let id = dirs[d] + "\u{0}" + e.run
                if let i = runs.firstIndex(where: { $0.id == id }) {
                    runs[i].view.apply(e.event)
                } else {
                    var run = CompareRun(id: id, dir: dirs[d], label: (dirs[d] as NSString).lastPathComponent)
                    run.view.apply(e.event)
                    // Keep a dir's runs together, oldest first.
                    let at = (runs.lastIndex { $0.dir == dirs[d] }).map { $0 + 1 } ?? runs.count
                    runs.insert(run, at: at)
                }
                if case .started(let info) = e.event, let i = runs.firstIndex(where: { $0.id == id }) {
                    runs[i].config = Self.flatten(configText: info.configText, id: id)
                }
                changed = true
            }
        }
        if changed { relabel() }
        return changed
    }

    private func relabel() {
        for dir in Set(runs.map(\.dir)) {
            let mine = runs.indices.filter { runs[$0].dir == dir }
            for (k, i) in mine.enumerated() {
                runs[i].label = (dir as NSString).lastPathComponent + (mine.count > 1 ? " #\(k + 1)" : "")
            }
        }
    }

    /// The runs shown at first: every run of a single dir, else each dir's newest; at most `limit`.
    public func initialChoice(limit: Int = 6) -> [String] {
        let ids = dirs.count == 1 ? runs.map(\.id) : dirs.compactMap { d in runs.last { $0.dir == d }?.id }
        return Array(ids.suffix(limit))
    }

    /// A config's leaves by dotted path (dicts and lists of dicts opened; other lists as one value).
    static func flatten(configText: String, id: String) -> [String: String] {
        let path = "/compare/\(abs(id.hashValue))/config.py"
        guard let doc = try? ConfigDocument(path: path, reader: { $0 == path ? configText : nil }) else { return [:] }
        var out: [String: String] = [:]
        func visit(_ v: ConfigValue, _ key: String) {
            switch v.content {
            case .dict(let d): for e in d { visit(e.value, key.isEmpty ? e.key.description : key + "." + e.key.description) }
            default:
                if let items = v.elements, items.contains(where: { $0.dict != nil }) {
                    for (i, x) in items.enumerated() { visit(x, key + ".\(i)") }
                } else {
                    out[key] = v.description
                }
            }
        }
        for e in doc.config.root { visit(e.value, e.key.description) }
        return out
    }
}
