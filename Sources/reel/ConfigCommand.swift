import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel config …`: read, resolve, print and validate mm-style configs.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Resolve, print and check mmaction2-style config files.",
        subcommands: [Show.self, Check.self]
    )

    /// Options shared by the config subcommands.
    struct Source: ParsableArguments {
        @Argument(help: "A config file (.py).")
        var file: String

        @Option(name: .customLong("cfg-options"), parsing: .upToNextOption,
                help: ArgumentHelp("Override settings: KEY=VALUE ... (mmcv DictAction rules: a.b=1, "
                                   + "'lst=[1,2]', 'tup=(1,2)', data.train.pipeline.0.clip_len=3).",
                                   valueName: "KEY=VALUE"))
        var cfgOptions: [String] = []

        func load() throws -> ResolvedConfig {
            try ConfigLoader.load(file, cfgOptions: cfgOptions)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the resolved config (bases merged, --cfg-options applied).",
            discussion: "Without --json, prints mm-style Python (like mmcv's Config.pretty_text).")

        @OptionGroup var source: Source

        @Flag(help: "Print JSON instead (tuples as arrays, None as null, the config's key order).")
        var json = false

        func run() throws {
            let config = try source.load()
            for w in config.warnings { ExitStatus.printError(w.description) }
            print(json ? JSONText.render(config.root) : PrettyText.render(config.root), terminator: json ? "\n" : "")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a config against the components Reel supports.",
            discussion: """
                Reports unknown types and arguments (with a suggestion), wrong value types, and known mmaction2 \
                features Reel does not support yet (as warnings); then reads the config as `reel train` does \
                (no data file is read), so a setting training would refuse is an error here too. With --build, it \
                then builds the model and the pipelines and runs them on a synthetic clip (one train step, one test \
                forward), so a config that reads but cannot run fails here, not at the start of training. Exit status \
                2 if there is any error.
                """)

        @OptionGroup var source: Source

        @Flag(help: ArgumentHelp("Also build the model and the pipelines and run them on a synthetic clip: one train "
                                 + "step and one test forward (a pretrained= URL is a warning here; training refuses it)."))
        var build = false

        func run() throws {
            let config = try source.load()
            let problems = Self.problems(config, pretrainedURLs: build ? .noted : .refused)
            let errors = problems.filter { $0.severity == .error }
            if !errors.isEmpty { throw ConfigErrors(errors: problems) }
            for p in problems { ExitStatus.printError(p.description) }
            let warnings = problems.count
            if build {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-build-\(getpid())").path
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let report: BuildCheck.Report
                if TestSpec.isTestOnly(config) {
                    // mmaction2's test, inference and feature-extraction configs: what `reel test` reads.
                    let log = ReadLog(pretrainedURLs: .noted)
                    let spec = try TestSpec.read(config, split: config.root["data"]?.dict?["test"].map { !$0.isNone } == true ? .test : .val,
                                                 log: log)
                    for w in log.notes where !problems.contains(w) { ExitStatus.printError(w.description) }
                    report = try BuildCheck.runTest(spec, scratch: scratch)
                } else {
                    report = try BuildCheck.run(try RunSpec.read(config, log: ReadLog(pretrainedURLs: .noted)), scratch: scratch)
                }
                for line in report.lines { print("  " + line) }
            }
            print("\(source.file): ok" + (build ? ", builds and runs" : "")
                  + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : ""))
        }

        /// Everything `config check` reports (the dashboard's `w` runs it before writing): the schema's findings,
        /// plus the first setting the run's spec reading refuses (`RunSpec.read`, what `reel train` runs first)
        /// unless the schema already reported an error at that place. A partial config (a `_base_` file without
        /// model, optimizer, data or a run length) is not a run: only the schema applies.
        static func problems(_ config: ResolvedConfig, pretrainedURLs: ReadLog.PretrainedURLs = .refused) -> [ConfigError] {
            var problems = config.warnings + SchemaChecker.check(config)
            let isRun = ["model", "optimizer", "data"].allSatisfy { config.root[$0] != nil }
                && (config.root["total_epochs"] != nil || config.root["runner"] != nil)
            guard isRun else { return problems }
            do {
                problems += try RunSpec.read(config, log: ReadLog(pretrainedURLs: pretrainedURLs)).warnings
            } catch let e as ConfigError {
                let known = problems.contains { $0.severity == .error && $0.location.file == e.location.file && $0.location.line == e.location.line
                                                && $0.location.column == e.location.column }
                if !known { problems.append(e) }
            } catch {
                problems.append(config.error("\(error)", at: Origin(location: nil, source: .file)))
            }
            return problems
        }
    }
}
