import Config
import EngineCore

extension ModelReader {
    /// mmaction2's `TPN` neck for a multi-output backbone (3-D, or 2-D whose frames the recognizer groups into clips), with located refusals where mmaction2 fails (shapes
    /// that cannot add or concatenate, channels a 32-group convolution cannot split, a missing sub-config) and where
    /// Reel implements less: up- and down-sampling at scale 1 only (what the shipped configs use; the levels then
    /// share their shape, which the flows' additions need).
    static func readTPN(_ reader: ConfigReader, backbone: ModelSpec.Backbone, numClasses: Int) throws -> TPNSpec {
        _ = try reader.require("type", in: ["TPN"], default: "")
        let n = reader.as("TPN")
        let stages: [Int]
        switch backbone {
        case .resnet3d(let b) where b.outIndices.count >= 2: stages = b.outIndices.map(b.stageChannels)
        case .resnet(let b) where b.outIndices.count >= 2: stages = b.outIndices.map(b.stageChannels)
        default:
            throw n.error("TPN takes two or more backbone stages: give the ResNet/ResNetTSM/ResNet3d/ResNet3dSlowOnly backbone "
                          + "out_indices such as (2, 3)")
        }
        let inChannels = try n.ints("in_channels", [])
        guard inChannels == stages else {
            throw n.error("in_channels=\(tuple(inChannels)) but the backbone's out_indices stages give \(tuple(stages))", key: "in_channels")
        }
        let outChannels = try n.int("out_channels")
        let levels = inChannels.count

        guard let sm = try n.sub("spatial_modulation_cfg")?.as("spatial_modulation_cfg") else {
            throw n.error("TPN needs spatial_modulation_cfg (mmaction2 builds SpatialModulation from it)")
        }
        guard try sm.ints("in_channels", []) == inChannels else {
            throw sm.error("spatial_modulation_cfg.in_channels must be the TPN's in_channels \(tuple(inChannels))", key: "in_channels")
        }
        let spatialOut = try sm.int("out_channels")
        // Every level leaves the spatial modulation with the top level's channels: the temporal convs take those.
        guard spatialOut == inChannels.last, inChannels.allSatisfy({ spatialOut % $0 == 0 && (spatialOut / $0).nonzeroBitCount == 1 }) else {
            throw sm.error("spatial_modulation_cfg.out_channels must be the top level's channels (\(inChannels.last!)), a "
                           + "power-of-two multiple of every level's", key: "out_channels")
        }

        guard let tm = try n.sub("temporal_modulation_cfg")?.as("temporal_modulation_cfg") else {
            throw n.error("TPN needs temporal_modulation_cfg: without it mmaction2 builds no level outputs and fails")
        }
        let scales = try tm.ints("downsample_scales", [8, 8])
        guard scales.count == levels, scales.allSatisfy({ $0 >= 1 }), Set(scales).count == 1 else {
            throw tm.error("downsample_scales needs one scale per level (\(levels)), all equal: the flows add the levels",
                           key: "downsample_scales")
        }
        for (what, channels) in [("in_channels[-1]", inChannels.last!), ("out_channels", outChannels)] where channels % 32 != 0 {
            throw n.error("the temporal modulation is a 32-group convolution: \(what)=\(channels) must divide by 32",
                          key: what == "out_channels" ? "out_channels" : "in_channels")
        }

        var spec = TPNSpec(inChannels: inChannels, outChannels: outChannels, spatialOut: spatialOut, temporalScales: scales,
                           fusionMid: [], fusionOut: 0)
        spec.topDown = try readUnitScale(n, "upsample_cfg", key: "scale_factor", allowed: ["scale_factor", "mode"])
        spec.bottomUp = try readUnitScale(n, "downsample_cfg", key: "downsample_scale", allowed: ["downsample_scale"])

        guard let lf = try n.sub("level_fusion_cfg")?.as("level_fusion_cfg") else {
            throw n.error("TPN needs level_fusion_cfg (mmaction2 builds both LevelFusion modules from it)")
        }
        guard try lf.ints("in_channels", []) == [Int](repeating: outChannels, count: levels) else {
            throw lf.error("level_fusion_cfg.in_channels must be out_channels (\(outChannels)) for each of the \(levels) levels",
                           key: "in_channels")
        }
        spec.fusionMid = try lf.ints("mid_channels", [])
        guard spec.fusionMid.count == levels, spec.fusionMid.allSatisfy({ $0 > 0 && $0 % 32 == 0 }) else {
            throw lf.error("mid_channels needs one entry per level, each a multiple of 32 (the 32-group convolutions)",
                           key: "mid_channels")
        }
        spec.fusionOut = try lf.int("out_channels")
        if let v = lf.value("downsample_scales"), !v.isNone {
            for item in v.elements ?? [v] where !isUnit(item) {
                throw lf.files.error("Reel's level fusion supports downsample_scales of (1, 1, 1) only", at: item.origin)
            }
        }

        spec.parallel = try n.require("flow_type", in: ["cascade", "parallel"], default: "cascade") == "parallel"
        if let aux = try n.sub("aux_head_cfg")?.as("aux_head_cfg") {
            let classes = try aux.int("out_channels")
            guard classes == numClasses else {
                throw aux.error("aux_head_cfg.out_channels=\(classes) but the head has num_classes=\(numClasses): the auxiliary "
                                + "loss scores the same labels", key: "out_channels")
            }
            if let l = try aux.sub("loss_cls") {
                _ = try l.require("type", in: ["CrossEntropyLoss"], default: "CrossEntropyLoss")
            }
            spec.aux = (classes, Float(try aux.double("loss_weight", 0.5)))
        }
        return spec
    }

    /// `upsample_cfg` / `downsample_cfg`: None builds no operations (that flow adds nothing); a dict is accepted at
    /// scale 1 only. Returns whether the flow is on.
    private static func readUnitScale(_ n: ConfigReader, _ name: String, key: String, allowed: [String]) throws -> Bool {
        guard let c = try n.sub(name)?.as(name) else { return false }
        for k in c.dict.map({ $0.key.description }) where !allowed.contains(k) {
            throw c.error("\(name).\(k) is not supported by Reel's TPN (it takes \(allowed.joined(separator: ", ")))", key: k)
        }
        _ = c.value("mode")
        if let v = c.value(key), !isUnit(v) {
            throw c.files.error("Reel's TPN supports \(name).\(key)=(1, 1, 1) only (the levels keep one shape)", at: v.origin)
        }
        return true
    }

    /// 1, 1.0 or a tuple of them.
    private static func isUnit(_ v: ConfigValue) -> Bool {
        if let items = v.elements { return items.allSatisfy(isUnit) }
        return v.number == 1
    }

    private static func tuple(_ xs: [Int]) -> String { "(" + xs.map(String.init).joined(separator: ", ") + ")" }
}
