import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// The dashboard's loop: keys → `AppState.handle` → effects; engine events → `RunView`; at most ~20 frames a
/// second rendered by `Renderer` and written by `Terminal`. Training runs on a background thread; the only
/// objects shared with it are the `RunControl` (commands in) and the `EventInbox` (events out).
public final class DashboardApp {
    public struct Options {
        public var configPath: String?
        public var cfgOptions: [String] = []
        /// The theme to use; nil: the one saved by `t` last time (`ThemeSettings`), else "default".
        public var theme: String?
        /// What `w` checks the config with (`reel config check`'s function); the schema alone when not set.
        public var configCheck: (@Sendable (ResolvedConfig) -> [ConfigError])?
        public var watchDir: String?
        /// Work dirs whose runs the Compare screen opens on (`reel tui --compare DIR...`).
        public var compareDirs: [String] = []
        public var train = TrainOptions()
        /// Start training as soon as the dashboard opens (`reel train FILE`).
        public var startImmediately = false
        public init() {}
    }

    var state = AppState()
    let options: Options
    var theme: Theme
    let inbox = EventInbox()
    var control: RunControl?
    var runThread: Thread?
    var tail: EventFollower?
    /// The work dir's checkpoints, read again when the directory changes (polled about once a second).
    var checkpointDir: CheckpointDirectory?
    var lastDirectoryPoll = 0.0
    /// `E` results from their background threads.
    let evaluations = LockedQueue<CheckpointEvaluationResult>()
    /// The runs of the Compare screen (made when it first opens, or at start with --compare).
    var compareSource: CompareSource?
    var lastComparePoll = 0.0
    var quitRequested = false
    var depth = ColorDepth.trueColor
    /// The newest checkpoint any run of this session saved, and the current run's failure (for the exit status).
    var lastCheckpoint: String?
    var lastFailure: RunFailure?
    let settings = ThemeSettings(environment: ProcessInfo.processInfo.environment)

    public init(_ options: Options) {
        self.options = options
        theme = Theme.fallback
        if let check = options.configCheck { state.configCheck = check }
        let paths = settings.searchPaths
        state.themeNames = Theme.available(in: paths)
        let name = options.theme ?? settings.saved() ?? "default"
        state.themeName = name
        do { theme = try Theme.load(name: name, searchPaths: paths) } catch {
            state.message = "\(error) — using the built-in theme"
        }
        if let path = options.configPath { load(path) }
        if let dir = options.watchDir {
            state.watchMode = true
            state.workDir = dir
            state.screen = .run
            tail = EventFollower(workDir: dir)
        }
        if !options.compareDirs.isEmpty {
            state.screen = .compare
            openCompare(options.compareDirs)
        }
        rescanCheckpoints()
    }

    func load(_ path: String) {
        do {
            let doc = try ConfigDocument(path: path, cfgOptions: options.cfgOptions)
            state.document = doc
            state.workDir = try TrainingSession.workDirectory(for: doc.config, override: options.train.workDir)
            if let v = doc.config.root["lr_config"] { _ = v; state.expanded.insert(["lr_config"]) }
            state.expanded.insert(["optimizer"])
            state.itersPerEpoch = Self.itersPerEpoch(doc.config)
        } catch {
            state.loadError = "\(error)"
        }
    }

    /// len(train loader) from the annotation file, for the LR preview (100 when it cannot be read).
    static func itersPerEpoch(_ config: ResolvedConfig) -> Int {
        guard let spec = try? DataConfig(config).spec(.train),
              let file = spec.dataset.annotationFile,
              let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 100 }
        let n = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        let s = spec.loader
        return max(1, s.dropLast ? n / s.batchSize : (n + s.batchSize - 1) / s.batchSize)
    }

    /// How the dashboard ended, for `reel` to turn into an exit status.
    public enum Outcome {
        /// The user quit (q, or Ctrl-C as a key, confirmed).
        case quit
        /// SIGHUP, SIGINT or SIGTERM: the active run (if any) finished its iteration and saved first.
        case stopped(signal: Int32, lastCheckpoint: String?)
        /// The last run started failed (and the user then quit).
        case failed(RunFailure)
    }

    /// Runs until the user quits or a signal arrives.
    public func run() -> Outcome {
        let terminal = Terminal()
        defer { terminal.restore() }
        // Raw mode delivers Ctrl-C typed in the terminal as a key (it asks before stopping a run); SIGINT sent from
        // outside, SIGTERM and SIGHUP (the terminal closed) stop the run with a checkpoint and quit. The loop polls
        // `received`; a second signal restores the terminal and quits at once.
        let signals = StopSignals(onFirst: { _ in }, onRepeat: { first in
            Terminal.restoreFromAnyThread()
            _exit(StopSignals.exitStatus(for: first))
        })
        var stopping = false
        depth = terminal.depth
        theme = theme.degraded(to: terminal.depth)
        if options.startImmediately { perform(state.startRun()) }
        var lastFrame: ScreenBuffer?
        var lastSize = (0, 0), lastRender = 0.0, dirty = true
        while !quitRequested {
            // Render when something changed (engine events, a resize) at most twice a second, or once a second for
            // the clocks, and at once after a key. The training threads own both cores: redrawing on every loop
            // (20 a second) or every iteration's event cost them 4–6 % of their speed (measured).
            var urgent = false
            state.viewSize = (terminal.width, terminal.height)
            state.logs.page = max(1, terminal.height - 4)
            if let key = terminal.readKey() { perform(state.handle(key)); urgent = true }
            if !stopping, signals.received != nil { stopping = true; perform([.send(.stop), .quit]) }
            if absorbEvents() { dirty = true }
            if refreshFramePreview() { urgent = true }
            if (terminal.width, terminal.height) != lastSize { lastSize = (terminal.width, terminal.height); urgent = true }
            let now = Date().timeIntervalSince1970
            guard urgent || (dirty && now - lastRender >= 0.5) || now - lastRender >= 1 else { continue }
            dirty = false
            lastRender = now
            let frame = Renderer.render(state, width: terminal.width, height: terminal.height, theme: theme)
            if frame != lastFrame { terminal.draw(frame); lastFrame = frame }
        }
        // Let an active run finish its iteration and save before leaving.
        while let t = runThread, !t.isFinished { absorbEvents(); usleep(20_000) }
        absorbEvents()
        terminal.restore()
        if let sig = signals.received { return .stopped(signal: sig, lastCheckpoint: lastCheckpoint) }
        if case .failed = state.run.status, let lastFailure { return .failed(lastFailure) }
        return .quit
    }

    /// Applies the engine's (or the watched run's) new events to the state, the checkpoint directory's changes
    /// and `E` results; true if anything changed.
    @discardableResult
    func absorbEvents() -> Bool {
        var rescan = false
        let events = inbox.drain() + followWatchedRun()
        for e in events {
            state.run.apply(e)
            // "saving a checkpoint…" / "evaluating …" end with the event that finishes them.
            if state.message?.hasSuffix("…") == true {
                switch e {
                case .checkpointSaved, .evaluated, .finished, .failed, .message: state.message = nil
                default: break
                }
            }
            if case .checkpointSaved(let r) = e {
                rescan = true
                if r.kind != .best { lastCheckpoint = r.path }
            }
            if case .failed(let f) = e { lastFailure = f }
            if case .finished = e { rescan = true }
        }
        var changed = !events.isEmpty
        for r in evaluations.drain() { state.checkpointEvaluations[r.path] = r.result; changed = true }
        // Files written by anyone (another run, a copy, a delete) show up within a second: the poll only lists
        // and stats the directory, and reads a file's metadata only when the file changed.
        let now = Date().timeIntervalSince1970
        if rescan || now - lastDirectoryPoll >= 1 {
            lastDirectoryPoll = now
            if rescanCheckpoints() { changed = true }
        }
        if pollCompare(now: now) { changed = true }
        return changed
    }

    /// Makes the crop/flip preview when the Config screen's selection lands on a spatial pipeline step whose
    /// arguments differ from the one shown (decoding one video's frames: a few milliseconds).
    /// True when it made a new one.
    @discardableResult
    func refreshFramePreview() -> Bool {
        guard state.screen == .config, let doc = state.document, let row = state.selectedRow,
              let key = FramePreview.key(for: row.path, in: doc.config), state.framePreview?.key != key else { return false }
        state.framePreview = FramePreview.make(for: row.path, in: doc.config)
        return true
    }

    /// Reads the work dir's checkpoint list if it changed (`force`: read every file again); true if the list was read.
    @discardableResult
    func rescanCheckpoints(force: Bool = false) -> Bool {
        guard let dir = state.workDir else { return false }
        if checkpointDir?.path != dir { checkpointDir = CheckpointDirectory(path: dir) }
        guard let (list, best) = checkpointDir?.poll(force: force) else { return false }
        state.setCheckpoints(list, best: best)
        return true
    }

    func perform(_ effects: [AppEffect]) {
        for e in effects {
            switch e {
            case .startRun(let resume): startRun(resumeFrom: resume)
            case .send(let c):
                control?.send(c)
                if c == .stop, state.run.status.isActive { state.run.status = .stopping }
            case .evaluateCheckpoint(let path): evaluate(path)
            case .deleteCheckpoint(let path):
                // Only Reel's own checkpoint files, as regular files directly in the run's work dir (OwnedFiles).
                do {
                    try CheckpointStore.remove(checkpoint: path, inDirectory: state.workDir ?? (path as NSString).deletingLastPathComponent,
                                          isOwnName: OwnedFiles.isCheckpointName)
                    state.message = "deleted \((path as NSString).lastPathComponent)"
                } catch { state.message = "\((path as NSString).lastPathComponent) not deleted: \(ErrorWords.describe(error))" }
                rescanCheckpoints()
            case .rescanCheckpoints: rescanCheckpoints(force: true)
            case .rescanRuns:
                let dirs = options.compareDirs.isEmpty ? state.workDir.map(CompareSource.discover(around:)) ?? [] : options.compareDirs
                let chosen = state.compare.chosen
                openCompare(dirs)
                let known = Set(state.compare.runs.map(\.id))
                if chosen.contains(where: known.contains) { state.compare.chosen = chosen.filter(known.contains) }
            case .cycleTheme:
                let paths = settings.searchPaths
                state.themeNames = Theme.available(in: paths)
                let next = Theme.next(after: state.themeName, in: state.themeNames, searchPaths: paths)
                var note = next.skipped.isEmpty ? "" : "  (skipped: \(next.skipped.joined(separator: "; ")))"
                if let t = next.theme {
                    theme = t.degraded(to: depth)
                    state.themeName = t.name
                    do { try settings.save(t.name) } catch { note += "  (not saved: \(error))" }
                    state.message = "theme: \(t.name)" + note
                } else { state.message = "no theme could be loaded" + note }
            case .quit: quitRequested = true
            case .showRun(let step): showWatchedRun(step: step)
            }
        }
    }

    func startRun(resumeFrom: String?) {
        guard let doc = state.document else { state.message = "no config loaded"; return }
        var options = self.options.train
        if let resumeFrom { options.resumeFrom = resumeFrom }
        let control = RunControl()
        self.control = control
        lastFailure = nil
        state.run = RunView()
        state.run.status = .starting
        let config = doc.config
        let inbox = self.inbox
        let runOptions = options
        let thread = Thread {
            let runner: Runner
            do {
                let problems = SchemaChecker.check(config).filter { $0.severity == .error }
                if !problems.isEmpty {
                    throw RunFailure(message: problems.map(\.description).joined(separator: "\n"), cause: problems[0])
                }
                runner = try TrainingSession.build(config, options: runOptions, control: control, sinks: [inbox])
            } catch let failure as RunFailure {
                inbox.receive(.failed(failure))
                return
            } catch {
                inbox.receive(.failed(RunFailure(message: "\(error)", cause: error)))
                return
            }
            // A failure inside the run has already been sent as a .failed event by the runner.
            _ = try? runner.run()
        }
        thread.name = "reel-engine"
        thread.stackSize = 16 << 20
        runThread = thread
        thread.start()
    }

    func evaluate(_ path: String) {
        guard let doc = state.document else { return }
        let config = doc.config
        let inbox = self.inbox, results = evaluations
        Thread {
            Self.evaluateCheckpoint(path, config: config, report: inbox.receive) { results.append(CheckpointEvaluationResult(path: path, result: $0)) }
        }.start()
    }

    /// `E` on the Checkpoints screen: the file's weights on the val split, reported as log messages (the result,
    /// each `skip_broken` note as a warning, or the error). Runs on a background thread.
    /// `result` gets the same outcome for the checkpoint list.
    static func evaluateCheckpoint(_ path: String, config: ResolvedConfig, report: @escaping (RunEvent) -> Void,
                                   result: @escaping (CheckpointEvaluation) -> Void = { _ in }) {
        let name = (path as NSString).lastPathComponent
        do {
            guard let m = config.root["model"] else {
                result(.failed("the config has no model"))
                return report(.message("ERROR: evaluating \(name): the config has no model"))
            }
            let model = try ModelBuilder.recognizer(m, files: config.files, seed: 0)
            CheckpointStore.loadWeights(into: model, from: try CheckpointFile.read(path))
            model.applyMode(training: false)
            let val = try DataConfig(config).spec(.val)
            let (r, _, _) = try SplitEvaluation.run(model: model, data: val, metrics: Metrics.all(multiLabel: val.dataset.multiClass),
                                                 onSkipped: { report(.message("warning: \($0)")) })
            let metrics = r.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
            result(.done(metrics))
            report(.message("evaluated \(name) on val: " + metrics.joined(separator: ", ")))
        } catch {
            result(.failed(ErrorWords.describe(error)))
            report(.message("ERROR: evaluating \(name): \(ErrorWords.describe(error))"))
        }
    }
}

