import Config
import EngineCore

/// mmaction2's `Normalize(mean, std, to_bgr)` for RGB frames. It records the parameters; `FormatShape` (or the
/// end of the pipeline) applies them while writing the float32 output (see `PipelineSample`).
public struct NormalizeStep: PipelineStep {
    public var typeName: String { "Normalize" }
    public var normalization: Normalization

    public init(mean: [Float], std: [Float], toBGR: Bool = false) {
        normalization = Normalization(mean: mean, std: std, toBGR: toBGR)
    }

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "Normalize", files: files)
        let mean = try r.doubles("mean", []), std = try r.doubles("std", [])
        guard mean.count == 3 else { throw r.error("Normalize needs 'mean' with 3 values (RGB frames)", key: mean.isEmpty ? nil : "mean") }
        guard std.count == 3 else { throw r.error("Normalize needs 'std' with 3 values (RGB frames)", key: std.isEmpty ? nil : "std") }
        guard std.allSatisfy({ $0 != 0 }) else { throw r.error("std must not contain 0", key: "std") }
        if try r.bool("adjust_magnitude", false) { throw r.error("adjust_magnitude is for Flow, which Reel does not read", key: "adjust_magnitude") }
        normalization = Normalization(mean: mean.map(Float.init), std: std.map(Float.init), toBGR: try r.bool("to_bgr", false))
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        sample.normalization = normalization
    }
}
