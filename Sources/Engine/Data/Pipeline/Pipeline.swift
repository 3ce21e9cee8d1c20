import Config
import Foundation
import EngineCore

/// A data pipeline built from a config list (`train_pipeline = [dict(type='SampleFrames', …), …]`), run on one
/// sample at a time. Steps are checked when built: an unknown type or a bad argument is a located `ConfigError`.
public struct Pipeline: Sendable {
    public var steps: [any PipelineStep]

    public init(steps: [any PipelineStep]) { self.steps = steps }

    public init(config: ConfigValue, files: SourceFiles) throws {
        guard let items = config.elements else {
            throw files.error("a pipeline must be a list of dict(type=…) steps, not \(config.typeDescription)", at: config.origin)
        }
        steps = try items.map { try Self.step($0, files: files) }
    }

    static let supported = ["SampleFrames", "DenseSampleFrames", "RawFrameDecode", "Resize", "RandomRescale", "RandomCrop",
                            "RandomResizedCrop", "MultiScaleCrop", "CenterCrop", "ThreeCrop", "TenCrop", "Flip", "Normalize",
                            "FormatShape", "Collect", "ToTensor"]

    static func step(_ value: ConfigValue, files: SourceFiles) throws -> any PipelineStep {
        let r = try ConfigReader(value, name: "pipeline step", files: files)
        let type = try r.string("type")
        switch type {
        case "SampleFrames", "DenseSampleFrames": return try SampleFrames(config: value, files: files)
        case "RawFrameDecode": return try RawFrameDecode(config: value, files: files)
        case "Resize": return try ResizeStep(config: value, files: files)
        case "RandomRescale": return try RandomRescale(config: value, files: files)
        case "RandomCrop", "RandomResizedCrop", "MultiScaleCrop", "CenterCrop", "ThreeCrop", "TenCrop":
            return try CropStep(config: value, files: files)
        case "Flip": return try FlipStep(config: value, files: files)
        case "Normalize": return try NormalizeStep(config: value, files: files)
        case "FormatShape": return try FormatShape(config: value, files: files)
        case "Collect", "ToTensor": return try CollectStep(config: value, files: files)
        default:
            let near = Suggestion.closest(to: type, in: supported).map { " (did you mean '\($0)'?)" } ?? ""
            throw r.error("unknown pipeline step '\(type)'\(near); supported: \(supported.joined(separator: ", "))", key: "type")
        }
    }

    /// The sampler step, if any (for `reel inspect frames` and the timeline preview).
    public var sampler: SampleFrames? { steps.lazy.compactMap { $0 as? SampleFrames }.first }

    /// Runs every step. Without a FormatShape the output is M×H×W×C float32 (normalised if asked), as
    /// mmaction2's `imgs` would be after Normalize.
    public func run(_ sample: PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws -> PipelineSample {
        var s = sample
        for step in steps { try step.apply(&s, rng: &rng, workspace: workspace) }
        if s.imgs == nil, let first = s.frames.first {
            var out = Tensor(uninitialized: [s.frames.count, first.height, first.width, first.channels])
            out.withMutableData { dst in
                for (i, f) in s.frames.enumerated() {
                    // HWC output: planes are interleaved, so write each channel with stride… via a planar scratch.
                    var planar = [Float](repeating: 0, count: f.pixels.count)
                    planar.withUnsafeMutableBufferPointer { PixelConversion.write(f, normalization: s.normalization, to: $0.baseAddress!, planeStride: f.width * f.height) }
                    let n = f.width * f.height, c = f.channels, base = dst + i * n * c
                    for p in 0..<n { for ch in 0..<c { base[p * c + ch] = planar[ch * n + p] } }
                }
            }
            s.imgs = out
        }
        return s
    }
}
