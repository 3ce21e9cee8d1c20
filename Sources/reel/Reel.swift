import ArgumentParser
import Config
import Foundation

/// The `reel` command: config tools now; training, testing, inspection and the dashboard as they land.
@main
struct Reel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel",
        abstract: "A terminal trainer for video action recognition, driven by mmaction2-style configs.",
        discussion: """
            Configs are mmaction2/mmcv Python config files, read safely: nothing in a config is executed.
            Exit status: 0 success, 2 a config or argument error, 130/143 interrupted by a signal.
            """,
        version: ReelVersion.string,
        subcommands: [ConfigCommand.self, TUICommand.self, TrainCommand.self, TestCommand.self, InspectCommand.self, DataCommand.self, BenchCommand.self]
    )

    /// Runs the command and maps errors to Reel's exit statuses: argument errors (argument-parser's 64) and config
    /// errors both exit 2, after printing the message to standard error.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ConfigError {
            ExitStatus.fail(with: error)
        } catch let error as ConfigErrors {
            ExitStatus.fail(with: error)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help / --version
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { ExitStatus.printError(message) }
            Foundation.exit(code.rawValue == 64 ? ExitStatus.usage : code.rawValue)
        }
    }
}

enum ReelVersion {
    static let string = "0.1.0"
}
