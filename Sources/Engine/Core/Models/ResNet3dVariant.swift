/// mmaction2's subclasses of `ResNet3d` that keep its layout and change its convolutions or blocks:
/// `ResNet2Plus1d` (every convolution a Conv2plus1d, no pool2) and `ResNet3dCSN` (CSNBottleneck3d blocks).
public enum ResNet3dVariant: Sendable, Equatable {
    case plain
    /// `conv_cfg=dict(type='Conv2plus1d')`: each ConvModule's `conv` is a Conv2plus1d (`conv1.conv.conv_s.weight`, …).
    case r2plus1d
    /// ResNet3dCSN: channel-separated bottlenecks; `bnFrozen` freezes BatchNorm weights under `norm_eval`.
    case csn(ResNet3dCSNSpec.BottleneckMode, bnFrozen: Bool)

    /// A ConvModule's convolution with mmaction2's from-scratch init (Kaiming fan_out; Conv2plus1d's bn_s 1/0).
    /// Conv2plus1d takes no dilation or groups (mmaction2's ignores them; the reader refuses dilations for it).
    func convolution(_ cin: Int, _ cout: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int),
                     dilation: (Int, Int, Int), groups: Int, rng: inout Philox) -> any Layer {
        if self == .r2plus1d {
            let conv = Conv2plus1d(cin, cout, kernel: kernel, stride: stride, padding: padding, bias: false)
            conv.kaimingInit(rng: &rng)
            return conv
        }
        let conv = Conv3d(cin, cout, kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: false)
        conv.kaimingInit(rng: &rng)
        return conv
    }

    /// The stem's first convolution (the one that needs no input gradient).
    func stemConvolution(_ stem: ConvModule) -> Convolution {
        if let c = stem.conv as? Conv2plus1d { return c.convS }
        return stem.convolution
    }
}

/// `ResNet3dCSN` arguments: a ResNet3d (CSN's defaults: temporal strides (1, 2, 2, 2), '3x3x3' inflation,
/// BatchNorm eps 1e-3) with channel-separated bottlenecks.
public struct ResNet3dCSNSpec: Sendable, Equatable {
    /// 'ir' (interaction-reduced): conv2 is a depthwise conv alone; 'ip' (interaction-preserved): a 1×1×1 conv + BN
    /// first.
    public enum BottleneckMode: String, Sendable, Equatable { case ir, ip }

    public var resnet: ResNet3dSpec
    public var bottleneckMode = BottleneckMode.ir
    /// `bn_frozen`: with `norm_eval`, train mode also freezes every BatchNorm's weight and bias.
    public var bnFrozen = false

    public init(resnet: ResNet3dSpec) { self.resnet = resnet }

    public var variant: ResNet3dVariant { .csn(bottleneckMode, bnFrozen: bnFrozen) }
}

/// mmaction2's `CSNBottleneck3d`: a Bottleneck3d whose conv2 is an `nn.Sequential` of ('ip' only) a 1×1×1
/// ConvModule without activation, then a depthwise (groups = planes) ConvModule with Bottleneck3d's conv2 kernel,
/// stride, padding and dilation, with ReLU. Children conv1, conv2 (conv2.0, conv2.1), conv3, downsample, relu,
/// non_local_block: mmaction2's state-dict order.
public final class CSNBottleneck3d: Layer {
    public let conv1: ConvModule, conv2: Sequential, conv3: ConvModule
    public let downsample: ConvModule?
    public let nonLocal: (any Layer)?
    let relu = ReLU()
    public var isTraining = true

    public init(conv1: ConvModule, conv2: Sequential, conv3: ConvModule, downsample: ConvModule?, nonLocal: (any Layer)?) {
        self.conv1 = conv1
        self.conv2 = conv2
        self.conv3 = conv3
        self.downsample = downsample
        self.nonLocal = nonLocal
    }

    typealias MakeConv = (_ cin: Int, _ cout: Int, _ kernel: (Int, Int, Int), _ stride: (Int, Int, Int),
                          _ padding: (Int, Int, Int), _ dilation: (Int, Int, Int), _ groups: Int, _ act: Bool) -> ConvModule

    /// Bottleneck3d's geometry (inflation style, pytorch/caffe stride placement) with CSN's conv2.
    static func make(cin: Int, planes: Int, inflated: Bool, style: ResNet3dSpec.InflateStyle, caffe: Bool,
                     stride: (Int, Int, Int), dilation d: Int, mode: ResNet3dCSNSpec.BottleneckMode,
                     downsample: ConvModule?, nonLocal: (any Layer)?, conv: MakeConv) -> CSNBottleneck3d {
        let k1 = inflated && style == .t3x1x1 ? (3, 1, 1) : (1, 1, 1)
        let k2 = inflated && style == .t3x3x3 ? (3, 3, 3) : (1, 3, 3)
        let (s1, s2) = caffe ? (stride, (1, 1, 1)) : ((1, 1, 1), stride)
        let c1 = conv(cin, planes, k1, s1, (k1.0 / 2, 0, 0), (1, 1, 1), 1, true)
        var seq: [any Layer] = []
        if mode == .ip { seq.append(conv(planes, planes, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, false)) }
        seq.append(conv(planes, planes, k2, s2, (k2.0 / 2, d, d), (1, d, d), planes, true))
        let c3 = conv(planes, planes * Bottleneck3d.expansion, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, false)
        return CSNBottleneck3d(conv1: c1, conv2: Sequential(seq), conv3: c3, downsample: downsample, nonLocal: nonLocal)
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("conv1", conv1), ("conv2", conv2), ("conv3", conv3)]
        if let downsample { c.append(("downsample", downsample)) }
        c.append(("relu", relu))
        if let nonLocal { c.append(("non_local_block", nonLocal)) }
        return c
    }

    public func forward(_ x: Tensor) -> Tensor {
        let out: Tensor
        if !isTraining, conv3.infers, downsample?.infers ?? true {
            // Inference: the sum with the identity and the final ReLU happen in conv3's epilogue.
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
