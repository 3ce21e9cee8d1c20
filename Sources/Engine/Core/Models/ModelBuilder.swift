import Config

/// Builds a model from the config's `model = dict(type='Recognizer2D', backbone=…, cls_head=…, test_cfg=…)`.
/// Every unsupported or inconsistent setting is a located `ConfigError` (e.g. a head whose in_channels does not
/// match the backbone). Initialisation follows mmaction2 with `pretrained=None`: Kaiming fan_out convs, BN 1/0,
/// fc normal(0, init_std); all draws come from `Philox(seed:)`.
public enum ModelBuilder {
    public static func build(_ model: ConfigValue, files: SourceFiles, seed: UInt64) throws -> Recognizer2D {
        let m = try ConfigReader(model, name: "model", files: files)
        let type = try m.string("type")
        guard type == "Recognizer2D" else {
            throw m.error("model type '\(type)' is not supported by Reel yet (supported: Recognizer2D)", key: "type")
        }
        var rng = Philox(seed: seed, stream: 0x4D0D)
        guard let b = try m.sub("backbone") else { throw m.error("Recognizer2D needs 'backbone'") }
        let backbone = try buildBackbone(b, rng: &rng)
        guard let h = try m.sub("cls_head") else { throw m.error("Reel needs a cls_head to train") }
        let (head, loss, topk) = try buildHead(h, backbone: backbone, rng: &rng)
        var averageClips: String? = nil
        if let t = try m.sub("test_cfg") {
            averageClips = try t.optionalString("average_clips")
            if let a = averageClips, !["score", "prob"].contains(a) {
                throw t.error("average_clips must be 'score', 'prob' or None, not '\(a)'", key: "average_clips")
            }
        }
        return Recognizer2D(backbone: backbone, clsHead: head, loss: loss, topk: topk, averageClips: averageClips)
    }

    static func buildBackbone(_ b: ConfigReader, rng: inout Philox) throws -> ResNet {
        let type = try b.require("type", in: ["ResNet", "ResNetTSM"], default: "ResNet")
        let depth = try b.int("depth")
        guard ResNet.stageBlocks(depth: depth) != nil else {
            throw b.error("ResNet depth must be 18, 34, 50, 101 or 152, not \(depth)", key: "depth")
        }
        if let p = try b.optionalString("pretrained") {
            throw b.error("pretrained='\(p)': Reel cannot download weights; set pretrained=None and use load_from with a "
                          + ".safetensors file", key: "pretrained")
        }
        _ = try b.require("style", in: ["pytorch"], default: "pytorch")
        let numStages = try b.int("num_stages", 4)
        guard (1...4).contains(numStages) else { throw b.error("num_stages must be 1–4", key: "num_stages") }
        let outIndices = try b.ints("out_indices", [3])
        guard outIndices == [numStages - 1] else {
            throw b.error("Reel returns the last stage only: out_indices must be (\(numStages - 1),)", key: "out_indices")
        }
        if let n = b.value("norm_cfg")?.dict?["type"]?.string, !["BN", "BN2d"].contains(n) {
            throw b.error("norm_cfg type '\(n)' is not supported (BN/BN2d)", key: "norm_cfg")
        }
        var tsm: ResNet.TSM? = nil
        if type == "ResNetTSM", try b.bool("is_shift", true) {
            if try b.bool("temporal_pool", false) { throw b.error("temporal_pool=True is not supported yet", key: "temporal_pool") }
            if try b.ints("non_local", [0, 0, 0, 0]).contains(where: { $0 != 0 }) {
                throw b.error("non-local blocks are not supported; use non_local=(0, 0, 0, 0)", key: "non_local")
            }
            tsm = ResNet.TSM(segments: try b.int("num_segments", 8), shiftDiv: try b.int("shift_div", 8),
                             place: try b.require("shift_place", in: ["blockres", "block"], default: "blockres"))
        }
        return ResNet(depth: depth, baseChannels: try b.int("base_channels", 64), inChannels: try b.int("in_channels", 3),
                      numStages: numStages, strides: try b.ints("strides", [1, 2, 2, 2]),
                      dilations: try b.ints("dilations", [1, 1, 1, 1]), frozenStages: try b.int("frozen_stages", -1),
                      normEval: try b.bool("norm_eval", false), partialBN: try b.bool("partial_bn", false), tsm: tsm,
                      rng: &rng)
    }

    static func buildHead(_ h: ConfigReader, backbone: ResNet, rng: inout Philox)
        throws -> (ClassificationHead, CrossEntropyLoss, [Int])
    {
        let type = try h.require("type", in: ["TSNHead", "TSMHead"], default: "TSNHead")
        let inChannels = try h.int("in_channels")
        guard inChannels == backbone.featureChannels else {
            throw h.error("in_channels=\(inChannels) but the backbone gives \(backbone.featureChannels) channels "
                          + "(ResNet-\(backbone.depth), base_channels \(backbone.baseChannels))", key: "in_channels")
        }
        if try h.bool("multi_class", false) { throw h.error("multi_class=True is not supported yet", key: "multi_class") }
        if let s = try h.optionalString("spatial_type"), s != "avg" { throw h.error("spatial_type must be 'avg'", key: "spatial_type") }
        if let c = h.value("consensus")?.dict?["type"]?.string, c != "AvgConsensus" {
            throw h.error("consensus '\(c)' is not supported (AvgConsensus)", key: "consensus")
        }
        var loss = CrossEntropyLoss()
        if let l = try h.sub("loss_cls") {
            _ = try l.require("type", in: ["CrossEntropyLoss"], default: "CrossEntropyLoss")
            loss.lossWeight = Float(try l.double("loss_weight", 1))
            if l.has("class_weight") { loss.classWeight = try l.doubles("class_weight", []).map(Float.init) }
        }
        let isTSM = type == "TSMHead"
        if isTSM, try h.bool("temporal_pool", false) { throw h.error("temporal_pool=True is not supported yet", key: "temporal_pool") }
        let head = ClassificationHead(
            name: type, inChannels: inChannels, numClasses: try h.int("num_classes"),
            dropoutRatio: Float(try h.double("dropout_ratio", isTSM ? 0.8 : 0.4)),
            initStd: Float(try h.double("init_std", isTSM ? 0.001 : 0.01)),
            consensus: isTSM ? .logitsAfterFC : .featuresBeforeFC,
            numSegments: isTSM ? try h.int("num_segments", 8) : nil, rng: &rng)
        return (head, loss, try h.ints("topk", [1, 5]))
    }
}
