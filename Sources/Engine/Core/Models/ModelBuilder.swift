/// Builds a model from its spec (read from the config's `model = dict(…)` by Build/ModelReader). Initialisation
/// follows mmaction2 with `pretrained=None`: Kaiming fan_out convs, BN 1/0, fc normal(0, init_std); all draws come
/// from `Philox(seed:)`, backbone first, then head. A `pretrained=` file is loaded on top by EngineTraining's
/// `ModelBuilder.build(_:seed:)`, which is what callers use.
public enum ModelBuilder {
    public static func fromScratch(_ spec: ModelSpec, seed: UInt64) -> any Recognizer {
        let model = recognizer(spec, seed: seed)
        model.blending = spec.blending.map {
            BatchBlending(kind: $0.kind, numClasses: $0.numClasses, alpha: $0.alpha, rng: Philox(seed: seed, stream: 0xB1E7D))
        }
        return model
    }

    static func recognizer(_ spec: ModelSpec, seed: UInt64) -> any Recognizer {
        var rng = Philox(seed: seed, stream: 0x4D0D)
        let h = spec.head
        let loss = headLoss(h)
        switch spec.backbone {
        case .resnet(let b):
            let backbone = ResNet(depth: b.depth, baseChannels: b.baseChannels, inChannels: b.inChannels, numStages: b.numStages,
                                  strides: b.strides, dilations: b.dilations, frozenStages: b.frozenStages, normEval: b.normEval,
                                  partialBN: b.partialBN, tsm: b.tsm, nonLocal: b.nonLocal.map { blocks in
                                      // ResNetTSM builds its non-local blocks after ResNet.init_weights: they keep
                                      // NonLocal3d's own init (normal(0, std), conv_out or its norm zeroed).
                                      ResNet.NonLocal(blocks: blocks, segments: b.nonLocalSegments) { channels, rng in
                                          ResNet3d.nonLocalBlock(channels: channels, cfg: b.nonLocalCfg, ownInit: true, rng: &rng)
                                      }
                                  }, temporalPool: b.temporalPool, outIndices: b.outIndices, rng: &rng)
            let neck = spec.neck.map { TPN($0, rng: &rng) }
            let head = buildHead(h, rng: &rng)
            return Recognizer2D(backbone: backbone, neck: neck, clsHead: head, loss: loss, averageClips: spec.averageClips,
                                fcnTest: spec.fcnTest)
        case .resnet3d, .slowFast, .c3d, .resnet2plus1d, .csn, .x3d:
            let backbone: any Backbone
            switch spec.backbone {
            case .resnet3d(let b): backbone = ResNet3d(b, rng: &rng)
            case .slowFast(let b): backbone = ResNet3dSlowFast(b, rng: &rng)
            default: backbone = buildFamilyBackbone(spec.backbone, rng: &rng)
            }
            // mmaction2 registers backbone, neck, cls_head in that order.
            let neck = spec.neck.map { TPN($0, rng: &rng) }
            let head = buildHead(h, rng: &rng)
            return Recognizer3D(backbone: backbone, neck: neck, clsHead: head, loss: loss, averageClips: spec.averageClips)
        }
    }

    /// The head's `HeadLoss` from its spec.
    static func headLoss(_ h: ModelSpec.Head) -> HeadLoss {
        let l = h.loss
        let function: HeadLoss.Function
        switch l.function {
        case .crossEntropy: function = .crossEntropy(CrossEntropyLoss(lossWeight: l.weight, classWeight: l.classWeight))
        case .binaryCrossEntropy: function = .binaryCrossEntropy(BCELossWithLogits(lossWeight: l.weight, classWeight: l.classWeight))
        }
        return HeadLoss(function, multiClass: l.multiClass, labelSmoothEps: l.labelSmoothEps, topk: h.topk)
    }

    /// The head the spec names (2-D heads and 3-D heads alike).
    static func buildHead(_ h: ModelSpec.Head, rng: inout Philox) -> any RecognizerHead {
        switch h.kind {
        case .i3d(let avgPool):
            return I3DHead(inChannels: h.inChannels, numClasses: h.numClasses, avgPool: avgPool, dropoutRatio: h.dropoutRatio,
                           initStd: h.initStd, rng: &rng)
        case .slowFast:
            return SlowFastHead(inChannels: h.inChannels, numClasses: h.numClasses, dropoutRatio: h.dropoutRatio,
                                initStd: h.initStd, rng: &rng)
        case .x3d(let fc1Bias):
            return X3DHead(inChannels: h.inChannels, numClasses: h.numClasses, fc1Bias: fc1Bias, dropoutRatio: h.dropoutRatio,
                           initStd: h.initStd, rng: &rng)
        case .tsn, .tsm:
            return ClassificationHead(name: h.name, inChannels: h.inChannels, numClasses: h.numClasses,
                                      dropoutRatio: h.dropoutRatio, initStd: h.initStd,
                                      consensus: h.isTSM ? .logitsAfterFC : .featuresBeforeFC,
                                      numSegments: h.numSegments, rng: &rng)
        case .features:
            return FeatureHead(channels: h.inChannels)
        case .trn(let segments, let relation, let hidden):
            return TRNHead(inChannels: h.inChannels, numClasses: h.numClasses, numSegments: segments, relation: relation,
                           hiddenDim: hidden, dropoutRatio: h.dropoutRatio, initStd: h.initStd, rng: &rng)
        }
    }
}
