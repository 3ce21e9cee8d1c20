import EngineCore
/// The data splits of a config (`data.train`, `data.val`, `data.test`).
public enum DataSplit: String, CaseIterable, Sendable { case train, val, test }

/// Batch size, workers, shuffle and drop_last of one split's loader (`data.videos_per_gpu`, … with the
/// `<split>_dataloader` overrides; SEMANTICS.md §2.8).
public struct LoaderSettings: Sendable, Equatable {
    public var batchSize: Int, workers: Int, shuffle: Bool, dropLast: Bool
    public init(batchSize: Int, workers: Int, shuffle: Bool, dropLast: Bool) {
        self.batchSize = batchSize; self.workers = workers; self.shuffle = shuffle; self.dropLast = dropLast
    }
}

/// What a dataset reads: frame directories (`RawframeDataset`), video files (`VideoDataset`), single images
/// (`ImageDataset`, OmniSource's web images: a VideoDataset whose pipeline decodes one image), or raw videos cut into
/// clip files (`RawVideoDataset`, OmniSource: each item one clip file, chosen per sample).
public enum DatasetKind: String, Sendable, CaseIterable {
    case rawframes = "RawframeDataset", videos = "VideoDataset", images = "ImageDataset", rawVideos = "RawVideoDataset"

    /// Lines name a file (`path label`) rather than a frame directory with its frame count.
    public var listsFiles: Bool { self != .rawframes }
}

/// `sample_by_class=True` with `power` and `dynamic_length` (mmaction2's BaseDataset and its
/// ClassSpecificDistributedSampler): each class is drawn with probability ∝ (its share of the items)^power.
public struct ClassSampling: Sendable, Equatable {
    public var power: Double
    /// True: an epoch takes ⌊p_c · n_c⌋ random items of each class c, shuffled (the length changes); false: as many
    /// items as the dataset has, drawn with replacement, item i with probability p_class(i) / n_class(i).
    public var dynamicLength: Bool
    public init(power: Double, dynamicLength: Bool) { self.power = power; self.dynamicLength = dynamicLength }
}

/// RawVideoDataset's clip choice (`sampling_strategy`): one of the video's positive clips, or any clip.
public enum RawVideoSampling: String, Sendable { case positive, random }

/// A `RawframeDataset` or `VideoDataset` dict as read (Build/DataConfig): the annotation file is read only when the
/// dataset is made.
public struct DatasetSpec: Sendable {
    public var kind = DatasetKind.rawframes
    /// nil for `ann_file=None` (mmaction2's demo/inference configs, whose test pipeline demo.py runs on one
    /// video): the pipeline still builds and `reel infer` runs it, but making the dataset throws `missingAnnotations`.
    public var annotationFile: String?
    /// The located config error thrown when a dataset without an annotation file is made.
    public var missingAnnotations: (any Error & Sendable)?
    public var dataPrefix: String?
    public var testMode = false
    public var startIndex = 1
    public var filenameTemplate = "img_{:05}.jpg"
    public var multiClass = false
    public var numClasses: Int?
    public var skipBroken = false
    public var withOffset = false
    public var pipeline: Pipeline
    /// `sample_by_class=True` (nil: uniform shuffling).
    public var classSampling: ClassSampling?
    /// RawVideoDataset: `clipname_tmpl` (`part_{}.mp4`) and `sampling_strategy`.
    public var clipNameTemplate = "part_{}.mp4"
    public var rawVideoSampling = RawVideoSampling.positive

    public init(annotationFile: String?, pipeline: Pipeline) { self.annotationFile = annotationFile; self.pipeline = pipeline }
}

/// One split of the config's data, read once: its dataset, pipeline and loader settings, and the classifier's
/// `num_classes` every label must stay below (nil: the config's model has none).
public struct DataSpec: Sendable {
    public var split: DataSplit
    public var dataset: DatasetSpec
    public var loader: LoaderSettings
    public var modelClasses: Int?

    public init(split: DataSplit, dataset: DatasetSpec, loader: LoaderSettings, modelClasses: Int?) {
        self.split = split; self.dataset = dataset; self.loader = loader; self.modelClasses = modelClasses
    }

    /// The split's dataset, bound to the model: labels are checked against `modelClasses` as the file is read.
    public func makeDataset() throws -> RawframeDataset { try RawframeDataset(spec: dataset, modelClasses: modelClasses) }

    /// A loader over the split's dataset.
    /// The loader of this split; in data-parallel training, of one rank's `shard` of it.
    public func makeLoader(seed: UInt64, shard: DistributedShard = .single) throws -> Loader {
        Loader(dataset: try makeDataset(), batchSize: loader.batchSize, workers: loader.workers, shuffle: loader.shuffle,
               dropLast: loader.dropLast, seed: seed, shard: shard, classSampling: dataset.classSampling)
    }
}
