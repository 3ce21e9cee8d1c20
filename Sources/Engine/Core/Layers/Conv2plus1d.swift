/// mmaction2's `Conv2plus1d` (R(2+1)D): a (1, kh, kw) spatial Conv3d into `midChannels`, BatchNorm3d, ReLU, then a
/// (kt, 1, 1) temporal Conv3d, carrying the spatial and temporal parts of the stride and padding respectively.
///
/// Shapes C×N×T×H×W in, O×N×T'×H'×W' out. Children as mmaction2 registers them: `conv_s`, `bn_s`, `relu`, `conv_t`
/// (state-dict keys `conv_s.weight`, `bn_s.running_mean`, `conv_t.weight`, plus biases when `bias`). Built inside
/// a ConvModule (`conv_cfg=dict(type='Conv2plus1d')`) it is that module's `conv`, so keys read `conv1.conv.conv_s…`.
public final class Conv2plus1d: Layer {
    public let inChannels: Int, outChannels: Int, midChannels: Int
    public let convS: Conv3d, bnS: BatchNorm, relu = ReLU(), convT: Conv3d
    public var isTraining = true

    public init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                padding: (Int, Int, Int) = (0, 0, 0), bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        midChannels = Self.midChannels(inChannels, outChannels, kernel: kernel)
        convS = Conv3d(inChannels, midChannels, kernel: (1, kernel.1, kernel.2), stride: (1, stride.1, stride.2),
                       padding: (0, padding.1, padding.2), bias: bias)
        bnS = BatchNorm(midChannels, dims: 3)
        convT = Conv3d(midChannels, outChannels, kernel: (kernel.0, 1, 1), stride: (stride.0, 1, 1),
                       padding: (padding.0, 0, 0), bias: bias)
    }

    /// The paper's parameter-matching width M = ⌊t·d²·Nᵢ₋₁·Nᵢ / (d²·Nᵢ₋₁ + t·Nᵢ)⌋ as mmaction2 0.24.1 computes it:
    /// with t fixed at 3 whatever the temporal kernel (its formula hard-codes the 3), the division in double
    /// precision, then truncated.
    public static func midChannels(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int, Int)) -> Int {
        let spatial = kernel.1 * kernel.2
        let numerator = Double(3 * (inChannels * outChannels * spatial))
        return Int(numerator / Double(inChannels * spatial + 3 * outChannels))
    }

    public var children: [(String, any Module)] {
        [("conv_s", convS), ("bn_s", bnS), ("relu", relu), ("conv_t", convT)]
    }

    /// mmaction2's `init_weights`: both convolutions Kaiming-normal (fan_out, ReLU gain), biases 0; bn_s γ = 1, β = 0.
    public func kaimingInit(rng: inout Philox) {
        convS.kaimingInit(rng: &rng)
        convT.kaimingInit(rng: &rng)
        bnS.weight.value.fill(1)
        bnS.bias.value.fill(0)
    }

    public func forward(_ x: Tensor) -> Tensor {
        convT.forward(relu.forward(bnS.forward(convS.forward(x))))
    }

    public func backward(_ dy: Tensor) -> Tensor {
        convS.backward(bnS.backward(relu.backward(convT.backward(dy))))
    }
}
