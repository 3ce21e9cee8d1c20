import Config

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

    public func dataset(_ split: Split) throws -> RawframeDataset {
        try RawframeDataset(config: try datasetConfig(split), files: config.files)
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

    public func loader(_ split: Split, seed: UInt64) throws -> Loader {
        let s = try loaderSettings(split)
        return Loader(dataset: try dataset(split), batchSize: s.batchSize, workers: s.workers, shuffle: s.shuffle,
                      dropLast: s.dropLast, seed: seed)
    }
}
