import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation
import TUI

/// Opens the ncurses dashboard (the TUI target) and exits with the status of how it ended (`ExitStatus`).
enum Dashboard {
    static func open(configPath: String?, cfgOptions: [String], startRun: TrainOptions?, theme: String? = nil,
                     watch: String? = nil, compare: [String] = [], options: TrainOptions = TrainOptions()) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("the dashboard needs a terminal (use reel train --no-tui for headless runs)")
        }
        var o = DashboardApp.Options()
        o.configPath = configPath
        o.cfgOptions = cfgOptions
        o.theme = theme
        o.configCheck = { ConfigCommand.Check.problems($0) }
        o.watchDir = watch
        o.compareDirs = compare
        o.train = startRun ?? options
        o.startImmediately = startRun != nil
        switch DashboardApp(o).run() {
        case .quit: exit(ExitStatus.success)
        case .stopped(let signal, let checkpoint): ExitStatus.stopped(by: signal, iter: nil, saved: checkpoint)
        case .failed(let failure): ExitStatus.fail(with: failure)
        }
    }
}
