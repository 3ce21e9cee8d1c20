import EngineCore
/// mmaction2's `Normalize(mean, std, to_bgr)` for RGB frames. It records the parameters; `FormatShape` (or the
/// end of the pipeline) applies them while writing the float32 output (see `PipelineSample`).
public struct NormalizeStep: PipelineStep {
    public var typeName: String { "Normalize" }
    public var normalization: Normalization

    public init(mean: [Float], std: [Float], toBGR: Bool = false) {
        normalization = Normalization(mean: mean, std: std, toBGR: toBGR)
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        sample.normalization = normalization
    }
}
