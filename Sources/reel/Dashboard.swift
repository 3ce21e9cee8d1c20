import Config
import Engine
import Foundation

/// Entry point of the ncurses dashboard (the TUI target); until it lands, `reel train` runs headless.
enum Dashboard {
    static func open(configPath: String, cfgOptions: [String], startRun: TrainOptions?) throws {
        let config = try ConfigLoader.load(configPath, cfgOptions: cfgOptions)
        try HeadlessRun(config: config, options: startRun ?? TrainOptions()).execute()
    }
}
