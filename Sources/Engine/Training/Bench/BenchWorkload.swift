import EngineCore
import EngineData
/// The model, optimizer and synthetic batch a bench config describes: batch = `data.videos_per_gpu`, frames per
/// clip from the train pipeline's sampler (num_clips × clip_len), frame size from its last fixed-size step
/// (`Resize(scale=(w, h), keep_ratio=False)` or a crop), random pixels and labels from a fixed seed.
public struct BenchWorkload {
    public let model: any Recognizer
    public let optimizer: Optimizer
    public let input: Tensor
    /// One random class a video; as one-element label sets for a multi-label head (BCELossWithLogits or
    /// `multi_class`), which takes multi-hot targets.
    public let targets: Targets
    public var clips: Int { input.shape[0] }

    /// A workload of `batch` random clips of `frames` frames of `width`×`height`, with random labels: B×frames×3×H×W
    /// for a 2-D recognizer, B×1×3×frames×H×W (one view of `frames` frames) for a 3-D one.
    public init(model: any Recognizer, optimizer: Optimizer, batch: Int, frames: Int, width: Int, height: Int, seed: UInt64 = 0) {
        self.model = model
        self.optimizer = optimizer
        var rng = Philox(seed: seed, stream: 0xBE7C)
        let shape = model is Recognizer3D ? [batch, 1, 3, frames, height, width] : [batch, frames, 3, height, width]
        input = Tensor.uniform(shape, in: -2...2, rng: &rng)
        let classes = model.numClasses
        let labels = (0..<batch).map { _ in rng.nextInt(in: 0..<classes) }
        targets = model.loss.takesLabelSets ? .labelSets(labels.map { [$0] }) : .classes(labels)
    }

    /// zero_grad + forward + loss + backward + optimizer step; returns the loss (on this fixed batch it must fall
    /// fast, as torch_ref.py's `loss_first`/`loss_last` do: a cheap check that the step really learns).
    @discardableResult
    public func trainStep() -> Double {
        optimizer.zeroGradients()
        let out = model.trainStep(input, targets: targets)
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
        // The head's linear layers, counted once per frame (an upper bound for heads that pool first).
        for case let fc as Linear in model.headModule.namedModules().map(\.1) {
            total += 2 * Double(fc.inFeatures * fc.outFeatures) * Double(input.shape[0] * input.shape[1]) * 3
        }
        return total / 1e9
    }
}
