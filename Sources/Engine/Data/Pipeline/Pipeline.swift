import Foundation
import EngineCore

/// A data pipeline (`train_pipeline = [dict(type='SampleFrames', …), …]`, read by `PipelineReader`), run on one
/// sample at a time.
public struct Pipeline: Sendable {
    public var steps: [any PipelineStep]

    public init(steps: [any PipelineStep]) { self.steps = steps }

    /// The sampler step, if any (for `reel inspect frames` and the timeline preview).
    public var sampler: SampleFrames? { steps.lazy.compactMap { $0 as? SampleFrames }.first }

    /// Runs every step. Without a FormatShape the output is M×H×W×C float32 (normalised if asked), as
    /// mmaction2's `imgs` would be after Normalize. Consecutive resize/crop/flip steps run fused (`SpatialChain`),
    /// with the same draws and bit-identical frames.
    public func run(_ sample: PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws -> PipelineSample {
        var s = sample
        var i = 0
        while i < steps.count {
            let n = s.frames.isEmpty ? 0 : SpatialChain.length(steps, from: i)
            if n > 0 {
                try SpatialChain.apply(steps[i..<(i + n)], to: &s, rng: &rng)
                i += n
            } else {
                try steps[i].apply(&s, rng: &rng, workspace: workspace)
                i += 1
            }
        }
        return Self.finished(s)
    }

    /// The first `count` steps (all by default) applied one at a time, keeping the sample after each: what
    /// `reel inspect pipeline` prints and the dashboard's frame preview draws (the same draws as `run`).
    public func trace(_ sample: PipelineSample, rng: inout Philox, workspace: PipelineWorkspace, steps count: Int? = nil) throws
        -> PipelineTrace
    {
        var s = sample
        var after: [(step: String, sample: PipelineSample)] = []
        for step in steps.prefix(count ?? steps.count) {
            try step.apply(&s, rng: &rng, workspace: workspace)
            after.append((step.typeName, s))
        }
        return PipelineTrace(initial: sample, after: after)
    }

    /// The end of `run`: without a FormatShape, the frames as M×H×W×C float32 `imgs`.
    public static func finished(_ sample: PipelineSample) -> PipelineSample {
        var s = sample
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

/// A pipeline run step by step (`Pipeline.trace`): the sample before the first step and after each step.
public struct PipelineTrace {
    public let initial: PipelineSample
    /// Each step's type name and the sample after it, in order.
    public let after: [(step: String, sample: PipelineSample)]

    /// The sample step `index` receives.
    public func input(of index: Int) -> PipelineSample { index == 0 ? initial : after[index - 1].sample }

    /// The pipeline's output, finished as `Pipeline.run` finishes it (imgs present).
    public var output: PipelineSample { Pipeline.finished(after.last?.sample ?? initial) }
}
