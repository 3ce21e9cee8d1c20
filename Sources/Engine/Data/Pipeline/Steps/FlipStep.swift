import Config
import EngineCore

/// mmaction2's `Flip`: one uniform draw per sample, always (even for ratio 0 or 1); all frames flip together, and
/// a flipped sample's label goes through `flip_label_map` (SEMANTICS.md §5.8).
public struct FlipStep: PipelineStep {
    public var typeName: String { "Flip" }
    public var ratio = 0.5
    public var horizontal = true
    public var labelMap: [Int: Int] = [:]

    public init(ratio: Double = 0.5, horizontal: Bool = true) { self.ratio = ratio; self.horizontal = horizontal }

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "Flip", files: files)
        ratio = try r.double("flip_ratio", 0.5)
        horizontal = try r.require("direction", in: ["horizontal", "vertical"], default: "horizontal") == "horizontal"
        if let v = r.value("flip_label_map"), !v.isNone {
            guard case .dict(let d) = v.content else { throw files.error("flip_label_map must be a dict", at: v.origin) }
            for entry in d {
                let (key, value) = (entry.key, entry.value)
                guard case .int(let from) = key, let to = value.int else {
                    throw files.error("flip_label_map maps int labels to int labels", at: value.origin)
                }
                labelMap[from] = to
            }
        }
        if try r.bool("lazy", false) { throw r.error("lazy=True (the Fuse path) is not supported by Reel", key: "lazy") }
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
