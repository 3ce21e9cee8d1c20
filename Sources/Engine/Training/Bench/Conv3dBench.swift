import EngineCore
import Foundation

/// Per-layer speed of the 3-D convolutions a small SlowOnly-R18 / I3D trains (`reel bench-conv3d`), timed one layer
/// at a time like `Benchmark.layers`, for comparison with scripts/bench_conv3d_torch.py (the same shapes in
/// PyTorch, 2 threads) run in the same sitting.
///
/// The shapes: a SlowOnly-R18 with base_channels 32 on 8×64×64 clips — stem (1, 7, 7)/2, the (1, 3, 3) convs of
/// stages 1–2, the inflated (3, 3, 3) convs of stages 3–4 — plus I3D's (3, 1, 1) bottleneck conv and a (3, 3, 3) at
/// stage-1 resolution, and the channel-wise 3×3×3 convs of CSN and X3D.
public enum Conv3dBench {
    public struct Layer: Sendable {
        public var name: String
        public var inChannels: Int, outChannels: Int, groups: Int
        public var input: (t: Int, h: Int, w: Int)
        public var kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int)
        /// False for the stem (PyTorch computes no input gradient there either).
        public var inputGradient: Bool
    }

    public static let layers: [Layer] = [
        Layer(name: "stem 1x7x7/2", inChannels: 3, outChannels: 32, groups: 1, input: (8, 64, 64), kernel: (1, 7, 7),
              stride: (1, 2, 2), padding: (0, 3, 3), inputGradient: false),
        Layer(name: "s1 1x3x3", inChannels: 32, outChannels: 32, groups: 1, input: (8, 16, 16), kernel: (1, 3, 3),
              stride: (1, 1, 1), padding: (0, 1, 1), inputGradient: true),
        Layer(name: "s2 1x3x3/2", inChannels: 32, outChannels: 64, groups: 1, input: (8, 16, 16), kernel: (1, 3, 3),
              stride: (1, 2, 2), padding: (0, 1, 1), inputGradient: true),
        Layer(name: "s2 1x3x3", inChannels: 64, outChannels: 64, groups: 1, input: (8, 8, 8), kernel: (1, 3, 3),
              stride: (1, 1, 1), padding: (0, 1, 1), inputGradient: true),
        Layer(name: "s3 3x3x3/2", inChannels: 64, outChannels: 128, groups: 1, input: (8, 8, 8), kernel: (3, 3, 3),
              stride: (1, 2, 2), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "s3 3x3x3", inChannels: 128, outChannels: 128, groups: 1, input: (8, 4, 4), kernel: (3, 3, 3),
              stride: (1, 1, 1), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "s4 3x3x3/2", inChannels: 128, outChannels: 256, groups: 1, input: (8, 4, 4), kernel: (3, 3, 3),
              stride: (1, 2, 2), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "s4 3x3x3", inChannels: 256, outChannels: 256, groups: 1, input: (8, 2, 2), kernel: (3, 3, 3),
              stride: (1, 1, 1), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "i3d 3x1x1", inChannels: 64, outChannels: 64, groups: 1, input: (8, 16, 16), kernel: (3, 1, 1),
              stride: (1, 1, 1), padding: (1, 0, 0), inputGradient: true),
        Layer(name: "i3d 3x3x3", inChannels: 32, outChannels: 32, groups: 1, input: (8, 16, 16), kernel: (3, 3, 3),
              stride: (1, 1, 1), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "csn dw 3x3x3", inChannels: 64, outChannels: 64, groups: 64, input: (8, 16, 16), kernel: (3, 3, 3),
              stride: (1, 1, 1), padding: (1, 1, 1), inputGradient: true),
        Layer(name: "x3d dw 3x3x3/2", inChannels: 54, outChannels: 54, groups: 54, input: (8, 32, 32), kernel: (3, 3, 3),
              stride: (1, 2, 2), padding: (1, 1, 1), inputGradient: true),
    ]

    public struct Row: Sendable {
        public var layer: Layer
        public var shape: [Int]
        public var algorithm: String
        public var forwardGFLOP: Double, backwardGFLOP: Double
        public var forward: Benchmark.Timing, backward: Benchmark.Timing
    }

    /// Times each layer's forward and backward (backward measured as forward + backward minus the forward median)
    /// on a batch of `batch` clips, with `algorithm` for every convolution.
    public static func run(batch: Int, clean: Int = 7, algorithm: ConvAlgorithm = .auto) -> [Row] {
        var rng = Philox(seed: 3)
        return layers.map { l in
            let conv = Conv3d(l.inChannels, l.outChannels, kernel: l.kernel, stride: l.stride, padding: l.padding,
                              groups: l.groups, bias: false)
            conv.kaimingInit(rng: &rng)
            conv.algorithm = algorithm
            conv.computesInputGradient = l.inputGradient
            let shape = [l.inChannels, batch, l.input.t, l.input.h, l.input.w]
            let x = Tensor.uniform(shape, in: -1...1, rng: &rng)
            let y = conv.forward(x)
            let dy = Tensor.uniform(y.shape, in: -1...1, rng: &rng)
            let g = conv.geometry(for: x)
            let macs = Double(l.outChannels) * Double(l.inChannels / l.groups) * Double(g.kernelVolume)
                * Double(g.images * g.outPlane)
            let fwd = Benchmark.time(warmup: 2, clean: clean, budget: 20) { _ = conv.forward(x) }
            var bwd = Benchmark.time(warmup: 2, clean: clean, budget: 20) { _ = conv.forward(x); _ = conv.backward(dy) }
            bwd.clean = bwd.clean.map { max(1e-9, $0 - fwd.median) }
            bwd.all = bwd.all.map { max(1e-9, $0 - fwd.medianAll) }
            return Row(layer: l, shape: shape, algorithm: conv.pathName(g), forwardGFLOP: 2 * macs / 1e9,
                       backwardGFLOP: 2 * macs * (l.inputGradient ? 2 : 1) / 1e9, forward: fwd, backward: bwd)
        }
    }
}
