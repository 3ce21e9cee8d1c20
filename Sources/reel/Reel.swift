import ArgumentParser
import Config
import Foundation

/// The `reel` command: config tools, training, testing, inspection and the dashboard.
@main
struct Reel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel",
        abstract: "A terminal trainer for video action recognition, driven by mmaction2-style configs.",
        discussion: """
            Configs are mmaction2/mmcv Python config files, read safely: nothing in a config is executed.

            Exit status: 0 success; 1 the run failed at run time (non-finite loss, a failed write such as a full \
            disk, an internal error); 2 refused input (config, command line, checkpoint, annotation or frame file); \
            129/130/143 stopped by SIGHUP/SIGINT/SIGTERM after saving a checkpoint (a second signal quits at once \
            with the same status).
            """,
        version: ReelVersion.string,
        subcommands: [ConfigCommand.self, TUICommand.self, TrainCommand.self, TestCommand.self, InferCommand.self, InspectCommand.self,
                      DataCommand.self, BenchCommand.self, BenchConv3dCommand.self, CheckpointCommand.self, ConvertCommand.self]
    )

    /// Runs the command; every error goes through `ExitStatus`, the one place that picks the status.
    static func main() {
        // A closed pipe or terminal makes writes fail (EPIPE) instead of killing the process mid-save.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ExitStatus.fail(with: error)
        }
    }
}

enum ReelVersion {
    static let string = "0.1.0"
}
