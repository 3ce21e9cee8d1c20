import Config
import EngineCore

/// `non_local_cfg` of ResNet3d / ResNet3dSlowOnly / a SlowFast pathway: mmcv NonLocal3d's keyword arguments.
extension ModelReader {
    /// The keys mmcv 1.7.2's NonLocal3d takes (the last two reach `init_weights`); any other is a TypeError there.
    static let nonLocalKeys = ["reduction", "use_scale", "conv_cfg", "norm_cfg", "mode", "sub_sample", "std", "zeros_init"]

    /// Reads `non_local_cfg`. mmaction2 builds NonLocal3d only where `non_local` selects a block, so without one
    /// (`used` false) the dict is never looked at and is accepted as it is.
    static func readNonLocalCfg(_ b: ConfigReader, used: Bool) throws -> ResNet3dSpec.NonLocalCfg {
        var cfg = ResNet3dSpec.NonLocalCfg()
        guard used else {
            b.accepts("non_local_cfg", as: .inert("mmaction2 reads it only for the blocks `non_local` selects, and there are none"))
            return cfg
        }
        guard let n = try b.sub("non_local_cfg") else { return cfg }
        let c = n.as("non_local_cfg")
        for e in c.dict where !nonLocalKeys.contains(e.key.description) {
            throw c.files.error("non_local_cfg: NonLocal3d takes no argument '\(e.key)' (it takes \(nonLocalKeys.joined(separator: ", ")))",
                                at: e.keyOrigin)
        }
        cfg.reduction = try c.int("reduction", 2)
        guard cfg.reduction >= 1 else { throw c.error("non_local_cfg.reduction must be at least 1", key: "reduction") }
        cfg.useScale = try c.bool("use_scale", true)
        cfg.subSample = try c.bool("sub_sample", false)
        let mode = try c.string("mode", "embedded_gaussian")
        if mode == "concatenation" {
            throw c.error("non_local_cfg.mode='concatenation' is not supported by Reel (embedded_gaussian, dot_product, gaussian)", key: "mode")
        }
        guard let m = NonLocal3d.Mode(rawValue: mode) else {
            // mmcv raises ValueError for any other mode.
            throw c.error("non_local_cfg.mode must be 'embedded_gaussian', 'dot_product' or 'gaussian', not '\(mode)'", key: "mode")
        }
        cfg.mode = m
        if let conv = c.value("conv_cfg"), !conv.isNone {
            guard conv.dict?["type"]?.string == "Conv3d" else {
                throw c.files.error("non_local_cfg.conv_cfg must be dict(type='Conv3d') (NonLocal3d's default)", at: conv.origin)
            }
        }
        if let norm = c.value("norm_cfg"), !norm.isNone {
            guard let d = norm.dict, d["type"]?.string == "BN3d" else {
                throw c.files.error("non_local_cfg.norm_cfg must be None or dict(type='BN3d', …) (Reel has BN3d only)", at: norm.origin)
            }
            for e in d where !["type", "requires_grad"].contains(e.key.description) {
                throw c.files.error("non_local_cfg.norm_cfg.\(e.key) is not supported by Reel (type, requires_grad)", at: e.keyOrigin)
            }
            cfg.norm = true
            if let g = d["requires_grad"] {
                guard let flag = g.bool else { throw c.files.error("norm_cfg.requires_grad must be True or False", at: g.origin) }
                cfg.normRequiresGrad = flag
            }
        }
        cfg.std = Float(try c.double("std", 0.01))
        cfg.zerosInit = try c.bool("zeros_init", true)
        return cfg
    }
}
