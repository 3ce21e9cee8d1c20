import Config
import EngineCore
import EngineData

extension ModelInputCheck {
    /// A SlowFast's lateral connections concatenate maps whose frame counts follow from the clip length: each split's
    /// `SampleFrames` clip_len is checked against the network (`ResNet3dSlowFastSpec.clipProblem`), so a mismatch is a
    /// located error instead of a failure in the first batch.
    static func checkSlowFastClips(_ model: ModelSpec, data: DataConfig, splits: [DataSplit]) throws {
        guard case .slowFast(let spec) = model.backbone else { return }
        for split in splits where data.has(split) {
            for case let s as SampleFrames in try data.pipeline(split).steps {
                if let problem = spec.clipProblem(clipLength: s.clipLen) {
                    throw error(data, split, step: "SampleFrames", "data.\(split.rawValue): \(problem)")
                }
            }
        }
    }
}
