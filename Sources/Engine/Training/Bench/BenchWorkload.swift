import Config
import EngineCore
import EngineData

/// The model, optimizer and synthetic batch a bench config describes: batch = `data.videos_per_gpu`, frames per
/// clip from the train pipeline's sampler (num_clips × clip_len), frame size from its last fixed-size step
/// (`Resize(scale=(w, h), keep_ratio=False)` or a crop), random pixels and labels from a fixed seed.
public struct BenchWorkload {
    public let model: Recognizer2D
    public let optimizer: Optimizer
    public let input: Tensor
    public let labels: [Int]
    public var clips: Int { input.shape[0] }

    public init(config: ResolvedConfig, seed: UInt64 = 0) throws {
        guard let modelValue = config.root["model"] else {
            throw ConfigError(message: "the config has no model", location: SourceLocation(file: config.path, line: 1, column: 1, bytes: 0..<0), sourceLine: "")
        }
        model = try ModelBuilder.build(modelValue, files: config.files, seed: seed)
        guard let opt = config.root["optimizer"] else {
            throw ConfigError(message: "the config has no optimizer", location: SourceLocation(file: config.path, line: 1, column: 1, bytes: 0..<0), sourceLine: "")
        }
        optimizer = try OptimizerBuilder.build(opt, model: model, files: config.files)
        let batch = config[dotted: "data.videos_per_gpu"]?.int ?? 8
        var frames = 8, size = (w: 224, h: 224)
        for step in config[dotted: "data.train.pipeline"]?.elements ?? [] {
            guard let d = step.dict, let type = d["type"]?.string else { continue }
            switch type {
            case "SampleFrames", "DenseSampleFrames":
                frames = (d["clip_len"]?.int ?? 1) * (d["num_clips"]?.int ?? 1)
            case "Resize" where d["keep_ratio"]?.bool == false:
                if let s = d["scale"]?.elements?.compactMap(\.int), s.count == 2 { size = (s[0], s[1]) }
            case "CenterCrop", "RandomCrop", "MultiScaleCrop", "ThreeCrop", "TenCrop":
                let v = d["crop_size"] ?? d["size"] ?? d["input_size"]
                if let i = v?.int { size = (i, i) } else if let s = v?.elements?.compactMap(\.int), s.count == 2 { size = (s[0], s[1]) }
            default: break
            }
        }
        var rng = Philox(seed: seed, stream: 0xBE7C)
        input = Tensor.uniform([batch, frames, 3, size.h, size.w], in: -2...2, rng: &rng)
        let classes = model.clsHead.fcCls.outFeatures
        labels = (0..<batch).map { _ in rng.nextInt(in: 0..<classes) }
    }

    /// zero_grad + forward + loss + backward + optimizer step; returns the loss (on this fixed batch it must fall
    /// fast, as torch_ref.py's `loss_first`/`loss_last` do: a cheap check that the step really learns).
    @discardableResult
    public func trainStep() -> Double {
        optimizer.zeroGradients()
        let out = model.trainStep(input, labels: labels)
        optimizer.step()
        return out.loss
    }

    /// Analytic GFLOP of one training step: forward MACs ×2 for every conv and the fc, backward twice that (once
    /// for the stem, whose input gradient is not computed).
    public func trainStepGFLOP() -> Double {
        var total = 0.0
        for (_, m) in model.namedModules() {
            guard let conv = m as? Convolution, let shape = conv.lastInputShape else { continue }
            let g = conv.geometry(forShape: shape)
            let flops = 2 * Double(conv.outChannels) * Double(conv.inChannels / conv.groups) * Double(g.kernelVolume)
                * Double(g.images * g.outPlane)
            total += flops * (conv.computesInputGradient ? 3 : 2)
        }
        let fc = model.clsHead.fcCls
        total += 2 * Double(fc.inFeatures * fc.outFeatures) * Double(input.shape[0] * input.shape[1]) * 3
        return total / 1e9
    }
}
