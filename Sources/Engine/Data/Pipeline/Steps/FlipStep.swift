import EngineCore
/// mmaction2's `Flip`: one uniform draw per sample, always (even for ratio 0 or 1); all frames flip together, and
/// a flipped sample's label goes through `flip_label_map` (SEMANTICS.md §5.8).
public struct FlipStep: PipelineStep {
    public var typeName: String { "Flip" }
    public var ratio = 0.5
    public var horizontal = true
    public var labelMap: [Int: Int] = [:]

    public init(ratio: Double = 0.5, horizontal: Bool = true, labelMap: [Int: Int] = [:]) {
        self.ratio = ratio; self.horizontal = horizontal; self.labelMap = labelMap
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let flip = CropGeometry.flips(ratio: ratio, rng: &rng)
        sample.flipped = flip
        sample.flipDirection = horizontal ? "horizontal" : "vertical"
        guard flip else { return }
        sample.frames = sample.frames.map { $0.flipped(horizontal: horizontal) }
        if !labelMap.isEmpty { sample.labels = sample.labels.map { labelMap[$0] ?? $0 } }
    }
}
