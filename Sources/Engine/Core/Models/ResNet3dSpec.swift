/// `ResNet3d` (I3D) / `ResNet3dSlowOnly` arguments as read from a config (SEMANTICS.md §6.7). The two differ in
/// their defaults only (ModelReader fills them) and in how 2-D `pretrained` weights are inflated (`flavour`).
public struct ResNet3dSpec: Sendable, Equatable {
    /// Which mmaction2 class the config named.
    public enum Flavour: String, Sendable, Equatable {
        case resnet3d = "ResNet3d"
        /// A ResNet3dPathway without lateral connections: same network, but 2-D inflation zero-pads extra input
        /// channels instead of skipping a mismatched weight.
        case slowOnly = "ResNet3dSlowOnly"
    }

    /// Bottleneck3d's kernel layout when a block is inflated: (3,1,1) on conv1, or (3,3,3) on conv2.
    public enum InflateStyle: String, Sendable, Equatable {
        case t3x1x1 = "3x1x1", t3x3x3 = "3x3x3"
    }

    public var flavour: Flavour
    public var depth: Int
    public var baseChannels = 64, inChannels = 3, numStages = 4
    public var spatialStrides = [1, 2, 2, 2], temporalStrides = [1, 1, 1, 1], dilations = [1, 1, 1, 1]
    /// Stem kernel (t, h, w); padding is (k − 1) / 2 per axis.
    public var conv1Kernel = [3, 7, 7]
    public var conv1StrideS = 2, conv1StrideT = 1, pool1StrideS = 2, pool1StrideT = 1
    public var withPool1 = true, withPool2 = true
    /// Per stage, per block: whether the block has temporal kernels.
    public var inflate: [[Bool]] = []
    public var inflateStyle = InflateStyle.t3x1x1
    /// `style='caffe'`: a Bottleneck3d's stride sits on conv1 instead of conv2 (BasicBlock3d ignores it).
    public var caffeStyle = false
    /// Per stage, per block: a `non_local_block` (NonLocal3d) after the block.
    public var nonLocal: [[Bool]] = []
    /// `non_local_cfg`: how those blocks are built.
    public var nonLocalCfg = NonLocalCfg()
    /// Extra input channels of each stage's first block, concatenated by a SlowFast lateral connection before it
    /// (ResNet3dPathway with `lateral=True`); empty for a network without them.
    public var lateralChannels: [Int] = []
    public var frozenStages = -1
    public var normEval = false
    /// `zero_init_residual`: from-scratch init sets the last BN weight of every block to 0 (not with `pretrained`).
    public var zeroInitResidual = true
    /// `norm_cfg.requires_grad`: False freezes every BatchNorm's weight and bias.
    public var normRequiresGrad = true
    /// `norm_cfg.eps` / `norm_cfg.momentum` of every BatchNorm3d.
    public var normEps: Float = 1e-5, normMomentum: Float = 0.1
    /// A local weights file (`pretrained=`), loaded by EngineTraining's ModelBuilder after the network is built.
    public var pretrained: String?
    /// `pretrained2d`: the file is a 2-D ResNet whose kernels are inflated along time; else a 3-D state dict.
    public var pretrained2d = true

    /// mmcv NonLocal3d's arguments as `non_local_cfg` gives them (SEMANTICS.md §6.7).
    public struct NonLocalCfg: Sendable, Equatable {
        public var reduction = 2
        public var useScale = true
        public var mode = NonLocal3d.Mode.embeddedGaussian
        public var subSample = false
        /// `norm_cfg` given: conv_out is followed by a BatchNorm3d (then without bias).
        public var norm = false
        /// That BatchNorm's `norm_cfg.requires_grad`.
        public var normRequiresGrad = true
        /// `init_weights(std, zeros_init)` keyword arguments: used when the backbone loads `pretrained` (from scratch,
        /// ResNet3d's own init overrides them).
        public var std: Float = 0.01
        public var zerosInit = true
        public init() {}
    }

    public init(flavour: Flavour, depth: Int) {
        self.flavour = flavour
        self.depth = depth
        let blocks = ResNet.stageBlocks(depth: depth)?.blocks ?? [2, 2, 2, 2]
        inflate = blocks.map { [Bool](repeating: true, count: $0) }
        nonLocal = blocks.map { [Bool](repeating: false, count: $0) }
    }

    public var isBottleneck: Bool { ResNet.stageBlocks(depth: depth)?.bottleneck ?? false }

    /// Channels of the last stage's output (what the head's in_channels must be).
    public var featureChannels: Int { stageChannels(numStages - 1) }

    /// Channels of stage `i`'s output.
    public func stageChannels(_ i: Int) -> Int {
        (baseChannels << i) * (isBottleneck ? Bottleneck3d.expansion : BasicBlock3d.expansion)
    }

    /// `out_indices`: the stages whose outputs the backbone returns, in order (the last one alone unless a neck
    /// takes several).
    public var outIndices: [Int] = []
}
