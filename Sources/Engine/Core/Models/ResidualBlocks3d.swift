/// mmaction2's `BasicBlock3d` (expansion 1): conv1 (3×3×3 inflated, else 1×3×3; the block's (t, s, s) stride and
/// dilation) + BN + ReLU, conv2 (same kernel, stride 1, padding 1, no dilation — as mmaction2) + BN,
/// out = ReLU(conv2 + identity), then the optional `non_local_block` (SEMANTICS.md §6.7).
/// Children in registration order: conv1, conv2, downsample, relu, non_local_block (the state-dict order).
public final class BasicBlock3d: Layer {
    public let conv1: ConvModule, conv2: ConvModule
    public let downsample: ConvModule?
    /// mmcv's NonLocal3d on the block output; nil until that layer exists (the reader refuses `non_local`).
    public let nonLocal: (any Layer)?
    let relu = ReLU()
    public var isTraining = true
    public static let expansion = 1

    public init(conv1: ConvModule, conv2: ConvModule, downsample: ConvModule?, nonLocal: (any Layer)? = nil) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.downsample = downsample
        self.nonLocal = nonLocal
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("conv2", conv2)]
        if let downsample { c.append(("downsample", downsample)) }
        c.append(("relu", relu))
        if let nonLocal { c.append(("non_local_block", nonLocal)) }
        return c
    }

    /// The last ConvModule of the residual branch (zero_init_residual zeroes its BN weight).
    public var lastConv: ConvModule { conv2 }

    public func forward(_ x: Tensor) -> Tensor {
        let out: Tensor
        if !isTraining, conv1.infers, conv2.infers, downsample?.infers ?? true {
            // Inference: the sum with the identity and the final ReLU happen in conv2's epilogue.
            let identity = downsample.map { $0.inferenceForward(x, residual: nil, relu: false) } ?? x
            out = conv2.inferenceForward(conv1.forward(x), residual: identity, relu: true)
        } else {
            let identity = downsample?.forward(x) ?? x
            var sum = conv2.forward(conv1.forward(x))
            Elementwise.add(identity, into: &sum)
            out = relu.forward(sum)
        }
        return nonLocal?.forward(out) ?? out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu.backward(nonLocal?.backward(dy) ?? dy)
        var dx = conv1.backward(conv2.backward(d))
        Elementwise.add(downsample?.backward(d) ?? d, into: &dx)
        return dx
    }
}

/// mmaction2's `Bottleneck3d` (expansion 4), pytorch style: conv1 1×1×1 (3×1×1 when inflated '3x1x1'),
/// conv2 1×3×3 (3×3×3 when inflated '3x3x3') carrying the (t, s, s) stride and the dilation, conv3 1×1×1 (×4),
/// each with BN, ReLU after the first two and after the sum with the identity; then the optional
/// `non_local_block`. Children: conv1, conv2, conv3, downsample, relu, non_local_block.
public final class Bottleneck3d: Layer {
    public let conv1: ConvModule, conv2: ConvModule, conv3: ConvModule
    public let downsample: ConvModule?
    public let nonLocal: (any Layer)?
    let relu = ReLU()
    public var isTraining = true
    public static let expansion = 4

    public init(conv1: ConvModule, conv2: ConvModule, conv3: ConvModule, downsample: ConvModule?, nonLocal: (any Layer)? = nil) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.conv3 = conv3
        self.downsample = downsample
        self.nonLocal = nonLocal
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("conv2", conv2), ("conv3", conv3)]
        if let downsample { c.append(("downsample", downsample)) }
        c.append(("relu", relu))
        if let nonLocal { c.append(("non_local_block", nonLocal)) }
        return c
    }

    public var lastConv: ConvModule { conv3 }

    public func forward(_ x: Tensor) -> Tensor {
        let out: Tensor
        if !isTraining, conv1.infers, conv2.infers, conv3.infers, downsample?.infers ?? true {
            let identity = downsample.map { $0.inferenceForward(x, residual: nil, relu: false) } ?? x
            out = conv3.inferenceForward(conv2.forward(conv1.forward(x)), residual: identity, relu: true)
        } else {
            let identity = downsample?.forward(x) ?? x
            var sum = conv3.forward(conv2.forward(conv1.forward(x)))
            Elementwise.add(identity, into: &sum)
            out = relu.forward(sum)
        }
        return nonLocal?.forward(out) ?? out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = relu.backward(nonLocal?.backward(dy) ?? dy)
        var dx = conv1.backward(conv2.backward(conv3.backward(d)))
        Elementwise.add(downsample?.backward(d) ?? d, into: &dx)
        return dx
    }
}
