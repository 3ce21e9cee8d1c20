/// Builds a model from its spec (read from the config's `model = dict(type='Recognizer2D', …)` by
/// Build/ModelReader). Initialisation follows mmaction2 with `pretrained=None`: Kaiming fan_out convs, BN 1/0,
/// fc normal(0, init_std); all draws come from `Philox(seed:)`.
public enum ModelBuilder {
    public static func build(_ spec: ModelSpec, seed: UInt64) -> Recognizer2D {
        var rng = Philox(seed: seed, stream: 0x4D0D)
        let b = spec.backbone
        let backbone = ResNet(depth: b.depth, baseChannels: b.baseChannels, inChannels: b.inChannels, numStages: b.numStages,
                              strides: b.strides, dilations: b.dilations, frozenStages: b.frozenStages, normEval: b.normEval,
                              partialBN: b.partialBN, tsm: b.tsm, rng: &rng)
        let h = spec.head
        var loss = CrossEntropyLoss()
        loss.lossWeight = h.lossWeight
        loss.classWeight = h.classWeight
        let head = ClassificationHead(name: h.name, inChannels: h.inChannels, numClasses: h.numClasses,
                                      dropoutRatio: h.dropoutRatio, initStd: h.initStd,
                                      consensus: h.isTSM ? .logitsAfterFC : .featuresBeforeFC,
                                      numSegments: h.isTSM ? h.numSegments : nil, rng: &rng)
        return Recognizer2D(backbone: backbone, clsHead: head, loss: loss, topk: h.topk, averageClips: spec.averageClips)
    }
}
