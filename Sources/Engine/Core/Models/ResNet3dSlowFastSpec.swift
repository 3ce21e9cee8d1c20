/// `ResNet3dSlowFast` arguments as read from a config (SEMANTICS.md §6.7): two ResNet3dPathways and how they meet.
///
/// The slow pathway sees every `resampleRate`-th frame, the fast one every (resampleRate / speedRatio)-th; with
/// `lateral` the fast features enter the slow pathway before each stage through a (fusion_kernel, 1, 1) convolution
/// of temporal stride `speedRatio` that doubles the fast width (mmaction2's "time-strided convolution" fusion).
public struct ResNet3dSlowFastSpec: Sendable, Equatable {
    /// The pathways as ResNet3d networks (`flavour` .slowOnly: both are mmaction2 ResNet3dPathways, whose 2-D
    /// inflation zero-pads extra input channels); `slow.lateralChannels` is set by `ResNet3dSlowFast`.
    public var slow: ResNet3dSpec, fast: ResNet3dSpec
    public var resampleRate = 8, speedRatio = 8, channelRatio = 8
    /// slow_pathway's `lateral`: lateral connections from the fast pathway.
    public var lateral = true
    /// slow_pathway's `fusion_kernel` (temporal kernel of the lateral convs) and `lateral_norm` (BN3d + ReLU after
    /// them, else a bare convolution).
    public var fusionKernel = 5, lateralNorm = false
    /// A local 3-D SlowFast state dict (`pretrained=` of the backbone), loaded strictly over the whole backbone.
    public var pretrained: String?

    public init(slow: ResNet3dSpec, fast: ResNet3dSpec) {
        self.slow = slow
        self.fast = fast
    }

    /// Frames of a T-frame clip each pathway sees: every `rate`-th, as PyTorch's nearest interpolation with
    /// scale 1 / rate picks them.
    public var fastRate: Int { resampleRate / speedRatio }

    /// The slow pathway's input channels before stage `s` (its stem width, then each stage's output width): the
    /// lateral connection into stage `s` maps that / channel_ratio fast channels to twice as many.
    public func slowInplanes(stage s: Int) -> Int {
        s == 0 ? slow.baseChannels : (slow.baseChannels << (s - 1)) * (slow.isBottleneck ? Bottleneck3d.expansion : BasicBlock3d.expansion)
    }

    /// Channels each lateral connection adds to the slow pathway's stage `s` input (empty without `lateral`).
    public var lateralChannels: [Int] {
        lateral ? (0..<slow.numStages).map { slowInplanes(stage: $0) * 2 / channelRatio } : []
    }

    /// The head's input: the slow pathway's last stage plus the fast one's.
    public var featureChannels: Int { slow.featureChannels + fast.featureChannels }
}

extension ResNet3dSlowFastSpec {
    /// Why a `clipLength`-frame clip cannot go through this network (nil: it can): each pathway's frame count after
    /// its stem and stages, against what the lateral conv makes of the fast one where they are concatenated
    /// (mmaction2 fails in torch.cat there).
    public func clipProblem(clipLength t: Int) -> String? {
        func stem(_ s: ResNet3dSpec, _ frames: Int) -> Int {
            let k = s.conv1Kernel[0]
            let conv = (frames + 2 * ((k - 1) / 2) - k) / s.conv1StrideT + 1
            return (conv - 1) / s.pool1StrideT + 1
        }
        let slowIn = ResNet3dSlowFast.temporalIndices(length: t, rate: resampleRate).count
        let fastIn = ResNet3dSlowFast.temporalIndices(length: t, rate: fastRate).count
        guard slowIn >= 1, fastIn >= 1 else { return "a \(t)-frame clip leaves the slow pathway no frame (resample_rate \(resampleRate))" }
        var ts = stem(slow, slowIn), tf = stem(fast, fastIn)
        for s in 0..<slow.numStages {
            if lateral {
                let lateralT = (tf + 2 * ((fusionKernel - 1) / 2) - fusionKernel) / speedRatio + 1
                if lateralT != ts {
                    let at = s == 0 ? "the stems" : "stage \(s)"
                    return "a \(t)-frame clip gives the slow pathway \(ts) frames after \(at) but the lateral connection \(lateralT) "
                        + "(fast \(tf) / speed_ratio \(speedRatio)); use a clip length that is a multiple of resample_rate \(resampleRate)"
                }
            }
            ts = (ts - 1) / slow.temporalStrides[s] + 1
            tf = (tf - 1) / fast.temporalStrides[s] + 1
        }
        return nil
    }
}
