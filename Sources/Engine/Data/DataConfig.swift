import Config
import EngineCore

/// The `data = dict(...)` section of a config: which dataset each split uses and how it is batched
/// (SEMANTICS.md §2.8: train shuffles; `data.<split>_dataloader` overrides `videos_per_gpu`/`workers_per_gpu`).
public struct DataConfig {
    public enum Split: String, CaseIterable, Sendable { case train, val, test }

    public let config: ResolvedConfig
    let data: ConfigReader

    public init(_ config: ResolvedConfig) throws {
        guard let d = config.root["data"] else {
            throw config.error("the config has no 'data' section", at: Origin(location: nil, source: .file))
        }
        self.config = config
        data = try ConfigReader(d, name: "data", files: config.files)
    }

    /// `data.<split>` (a dict).
    public func datasetConfig(_ split: Split) throws -> ConfigValue {
        guard let v = data.value(split.rawValue), !v.isNone else { throw data.error("data has no '\(split.rawValue)' dataset") }
        return v
    }

    /// The split's pipeline alone (no annotation file needed): for previews.
    public func pipeline(_ split: Split) throws -> Pipeline {
        let r = try ConfigReader(try datasetConfig(split), name: "data.\(split.rawValue)", files: config.files)
        guard let p = r.value("pipeline") else { throw r.error("data.\(split.rawValue) needs 'pipeline'") }
        return try Pipeline(config: p, files: config.files)
    }

    public func startIndex(_ split: Split) throws -> Int {
        try ConfigReader(try datasetConfig(split), name: "data.\(split.rawValue)", files: config.files).int("start_index", 1)
    }

    /// The classifier's `model.cls_head.num_classes` (nil when the config has no such int): every label of every
    /// split must be below it, or the loss would index past its logits.
    public var modelClasses: Int? { config.root["model"]?.dict?["cls_head"]?.dict?["num_classes"]?.int }

    /// The split's dataset, bound to the model: labels are checked against `modelClasses` as the file is read.
    public func dataset(_ split: Split) throws -> RawframeDataset {
        try RawframeDataset(config: try datasetConfig(split), files: config.files, modelClasses: modelClasses)
    }

    /// Batch size, workers, shuffle and drop_last for a split, with the `<split>_dataloader` overrides.
    public func loaderSettings(_ split: Split) throws -> (batchSize: Int, workers: Int, shuffle: Bool, dropLast: Bool) {
        var batch = try data.int("videos_per_gpu")
        var workers = try data.int("workers_per_gpu", 0)
        var shuffle = split == .train
        var dropLast = false
        if let o = try data.sub("\(split.rawValue)_dataloader") {
            batch = try o.int("videos_per_gpu", batch)
            workers = try o.int("workers_per_gpu", workers)
            shuffle = try o.bool("shuffle", shuffle)
            dropLast = try o.bool("drop_last", dropLast)
        }
        guard batch > 0 else { throw data.error("videos_per_gpu must be at least 1", key: "videos_per_gpu") }
        guard workers >= 0 else { throw data.error("workers_per_gpu must not be negative", key: "workers_per_gpu") }
        return (batch, workers, shuffle, dropLast)
    }

    /// A loader over the split's dataset. A `multi_class=True` dataset is refused here: its targets are multi-hot
    /// (mmaction2 feeds them to a sigmoid head or a soft-label loss), while Reel's heads train on one label a video.
    public func loader(_ split: Split, seed: UInt64) throws -> Loader {
        let s = try loaderSettings(split)
        let d = try dataset(split)
        if d.multiClass {
            let r = try ConfigReader(try datasetConfig(split), name: "data.\(split.rawValue)", files: config.files)
            throw r.error("multi_class=True datasets need a multi-label head, which Reel does not have yet "
                          + "(its loss takes one label per video)", key: "multi_class")
        }
        return Loader(dataset: d, batchSize: s.batchSize, workers: s.workers, shuffle: s.shuffle, dropLast: s.dropLast, seed: seed)
    }
}
