import EngineCore
/// mmaction2's `Flip`: one uniform draw per sample, always (even for ratio 0 or 1); all frames flip together, and
/// a flipped sample's label goes through `flip_label_map` (SEMANTICS.md §5.8).
public struct FlipStep: PipelineStep {
    public var typeName: String { "Flip" }
    public var ratio = 0.5
    public var horizontal = true
    public var labelMap: [Int: Int] = [:]
    /// `lazy=True`: the draw is recorded for a later `Fuse`, which flips the frames.
    public var lazy = false

    public init(ratio: Double = 0.5, horizontal: Bool = true, labelMap: [Int: Int] = [:], lazy: Bool = false) {
        self.ratio = ratio; self.horizontal = horizontal; self.labelMap = labelMap; self.lazy = lazy
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let flip = CropGeometry.flips(ratio: ratio, rng: &rng)
        sample.flipped = flip
        sample.flipDirection = horizontal ? "horizontal" : "vertical"
        if flip && !labelMap.isEmpty { sample.labels = sample.labels.map { labelMap[$0] ?? $0 } }
        if lazy {
            var g = sample.lazyGeometry()
            guard !g.flip else { throw PipelineError(message: "a second lazy Flip (mmaction2: use one Flip)") }
            g.flip = flip
            g.horizontal = horizontal
            sample.lazy = g
            return
        }
        guard flip else { return }
        sample.frames = sample.frames.map { $0.flipped(horizontal: horizontal) }
    }
}
