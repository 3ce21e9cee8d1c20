import Config
import EngineCore
import EngineData

extension ModelBuilder {
    /// The model a spec describes, as mmaction2 builds it: from-scratch init, then the backbone's `pretrained=` file
    /// (`PretrainedWeights`) when there is one. `notes` gets what the file did not provide (mmaction2 logs it).
    /// Throws `CheckpointError` for an unreadable `pretrained` file.
    public static func build(_ spec: ModelSpec, seed: UInt64, notes: ((String) -> Void)? = nil) throws -> any Recognizer {
        let model = fromScratch(spec, seed: seed)
        var loaded: [String] = []
        if let r = model as? Recognizer3D {
            if let net = r.backbone as? ResNet3dSlowFast {
                loaded = try PretrainedWeights.load(into: net)
            } else if let path = spec.pretrained, let net = r.backbone as? ResNet3d {
                loaded = try PretrainedWeights.load(path, into: net)
            } else if let path = spec.pretrained {
                // C3D, X3D: mmcv's load_checkpoint(strict=False) of a 3-D state dict into the backbone.
                loaded = try PretrainedWeights.load3D(path, into: r.backbone)
            }
        } else if let path = spec.pretrained, case .resnet(let b) = spec.backbone, let r = model as? Recognizer2D {
            loaded = try PretrainedWeights.load(path, into: r.backbone, torchvision: b.torchvisionPretrain)
        }
        for note in loaded { notes?(note) }
        return model
    }

    /// Reads and builds `model` in one go (tools; training reads its `ModelSpec` once in `RunSpec`).
    public static func recognizer(_ model: ConfigValue, files: SourceFiles, seed: UInt64) throws -> any Recognizer {
        try build(try ModelReader.read(model, files: files), seed: seed)
    }

    /// Reads and builds a 2-D `model` (TSN, TSM) in one go, for code written against `Recognizer2D`; a 3-D model is a
    /// located `ConfigError` (use `recognizer(_:files:seed:)`).
    public static func build(_ model: ConfigValue, files: SourceFiles, seed: UInt64) throws -> Recognizer2D {
        let spec = try ModelReader.read(model, files: files)
        guard let r = try build(spec, seed: seed) as? Recognizer2D else {
            let m = try ConfigReader(model, name: "model", files: files)
            throw m.error("a \(spec.recognizer.rawValue) where a Recognizer2D is expected", key: "type")
        }
        return r
    }
}
