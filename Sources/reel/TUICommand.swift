import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation
import TUI

/// `reel tui [FILE]`: the dashboard — edit the config, train, watch, browse checkpoints.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the dashboard on a config (or follow a run with --watch).",
        discussion: "Keys: Tab / 1-5 switch screens (5: compare runs), ? lists every key of the screen, q quits. A run started with r evaluates as the config's evaluation says (--validate is implied).")

    @Argument(help: "A config file (.py).") var file: String?
    @Option(name: .customLong("cfg-options"), parsing: .upToNextOption, help: "Override settings: KEY=VALUE ...") var cfgOptions: [String] = []
    @Option(help: "Theme: default, light, high-contrast or a user theme (NAME.toml in $XDG_CONFIG_HOME/reel/themes). Default: the last one chosen with t, else default.") var theme: String?
    @Option(help: "Follow a run started elsewhere: replays and follows WORK_DIR/events.jsonl (steering disabled; [ and ] switch runs).") var watch: String?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Compare the runs of these work dirs (their events.jsonl): curves on shared axes, final and best figures, config differences.", valueName: "work-dir"))
    var compare: [String] = []
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if file == nil && watch == nil && compare.isEmpty { throw ValidationError("give a config FILE, --watch WORK_DIR or --compare WORK_DIR...") }
        for dir in compare {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--compare: \(dir) is not a directory (give work dirs of runs)")
            }
        }
    }

    func run() throws {
        guard runOptions.launcher == .none else {
            throw ValidationError("the dashboard trains in one process; start a data-parallel run with "
                                  + "mpirun -np K reel train FILE --launcher mpi and follow it with reel tui --watch WORK_DIR")
        }
        _ = try runOptions.launcher.processGroup(threads: runOptions.threads)   // --threads
        if let file { _ = try ConfigLoader.load(file, cfgOptions: cfgOptions) }   // config errors before the screen opens
        // A run started from the dashboard evaluates as the config's `evaluation` says (as `--validate`): the Run
        // screen's metrics table and best marker are half of what it is for.
        var options = runOptions.options
        options.validate = true
        try Dashboard.open(configPath: file, cfgOptions: cfgOptions, startRun: nil, theme: theme, watch: watch, compare: compare,
                           options: options)
    }
}
