import Config
import EngineCore
import EngineData
import Foundation

/// `Recognizer3D`'s backbone and head: ResNet3d (I3D) / ResNet3dSlowOnly and I3DHead, every argument honoured or
/// refused at its value (SEMANTICS.md §6.5, §6.7).
extension ModelReader {
    /// `multiOutput`: a neck takes several stages, so `out_indices` may name more than the last.
    static func readBackbone3D(_ reader: ConfigReader, multiOutput: Bool = false) throws -> ModelSpec.Backbone {
        let type = try reader.require("type", in: ["ResNet3d", "ResNet3dSlowOnly", "ResNet3dSlowFast"] + familyBackboneTypes, default: "")
        if type == "ResNet3dSlowFast" { return .slowFast(try readSlowFast(reader.as(type))) }
        if familyBackboneTypes.contains(type) { return try readFamilyBackbone(reader.as(type), type: type) }
        let flavour = ResNet3dSpec.Flavour(rawValue: type) ?? .resnet3d
        let spec = try readResNet3d(reader.as(type), type: type, flavour: flavour, pathway: false, multiOutput: multiOutput)
        try checkTemporalStrides(spec, reader.as(type))
        return .resnet3d(spec)
    }

    /// ResNet3d's arguments (`pathway`: a SlowFast `slow_pathway`/`fast_pathway`, which has ResNet3d's defaults,
    /// never applies with_pool1/with_pool2 and returns its last stage whatever out_indices says). The subclasses that
    /// keep ResNet3d's arguments (ResNet2Plus1d, ResNet3dCSN) say in `family` what they change.
    static func readResNet3d(_ b: ConfigReader, type: String, flavour: ResNet3dSpec.Flavour, pathway: Bool,
                             family: ResNet3dFamilyDefaults = .init(), multiOutput: Bool = false) throws -> ResNet3dSpec {
        let slowOnly = flavour == .slowOnly && !pathway
        let depth = try b.int("depth")
        guard let (_, blocks) = ResNet.stageBlocks(depth: depth), family.depths.contains(depth) else {
            let depths = family.depths.map(String.init)
            throw b.error("\(type) depth must be \(depths.dropLast().joined(separator: ", ")) or \(depths.last!), not \(depth)", key: "depth")
        }
        var spec = ResNet3dSpec(flavour: flavour, depth: depth)
        // mmaction2's ResNet3d takes `pretrained` without a default.
        b.note("pretrained", .required)
        guard b.dict["pretrained"] != nil else {
            throw b.error("\(type) needs 'pretrained' (None, or a local weights file), as mmaction2 does")
        }
        spec.pretrained = try readPretrained(b)
        spec.pretrained2d = try b.bool("pretrained2d", true)
        if let s = b.value("stage_blocks"), !s.isNone {
            throw b.error("stage_blocks is not supported by Reel (the depth sets the blocks per stage)", key: "stage_blocks")
        }
        spec.inChannels = try b.int("in_channels", 3)
        spec.baseChannels = try b.int("base_channels", 64)
        let numStages = try b.int("num_stages", 4)
        guard (1...4).contains(numStages) else { throw b.error("num_stages must be 1–4", key: "num_stages") }
        spec.numStages = numStages
        let outIndices = try b.ints("out_indices", [3])
        if pathway {
            // ResNet3dSlowFast runs the pathway's stages itself: out_indices is only asserted against num_stages.
            guard outIndices.allSatisfy({ $0 < numStages }) else {
                throw b.error("out_indices must name stages below num_stages (\(numStages)), as mmaction2 asserts", key: "out_indices")
            }
        } else {
            spec.outIndices = try readOutIndices(b, numStages: numStages, multiOutput: multiOutput)
        }
        spec.spatialStrides = try b.ints("spatial_strides", [1, 2, 2, 2])
        spec.temporalStrides = try b.ints("temporal_strides", family.temporalStrides)
        spec.dilations = try b.ints("dilations", [1, 1, 1, 1])
        // mmaction2 asserts one entry per stage, exactly.
        for (key, values) in [("spatial_strides", spec.spatialStrides), ("temporal_strides", spec.temporalStrides),
                              ("dilations", spec.dilations)] where values.count != numStages {
            throw b.error("\(key) needs exactly one value per stage (\(numStages)), as mmaction2 asserts", key: key)
        }
        for (key, values) in [("spatial_strides", spec.spatialStrides), ("temporal_strides", spec.temporalStrides),
                              ("dilations", spec.dilations)] where values.contains(where: { $0 < 1 }) {
            throw b.error("\(key) must be positive", key: key)
        }
        let kernel = try b.ints("conv1_kernel", slowOnly ? [1, 7, 7] : [3, 7, 7])
        guard kernel.count == 1 || kernel.count == 3, kernel.allSatisfy({ $0 >= 1 }) else {
            throw b.error("conv1_kernel must be an int or (t, h, w)", key: "conv1_kernel")
        }
        spec.conv1Kernel = kernel.count == 1 ? [kernel[0], kernel[0], kernel[0]] : kernel
        spec.conv1StrideS = try b.int("conv1_stride_s", 2)
        spec.conv1StrideT = try b.int("conv1_stride_t", 1)
        spec.pool1StrideS = try b.int("pool1_stride_s", 2)
        spec.pool1StrideT = try b.int("pool1_stride_t", 1)
        let stemStrides = [("conv1_stride_s", spec.conv1StrideS), ("conv1_stride_t", spec.conv1StrideT),
                           ("pool1_stride_s", spec.pool1StrideS), ("pool1_stride_t", spec.pool1StrideT)]
        for (key, value) in stemStrides where value < 1 { throw b.error("\(key) must be positive", key: key) }
        if pathway {
            b.accepts("with_pool1", "with_pool2", as: .noted(default: .bool(true), why: "ResNet3dSlowFast always max-pools after "
                                                             + "each pathway's stem and never applies pool2, as mmaction2 does"))
        } else {
            spec.withPool1 = try b.bool("with_pool1", true)
            spec.withPool2 = try b.bool("with_pool2", !slowOnly)
        }
        spec.caffeStyle = try b.require("style", in: ["pytorch", "caffe"], default: "pytorch") == "caffe"
        spec.frozenStages = try b.int("frozen_stages", -1)
        spec.inflate = try perBlock(b, "inflate", default: slowOnly ? [0, 0, 1, 1] : [1, 1, 1, 1], stages: numStages, blocks: blocks)
        spec.inflateStyle = ResNet3dSpec.InflateStyle(rawValue: try b.require("inflate_style", in: ["3x1x1", "3x3x3"],
                                                                             default: family.inflateStyle.rawValue)) ?? .t3x1x1
        let conv = b.value("conv_cfg")?.dict?["type"]?.string ?? "Conv3d"
        if conv != family.convType {
            throw b.error("conv_cfg type '\(conv)' is not supported by \(type) (\(family.convType))", key: "conv_cfg")
        }
        guard let norm = try readNorm3d(b, default: family.norm) else {
            throw b.error("norm_cfg=None is not supported by \(type) (Reel's ConvModules here have a BatchNorm3d)", key: "norm_cfg")
        }
        (spec.normRequiresGrad, spec.normEps, spec.normMomentum) = (norm.requiresGrad, norm.eps, norm.momentum)
        if let a = b.value("act_cfg")?.dict?["type"]?.string, a != "ReLU" {
            throw b.error("act_cfg type '\(a)' is not supported (ReLU)", key: "act_cfg")
        }
        spec.normEval = try b.bool("norm_eval", false)
        b.accepts("with_cp", as: .noted(default: .bool(false), why: "gradient checkpointing saves GPU memory; Reel computes the same gradients either way"))
        spec.nonLocal = try perBlock(b, "non_local", default: [0, 0, 0, 0], stages: numStages, blocks: blocks)
        spec.nonLocalCfg = try readNonLocalCfg(b, used: spec.nonLocal.joined().contains(true))
        spec.zeroInitResidual = try b.bool("zero_init_residual", true)
        if slowOnly {
            if try b.bool("lateral", false) { throw b.error("ResNet3dSlowOnly has no lateral connections (lateral=False)", key: "lateral") }
            b.accepts("lateral_norm", "speed_ratio", "channel_ratio", "fusion_kernel",
                      as: .inert("they shape the lateral connections, which SlowOnly does not have"))
        }
        return spec
    }

    /// mmaction2 adds a downsample only for a spatial stride or a width change (lateral channels included); a
    /// temporal stride without one leaves the identity a different length from the residual (mmaction2 fails in the
    /// addition).
    static func checkTemporalStrides(_ spec: ResNet3dSpec, _ b: ConfigReader) throws {
        let expansion = spec.isBottleneck ? Bottleneck3d.expansion : BasicBlock3d.expansion
        var cin = spec.baseChannels
        for s in 0..<spec.numStages {
            let planes = spec.baseChannels << s
            cin += s < spec.lateralChannels.count ? spec.lateralChannels[s] : 0
            if spec.temporalStrides[s] != 1 && spec.spatialStrides[s] == 1 && cin == planes * expansion {
                throw b.error("temporal_strides[\(s)]=\(spec.temporalStrides[s]) needs a downsample, which mmaction2 builds only "
                              + "for a spatial stride or a width change: the block's identity would not match", key: "temporal_strides")
            }
            cin = planes * expansion
        }
    }

    /// `inflate` / `non_local`: an int for every stage, or one entry per stage that is an int for all its blocks or
    /// a tuple with one per block; a block is on when its value is 1 (mmaction2 compares `== 1`).
    static func perBlock(_ b: ConfigReader, _ key: String, default fallback: [Int], stages: Int, blocks: [Int]) throws -> [[Bool]] {
        b.note(key, .value(.tuple(fallback.map { ConfigValue(.int($0)) })))
        func flag(_ v: ConfigValue) throws -> Bool {
            if let i = v.int { return i == 1 }
            if let f = v.bool { return f }
            throw b.files.error("'\(key)' entries must be ints (1 = on)", at: v.origin)
        }
        guard let v = b.dict[key], !v.isNone else {
            return (0..<stages).map { [Bool](repeating: fallback[$0] == 1, count: blocks[$0]) }
        }
        if v.elements == nil { return try (0..<stages).map { [Bool](repeating: try flag(v), count: blocks[$0]) } }
        let perStage = v.elements ?? []
        guard perStage.count >= stages else {
            throw b.files.error("'\(key)' needs an entry for each of the \(stages) stages", at: v.origin)
        }
        return try (0..<stages).map { s in
            let e = perStage[s]
            guard let items = e.elements else { return [Bool](repeating: try flag(e), count: blocks[s]) }
            guard items.count == blocks[s] else {
                throw b.files.error("'\(key)' stage \(s + 1) needs one entry per block (\(blocks[s]))", at: e.origin)
            }
            return try items.map(flag)
        }
    }

    /// `neck`: the head reads TPN's 2048-channel output instead of the backbone's.
    static func readHead3D(_ reader: ConfigReader, backbone: ModelSpec.Backbone, neck: Bool = false) throws -> ModelSpec.Head {
        let type = try reader.require("type", in: ["I3DHead", "SlowFastHead", "X3DHead", "TPNHead"], default: "")
        if neck && type != "TPNHead" && type != "I3DHead" {
            throw reader.error("with a TPN neck the head takes its one 2048-channel map: use TPNHead", key: "type")
        }
        if type == "SlowFastHead" { return try readSlowFastHead(reader, backbone: backbone) }
        let h = reader.as(type)
        if case .slowFast = backbone {
            throw h.error("\(type) takes one feature map; a ResNet3dSlowFast backbone gives two: use SlowFastHead", key: "type")
        }
        if type == "X3DHead" { return try readX3DHead(h, backbone: backbone) }
        let numClasses = try h.int("num_classes")
        let inChannels = try h.int("in_channels")
        let loss = try readLoss(h)
        h.note("spatial_type", .value(.string("avg")))
        let spatial = h.dict["spatial_type"] == nil ? "avg" : try h.optionalString("spatial_type")
        if let s = spatial, s != "avg" { throw h.error("spatial_type must be 'avg' or None, not '\(s)'", key: "spatial_type") }
        let flat: Bool
        if case .c3d = backbone { flat = true } else { flat = false }
        if flat && spatial != nil {
            throw h.error("\(backbone.name) gives flat features, which spatial_type='avg' cannot pool (mmaction2's AdaptiveAvgPool3d "
                          + "fails on them): use spatial_type=None", key: "spatial_type")
        }
        if !flat, spatial == nil, h.dict["spatial_type"] != nil {
            // None flattens the map into the fc: only right when the backbone's features are already flat.
            throw h.error("spatial_type=None flattens the whole feature map into fc_cls; \(backbone.name) gives C×T×H×W maps whose "
                          + "size depends on the input: use spatial_type='avg'", key: "spatial_type")
        }
        if neck {
            guard inChannels == TPNSpec.outputChannels else {
                throw h.error("in_channels=\(inChannels) but TPN gives \(TPNSpec.outputChannels) channels", key: "in_channels")
            }
        } else {
            try checkInChannels(inChannels, h, backbone: backbone)
        }
        // TPNHead is a TSNHead (dropout 0.4, a consensus it does not use on 3-D maps) pooling like I3DHead.
        if type == "TPNHead", let c = h.value("consensus")?.dict?["type"]?.string, c != "AvgConsensus" {
            throw h.error("consensus '\(c)' is not supported (AvgConsensus)", key: "consensus")
        }
        let dropout = try h.double("dropout_ratio", type == "TPNHead" ? 0.4 : 0.5)
        guard (0..<1).contains(dropout) else { throw h.error("dropout_ratio must be in [0, 1)", key: "dropout_ratio") }
        var head = ModelSpec.Head(kind: .i3d(avgPool: spatial != nil), name: type, inChannels: inChannels, numClasses: numClasses,
                                  dropoutRatio: Float(dropout), initStd: Float(try h.double("init_std", 0.01)))
        head.loss = loss
        head.topk = try h.ints("topk", [1, 5])
        return head
    }
}
