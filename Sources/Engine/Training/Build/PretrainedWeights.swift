import EngineCore
import EngineData
import Foundation

/// A backbone's `pretrained=` file, loaded as mmaction2's `ResNet3d.init_weights` (SEMANTICS.md §6.7) and
/// `ResNet.init_weights` do (the 2-D `load(_:into:torchvision:)` below).
///
/// - `pretrained2d=True`: the file is a 2-D ResNet in torchvision's naming. For every ConvModule `X` the 2-D
///   kernel `X.weight` (`X.0` for a downsample) is repeated along time and divided by the temporal kernel size, and
///   the BatchNorm comes from `X` with `conv` → `bn` (`X.1` for a downsample). ResNet3d skips a kernel whose shape
///   does not match; ResNet3dSlowOnly (a pathway) pads missing input channels with zeros instead.
/// - `pretrained2d=False`: a 3-D state dict loaded by name, non-strictly (mmcv `load_checkpoint`).
/// What was not loaded comes back as notes (mmaction2 logs them); an unreadable file is a `CheckpointError`.
public enum PretrainedWeights {
    public static func load(_ path: String, into net: ResNet3d) throws -> [String] {
        guard net.spec.pretrained2d else { return try load3D(path, into: net) }
        let file = try CheckpointFile.read(path)
        var notes: [String] = [], used: Set<String> = []
        for (wrapped, module) in net.namedModules() {
            guard let cm = module as? ConvModule else { continue }
            let name = plainResNetName(wrapped)
            let down = name.contains("downsample")
            let convName = down ? name + ".0" : name
            let bnName = down ? name + ".1" : name.replacingOccurrences(of: "conv", with: "bn")
            if case .float32(let w2d)? = file[convName + ".weight"] {
                if try inflate(w2d, into: cm.convolution, flavour: net.spec.flavour, name: convName, path: path) {
                    used.insert(convName + ".weight")
                } else {
                    notes.append("the 2-D weight \(convName) \(w2d.shape) does not fit \(cm.convolution.weight.shape); not loaded")
                }
            } else {
                notes.append("Module not exist in the state_dict_r2d: \(convName)")
            }
            if file[bnName + ".weight"] != nil {
                try copyNorm(file, bnName, into: cm.bn, path: path, used: &used, notes: &notes)
            } else {
                notes.append("Module not exist in the state_dict_r2d: \(bnName)")
            }
        }
        let remaining = file.tensors.map(\.name).filter { !used.contains($0) }
        if !remaining.isEmpty { notes.append("These parameters in the 2d checkpoint are not loaded: \(remaining.joined(separator: ", "))") }
        return notes
    }

    /// A 2-D ResNet's `pretrained=` file, as mmaction2's `ResNet.init_weights`: with `torchvision_pretrain` every
    /// ConvModule `X` takes `X.weight` (`X.0` for a downsample) and its BatchNorm `X` with `conv` → `bn` (`X.1`),
    /// each tensor only where the shapes agree; else the file is loaded by name, non-strictly. A name the file lacks
    /// is an error (mmaction2 fails with a KeyError there); what the file holds beyond the network is a note.
    public static func load(_ path: String, into net: ResNet, torchvision: Bool) throws -> [String] {
        let file = try CheckpointFile.read(path)
        guard torchvision else {
            let report = CheckpointStore.loadWeights(into: net, from: file)
            return report.isClean ? [] : ["pretrained \(path): \(Runner.describe(report))"]
        }
        var notes: [String] = [], used: Set<String> = []
        for (name, module) in net.namedModules() {
            guard let cm = module as? ConvModule else { continue }
            let down = name.contains("downsample")
            let convName = down ? name + ".0" : name
            let bnName = down ? name + ".1" : name.replacingOccurrences(of: "conv", with: "bn")
            for (key, p) in cm.convolution.parameters {
                guard case .float32(let t)? = file[convName + "." + key] else {
                    throw CheckpointError(path: path, field: convName + "." + key, reason: "missing: the file is not a "
                                          + "torchvision ResNet of this layout (set torchvision_pretrain=False for one saved by "
                                          + "mmaction2)", format: "pretrained")
                }
                if t.shape == p.shape { p.value = t; used.insert(convName + "." + key) }
            }
            guard file[bnName + ".weight"] != nil else {
                throw CheckpointError(path: path, field: bnName + ".weight", reason: "missing: the file is not a torchvision "
                                      + "ResNet of this layout", format: "pretrained")
            }
            try copyNorm(file, bnName, into: cm.bn, path: path, used: &used, notes: &notes)
        }
        let remaining = file.tensors.map(\.name).filter { !used.contains($0) }
        if !remaining.isEmpty { notes.append("These parameters in pretrained checkpoint are not loaded: \(remaining.joined(separator: ", "))") }
        return notes
    }

    /// A module's name in the plain ResNet: ResNetTSM loads `pretrained` before it wraps layer2 in a TemporalPool
    /// (`layer2.net.0…`) and blocks in NL3DWrapper (`layer2.0.block.conv1`), so the file names them without those.
    static func plainResNetName(_ name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        if parts.count > 1, parts[0].hasPrefix("layer"), parts[1] == "net" { parts.remove(at: 1) }
        if parts.count > 2, parts[0].hasPrefix("layer"), parts[2] == "block" { parts.remove(at: 2) }
        return parts.joined(separator: ".")
    }

    /// A 3-D state dict loaded by name, non-strictly (mmcv `load_checkpoint(strict=False)`); what did not load
    /// comes back as a note.
    public static func load3D(_ path: String, into net: any Module) throws -> [String] {
        let report = CheckpointStore.loadWeights(into: net, from: try CheckpointFile.read(path))
        return report.isClean ? [] : ["pretrained \(path): \(Runner.describe(report))"]
    }

    /// w3d[o, i, t] = w2d[o, i] / kt for every t. False when the shapes do not allow it (a note, as mmaction2 warns).
    static func inflate(_ w2d: Tensor, into conv: Convolution, flavour: ResNet3dSpec.Flavour, name: String, path: String) throws -> Bool {
        let s3 = conv.weight.shape   // O, I, kt, kh, kw
        guard w2d.rank == 4 else { return false }
        let (o, i, kt, plane) = (s3[0], s3[1], s3[2], s3[3] * s3[4])
        let i2 = w2d.shape[1]
        switch flavour {
        case .resnet3d:
            guard w2d.shape == [o, i, s3[3], s3[4]] else { return false }
        case .slowOnly:
            // The pathway pads extra input channels with zeros; fewer is skipped; anything else fails in mmaction2.
            if i < i2 { return false }
            guard w2d.shape[0] == o, Array(w2d.shape[2...]) == [s3[3], s3[4]] else {
                throw CheckpointError(path: path, field: name + ".weight",
                                      reason: "2-D shape \(w2d.shape) cannot be inflated to \(s3) (mmaction2 fails here too)",
                                      format: "pretrained")
            }
        }
        var w = Tensor.zeros(s3)
        w2d.withData { src in w.withMutableData { dst in
            for oc in 0..<o { for ic in 0..<i2 {
                let from = src + (oc * i2 + ic) * plane
                for t in 0..<kt {
                    let to = dst + ((oc * i + ic) * kt + t) * plane
                    for p in 0..<plane { to[p] = from[p] / Float(kt) }
                }
            } }
        } }
        conv.weight.value = w
        return true
    }

    /// BN weight and bias (a shape mismatch stops at that parameter, as mmaction2's loop returns), then the buffers
    /// present in the file.
    static func copyNorm(_ file: SafeTensors.File, _ bnName: String, into bn: BatchNorm, path: String,
                         used: inout Set<String>, notes: inout [String]) throws {
        for (key, p) in bn.parameters {
            guard case .float32(let t)? = file[bnName + "." + key], t.shape == p.shape else {
                notes.append("The parameter of \(bnName) is not loaded due to incompatible shapes.")
                return
            }
            p.value = t
            used.insert(bnName + "." + key)
        }
        for (key, b) in bn.buffers {
            guard let v = file[bnName + "." + key] else { continue }
            switch (v, b.value) {
            case (.float32(let t), .float32(let mine)) where t.shape == mine.shape: b.value = .float32(t)
            case (.int64(let shape, let values), .int64) where shape.reduce(1, *) == 1: b.value = .int64(shape: [], values: values)
            default:
                throw CheckpointError(path: path, field: bnName + "." + key, reason: "shape \(v.shape) does not fit \(bnName)",
                                      format: "pretrained")
            }
            used.insert(bnName + "." + key)
        }
    }
}
