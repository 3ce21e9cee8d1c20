import EngineCore
import EngineData

extension PretrainedWeights {
    /// ResNet3dSlowFast's `pretrained=` files, as mmaction2's `ResNet3dSlowFast.init_weights` loads them:
    /// - the backbone's own `pretrained`: a 3-D state dict of the whole backbone (`slow_path.…`, `fast_path.…`),
    ///   loaded strictly (mmcv `load_checkpoint(strict=True)`): a missing, unexpected or misshapen tensor is a
    ///   `CheckpointError`;
    /// - else each pathway's `pretrained`, fast pathway first: a 2-D ResNet inflated into the pathway's ResNet3d
    ///   (the lateral convs are skipped, as mmaction2 skips every module named `lateral`), or with
    ///   `pretrained2d=False` a 3-D pathway state dict loaded by name, non-strictly.
    public static func load(into net: ResNet3dSlowFast) throws -> [String] {
        if let path = net.spec.pretrained {
            let report = CheckpointStore.loadWeights(into: net, from: try CheckpointFile.read(path))
            guard report.isClean else {
                throw CheckpointError(path: path, reason: "ResNet3dSlowFast loads its pretrained file strictly, as mmaction2 does: "
                                      + Runner.describe(report), format: "pretrained")
            }
            return []
        }
        var notes: [String] = []
        for pathway in [net.fastPath, net.slowPath] {
            guard let path = pathway.net.spec.pretrained else { continue }
            if pathway.net.spec.pretrained2d {
                notes += try load(path, into: pathway.net)
            } else {
                let report = CheckpointStore.loadWeights(into: pathway, from: try CheckpointFile.read(path))
                if !report.isClean { notes.append("pretrained \(path): \(Runner.describe(report))") }
            }
        }
        return notes
    }
}
