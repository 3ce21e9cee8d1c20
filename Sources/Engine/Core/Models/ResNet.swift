/// mmaction2's 2-D `ResNet` and `ResNetTSM` backbones (SEMANTICS.md §6.2–6.4) on channel-major activations.
///
/// Stem `conv1` (7×7/2 ConvModule) + `maxpool` (3×3/2, −∞ padding), stages `layer1…layer4` of BasicBlocks
/// (depth 18/34) or Bottlenecks (50/101/152) with widths base·(1, 2, 4, 8). With `tsm` set, every block's
/// `conv1.conv` is wrapped in a temporal shift (`blockres`; every other block when layer3 has ≥ 23 blocks) or
/// the whole block is (`block`); `temporal_pool` halves the segments before layer2 (`TemporalPool`) and `non_local`
/// follows the chosen blocks by a NonLocal3d over each video's segments (`NL3DWrapper`). Parameter names and shapes
/// equal mmaction2's `state_dict()`.
public final class ResNet: Layer, Backbone {
    /// ResNetTSM's extra settings.
    public struct TSM: Sendable, Equatable {
        public var segments: Int = 8, shiftDiv: Int = 8, place: String = "blockres"
        public init(segments: Int = 8, shiftDiv: Int = 8, place: String = "blockres") {
            self.segments = segments; self.shiftDiv = shiftDiv; self.place = place
        }
    }

    /// ResNetTSM's non-local blocks (`non_local` + `non_local_cfg`): which blocks get an `NL3DWrapper`, the
    /// segments it views the frames as (the backbone's `num_segments`), and how to make each NonLocal3d.
    public struct NonLocal {
        public var blocks: [[Bool]]
        public var segments: Int
        public var make: (_ channels: Int, _ rng: inout Philox) -> NonLocal3d
        public init(blocks: [[Bool]], segments: Int, make: @escaping (Int, inout Philox) -> NonLocal3d) {
            self.blocks = blocks; self.segments = segments; self.make = make
        }
    }

    public let depth: Int, baseChannels: Int
    public let conv1: ConvModule
    let maxpool = MaxPool(kernel: 3, stride: 2, padding: 1)
    /// The stages; with `temporal_pool` layer2 is a `TemporalPool` around its blocks.
    public let layers: [any Layer]
    public let frozenStages: Int, normEval: Bool, partialBN: Bool
    /// `out_indices`: the stages `features` returns, in order, the last among them (one unless a neck takes several;
    /// the initialiser's empty list means the last stage alone, as `ModelSpec.ResNetSpec.outIndices` does).
    public let outIndices: [Int]
    public var isTraining = true
    public let featureChannels: Int

    public static func stageBlocks(depth: Int) -> (bottleneck: Bool, blocks: [Int])? {
        switch depth {
        case 18: return (false, [2, 2, 2, 2])
        case 34: return (false, [3, 4, 6, 3])
        case 50: return (true, [3, 4, 6, 3])
        case 101: return (true, [3, 4, 23, 3])
        case 152: return (true, [3, 8, 36, 3])
        default: return nil
        }
    }

    public init(depth: Int, baseChannels: Int = 64, inChannels: Int = 3, numStages: Int = 4,
                strides: [Int] = [1, 2, 2, 2], dilations: [Int] = [1, 1, 1, 1], frozenStages: Int = -1,
                normEval: Bool = false, partialBN: Bool = false, tsm: TSM? = nil, nonLocal: NonLocal? = nil,
                temporalPool: Bool = false, outIndices: [Int] = [], rng: inout Philox) {
        guard let (bottleneck, blocks) = Self.stageBlocks(depth: depth) else { preconditionFailure("bad depth \(depth)") }
        precondition(outIndices.isEmpty || outIndices.last == numStages - 1, "out_indices must end with the last stage")
        self.outIndices = outIndices.isEmpty ? [numStages - 1] : outIndices
        self.depth = depth
        self.baseChannels = baseChannels
        self.frozenStages = frozenStages
        self.normEval = normEval
        self.partialBN = partialBN
        func convModule(_ cin: Int, _ cout: Int, _ k: Int, stride: Int, padding: Int, dilation: Int = 1,
                        act: Bool, shift: Int? = nil) -> ConvModule {
            let conv = Conv2d(cin, cout, kernel: k, stride: stride, padding: padding, dilation: dilation, bias: false)
            conv.kaimingInit(rng: &rng)
            let wrapped: any Layer = if let shift, let tsm { TemporalShift(net: conv, segments: shift, shiftDiv: tsm.shiftDiv) } else { conv }
            return ConvModule(conv: wrapped, bn: BatchNorm(cout), activate: act)
        }
        conv1 = convModule(inChannels, baseChannels, 7, stride: 2, padding: 3, act: true)
        conv1.convolution.computesInputGradient = false   // nothing upstream of the stem needs a gradient
        var cin = baseChannels
        var stages: [any Layer] = []
        let expansion = bottleneck ? Bottleneck.expansion : BasicBlock.expansion
        for s in 0..<numStages {
            let planes = baseChannels << s
            // With temporal_pool the stages after layer1 see half the segments (mmaction2's num_segment_list).
            let segments = (tsm?.segments ?? 0) / (temporalPool && s > 0 ? 2 : 1)
            var stage: [any Layer] = []
            for b in 0..<blocks[s] {
                let stride = b == 0 ? strides[s] : 1
                let dilation = dilations[s]
                let needsDown = b == 0 && (stride != 1 || cin != planes * expansion)
                let down = needsDown ? convModule(cin, planes * expansion, 1, stride: stride, padding: 0, act: false) : nil
                // blockres shifts every block's residual branch; ResNet-101/152 shift every other block (mmaction2).
                let shiftHere = tsm?.place == "blockres" && (blocks[2] < 23 || b % 2 == 0) ? segments : nil
                var block: any Layer
                if bottleneck {
                    block = Bottleneck(
                        conv1: convModule(cin, planes, 1, stride: 1, padding: 0, act: true, shift: shiftHere),
                        conv2: convModule(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, act: true),
                        conv3: convModule(planes, planes * 4, 1, stride: 1, padding: 0, act: false), downsample: down)
                } else {
                    block = BasicBlock(
                        conv1: convModule(cin, planes, 3, stride: stride, padding: dilation, dilation: dilation, act: true,
                                          shift: shiftHere),
                        conv2: convModule(planes, planes, 3, stride: 1, padding: dilation, dilation: dilation, act: false),
                        downsample: down)
                }
                if let tsm, tsm.place == "block" {
                    block = TemporalShift(net: block, segments: segments, shiftDiv: tsm.shiftDiv)
                }
                if let nonLocal, s < nonLocal.blocks.count, b < nonLocal.blocks[s].count, nonLocal.blocks[s][b] {
                    block = NL3DWrapper(block: block, nonLocal: nonLocal.make(planes * expansion, &rng), segments: nonLocal.segments)
                }
                stage.append(block)
                cin = planes * expansion
            }
            let layer = Sequential(stage)
            stages.append(temporalPool && s == 1 ? TemporalPool(net: layer, segments: tsm?.segments ?? 0) : layer)
        }
        layers = stages
        featureChannels = cin
    }

    public var children: [(String, any Module)] {
        [("conv1", conv1), ("maxpool", maxpool)] + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
    }

    /// The last stage's output.
    public func forward(_ x: Tensor) -> Tensor { features(x).last! }

    /// The outputs of the `outIndices` stages, in order (several for a neck such as TPN).
    public func features(_ x: Tensor) -> [Tensor] {
        var y = maxpool.forward(conv1.forward(x))
        var outs: [Tensor] = []
        for (i, layer) in layers.enumerated() {
            y = layer.forward(y)
            if outIndices.contains(i) { outs.append(y) }
        }
        return outs
    }

    /// ∂L/∂ the last stage's output → ∂L/∂input (see `backward(features:)`).
    public func backward(_ dy: Tensor) -> Tensor { backward(features: [dy]) }

    /// From ∂L/∂ each `outIndices` output, the gradients joining at their stages. Backward runs through the
    /// trainable stages only: frozen ones (`frozen_stages`, eval mode, no gradients) and the stem below them need no
    /// gradient, and being in eval mode they kept nothing for one.
    public func backward(features d: [Tensor]) -> Tensor {
        guard let dy = StageStack.backward(stages: layers.count, outputs: outIndices, frozenStages: frozenStages, gradients: d,
                                           stage: { layers[$0].backward($1) }) else { return Tensor.zeros([0]) }
        return conv1.backward(maxpool.backward(dy))
    }

    /// PyTorch `.train(mode)` plus mmaction2's train-mode rules: `frozen_stages` (stem and stages 1…k in eval
    /// mode with frozen parameters), `norm_eval` (every BatchNorm in eval mode), `partial_bn` (every BatchNorm but
    /// the first in eval mode with frozen affine parameters).
    public func applyMode(training: Bool) {
        setTraining(training)
        guard training else { return }
        if frozenStages >= 0 {
            var frozen: [any Module] = [conv1]
            frozen += layers.prefix(frozenStages).map { $0 as any Module }
            for m in frozen {
                m.setTraining(false)
                for (_, p) in m.namedParameters() { p.requiresGrad = false }
            }
        }
        let norms = namedModules().compactMap { $0.1 as? BatchNorm }
        if normEval { norms.forEach { $0.isTraining = false } }
        if partialBN {
            for bn in norms.dropFirst() {
                bn.isTraining = false
                bn.weight.requiresGrad = false
                bn.bias.requiresGrad = false
            }
        }
    }
}
