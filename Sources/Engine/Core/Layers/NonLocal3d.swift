/// mmcv 1.7.2's `NonLocal3d` (Wang et al., "Non-local Neural Networks"), as mmaction2's ResNet3d inserts it
/// (`non_local` + `non_local_cfg`): out = x + conv_out(y) with, per clip, y = f(θ(x), φ(x)) · g(x) over all
/// T·H·W positions.
///
/// Shapes: x and out C×N×T×H×W (channel-major). θ, φ, g are 1×1×1 convolutions C → Cᵢ = max(C / reduction, 1)
/// with bias; `subSample` follows g and φ by a (1, 2, 2) max pool, so f is P × P' with P = T·H·W and
/// P' = T·⌊H/2⌋·⌊W/2⌋. Modes (`pairwise`): embedded_gaussian f = softmax(θᵀφ (/ √Cᵢ with `useScale`)),
/// dot_product f = θᵀφ / P', gaussian f = softmax(xᵀ·x') on the input itself (x' = pooled x with `subSample`;
/// no θ, and φ is only the pool). conv_out is Cᵢ → C, followed by BatchNorm3d when `norm` (then without bias).
///
/// Children in mmcv's registration order: `g`, `conv_out`, `theta`, `phi`; with `subSample` g and φ are
/// `nn.Sequential(ConvModule, MaxPool3d)`, so keys read `g.0.conv.weight`, `phi.0.conv.bias`, `theta.conv.weight`,
/// `conv_out.conv.weight`, `conv_out.bn.running_mean`. The attention itself is NonLocal3d+Attention.swift.
public final class NonLocal3d: Layer {
    /// mmcv's pairwise functions (`mode`); 'concatenation' is not offered (no mmaction2 config uses it).
    public enum Mode: String, Sendable, CaseIterable {
        case embeddedGaussian = "embedded_gaussian", dotProduct = "dot_product", gaussian
    }

    public let inChannels: Int, interChannels: Int
    public let mode: Mode, useScale: Bool, subSample: Bool
    public let g: any Layer, theta: PlainConvModule?, phi: (any Layer)?, convOut: any Layer
    /// The convolutions inside g, θ, φ (nil where a mode has none).
    public let gConv: Convolution, thetaConv: Convolution?, phiConv: Convolution?
    public var isTraining = true

    /// Saved by a training forward: the input, g(x), θ-side and φ-side matrices, and f (N×P×P').
    var saved: (x: Tensor, g: Tensor, theta: Tensor, phi: Tensor, f: Tensor)?

    public init(_ inChannels: Int, reduction: Int = 2, useScale: Bool = true, norm: Bool = false,
                mode: Mode = .embeddedGaussian, subSample: Bool = false) {
        self.inChannels = inChannels
        interChannels = max(inChannels / reduction, 1)
        self.mode = mode
        self.useScale = useScale
        self.subSample = subSample
        func pool() -> MaxPool { MaxPool(dims: 3, kernel: (1, 2, 2), stride: (1, 2, 2), padding: (0, 0, 0)) }
        func pointwise(_ i: Int, _ o: Int, bias: Bool = true) -> Conv3d { Conv3d(i, o, kernel: (1, 1, 1), bias: bias) }
        gConv = pointwise(inChannels, interChannels)
        g = subSample ? Sequential([PlainConvModule(gConv), pool()]) : PlainConvModule(gConv)
        let outConv = pointwise(interChannels, inChannels, bias: !norm)
        convOut = norm ? ConvModule(conv: outConv, bn: BatchNorm(inChannels, dims: 3), activate: false)
            : PlainConvModule(outConv)
        if mode == .gaussian {
            theta = nil
            thetaConv = nil
            phiConv = nil
            phi = subSample ? pool() : nil
        } else {
            let t = pointwise(inChannels, interChannels), p = pointwise(inChannels, interChannels)
            thetaConv = t
            phiConv = p
            theta = PlainConvModule(t)
            phi = subSample ? Sequential([PlainConvModule(p), pool()]) : PlainConvModule(p)
        }
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("g", g), ("conv_out", convOut)]
        if let theta { c.append(("theta", theta)) }
        if let phi { c.append(("phi", phi)) }
        return c
    }

    /// conv_out's convolution and its BatchNorm (nil without `norm`).
    public var outConvolution: Convolution {
        (convOut as? ConvModule)?.convolution ?? (convOut as! PlainConvModule).conv
    }
    public var outNorm: BatchNorm? { (convOut as? ConvModule)?.bn }

    /// mmcv's init: ConvModule's own (conv_out's conv Kaiming-normal fan_out when followed by a norm, the norm γ = 1),
    /// then `_NonLocalNd.init_weights(std, zeros_init)`: g, θ, φ weights normal(0, std), biases 0; conv_out's norm
    /// (or, without one, its conv) zeroed when `zerosInit`, else normal(0, std). Note that mmaction2's ResNet3d then
    /// re-initialises every Conv3d and BatchNorm of the backbone (γ = 1), which overrides the zeroed norm.
    public func initWeights(std: Float = 0.01, zerosInit: Bool = true, rng: inout Philox) {
        for conv in [gConv, thetaConv, phiConv].compactMap({ $0 }) {
            conv.weight.value = Tensor.normal(conv.weight.shape, std: std, rng: &rng)
            conv.bias?.value.fill(0)
        }
        let out = outConvolution
        if let bn = outNorm {
            out.kaimingInit(rng: &rng)
            if zerosInit { bn.weight.value.fill(0) } else { bn.weight.value = Tensor.normal([inChannels], std: std, rng: &rng) }
            bn.bias.value.fill(0)
        } else {
            if zerosInit { out.weight.value.fill(0) } else { out.weight.value = Tensor.normal(out.weight.shape, std: std, rng: &rng) }
            out.bias?.value.fill(0)
        }
    }
}
