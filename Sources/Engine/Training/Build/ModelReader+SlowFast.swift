import Config
import EngineCore

/// `ResNet3dSlowFast` and `SlowFastHead` (SEMANTICS.md §6.5, §6.7), every argument honoured or refused at its value.
extension ModelReader {
    /// What mmaction2 0.24.1's ResNet3dPathway takes: ResNet3d's arguments plus its own four, and `type`.
    static let pathwayKeys: Set<String> = [
        "type", "depth", "pretrained", "stage_blocks", "pretrained2d", "in_channels", "num_stages", "base_channels",
        "out_indices", "spatial_strides", "temporal_strides", "dilations", "conv1_kernel", "conv1_stride_s",
        "conv1_stride_t", "pool1_stride_s", "pool1_stride_t", "with_pool1", "with_pool2", "style", "frozen_stages",
        "inflate", "inflate_style", "conv_cfg", "norm_cfg", "act_cfg", "norm_eval", "with_cp", "non_local",
        "non_local_cfg", "zero_init_residual", "lateral", "lateral_norm", "speed_ratio", "channel_ratio", "fusion_kernel",
    ]

    static func readSlowFast(_ b: ConfigReader) throws -> ResNet3dSlowFastSpec {
        b.note("pretrained", .required)
        guard b.dict["pretrained"] != nil else {
            throw b.error("ResNet3dSlowFast needs 'pretrained' (None, or a local 3-D SlowFast weights file), as mmaction2 does")
        }
        let pretrained = try readPretrained(b)
        let resampleRate = try b.int("resample_rate", 8), speedRatio = try b.int("speed_ratio", 8)
        let channelRatio = try b.int("channel_ratio", 8)
        for (key, v) in [("resample_rate", resampleRate), ("speed_ratio", speedRatio), ("channel_ratio", channelRatio)] where v < 1 {
            throw b.error("\(key) must be positive", key: key)
        }
        guard resampleRate / speedRatio >= 1 else {
            throw b.error("resample_rate // speed_ratio is the fast pathway's frame step and must be at least 1 "
                          + "(mmaction2 divides by it)", key: "speed_ratio")
        }
        b.note("slow_pathway", .read)
        b.note("fast_pathway", .read)
        guard let slowValue = b.dict["slow_pathway"], let fastValue = b.dict["fast_pathway"] else {
            throw b.error("ResNet3dSlowFast: give both slow_pathway and fast_pathway (Reel does not fill in mmaction2's default "
                          + "pathways; configs/_base_/models/slowfast_r50.py spells them out)")
        }
        let slowReader = try b.reader(slowValue, name: "slow_pathway", component: "slow_pathway")
        let fastReader = try b.reader(fastValue, name: "fast_pathway", component: "fast_pathway")
        // mmaction2 reads slow_pathway['lateral'] directly: a KeyError without it.
        guard slowReader.dict["lateral"] != nil else {
            throw slowReader.error("slow_pathway needs 'lateral' (mmaction2 reads slow_pathway['lateral'])")
        }
        let (slow, slowLateral) = try readPathway(slowReader, slow: true)
        let (fast, fastLateral) = try readPathway(fastReader, slow: false)
        var spec = ResNet3dSlowFastSpec(slow: slow, fast: fast)
        spec.pretrained = pretrained
        spec.resampleRate = resampleRate
        spec.speedRatio = speedRatio
        spec.channelRatio = channelRatio
        if fastLateral != nil {
            throw fastReader.error("fast_pathway lateral=True: its stages would expect lateral channels that ResNet3dSlowFast never "
                                   + "feeds them (mmaction2 fails in the first stage)", key: "lateral")
        }
        if slow.numStages != fast.numStages {
            throw fastReader.error("the pathways need the same num_stages (slow \(slow.numStages), fast \(fast.numStages)): "
                                   + "ResNet3dSlowFast runs their stages side by side", key: "num_stages")
        }
        if let l = slowLateral {
            spec.lateral = true
            spec.fusionKernel = l.fusionKernel
            spec.lateralNorm = l.norm
            try checkLaterals(spec, slow: slowReader, fast: fastReader)
        } else {
            spec.lateral = false
        }
        var slowWithLaterals = spec.slow
        slowWithLaterals.lateralChannels = spec.lateralChannels
        try checkTemporalStrides(slowWithLaterals, slowReader)
        try checkTemporalStrides(spec.fast, fastReader)
        return spec
    }

    /// One pathway: ResNet3d's arguments with ResNet3d's defaults, plus `lateral` and its settings (nil: none).
    static func readPathway(_ r: ConfigReader, slow: Bool) throws -> (ResNet3dSpec, (fusionKernel: Int, norm: Bool)?) {
        let name = slow ? "slow_pathway" : "fast_pathway"
        for e in r.dict where !pathwayKeys.contains(e.key.description) {
            throw r.files.error("\(name): mmaction2 0.24.1's ResNet3dPathway takes no argument '\(e.key)'", at: e.keyOrigin)
        }
        _ = try r.require("type", in: ["resnet3d"], default: "")
        let spec = try readResNet3d(r, type: name, flavour: .slowOnly, pathway: true)
        guard try r.bool("lateral", false) else {
            r.accepts("lateral_norm", "speed_ratio", "channel_ratio", "fusion_kernel",
                      as: .inert("they shape lateral connections, which this pathway does not have"))
            return (spec, nil)
        }
        r.accepts("speed_ratio", "channel_ratio", as: .inert("ResNet3dSlowFast sets them from its own speed_ratio and channel_ratio"))
        let fusion = try r.int("fusion_kernel", 5)
        guard fusion >= 1 else { throw r.error("fusion_kernel must be positive", key: "fusion_kernel") }
        let norm = try r.bool("lateral_norm", false)
        if slow && spec.frozenStages >= 1 {
            throw r.error("frozen_stages=\(spec.frozenStages) on a slow pathway with lateral connections is not supported by Reel: "
                          + "the lateral convs' gradients pass back through the frozen stages (use -1 or 0)", key: "frozen_stages")
        }
        return (spec, (fusion, norm))
    }

    /// The lateral connections concatenate fast maps of slow_width / channel_ratio channels onto the slow maps:
    /// the widths and the spatial sizes of both pathways must agree where they meet (mmaction2 fails in torch.cat
    /// or in the lateral conv otherwise).
    static func checkLaterals(_ spec: ResNet3dSlowFastSpec, slow: ConfigReader, fast: ConfigReader) throws {
        let s = spec.slow, f = spec.fast
        let fastExpansion = f.isBottleneck ? Bottleneck3d.expansion : BasicBlock3d.expansion
        for stage in 0..<s.numStages {
            let wanted = spec.slowInplanes(stage: stage) / spec.channelRatio
            let given = stage == 0 ? f.baseChannels : (f.baseChannels << (stage - 1)) * fastExpansion
            if wanted != given {
                let at = stage == 0 ? "the stem" : "stage \(stage)"
                throw fast.error("the lateral connection after \(at) takes \(wanted) fast channels (slow width "
                                 + "\(spec.slowInplanes(stage: stage)) // channel_ratio \(spec.channelRatio)), but the fast pathway gives "
                                 + "\(given): set fast_pathway base_channels to slow base_channels // channel_ratio",
                                 key: f.baseChannels == 64 ? nil : "base_channels")
            }
        }
        let sameGeometry = s.conv1Kernel.dropFirst() == f.conv1Kernel.dropFirst() && s.conv1StrideS == f.conv1StrideS
            && s.pool1StrideS == f.pool1StrideS && s.spatialStrides.dropLast() == f.spatialStrides.dropLast()
        if !sameGeometry {
            throw fast.error("the lateral connections need both pathways' maps the same height and width: conv1_kernel (h, w), "
                             + "conv1_stride_s, pool1_stride_s and spatial_strides (but the last) must match the slow pathway's")
        }
    }

    static func readSlowFastHead(_ reader: ConfigReader, backbone: ModelSpec.Backbone) throws -> ModelSpec.Head {
        let h = reader.as("SlowFastHead")
        let numClasses = try h.int("num_classes")
        let inChannels = try h.int("in_channels")
        let loss = try readLoss(h)
        h.note("spatial_type", .value(.string("avg")))
        let spatial = try h.optionalString("spatial_type")
        guard spatial == "avg" || (spatial == nil && h.dict["spatial_type"] == nil) else {
            // SlowFastHead builds no pool for anything else and then calls it: mmaction2 fails in forward.
            throw h.error("SlowFastHead's spatial_type must be 'avg' (mmaction2 has no other pooling for it)", key: "spatial_type")
        }
        guard case .slowFast(let b) = backbone else {
            throw h.error("SlowFastHead takes the two pathways of a ResNet3dSlowFast backbone, not \(backbone.name)")
        }
        guard inChannels == b.featureChannels else {
            throw h.error("in_channels=\(inChannels) but the pathways give \(b.slow.featureChannels) + \(b.fast.featureChannels) = "
                          + "\(b.featureChannels) channels", key: "in_channels")
        }
        let dropout = try h.double("dropout_ratio", 0.8)
        guard (0..<1).contains(dropout) else { throw h.error("dropout_ratio must be in [0, 1)", key: "dropout_ratio") }
        var head = ModelSpec.Head(kind: .slowFast, name: "SlowFastHead", inChannels: inChannels, numClasses: numClasses,
                                  dropoutRatio: Float(dropout), initStd: Float(try h.double("init_std", 0.01)))
        head.loss = loss
        head.topk = try h.ints("topk", [1, 5])
        return head
    }
}
