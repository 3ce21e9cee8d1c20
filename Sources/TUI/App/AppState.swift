import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// The screens (Tab / 1–5).
public enum ScreenID: Int, CaseIterable, Sendable {
    case config = 1, run, checkpoints, logs, compare
    public var title: String {
        switch self {
        case .config: "Config"; case .run: "Run"; case .checkpoints: "Checkpoints"; case .logs: "Logs"; case .compare: "Compare"
        }
    }
    /// The tab's title where the full one does not fit.
    public var shortTitle: String {
        switch self {
        case .config: "Cfg"; case .run: "Run"; case .checkpoints: "Ckpt"; case .logs: "Logs"; case .compare: "Cmp"
        }
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
    /// Read the work dir's checkpoints again (Ctrl-R; the app also does it when the directory changes).
    case rescanCheckpoints
    /// Look for runs to compare again (Ctrl-R on Compare).
    case rescanRuns
}

/// A question the user must answer before something irreversible; drawn as a modal dialog (`Dialog`).
public enum Confirmation: Equatable, Sendable {
    case quit, stop, delete(String)
    /// `R` on a checkpoint: resume training from the named file.
    case resume(String)
    /// `q` with edits not written: write / discard / cancel (and stop the active run, if any).
    case quitUnsaved(files: [String], runActive: Bool)
    /// `w` on a config that `config check` rejects: the errors, and whether to quit after writing.
    case writeWithErrors(errors: [String], thenQuit: Bool, runActive: Bool)
    /// An edit whose text is shared (a base file, or a span several keys use): edit there or override here.
    case sharedEdit(SharedEdit)
    public var question: String {
        switch self {
        case .resume(let p): "Resume training from \((p as NSString).lastPathComponent)? (y/n)"
        case .quit: "A run is active: stop it (saving a checkpoint) and quit? (y/n)"
        case .stop: "Stop the run? A checkpoint is saved first. (y/n)"
        case .delete(let p): "Delete \((p as NSString).lastPathComponent)? (y/n)"
        case .quitUnsaved: "Quit with unsaved edits? (w write / d discard / Esc cancel)"
        case .writeWithErrors: "Write a config that config check rejects? (y/n)"
        case .sharedEdit(let e): "\(e.location) is shared: (o override here / e edit there / Esc cancel)"
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
    public static func scan(_ dir: String) -> [CheckpointEntry] { CheckpointDirectory(path: dir).poll(force: true)?.entries ?? [] }

    /// One file: its size, time and metadata (or why it cannot be read).
    public static func read(_ path: String) -> CheckpointEntry {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        var e = CheckpointEntry(path: path, bytes: (attrs?[.size] as? Int) ?? 0,
                                modified: (attrs?[.modificationDate] as? Date) ?? .distantPast)
        do { e.metadata = try CheckpointStore.metadata(of: try CheckpointFile.read(path), path: path) } catch { e.error = ErrorWords.describe(error) }
        return e
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
    /// The last search, for `n`/`N` and to start the next `/` with.
    public var lastSearch = ""
    /// The search box still shows `lastSearch` untouched: the first character typed replaces it (as a selected
    /// query does in a browser's find bar), so `/` then typing starts a new search.
    public var searchIsRecalled = false
    /// Set while the editor adds a key (`a`) to the dict at this path, instead of editing the selected value.
    public var addingTo: [String]?
    /// What `w` and Enter check a config with: `reel config check`'s function (the `reel` target sets it).
    public var configCheck: @Sendable (ResolvedConfig) -> [ConfigError] = { $0.warnings + SchemaChecker.check($0) }
    /// The first line of the `?` overlay shown (it scrolls on small terminals).
    public var helpScroll = 0
    /// The screen before the last switch, for Esc.
    public var previousScreen: ScreenID?
    /// The terminal size of the last frame, to place mouse clicks.
    public var viewSize = (width: 0, height: 0)
    /// The theme names `t` cycles through (built-in and user themes), for the `?` overlay.
    public var themeNames: [String] = []

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

    /// Run screen: the LR chart on a log scale (`L`).
    public var lrLogScale = false

    // Checkpoints (AppState+Checkpoints).
    public var checkpoints: [CheckpointEntry] = []
    /// The selected row; `checkpointPath` is what it means: the selection follows the file when the list changes.
    public var checkpointSelected = 0
    public var checkpointPath: String?
    public var showCheckpointDetail = false
    /// `best.json`'s checkpoint (file name): the one best file, as the run itself sees it.
    public var bestCheckpointName: String?
    /// `E` results by checkpoint path, shown in the list.
    public var checkpointEvaluations: [String: CheckpointEvaluation] = [:]

    // Logs (AppState+Logs).
    public var logs = LogView()

    // Compare (AppState+Compare).
    public var compare = CompareState()

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
