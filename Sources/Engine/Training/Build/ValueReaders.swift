import Config
import EngineCore
import EngineData

/// Steps and pipelines read straight from a config value, for tools and tests that hold one value rather than a
/// whole config (training reads them through `RunSpec`).
extension Pipeline {
    public init(config: ConfigValue, files: SourceFiles) throws { self = try PipelineReader.read(config, files: files) }
}

extension SampleFrames {
    public init(config value: ConfigValue, files: SourceFiles) throws { self = try PipelineReader.sampleFrames(value, files: files) }
}

extension RandomRescale {
    public init(config value: ConfigValue, files: SourceFiles) throws {
        self = try PipelineReader.randomRescale(ConfigReader(value, name: "RandomRescale", files: files))
    }
}
