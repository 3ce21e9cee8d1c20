import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineDistributed
import EngineTraining
import Foundation

/// `reel train FILE`: mmaction2's tools/train.py. Opens the dashboard unless `--no-tui` (or when standard output
/// is not a terminal); headless runs print mmcv's log lines and a progress bar.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a config.",
        discussion: """
            Ctrl-C, SIGINT, SIGTERM or SIGHUP (a closed terminal or ssh session) finishes the current iteration, \
            saves iter_N.safetensors and latest.safetensors, and exits with 130, 130, 143 or 129. A second signal \
            quits at once with the same status, without saving. Under nohup, SIGHUP stays ignored.

            A run that fails exits with 1 (non-finite loss; a failed write, e.g. a full disk: the run stops at once \
            and names the last checkpoint, which is intact) or 2 when it refuses its input (config, checkpoint, \
            annotation or frame file).
            """)

    @OptionGroup var source: ConfigCommand.Source
    @OptionGroup var runOptions: RunOptions
    @Flag(name: .customLong("no-tui"), help: "Run headless: log lines and a progress bar instead of the dashboard.")
    var noTUI = false

    func run() throws {
        let group = try runOptions.launcher.processGroup(threads: runOptions.threads)
        let config = try source.load()
        let warnings = try runOptions.check(config)
        if group.world > 1 {
            // A data-parallel job runs headless: rank 0 prints the log; `reel tui --watch WORK_DIR` shows it live.
            try HeadlessRun(config: config, options: runOptions.options, warnings: warnings, group: group).execute()
            return
        }
        if !noTUI && isatty(STDOUT_FILENO) == 1 && isatty(STDIN_FILENO) == 1 {
            // The run logs them (log pane, .log, events.jsonl); printed here they would vanish under the screen.
            try Dashboard.open(configPath: source.file, cfgOptions: source.cfgOptions, startRun: runOptions.options)
            return
        }
        try HeadlessRun(config: config, options: runOptions.options, warnings: warnings).execute()
    }
}

/// The run options `reel train` and the dashboard share (tools/train.py's flags).
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("work-dir"), help: "Where logs and checkpoints go (default: the config's work_dir, else ./work_dirs/<config name>).")
    var workDir: String?
    @Option(help: "Random seed (default: a resumed checkpoint's seed, else the config's seed, else a random one).") var seed: UInt64?
    @Flag(help: "Bit-for-bit repeatable run (Reel is deterministic for a given seed and thread count; the flag is accepted for mmaction2 compatibility).")
    var deterministic = false
    @Flag(help: "Evaluate on the val split during training (EvalHook, per the config's evaluation=dict(...)).")
    var validate = false
    @Option(name: .customLong("resume-from"), help: "Resume weights, optimizer, counters from a checkpoint.") var resumeFrom: String?
    @Option(name: .customLong("load-from"), help: "Start from these weights (counters at 0).") var loadFrom: String?
    @Flag(name: .customLong("auto-resume"), help: "Resume from the work dir's latest.safetensors if there is one.") var autoResume = false
    @Option(help: "Compute threads (default: all cores; with --launcher mpi, the cores divided among the ranks on the machine).")
    var threads: Int?
    @Option(help: "How the processes were started: none (one process) or mpi (a rank of `mpirun -np K reel train … --launcher mpi`: data-parallel training).")
    var launcher: Launcher = .none

    var options: TrainOptions {
        var o = TrainOptions()
        o.workDir = workDir; o.seed = seed; o.deterministic = deterministic; o.validate = validate
        o.resumeFrom = resumeFrom; o.loadFrom = loadFrom; o.autoResume = autoResume
        return o
    }

    /// Schema errors stop before anything is built; warnings are returned. The run logs the warnings as messages
    /// (`TrainingSession.build`), so they reach the console, the `.log` and `events.jsonl` alike.
    func check(_ config: ResolvedConfig) throws -> [ConfigError] {
        let problems = config.warnings + SchemaChecker.check(config)
        if problems.contains(where: { $0.severity == .error }) { throw ConfigErrors(errors: problems) }
        return problems
    }
}

/// A headless training run: console output, signal handling and exit statuses.
struct HeadlessRun {
    let config: ResolvedConfig
    let options: TrainOptions
    /// The config's warnings: the run logs them; if it fails to start before that, they are printed here.
    var warnings: [ConfigError] = []
    /// The data-parallel job (`--launcher mpi`): only rank 0 prints the run.
    var group: any ProcessGroup = SingleProcess()

    func execute() throws {
        let control = RunControl()
        let isMain = group.isMain   // in a data-parallel job (mpirun signals every rank) rank 0 speaks for all
        let signals = StopSignals(onFirst: { sig in
            if isMain {
                ExitStatus.printError("\nreel: \(StopSignals.name(of: sig)): stopping after this iteration (saving a checkpoint); "
                                      + "a second signal quits at once")
            }
            control.send(.stop)
        }, onRepeat: { first in
            ExitStatus.printError("\nreel: quitting without saving")
            _exit(StopSignals.exitStatus(for: first))
        })
        let console = ConsoleSink()
        let runner: Runner
        do {
            runner = try TrainingSession.build(config, options: options, control: control, sinks: group.isMain ? [console] : [],
                                               group: group)
        } catch {
            if !console.printedMessages && group.isMain { for w in warnings { ExitStatus.printError(w.description) } }
            throw error
        }
        do {
            let summary = try runner.run()
            console.finish()
            if let signal = signals.received, summary.ending == .stopped {
                if !isMain { exit(StopSignals.exitStatus(for: signal)) }
                ExitStatus.stopped(by: signal, iter: summary.iter, saved: runner.lastGoodCheckpoint)
            }
        } catch let failure as RunFailure {
            console.finish()
            ExitStatus.fail(with: failure)
        }
    }
}

/// Prints the run for a terminal or a log file: mmcv-style log lines and, on a terminal, a live progress bar of
/// the epoch (iterations, ETA, loss, lr, clips/s).
final class ConsoleSink: RunEventSink {
    private let isTerminal = isatty(STDOUT_FILENO) == 1
    private var info: RunInfo?
    private var barShown = false
    /// The bar as last drawn, and whether the text logger's record for that iteration is still to come: its line
    /// follows the iteration's event, and the bar is put back after it (as when the line came first).
    private var lastBar: String?
    private var redrawAfterRecord = false
    private var smoothLoss: Double?
    private var recent: [(time: Double, clips: Int)] = []
    /// Whether any log line was printed (the config's warnings come first).
    private(set) var printedMessages = false

    func receive(_ event: RunEvent) {
        switch event {
        case .started(let i): info = i
        case .message(let text):
            let redraw = redrawAfterRecord && barShown
            redrawAfterRecord = false
            clearBar(); write(Self.stamp() + " - " + text + "\n"); printedMessages = true
            if redraw, let lastBar { write(lastBar); barShown = true }
        case .iteration(let r): if isTerminal { drawBar(r) }; redrawAfterRecord = false
        case .logged: redrawAfterRecord = true
        case .failed(let f): clearBar(); write(Self.stamp() + " - ERROR - \(f)\n")
        case .finished(let s):
            clearBar()
            write(Self.stamp() + " - " + String(format: "%@ after %d iterations (%.0f s)", s.ending == .completed ? "Finished" : "Stopped",
                                                s.iter, s.seconds)
                  + (s.bestKey.map { k in String(format: ", best %@ %.4f", k, s.bestScore ?? .nan) } ?? "") + "\n")
        default: break
        }
    }

    func finish() { clearBar() }

    private func drawBar(_ r: IterationRecord) {
        guard let info else { return }
        smoothLoss = smoothLoss.map { 0.9 * $0 + 0.1 * r.loss } ?? r.loss
        recent.append((r.time, r.batchSize * max(1, r.ranks.count)))   // a data-parallel step: every rank's clips
        if recent.count > 20 { recent.removeFirst() }
        let seconds = recent.reduce(0) { $0 + $1.time }, clips = recent.reduce(0) { $0 + $1.clips }
        let perIter = seconds / Double(max(1, recent.count))
        let done = info.byEpoch ? r.innerIter + 1 : r.iter + 1
        let total = info.byEpoch ? info.itersPerEpoch : info.maxIters
        let eta = Int(perIter * Double(info.maxIters - r.iter - 1))
        let width = 30, filled = Int(Double(width) * Double(done) / Double(max(1, total)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let head = info.byEpoch ? "epoch \(r.epoch + 1)/\(info.maxEpochs)" : "iter"
        let line = String(format: "\r%@ %@ %d/%d  eta %@  loss %.4f  lr %.3e  %.1f clips/s", head, bar, done, total,
                          Self.duration(eta), smoothLoss ?? r.loss, r.lr, seconds > 0 ? Double(clips) / seconds : 0)
        lastBar = line + "\u{1B}[K"
        write(line + "\u{1B}[K")
        barShown = true
    }

    private func clearBar() {
        if barShown { write("\r\u{1B}[K"); barShown = false }
    }

    /// Unbuffered, so the bar and the lines interleave correctly with standard error; never traps (a closed
    /// terminal must not stop the run from saving).
    private func write(_ s: String) { Console.write(s, to: STDOUT_FILENO) }

    static func duration(_ s: Int) -> String {
        s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func stamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date())
    }
}
