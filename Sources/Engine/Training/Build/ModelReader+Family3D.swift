import Config
import EngineCore
import EngineData

/// What a ResNet3d subclass changes in ResNet3d's arguments: its defaults and the convolution it accepts.
struct ResNet3dFamilyDefaults {
    var depths = [18, 34, 50, 101, 152]
    var temporalStrides = [1, 1, 1, 1]
    var inflateStyle = ResNet3dSpec.InflateStyle.t3x1x1
    var convType = "Conv3d"
    /// BatchNorm3d's settings when `norm_cfg` is absent (ResNet3dCSN's default has eps 1e-3).
    var norm = Norm3d()
}

/// `Recognizer3D` backbones beyond ResNet3d: C3D, ResNet2Plus1d, ResNet3dCSN, X3D, and the X3DHead; every argument
/// honoured or refused at its value (mmaction2 0.24.1 backbones/c3d.py, resnet2plus1d.py, resnet3d_csn.py, x3d.py).
extension ModelReader {
    static let familyBackboneTypes = ["C3D", "ResNet2Plus1d", "ResNet3dCSN", "X3D"]

    static func readFamilyBackbone(_ b: ConfigReader, type: String) throws -> ModelSpec.Backbone {
        switch type {
        case "C3D": return .c3d(try readC3D(b))
        case "ResNet2Plus1d":
            let spec = try readResNet3d(b, type: type, flavour: .resnet3d, pathway: false, family: .init(convType: "Conv2plus1d"))
            try checkTemporalStrides(spec, b)
            if spec.pretrained2d {
                throw b.error("ResNet2Plus1d needs pretrained2d=False (mmaction2 asserts it: there are no 2-D weights to inflate)",
                              key: "pretrained2d")
            }
            if spec.dilations.contains(where: { $0 != 1 }) {
                // mmaction2's Conv2plus1d ignores its dilation while the blocks still pad for it.
                throw b.error("dilations other than 1 are not supported by ResNet2Plus1d (Conv2plus1d ignores dilation)", key: "dilations")
            }
            return .resnet2plus1d(spec)
        case "ResNet3dCSN":
            let family = ResNet3dFamilyDefaults(depths: [50, 101, 152], temporalStrides: [1, 2, 2, 2], inflateStyle: .t3x3x3,
                                                norm: Norm3d(eps: 1e-3))
            var spec = ResNet3dCSNSpec(resnet: try readResNet3d(b, type: type, flavour: .resnet3d, pathway: false, family: family))
            try checkTemporalStrides(spec.resnet, b)
            spec.bottleneckMode = ResNet3dCSNSpec.BottleneckMode(rawValue: try b.require("bottleneck_mode", in: ["ir", "ip"], default: "ir")) ?? .ir
            spec.bnFrozen = try b.bool("bn_frozen", false)
            if spec.resnet.pretrained != nil && spec.resnet.pretrained2d {
                throw b.error("ResNet3dCSN loads 3-D CSN weights only: set pretrained2d=False (2-D kernels do not fit its "
                              + "channel-separated convolutions)", key: "pretrained2d")
            }
            return .csn(spec)
        default: return .x3d(try readX3D(b))
        }
    }

    /// `norm_cfg` of a 3-D backbone: BN3d (or SyncBN, the same on one process) with `requires_grad`, `eps`,
    /// `momentum`; nil when it is None. Other norm types and keys are refused at their value.
    static func readNorm3d(_ b: ConfigReader, default fallback: Norm3d?) throws -> Norm3d? {
        guard let v = b.value("norm_cfg") else { return fallback }
        if v.isNone { return nil }
        guard let d = v.dict else { throw b.error("norm_cfg must be a dict or None, not \(v.typeDescription)", key: "norm_cfg") }
        var norm = Norm3d()
        for entry in d {
            let (key, value) = (entry.key.description, entry.value)
            switch key {
            case "type":
                guard let t = value.string, ["BN3d", "SyncBN"].contains(t) else {
                    throw b.files.error("norm_cfg type \(PythonText.repr(value)) is not supported (BN3d, SyncBN)", at: value.origin)
                }
            case "requires_grad":
                guard let flag = value.bool else { throw b.files.error("norm_cfg.requires_grad must be True or False", at: value.origin) }
                norm.requiresGrad = flag
            case "eps", "momentum":
                guard let x = value.number, value.bool == nil, x >= 0 else {
                    throw b.files.error("norm_cfg.\(key) must be a non-negative number", at: value.origin)
                }
                if key == "eps" { norm.eps = Float(x) } else { norm.momentum = Float(x) }
            default:
                throw b.files.error("norm_cfg.\(key) is not supported by Reel (type, requires_grad, eps, momentum)", at: value.origin)
            }
        }
        return norm
    }

    /// `act_cfg`: ReLU only (None means ReLU where mmaction2 defaults it so).
    static func refuseActivation(_ b: ConfigReader) throws {
        if let a = b.value("act_cfg")?.dict?["type"], a.string != "ReLU" {
            throw b.files.error("act_cfg type \(PythonText.repr(a)) is not supported (ReLU)", at: a.origin)
        }
    }

    static func readC3D(_ b: ConfigReader) throws -> C3DSpec {
        var spec = C3DSpec()
        spec.pretrained = try readPretrained(b)
        b.accepts("style", as: .inert("mmaction2's C3D stores it and never uses it"))
        if let c = b.value("conv_cfg")?.dict?["type"], c.string != "Conv3d" {
            throw b.files.error("conv_cfg type \(PythonText.repr(c)) is not supported by C3D (Conv3d)", at: c.origin)
        }
        b.note("norm_cfg", .value(.none))
        spec.norm = try readNorm3d(b, default: nil)
        try refuseActivation(b)
        spec.outDim = try b.int("out_dim", 8192)
        let dropout = try b.double("dropout_ratio", 0.5)
        guard (0..<1).contains(dropout) else { throw b.error("dropout_ratio must be in [0, 1)", key: "dropout_ratio") }
        spec.dropoutRatio = Float(dropout)
        spec.initStd = Float(try b.double("init_std", 0.005))
        spec.baseChannels = try b.int("base_channels", 64)
        for (key, value) in [("out_dim", spec.outDim), ("base_channels", spec.baseChannels)] where value < 1 {
            throw b.error("\(key) must be positive", key: key)
        }
        return spec
    }

    static func readX3D(_ b: ConfigReader) throws -> X3DSpec {
        var spec = X3DSpec()
        spec.gammaW = try b.double("gamma_w", 1)
        spec.gammaB = try b.double("gamma_b", 1)
        spec.gammaD = try b.double("gamma_d", 1)
        for key in ["gamma_w", "gamma_b", "gamma_d"] where try b.double(key, 1) < 0 { throw b.error("\(key) must not be negative", key: key) }
        spec.pretrained = try readPretrained(b)
        spec.inChannels = try b.int("in_channels", 3)
        spec.numStages = try b.int("num_stages", 4)
        guard (1...4).contains(spec.numStages) else { throw b.error("num_stages must be 1–4", key: "num_stages") }
        spec.spatialStrides = try b.ints("spatial_strides", [2, 2, 2, 2])
        guard spec.spatialStrides.count == spec.numStages, spec.spatialStrides.allSatisfy({ $0 >= 1 }) else {
            throw b.error("spatial_strides needs exactly one positive value per stage (\(spec.numStages)), as mmaction2 asserts",
                          key: "spatial_strides")
        }
        spec.frozenStages = try b.int("frozen_stages", -1)
        spec.seAll = try b.require("se_style", in: ["half", "all"], default: "half") == "all"
        b.note("se_ratio", .value(.float(1.0 / 16)))
        if let r = b.dict["se_ratio"] {
            if r.isNone { spec.seRatio = nil } else {
                guard let x = r.number, r.bool == nil, x > 0 else { throw b.files.error("se_ratio must be a positive number or None", at: r.origin) }
                spec.seRatio = x
            }
        }
        b.accepts("use_swish", as: .noted(default: .bool(true), why: "mmaction2 0.24.1's BlockX3D applies Swish whatever it says, and so does Reel"))
        if let c = b.value("conv_cfg")?.dict?["type"], c.string != "Conv3d" {
            throw b.files.error("conv_cfg type \(PythonText.repr(c)) is not supported by X3D (Conv3d)", at: c.origin)
        }
        guard let norm = try readNorm3d(b, default: Norm3d()) else { throw b.error("X3D needs a norm_cfg (BN3d)", key: "norm_cfg") }
        spec.norm = norm
        try refuseActivation(b)
        spec.normEval = try b.bool("norm_eval", false)
        b.accepts("with_cp", as: .noted(default: .bool(false), why: "gradient checkpointing saves GPU memory; Reel computes the same gradients either way"))
        spec.zeroInitResidual = try b.bool("zero_init_residual", true)
        let planes = Int(Double(spec.baseChannels) * spec.gammaB)
        guard planes >= 1 else { throw b.error("gamma_b=\(spec.gammaB) leaves the bottlenecks without channels", key: "gamma_b") }
        return spec
    }

    /// X3DHead: its own arguments only (mmaction2's takes no multi_class, label_smooth_eps or topk).
    static func readX3DHead(_ h: ConfigReader, backbone: ModelSpec.Backbone) throws -> ModelSpec.Head {
        if case .c3d = backbone { throw h.error("X3DHead pools C×T×H×W maps; C3D gives flat features (use I3DHead with spatial_type=None)") }
        let numClasses = try h.int("num_classes")
        let inChannels = try h.int("in_channels")
        let loss = try readLoss(h, baseHead: false)
        let spatial = try h.string("spatial_type", "avg")
        guard spatial == "avg" else {
            throw h.error("spatial_type='\(spatial)' is not supported by Reel's X3DHead ('avg')", key: "spatial_type")
        }
        try checkInChannels(inChannels, h, backbone: backbone)
        let dropout = try h.double("dropout_ratio", 0.5)
        guard (0..<1).contains(dropout) else { throw h.error("dropout_ratio must be in [0, 1)", key: "dropout_ratio") }
        var head = ModelSpec.Head(kind: .x3d(fc1Bias: try h.bool("fc1_bias", false)), name: "X3DHead", inChannels: inChannels,
                                  numClasses: numClasses, dropoutRatio: Float(dropout), initStd: Float(try h.double("init_std", 0.01)))
        head.loss = loss
        return head
    }
}
