import Config
import EngineCore
import EngineData

/// Reads the config's `model = dict(type='Recognizer2D', backbone=…, cls_head=…, test_cfg=…)` into a `ModelSpec`.
/// Every unsupported or inconsistent setting is a located `ConfigError` (e.g. a head whose in_channels does not
/// match the backbone), found without building the network.
public enum ModelReader {
    public static func read(_ model: ConfigValue, files: SourceFiles, log: ReadLog? = nil) throws -> ModelSpec {
        let m = try ConfigReader(model, name: "model", files: files, log: log)
        let type = try m.string("type")
        guard let kind = ModelSpec.RecognizerKind(rawValue: type) else {
            throw m.error("model type '\(type)' is not supported by Reel yet (supported: Recognizer2D, Recognizer3D)", key: "type")
        }
        let r = m.as(type)
        let neckReader = try r.sub("neck")
        guard let b = try r.sub("backbone") else { throw r.error("\(type) needs 'backbone'") }
        let backbone: ModelSpec.Backbone
        switch kind {
        case .recognizer2D: backbone = .resnet(try readBackbone(b, multiOutput: neckReader != nil))
        case .recognizer3D: backbone = try readBackbone3D(b, multiOutput: neckReader != nil)
        }
        let testCfg = try r.sub("test_cfg")?.as("test_cfg")
        let extractsFeatures = try testCfg?.bool("feature_extraction", false) ?? false
        var head: ModelSpec.Head
        if let h = try r.sub("cls_head") {
            if extractsFeatures {
                throw testCfg!.error("feature_extraction=True with a cls_head: Reel extracts features from models without "
                                     + "one (mmaction2's clip_feature_extraction configs); remove cls_head or the flag",
                                     key: "feature_extraction")
            }
            switch kind {
            case .recognizer2D where neckReader != nil:
                // mmaction2's Recognizer2D hands the neck's C×N×1×H×W map to the head: only TPNHead pools it.
                guard try h.string("type") == "TPNHead" else {
                    throw h.error("with a TPN neck on Recognizer2D the head takes a clip's map: use TPNHead", key: "type")
                }
                head = try readHead3D(h, backbone: backbone, neck: true)
            case .recognizer2D: head = try readHead(h, backbone: backbone)
            case .recognizer3D: head = try readHead3D(h, backbone: backbone, neck: neckReader != nil)
            }
        } else {
            guard extractsFeatures else {
                throw r.error("\(type) needs a cls_head (or test_cfg=dict(feature_extraction=True) for a feature extractor)")
            }
            if case .slowFast = backbone {
                // Two feature maps: mmaction2's feature extraction pools `feat` as one tensor and fails on the pair.
                throw testCfg!.error("feature_extraction=True with ResNet3dSlowFast: mmaction2 pools one feature map and fails "
                                     + "on SlowFast's two", key: "feature_extraction")
            }
            let channels = backbone.featureChannels
            head = ModelSpec.Head(kind: .features, name: "feature extraction", inChannels: channels, numClasses: channels,
                                  dropoutRatio: 0, initStd: 0)
            head.topk = []
        }
        var averageClips: String? = nil
        var fcnTest: Recognizer2D.FullyConvolutionalTest?
        if let t = testCfg {
            averageClips = try t.optionalString("average_clips")
            if let a = averageClips, !["score", "prob"].contains(a) {
                throw t.error("average_clips must be 'score', 'prob' or None, not '\(a)'", key: "average_clips")
            }
            // mmaction2 returns the features before average_clip.
            if extractsFeatures { averageClips = nil }
            // A memory option: the views' scores are the same whether computed in one batch or several.
            t.accepts("max_testing_views", as: .inert("Reel scores the views in one pass, with the same result"))
            fcnTest = try readFCNTest(t, kind: kind, backbone: backbone, head: head, neck: neckReader != nil)
        }
        let blending = try readTrainCfg(r, headClasses: head.numClasses)
        var spec = ModelSpec(recognizer: kind, backbone: backbone, head: head, averageClips: averageClips, blending: blending)
        spec.fcnTest = fcnTest
        if let neck = neckReader {
            spec.neck = try readTPN(neck, backbone: backbone, numClasses: head.numClasses)
            if blending != nil, spec.neck?.aux != nil, let at = r.value("train_cfg") {
                // mmaction2 hands the blended soft labels to the auxiliary head as well; Reel's takes class indices.
                throw files.error("mixup/cutmix with TPN's auxiliary head is not supported by Reel", at: at.origin)
            }
        }
        return spec
    }

    /// `test_cfg.fcn_test` with its `num_segs` and `flip`, which only mmaction2's Recognizer2D reads (its
    /// `_do_fcn_test`, which calls the head with `fcn_test=True`: only TPNHead takes that, here after a TPN neck).
    /// `num_segs` defaults to ResNetTSM's `num_segments`; a plain ResNet has none, so mmaction2 fails without it.
    static func readFCNTest(_ t: ConfigReader, kind: ModelSpec.RecognizerKind, backbone: ModelSpec.Backbone,
                            head: ModelSpec.Head, neck: Bool) throws -> Recognizer2D.FullyConvolutionalTest? {
        guard kind == .recognizer2D else {
            t.accepts("fcn_test", as: .inert("mmaction2's Recognizer3D does not read it"))
            return nil
        }
        guard try t.bool("fcn_test", false) else {
            for key in ["num_segs", "flip"] {
                t.accepts(key, as: .inert("mmaction2 reads it for fully-convolutional testing (fcn_test=True) only"))
            }
            return nil
        }
        guard neck, head.name == "TPNHead" else {
            throw t.error("fcn_test=True calls the head with fcn_test=True, which only TPNHead after a TPN neck takes "
                          + "(mmaction2's \(head.name) fails on it)", key: "fcn_test")
        }
        guard case .resnet(let b) = backbone else { preconditionFailure("Recognizer2D reads a ResNet") }
        let clipFrames: Int
        if t.value("num_segs") != nil {
            clipFrames = try t.int("num_segs")
        } else if let tsm = b.tsm {
            clipFrames = tsm.segments
        } else {
            throw t.error("fcn_test=True groups the test frames by num_segs, which defaults to ResNetTSM's num_segments; "
                          + "this backbone has none (mmaction2 fails too): give test_cfg.num_segs", key: "fcn_test")
        }
        guard clipFrames >= 1 else { throw t.error("num_segs must be at least 1", key: "num_segs") }
        return Recognizer2D.FullyConvolutionalTest(clipFrames: clipFrames, flip: try t.bool("flip", false))
    }

    /// `train_cfg`: mmaction2 reads `aux_info` (extra batch keys) and `blending` (mixup, cutmix) from it and
    /// nothing else. Blending is read (MixupBlending, CutmixBlending); a non-empty `aux_info` is refused.
    static func readTrainCfg(_ r: ConfigReader, headClasses: Int) throws -> ModelSpec.Blending? {
        guard let v = r.value("train_cfg"), !v.isNone else { return nil }
        guard v.dict != nil else { throw r.error("train_cfg must be a dict or None, not \(v.typeDescription)", key: "train_cfg") }
        let c = try r.reader(v, name: "train_cfg")
        if let a = c.value("aux_info"), !(a.elements?.isEmpty ?? a.isNone) {
            throw c.files.error("train_cfg.aux_info (extra batch keys) is not supported by Reel", at: a.origin)
        }
        guard let b = try c.sub("blending") else { return nil }
        let type = try b.require("type", in: BatchBlending.Kind.allCases.map(\.rawValue), default: "")
        let t = b.as(type)
        let numClasses = try t.int("num_classes")
        let alpha = try t.double("alpha", 0.2)
        guard alpha > 0 else { throw t.error("\(type): alpha must be > 0 (a Beta(alpha, alpha) parameter), not \(alpha)", key: "alpha") }
        // mmaction2's one-hot labels would not have the scores' shape: its loss then fails on the first batch.
        guard numClasses == headClasses else {
            throw t.error("\(type): num_classes=\(numClasses) must equal the head's num_classes (\(headClasses))", key: "num_classes")
        }
        return ModelSpec.Blending(kind: BatchBlending.Kind(rawValue: type)!, numClasses: numClasses, alpha: alpha)
    }

    /// `multiOutput`: a neck takes several stages, so `out_indices` may name more than the last.
    static func readBackbone(_ reader: ConfigReader, multiOutput: Bool = false) throws -> ModelSpec.ResNetSpec {
        let type = try reader.require("type", in: ["ResNet", "ResNetTSM"], default: "ResNet")
        let b = reader.as(type)
        let depth = try b.int("depth")
        guard ResNet.stageBlocks(depth: depth) != nil else {
            throw b.error("ResNet depth must be 18, 34, 50, 101 or 152, not \(depth)", key: "depth")
        }
        let pretrained = try readPretrained(b)
        let torchvisionPretrain = try b.bool("torchvision_pretrain", true)
        _ = try b.require("style", in: ["pytorch"], default: "pytorch")
        if let c = b.value("conv_cfg")?.dict?["type"]?.string, !["Conv", "Conv2d"].contains(c) {
            throw b.error("conv_cfg type '\(c)' is not supported (Conv/Conv2d)", key: "conv_cfg")
        }
        if let a = b.value("act_cfg")?.dict?["type"]?.string, a != "ReLU" {
            throw b.error("act_cfg type '\(a)' is not supported (ReLU)", key: "act_cfg")
        }
        b.accepts("with_cp", as: .noted(default: .bool(false), why: "gradient checkpointing saves GPU memory; Reel computes the same gradients either way"))
        let numStages = try b.int("num_stages", 4)
        guard (1...4).contains(numStages) else { throw b.error("num_stages must be 1–4", key: "num_stages") }
        let outIndices = try readOutIndices(b, numStages: numStages, multiOutput: multiOutput)
        try readNorm2d(b)
        var spec = ModelSpec.ResNetSpec(depth: depth)
        spec.outIndices = outIndices
        spec.pretrained = pretrained
        spec.torchvisionPretrain = torchvisionPretrain
        if type == "ResNetTSM" {
            let segments = try b.int("num_segments", 8)
            guard segments >= 1 else { throw b.error("num_segments must be at least 1", key: "num_segments") }
            if try b.bool("is_shift", true) {
                spec.tsm = ResNet.TSM(segments: segments, shiftDiv: try b.int("shift_div", 8),
                                      place: try b.require("shift_place", in: ["blockres", "block"], default: "blockres"))
                spec.temporalPool = try b.bool("temporal_pool", false)
                if spec.temporalPool && segments % 2 != 0 {
                    throw b.error("temporal_pool=True halves the \(segments) segments: num_segments must be even", key: "temporal_pool")
                }
            } else {
                b.accepts("temporal_pool", as: .inert("mmaction2 pools over time only with is_shift=True"))
            }
            try readNonLocal2d(b, into: &spec, segments: segments)
        }
        spec.baseChannels = try b.int("base_channels", 64)
        spec.inChannels = try b.int("in_channels", 3)
        spec.numStages = numStages
        spec.strides = try b.ints("strides", [1, 2, 2, 2])
        spec.dilations = try b.ints("dilations", [1, 1, 1, 1])
        // One stride and one dilation per stage: the network reads an entry for each stage it builds.
        for (key, values) in [("strides", spec.strides), ("dilations", spec.dilations)] where values.count < numStages {
            throw b.error("\(key) needs one value per stage (\(numStages))", key: key)
        }
        spec.frozenStages = try b.int("frozen_stages", -1)
        spec.normEval = try b.bool("norm_eval", false)
        spec.partialBN = try b.bool("partial_bn", false)
        return spec
    }

    /// A ResNet's `out_indices`: the last stage alone, or with a neck (`multiOutput`) increasing stages ending with the
    /// last (Reel's backward starts there). Returns them when there are several, else [] (the last stage).
    static func readOutIndices(_ b: ConfigReader, numStages: Int, multiOutput: Bool) throws -> [Int] {
        let outIndices = try b.ints("out_indices", [3])
        if multiOutput {
            guard outIndices.last == numStages - 1, zip(outIndices, outIndices.dropFirst()).allSatisfy({ $0 < $1 }),
                  outIndices.first.map({ $0 >= 0 }) ?? false else {
                throw b.error("out_indices must be increasing stage indices ending with the last (\(numStages - 1))", key: "out_indices")
            }
            return outIndices.count > 1 ? outIndices : []
        }
        guard outIndices == [numStages - 1] else {
            throw b.error("Reel returns the last stage only: out_indices must be (\(numStages - 1),) (several stages need a "
                          + "neck such as TPN)", key: "out_indices")
        }
        return []
    }

    /// ResNetTSM's `non_local` + `non_local_cfg`: mmaction2 wraps the blocks `non_local` selects in NL3DWrapper only
    /// when `non_local_cfg` is a non-empty dict (with an empty one it builds none, so a `non_local` selecting blocks
    /// would do nothing: refused, located at it).
    static func readNonLocal2d(_ b: ConfigReader, into spec: inout ModelSpec.ResNetSpec, segments: Int) throws {
        let blocks = ResNet.stageBlocks(depth: spec.depth)!.blocks
        let cfg = b.value("non_local_cfg")
        let hasCfg = !(cfg?.isNone ?? true) && !(cfg?.dict?.isEmpty ?? true)
        guard hasCfg else {
            let selected = try perBlock(b, "non_local", default: [0, 0, 0, 0], stages: spec.numStages, blocks: blocks)
            if selected.joined().contains(true) {
                throw b.error("non_local selects blocks, but without a non_local_cfg mmaction2's ResNetTSM adds no non-local "
                              + "block (give non_local_cfg=dict(...), e.g. mode='embedded_gaussian')", key: "non_local")
            }
            b.accepts("non_local_cfg", as: .inert("it is empty: mmaction2's ResNetTSM adds non-local blocks only with a non-empty one"))
            return
        }
        let selected = try perBlock(b, "non_local", default: [0, 0, 0, 0], stages: spec.numStages, blocks: blocks)
        spec.nonLocalCfg = try readNonLocalCfg(b, used: true)
        guard selected.joined().contains(true) else { return }
        if spec.temporalPool {
            throw b.error("non-local blocks with temporal_pool=True: mmaction2 views the pooled stages' frames as the full "
                          + "num_segments and fails; Reel refuses the pair", key: "non_local")
        }
        if spec.tsm?.place == "block" {
            throw b.error("non-local blocks with shift_place='block': mmaction2's NL3DWrapper reads the wrapped block's conv3, "
                          + "which a whole-block TemporalShift hides, and fails; use shift_place='blockres'", key: "non_local")
        }
        guard ResNet.stageBlocks(depth: spec.depth)!.bottleneck else {
            // NL3DWrapper sizes its block by the wrapped block's conv3, which only a Bottleneck has.
            throw b.error("non-local blocks need a Bottleneck ResNetTSM (depth 50, 101 or 152): mmaction2's NL3DWrapper reads "
                          + "the block's conv3 and fails on ResNet-\(spec.depth)", key: "non_local")
        }
        spec.nonLocal = selected
        spec.nonLocalSegments = segments
    }

    /// `norm_cfg` of a 2-D ResNet: BatchNorm2d with PyTorch's defaults. SyncBN (the sthv1 TSN configs) is BatchNorm
    /// on one process — Reel runs one — so it is read as BN2d, as the 3-D readers do. Other keys would change the
    /// layer (a frozen affine, another eps) and are refused at their value rather than ignored.
    static func readNorm2d(_ b: ConfigReader) throws {
        guard let v = b.value("norm_cfg") else { return }
        guard let d = v.dict else { throw b.error("norm_cfg must be a dict, not \(v.typeDescription)", key: "norm_cfg") }
        for entry in d {
            let (key, value) = (entry.key.description, entry.value)
            switch key {
            case "type":
                guard let t = value.string, ["BN", "BN2d", "SyncBN"].contains(t) else {
                    throw b.files.error("norm_cfg type \(PythonText.repr(value)) is not supported (BN/BN2d/SyncBN)", at: value.origin)
                }
            case "requires_grad":
                guard value.bool == true else {
                    throw b.files.error("norm_cfg.requires_grad=False (frozen BN affine) is not supported for 2-D backbones", at: value.origin)
                }
            default:
                throw b.files.error("norm_cfg.\(key) is not supported by Reel for 2-D backbones (type, requires_grad)", at: value.origin)
            }
        }
    }

    static func readHead(_ reader: ConfigReader, backbone: ModelSpec.Backbone) throws -> ModelSpec.Head {
        let type = try reader.require("type", in: ["TSNHead", "TSMHead", "TRNHead"], default: "TSNHead")
        if type == "TRNHead" { return try readTRNHead(reader.as(type), backbone: backbone) }
        let h = reader.as(type)
        let inChannels = try h.int("in_channels")
        try checkInChannels(inChannels, h, backbone: backbone)
        h.note("spatial_type", .value(.string("avg")))   // None pools the same way here
        if let s = try h.optionalString("spatial_type"), s != "avg" { throw h.error("spatial_type must be 'avg'", key: "spatial_type") }
        if let c = h.value("consensus")?.dict?["type"]?.string, c != "AvgConsensus" {
            throw h.error("consensus '\(c)' is not supported (AvgConsensus)", key: "consensus")
        }
        let loss = try readLoss(h)
        let isTSM = type == "TSMHead"
        var segments = isTSM ? try h.int("num_segments", 8) : 0
        if isTSM {
            // TSMHead views its rows as num_segments // 2 per clip when is_shift and temporal_pool are both set.
            let pooled = try h.bool("is_shift", true) && h.bool("temporal_pool", false)
            let backbonePools: Bool
            if case .resnet(let s) = backbone { backbonePools = s.temporalPool } else { backbonePools = false }
            guard pooled == backbonePools else {
                throw h.error("the head's temporal_pool (with is_shift) must match the backbone's: the backbone gives "
                              + (backbonePools ? "half" : "all") + " of the segments", key: "temporal_pool")
            }
            if pooled { segments /= 2 }
        }
        let numClasses = try h.int("num_classes")
        let dropout = Float(try h.double("dropout_ratio", isTSM ? 0.8 : 0.4)), initStd = Float(try h.double("init_std", isTSM ? 0.001 : 0.01))
        var head = ModelSpec.Head(kind: isTSM ? .tsm(numSegments: segments) : .tsn, name: type,
                                  inChannels: inChannels, numClasses: numClasses, dropoutRatio: dropout, initStd: initStd)
        head.loss = loss
        head.topk = try h.ints("topk", [1, 5])
        return head
    }

    /// `TRNHead`: BaseHead's settings, `num_segments`, `relation_type`, `hidden_dim`, as mmaction2 0.24.1's trn_head.py
    /// reads them. `spatial_type=None` (fc_cls on the flattened map) is refused: the shipped configs pool.
    static func readTRNHead(_ h: ConfigReader, backbone: ModelSpec.Backbone) throws -> ModelSpec.Head {
        let inChannels = try h.int("in_channels")
        try checkInChannels(inChannels, h, backbone: backbone)
        let spatial = h.dict["spatial_type"] == nil ? "avg" : try h.optionalString("spatial_type")
        h.note("spatial_type", .value(.string("avg")))
        if spatial != "avg" {
            throw h.error("TRNHead: spatial_type must be 'avg' (None would feed the unpooled map to fc_cls)", key: "spatial_type")
        }
        let segments = try h.int("num_segments", 8)
        let relationName = try h.require("relation_type", in: TRNHead.Relation.allCases.map(\.rawValue), default: "TRNMultiScale")
        let relation = TRNHead.Relation(rawValue: relationName)!
        guard segments >= (relation == .multiScale ? 2 : 1) else {
            throw h.error("TRNHead: num_segments must be at least \(relation == .multiScale ? 2 : 1) for \(relationName)", key: "num_segments")
        }
        // C(T, s) subsets per scale: beyond 16 frames the multi-scale tables grow past any shipped config.
        guard segments <= 16 else { throw h.error("TRNHead: num_segments above 16 is not supported", key: "num_segments") }
        let hidden = try h.int("hidden_dim", 256)
        guard hidden >= 1 else { throw h.error("hidden_dim must be at least 1", key: "hidden_dim") }
        let dropout = Float(try h.double("dropout_ratio", 0.8))
        guard (0..<1).contains(dropout) else { throw h.error("dropout_ratio must be in [0, 1)", key: "dropout_ratio") }
        let loss = try readLoss(h)
        var head = ModelSpec.Head(kind: .trn(numSegments: segments, relation: relation, hiddenDim: hidden), name: "TRNHead",
                                  inChannels: inChannels, numClasses: try h.int("num_classes"), dropoutRatio: dropout,
                                  initStd: Float(try h.double("init_std", 0.001)))
        head.loss = loss
        head.topk = try h.ints("topk", [1, 5])
        return head
    }

    /// A head's `in_channels` must be the channels the backbone gives.
    static func checkInChannels(_ inChannels: Int, _ h: ConfigReader, backbone: ModelSpec.Backbone) throws {
        guard inChannels == backbone.featureChannels else {
            throw h.error("in_channels=\(inChannels) but the backbone gives \(backbone.featureChannels) channels "
                          + "(\(backbone.name))", key: "in_channels")
        }
    }

    /// BaseHead's `loss_cls` (CrossEntropyLoss or BCELossWithLogits, their `loss_weight` and `class_weight`) and,
    /// for a `baseHead` (all but X3DHead, which takes neither), `multi_class` and `label_smooth_eps`. A BCE loss
    /// needs `multi_class=True` targets; Build/DataConfig checks the dataset gives them.
    static func readLoss(_ h: ConfigReader, baseHead: Bool = true) throws -> ModelSpec.Head.Loss {
        var loss = ModelSpec.Head.Loss()
        if let l = try h.sub("loss_cls") {
            let type = try l.require("type", in: ModelSpec.Head.Loss.Function.allCases.map(\.rawValue), default: "CrossEntropyLoss")
            let l = l.as(type)
            loss.function = ModelSpec.Head.Loss.Function(rawValue: type)!
            loss.weight = Float(try l.double("loss_weight", 1))
            if l.has("class_weight"), !(l.value("class_weight")?.isNone ?? true) {
                let weights = try l.doubles("class_weight", []).map(Float.init)
                let classes = try h.int("num_classes")
                guard weights.count == classes else {
                    throw l.error("class_weight has \(weights.count) values for num_classes=\(classes) (one per class)", key: "class_weight")
                }
                loss.classWeight = weights
            }
        }
        guard baseHead else { return loss }
        loss.multiClass = try h.bool("multi_class", false)
        let eps = try h.double("label_smooth_eps", 0)
        guard (0...1).contains(eps) else { throw h.error("label_smooth_eps must be in [0, 1]", key: "label_smooth_eps") }
        if eps != 0 && !loss.multiClass {
            h.warn("label_smooth_eps=\(eps) has no effect: mmaction2 applies it with multi_class=True only", key: "label_smooth_eps")
        }
        loss.labelSmoothEps = Float(eps)
        return loss
    }
}

