import Config
import Engine
import Foundation

/// The four screens (Tab / 1–4).
public enum ScreenID: Int, CaseIterable, Sendable {
    case config = 1, run, checkpoints, logs
    public var title: String {
        switch self { case .config: "Config"; case .run: "Run"; case .checkpoints: "Checkpoints"; case .logs: "Logs" }
    }
}

/// What the app loop must do after a key: the state itself changes in `handle`, side effects are returned.
public enum AppEffect: Equatable, Sendable {
    case startRun(resumeFrom: String?)
    case send(RunCommand)
    case evaluateCheckpoint(String)
    case deleteCheckpoint(String)
    case cycleTheme
    case quit
    /// Watch mode: show the run `step` places older (−1) or newer (+1) in the work dir's record.
    case showRun(step: Int)
}

/// A question the user must answer with y/n before something irreversible.
public enum Confirmation: Equatable, Sendable {
    case quit, stop, delete(String)
    public var question: String {
        switch self {
        case .quit: "A run is active: stop it (saving a checkpoint) and quit? (y/n)"
        case .stop: "Stop the run? A checkpoint is saved first. (y/n)"
        case .delete(let p): "Delete \((p as NSString).lastPathComponent)? (y/n)"
        }
    }
}

/// A checkpoint file in the work dir, as the Checkpoints screen lists it.
public struct CheckpointEntry: Equatable, Sendable {
    public var path: String
    public var name: String { (path as NSString).lastPathComponent }
    public var bytes: Int
    public var modified: Date
    public var metadata: CheckpointMetadata?
    /// Why the file cannot be read, if it cannot.
    public var error: String?
    public var isBest: Bool { name.hasPrefix("best_") }
    public var isLatest: Bool { name == "latest.safetensors" }

    /// Every `.safetensors` and `.pth` in `dir`, newest first; unreadable files are listed with their error.
    public static func scan(_ dir: String) -> [CheckpointEntry] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter(CheckpointFile.isWeightsName).compactMap { name -> CheckpointEntry? in
            let path = (dir as NSString).appendingPathComponent(name)
            let attrs = try? fm.attributesOfItem(atPath: path)
            var e = CheckpointEntry(path: path, bytes: (attrs?[.size] as? Int) ?? 0,
                                    modified: (attrs?[.modificationDate] as? Date) ?? .distantPast)
            do { e.metadata = try CheckpointStore.metadata(of: try CheckpointFile.read(path), path: path) } catch { e.error = "\(error)" }
            return e
        }.sorted { ($0.modified, $0.name) > ($1.modified, $1.name) }
    }
}

/// Everything the dashboard shows, as plain values; rendering is a pure function of it (`Renderer`).
public struct AppState: Sendable {
    public var screen = ScreenID.config
    public var showHelp = false
    public var message: String?
    public var confirmation: Confirmation?
    public var themeName = "default"

    // Config screen.
    public var document: ConfigDocument?
    public var loadError: String?
    public var expanded: Set<[String]> = []
    public var selected = 0
    public var editing: TextField?
    public var editError: String?
    public var search: TextField?

    // Run screen.
    public var run = RunView()
    /// Following a run started elsewhere (`--watch`): steering keys do nothing.
    public var watchMode = false
    /// Watch mode with nothing to show yet: why (no work dir, no `events.jsonl`, an older Reel's run).
    public var watchNote: String?
    /// Watch mode: the shown run's place among the runs of the work dir's record (1-based), and how many there are.
    public var watchedRun: (index: Int, count: Int)?
    public var workDir: String?
    /// Batches per training epoch (from the annotation file), for the LR preview.
    public var itersPerEpoch = 100
    /// The crop/flip preview of the selected pipeline step, when the app has made one (see `FramePreview`).
    public var framePreview: FramePreview?

    // Checkpoints and logs.
    public var checkpoints: [CheckpointEntry] = []
    public var checkpointSelected = 0
    public var showCheckpointDetail = false
    public var logScroll = 0

    public init() {}

    public var rows: [TreeRow] {
        guard let d = document else { return [] }
        return ConfigTree.rows(d.config.root, expanded: expanded)
    }

    public var selectedRow: TreeRow? {
        let r = rows
        return r.indices.contains(selected) ? r[selected] : nil
    }

    public var canSteer: Bool { !watchMode && run.status.isActive }
}
