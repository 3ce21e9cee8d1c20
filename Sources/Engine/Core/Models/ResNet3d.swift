/// mmaction2's `ResNet3d` (I3D) and `ResNet3dSlowOnly` backbones (SEMANTICS.md §6.7) on channel-major
/// activations C×N×T×H×W.
///
/// Stem `conv1` (ConvModule, Conv3d `conv1_kernel` with stride (conv1_stride_t, s, s), padding (k − 1) / 2) +
/// `maxpool` (1×3×3, stride (pool1_stride_t, s, s), padding (0, 1, 1), −∞ padding; skipped without `with_pool1`);
/// stages `layer1…layerN` of BasicBlock3d (depth 18/34) or Bottleneck3d (50/101/152) with widths base·2^i,
/// the first block of a stage carrying its (temporal, spatial) stride; `pool2` (2×1×1 / 2) after layer1 when
/// `with_pool2`. Children conv1, maxpool, pool2, layer1…: parameter names and shapes equal mmaction2's.
public final class ResNet3d: Layer, Backbone {
    public let spec: ResNet3dSpec
    public let conv1: ConvModule
    let maxpool: MaxPool
    let pool2 = MaxPool(dims: 3, kernel: (2, 1, 1), stride: (2, 1, 1), padding: (0, 0, 0))
    public let layers: [Sequential]
    public let variant: ResNet3dVariant
    public var isTraining = true
    public var featureChannels: Int { spec.featureChannels }

    /// Builds the network with mmaction2's from-scratch init (`pretrained=None`): Kaiming fan_out convs, BN 1/0,
    /// and with `zero_init_residual` each block's last BN weight 0 — unless `spec.pretrained` is set, where
    /// mmaction2 keeps ConvModule's own init and loads the file instead (done by EngineTraining).
    /// `variant`: mmaction2's subclasses that change the convolutions or blocks (ResNet3dVariant.swift).
    public init(_ spec: ResNet3dSpec, variant: ResNet3dVariant = .plain, rng: inout Philox) {
        guard let (bottleneck, _) = ResNet.stageBlocks(depth: spec.depth) else { preconditionFailure("bad depth \(spec.depth)") }
        self.spec = spec
        self.variant = variant
        func convModule(_ cin: Int, _ cout: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                        padding: (Int, Int, Int) = (0, 0, 0), dilation: (Int, Int, Int) = (1, 1, 1), groups: Int = 1,
                        act: Bool) -> ConvModule {
            let conv = variant.convolution(cin, cout, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                                           groups: groups, rng: &rng)
            let bn = BatchNorm(cout, dims: 3, eps: spec.normEps, momentum: spec.normMomentum)
            if !spec.normRequiresGrad { bn.weight.requiresGrad = false; bn.bias.requiresGrad = false }
            return ConvModule(conv: conv, bn: bn, activate: act)
        }
        let k = spec.conv1Kernel
        conv1 = convModule(spec.inChannels, spec.baseChannels, kernel: (k[0], k[1], k[2]),
                           stride: (spec.conv1StrideT, spec.conv1StrideS, spec.conv1StrideS),
                           padding: ((k[0] - 1) / 2, (k[1] - 1) / 2, (k[2] - 1) / 2), act: true)
        variant.stemConvolution(conv1).computesInputGradient = false   // nothing upstream of the stem needs a gradient
        maxpool = MaxPool(dims: 3, kernel: (1, 3, 3), stride: (spec.pool1StrideT, spec.pool1StrideS, spec.pool1StrideS),
                          padding: (0, 1, 1))
        let expansion = bottleneck ? Bottleneck3d.expansion : BasicBlock3d.expansion
        let zeroInit = spec.zeroInitResidual && spec.pretrained == nil
        var cin = spec.baseChannels
        var stages: [Sequential] = []
        for s in 0..<spec.numStages {
            let planes = spec.baseChannels << s
            let d = spec.dilations[s]
            var stage: [any Layer] = []
            // A SlowFast slow pathway's first block also takes the lateral connection's channels.
            if s < spec.lateralChannels.count { cin += spec.lateralChannels[s] }
            for b in 0..<spec.inflate[s].count {
                let (ss, ts) = b == 0 ? (spec.spatialStrides[s], spec.temporalStrides[s]) : (1, 1)
                // mmaction2 adds a downsample for a spatial stride or a width change only (not a temporal stride).
                let down = b == 0 && (ss != 1 || cin != planes * expansion)
                    ? convModule(cin, planes * expansion, kernel: (1, 1, 1), stride: (ts, ss, ss), act: false) : nil
                let inflated = spec.inflate[s][b]
                let nonLocal = spec.nonLocal[s][b] ? Self.nonLocalBlock(channels: planes * expansion, spec: spec, rng: &rng) : nil
                let block: any Layer
                if bottleneck, case .csn(let mode, _) = variant {
                    let b3 = CSNBottleneck3d.make(cin: cin, planes: planes, inflated: inflated, style: spec.inflateStyle,
                                                  caffe: spec.caffeStyle, stride: (ts, ss, ss), dilation: d, mode: mode,
                                                  downsample: down, nonLocal: nonLocal) { cin, cout, k, stride, padding, dilation, groups, act in
                        convModule(cin, cout, kernel: k, stride: stride, padding: padding, dilation: dilation, groups: groups, act: act)
                    }
                    if zeroInit { b3.conv3.bn.weight.value.fill(0) }
                    block = b3
                } else if bottleneck {
                    let style = spec.inflateStyle
                    let k1 = inflated && style == .t3x1x1 ? (3, 1, 1) : (1, 1, 1)
                    let k2 = inflated && style == .t3x3x3 ? (3, 3, 3) : (1, 3, 3)
                    let (s1, s2) = spec.caffeStyle ? ((ts, ss, ss), (1, 1, 1)) : ((1, 1, 1), (ts, ss, ss))
                    let b3 = Bottleneck3d(
                        conv1: convModule(cin, planes, kernel: k1, stride: s1, padding: (k1.0 / 2, 0, 0), act: true),
                        conv2: convModule(planes, planes, kernel: k2, stride: s2, padding: (k2.0 / 2, d, d),
                                          dilation: (1, d, d), act: true),
                        conv3: convModule(planes, planes * 4, kernel: (1, 1, 1), act: false), downsample: down, nonLocal: nonLocal)
                    if zeroInit { b3.conv3.bn.weight.value.fill(0) }
                    block = b3
                } else {
                    let kt = inflated ? 3 : 1
                    let b2 = BasicBlock3d(
                        conv1: convModule(cin, planes, kernel: (kt, 3, 3), stride: (ts, ss, ss), padding: (kt / 2, d, d),
                                          dilation: (1, d, d), act: true),
                        conv2: convModule(planes, planes, kernel: (kt, 3, 3), padding: (kt / 2, 1, 1), act: false),
                        downsample: down, nonLocal: nonLocal)
                    if zeroInit { b2.conv2.bn.weight.value.fill(0) }
                    block = b2
                }
                stage.append(block)
                cin = planes * expansion
            }
            stages.append(Sequential(stage))
        }
        layers = stages
    }

    /// mmcv's NonLocal3d on `channels` with `non_local_cfg`. From scratch, mmaction2's ResNet3d init re-draws every
    /// Conv3d of the backbone (Kaiming fan_out, bias 0) and sets every BatchNorm to 1/0, the non-local ones included;
    /// with `pretrained` (or `ownInit`: ResNetTSM, which adds them after its init) it keeps NonLocal3d's own init
    /// (normal(0, std), conv_out or its norm zeroed).
    static func nonLocalBlock(channels: Int, spec: ResNet3dSpec, rng: inout Philox) -> NonLocal3d {
        nonLocalBlock(channels: channels, cfg: spec.nonLocalCfg, ownInit: spec.pretrained != nil, rng: &rng)
    }

    static func nonLocalBlock(channels: Int, cfg c: ResNet3dSpec.NonLocalCfg, ownInit: Bool, rng: inout Philox) -> NonLocal3d {
        let block = NonLocal3d(channels, reduction: c.reduction, useScale: c.useScale, norm: c.norm, mode: c.mode,
                               subSample: c.subSample)
        if ownInit {
            block.initWeights(std: c.std, zerosInit: c.zerosInit, rng: &rng)
        } else {
            for conv in [block.gConv, block.thetaConv, block.phiConv, block.outConvolution].compactMap({ $0 }) {
                conv.kaimingInit(rng: &rng)
            }
        }
        if let bn = block.outNorm, !c.normRequiresGrad { bn.weight.requiresGrad = false; bn.bias.requiresGrad = false }
        return block
    }

    public var children: [(String, any Module)] {
        [("conv1", conv1), ("maxpool", maxpool), ("pool2", pool2)]
            + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
    }

    /// `with_pool2`, except that ResNet2Plus1d never applies pool2 (mmaction2's forward leaves it out).
    var usesPool2: Bool { spec.withPool2 && variant != .r2plus1d }

    /// The stages whose outputs `features` returns: `out_indices` when a neck takes several, else the last.
    var outputStages: [Int] { spec.outIndices.count > 1 ? spec.outIndices : [layers.count - 1] }

    /// The last stage's output (the reader requires it among `out_indices`).
    public func forward(_ x: Tensor) -> Tensor { features(x).last! }

    /// The outputs of `outputStages`, in order (several for a neck such as TPN).
    public func features(_ x: Tensor) -> [Tensor] {
        let keep = outputStages
        var y = conv1.forward(x)
        if spec.withPool1 { y = maxpool.forward(y) }
        var outs: [Tensor] = []
        for (i, layer) in layers.enumerated() {
            y = layer.forward(y)
            if i == 0 && usesPool2 { y = pool2.forward(y) }
            if keep.contains(i) { outs.append(y) }
        }
        return outs
    }

    /// ∂L/∂ the last stage's output → ∂L/∂input (see `backward(features:)`).
    public func backward(_ dy: Tensor) -> Tensor { backward(features: [dy]) }

    /// From ∂L/∂ each `outputStages` output, the gradients joining at their stages. Backward runs through the
    /// trainable stages only: frozen ones (`frozen_stages`, eval mode, no gradients) and the stem below them need no
    /// gradient, and being in eval mode they kept nothing for one.
    public func backward(features d: [Tensor]) -> Tensor {
        // pool2 follows stage 0 in the forward: its backward comes before that stage's.
        guard var dy = StageStack.backward(stages: layers.count, outputs: outputStages, frozenStages: spec.frozenStages, gradients: d,
                                           stage: { i, dy in layers[i].backward(i == 0 && usesPool2 ? pool2.backward(dy) : dy) })
        else { return Tensor.zeros([0]) }
        if spec.withPool1 { dy = maxpool.backward(dy) }
        return conv1.backward(dy)
    }

    /// PyTorch `.train(mode)` plus mmaction2's train-mode rules: `frozen_stages` (stem and stages 1…k in eval mode
    /// with frozen parameters) and `norm_eval` (every BatchNorm in eval mode).
    public func applyMode(training: Bool) {
        setTraining(training)
        if spec.frozenStages >= 0 {
            // mmaction2's ResNet3d freezes in `train()` whatever the mode, so the parameters stay frozen in eval too.
            var frozen: [any Module] = [conv1]
            frozen += layers.prefix(spec.frozenStages).map { $0 as any Module }
            for m in frozen {
                m.setTraining(false)
                for (_, p) in m.namedParameters() { p.requiresGrad = false }
            }
        }
        guard training else { return }
        if spec.normEval {
            for bn in namedModules().compactMap({ $0.1 as? BatchNorm }) {
                bn.isTraining = false
                // ResNet3dCSN's bn_frozen: with norm_eval, every BatchNorm's affine weights stop training too.
                if case .csn(_, bnFrozen: true) = variant { bn.weight.requiresGrad = false; bn.bias.requiresGrad = false }
            }
        }
    }
}
