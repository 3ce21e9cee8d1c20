/// mmaction2's ResNet `BasicBlock` (expansion 1): conv1 3×3 (stride) + BN + ReLU, conv2 3×3 + BN,
/// out = ReLU(conv2 + identity), identity through `downsample` (1×1 conv + BN) when shape changes.
/// Children in registration order: conv1, conv2, downsample (the state-dict order).
public final class BasicBlock: Layer {
    public let conv1: ConvModule, conv2: ConvModule
    public let downsample: ConvModule?
    let relu = ReLU()
    public var isTraining = true
    public static let expansion = 1

    public init(conv1: ConvModule, conv2: ConvModule, downsample: ConvModule?) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.downsample = downsample
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("conv2", conv2), ("relu", relu)]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        if !isTraining, conv1.infers, conv2.infers, downsample?.infers ?? true {
            // Inference: the sum with the identity and the final ReLU happen in conv2's epilogue.
            let identity = downsample.map { $0.inferenceForward(x, residual: nil, relu: $0.relu != nil) } ?? x
            return conv2.inferenceForward(conv1.forward(x), residual: identity, relu: true)
        }
        let identity = downsample?.forward(x) ?? x
        var out = conv2.forward(conv1.forward(x))
        return Self.addReLU(identity, into: &out, relu)
    }

    /// relu(out + identity), in one pass unless the ReLU keeps a frozen pattern (gradient checks).
    static func addReLU(_ identity: Tensor, into out: inout Tensor, _ relu: ReLU) -> Tensor {
        guard !relu.freezesPattern else { Elementwise.add(identity, into: &out); return relu.forward(out) }
        Elementwise.addReLU(identity, into: &out)
        relu.adopt(output: out)
        return out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu.backward(dy)
        var dx = conv1.backward(conv2.backward(d))
        Elementwise.add(downsample?.backward(d) ?? d, into: &dx)
        return dx
    }
}

/// mmaction2's ResNet `Bottleneck` (expansion 4): 1×1 → 3×3 (stride, pytorch style) → 1×1 (×4), each with BN,
/// ReLU after the first two and after the sum with the identity.
public final class Bottleneck: Layer {
    public let conv1: ConvModule, conv2: ConvModule, conv3: ConvModule
    public let downsample: ConvModule?
    let relu = ReLU()
    public var isTraining = true
    public static let expansion = 4

    public init(conv1: ConvModule, conv2: ConvModule, conv3: ConvModule, downsample: ConvModule?) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.conv3 = conv3
        self.downsample = downsample
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("conv2", conv2), ("conv3", conv3), ("relu", relu)]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        if !isTraining, conv1.infers, conv2.infers, conv3.infers, downsample?.infers ?? true {
            let identity = downsample.map { $0.inferenceForward(x, residual: nil, relu: $0.relu != nil) } ?? x
            return conv3.inferenceForward(conv2.forward(conv1.forward(x)), residual: identity, relu: true)
        }
        let identity = downsample?.forward(x) ?? x
        var out = conv3.forward(conv2.forward(conv1.forward(x)))
        return BasicBlock.addReLU(identity, into: &out, relu)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu.backward(dy)
        var dx = conv1.backward(conv2.backward(conv3.backward(d)))
        Elementwise.add(downsample?.backward(d) ?? d, into: &dx)
        return dx
    }
}
