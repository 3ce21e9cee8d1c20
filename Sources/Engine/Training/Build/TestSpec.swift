import Config
import EngineCore
import EngineData

/// What `reel test` takes from a config: the model, the `evaluation` settings and one split's data, read with
/// located errors. A test-only config — mmaction2's tools/test.py and feature-extraction configs, which have no
/// `data.train`, optimizer or `total_epochs` — is complete for this reading; `config check --build` builds such a
/// config from it (`BuildCheck.runTest`), so the two commands give one verdict.
public struct TestSpec {
    public var model: ModelSpec
    public var evaluation: EvalSpec
    public var data: DataSpec

    /// Reads `model`, `evaluation` and `data.<split>` (with the model-input check for that split), as `reel test` does.
    public static func read(_ config: ResolvedConfig, split: DataConfig.Split = .test, log: ReadLog? = nil) throws -> TestSpec {
        guard let modelConfig = config.root["model"] else {
            throw config.error("the config has no 'model'", at: Origin(location: nil, source: .file))
        }
        let model = try ModelReader.read(modelConfig, files: config.files, log: log)
        let evaluation = try RunSpec.evaluation(of: config)
        let dataConfig = try DataConfig(config, log: log)
        try ModelInputCheck.check(model, data: dataConfig, splits: [split])
        let data = try dataConfig.spec(split)
        try RunSpec.checkMetrics(evaluation, on: data, config: config)
        return TestSpec(model: model, evaluation: evaluation, data: data)
    }

    /// Whether a config is for testing only: it has a model and a `data.test` (or `data.val`) but no `data.train`,
    /// so mmaction2 could only run tools/test.py on it.
    public static func isTestOnly(_ config: ResolvedConfig) -> Bool {
        guard config.root["model"] != nil, let data = config.root["data"]?.dict else { return false }
        func present(_ key: String) -> Bool { data[key].map { !$0.isNone } ?? false }
        return !present("train") && (present("test") || present("val"))
    }
}
