import Config
import EngineCore
import EngineTraining

/// What `reel test` and `reel infer` start from: the config read and checked (an error stops with the located
/// messages), a split's test spec, and the model built with the checkpoint's weights (what does not fit is a warning,
/// printed where `announce` is true).
struct EvaluationModel {
    let spec: TestSpec
    let model: any Recognizer

    init(_ source: ConfigCommand.Source, checkpoint: String, split: DataConfig.Split, announce: Bool = true) throws {
        let config = try source.load()
        let problems = config.warnings + SchemaChecker.check(config)
        if problems.contains(where: { $0.severity == .error }) { throw ConfigErrors(errors: problems) }
        spec = try TestSpec.read(config, split: split)
        model = try ModelBuilder.build(spec.model, seed: 0)
        let report = CheckpointStore.loadWeights(into: model, from: try CheckpointFile.read(checkpoint))
        if announce && (!report.missing.isEmpty || !report.shapeMismatch.isEmpty) {
            ExitStatus.printError("warning: \(checkpoint): \(report.missing.count) missing, \(report.shapeMismatch.count) mismatched tensors")
        }
    }
}
