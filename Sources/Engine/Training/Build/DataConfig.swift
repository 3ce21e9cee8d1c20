import Config
import EngineCore
import EngineData

/// Reads the `data = dict(...)` section of a config into one `DataSpec` per split (SEMANTICS.md §2.8: train
/// shuffles; `data.<split>_dataloader` overrides `videos_per_gpu`/`workers_per_gpu`). Reading touches no file: the
/// annotation file is read when the spec makes its dataset.
public struct DataConfig {
    public typealias Split = DataSplit

    public let config: ResolvedConfig
    let data: ConfigReader

    public init(_ config: ResolvedConfig, log: ReadLog? = nil) throws {
        guard let d = config.root["data"] else {
            throw config.error("the config has no 'data' section", at: Origin(location: nil, source: .file))
        }
        self.config = config
        data = try ConfigReader(d, name: "data", files: config.files, log: log)
    }

    /// Whether the config has a `data.<split>` dataset.
    public func has(_ split: Split) -> Bool { data.dict[split.rawValue].map { !$0.isNone } ?? false }

    /// The classifier's `model.cls_head.num_classes` (nil when the config has no such int): every label of every
    /// split must be below it, or the loss would index past its logits.
    public var modelClasses: Int? { config.root["model"]?.dict?["cls_head"]?.dict?["num_classes"]?.int }

    /// `data.<split>`: its dataset dict, pipeline and loader settings.
    public func spec(_ split: Split) throws -> DataSpec {
        let dataset = try datasetReader(split)
        let spec = DataSpec(split: split, dataset: try Self.readDataset(dataset), loader: try loaderSettings(split), modelClasses: modelClasses)
        if split != .train, spec.dataset.classSampling != nil {
            // mmaction2's distributed sampler would draw the val/test videos by class, with replacement.
            throw dataset.error("sample_by_class=True on data.\(split.rawValue): an evaluation scores every video once; class-balanced "
                                + "sampling is for training datasets", key: "sample_by_class")
        }
        return spec
    }


    /// `omnisource=True` (top level): `data.train` lists several datasets, trained by OmniSourceRunner.
    public var isOmniSource: Bool { config.root["omnisource"]?.bool == true }

    /// OmniSource: the training sources after the main one (`data.train[1…]`), each with its loader settings
    /// (`omni_videos_per_gpu[k]` as its batch size).
    public func auxiliaryTrainSpecs() throws -> [DataSpec] {
        guard isOmniSource, let list = data.value("train")?.elements else { return [] }
        let batches = try omniBatchSizes(count: list.count)
        return try list.enumerated().dropFirst().map { k, v in
            var settings = try loaderSettings(.train)
            if let b = batches { settings.batchSize = b[k] }
            return DataSpec(split: .train, dataset: try Self.readDataset(try datasetReader(v, name: "data.train[\(k)]")),
                            loader: settings, modelClasses: modelClasses)
        }
    }

    /// `train_ratio` (default one each): the main source's iterations per round of the auxiliary ones, then each
    /// auxiliary source's iterations in that round. One entry per source, as OmniSourceRunner pairs them by position.
    public func trainRatio() throws -> [Int] {
        guard isOmniSource, let list = data.value("train")?.elements else {
            data.accepts("train_ratio", as: .inert("it is read with omnisource=True only"))
            return [1]
        }
        let ratio = try data.ints("train_ratio", [Int](repeating: 1, count: list.count))
        guard ratio.count == list.count else {
            throw data.error("train_ratio has \(ratio.count) entries for the \(list.count) datasets of data.train (one each: "
                             + "mmaction2's runner would fail or leave sources unused)", key: "train_ratio")
        }
        guard ratio[0] >= 1, ratio.dropFirst().allSatisfy({ $0 >= 0 }) else {
            throw data.error("train_ratio's first entry (main iterations per round) must be at least 1 and the others at least 0",
                             key: "train_ratio")
        }
        return ratio
    }

    /// `omni_videos_per_gpu`: each source's batch size (nil: videos_per_gpu for all).
    func omniBatchSizes(count: Int) throws -> [Int]? {
        guard data.has("omni_videos_per_gpu"), data.value("omni_videos_per_gpu")?.isNone == false else { return nil }
        let sizes = try data.ints("omni_videos_per_gpu", [])
        guard sizes.count == count, sizes.allSatisfy({ $0 >= 1 }) else {
            throw data.error("omni_videos_per_gpu needs one batch size (at least 1) for each of the \(count) datasets of data.train",
                             key: "omni_videos_per_gpu")
        }
        return sizes
    }

    /// The split's dataset, its annotation file read (labels checked against `modelClasses`).
    public func dataset(_ split: Split) throws -> RawframeDataset { try spec(split).makeDataset() }

    /// A loader over the split's dataset.
    public func loader(_ split: Split, seed: UInt64) throws -> Loader { try spec(split).makeLoader(seed: seed) }

    /// The split's pipeline alone (its dataset's other settings unread): for previews.
    public func pipeline(_ split: Split) throws -> Pipeline {
        let r = try datasetReader(split)
        guard let p = r.value("pipeline") else { throw r.error("data.\(split.rawValue) needs 'pipeline'") }
        return try PipelineReader.read(p, files: config.files, log: data.log)
    }

    func datasetReader(_ split: Split) throws -> ConfigReader {
        guard let v = data.value(split.rawValue), !v.isNone else { throw data.error("data has no '\(split.rawValue)' dataset") }
        if split == .train, let list = v.elements {
            // OmniSource: the first dataset is the main one (it sets the epoch's length).
            guard isOmniSource else {
                throw data.files.error("data.train is a list of datasets: mmaction2 trains on several only with omnisource=True "
                                       + "(OmniSourceRunner); set it, or give one dataset dict", at: v.origin)
            }
            guard let first = list.first else { throw data.files.error("data.train lists no dataset", at: v.origin) }
            return try datasetReader(first, name: "data.train[0]")
        }
        return try datasetReader(v, name: "data.\(split.rawValue)")
    }

    func datasetReader(_ v: ConfigValue, name: String) throws -> ConfigReader {
        let type = v.dict?["type"]?.string.flatMap(DatasetKind.init(rawValue:)) ?? .rawframes
        return try data.reader(v, name: name, component: type.rawValue)
    }

    /// A `RawframeDataset`, `VideoDataset`, `ImageDataset` or `RawVideoDataset` dict (located errors; the annotation
    /// file is not read here).
    static func readDataset(_ r: ConfigReader) throws -> DatasetSpec {
        let named = r.dict["type"]?.string.flatMap(DatasetKind.init(rawValue:)) ?? .rawframes
        let d = try r.reader(ConfigValue(.dict(r.dict), origin: r.origin), name: "dataset", component: named.rawValue)
        let kind = DatasetKind(rawValue: try d.require("type", in: DatasetKind.allCases.map(\.rawValue), default: "RawframeDataset"))!
        // None: a demo/inference config (mmaction2's demo.py runs its test pipeline on one video).
        let annotationFile = d.value("ann_file")?.isNone == true ? nil : try d.string("ann_file")
        let prefix = try d.optionalString("data_prefix")
        let testMode = try d.bool("test_mode", false)
        // ImageDataset passes start_index=None and RawVideoDataset 0 to BaseDataset themselves (a config's is refused
        // by Python as a second value for the argument).
        let startIndex = kind == .rawframes || kind == .videos ? try d.int("start_index", kind == .videos ? 0 : 1) : 0
        if !(kind == .rawframes || kind == .videos), d.dict["start_index"] != nil {
            throw d.error("\(kind.rawValue) sets start_index itself (mmaction2 fails on a second value)", key: "start_index")
        }
        // Frame numbers are start_index + offset + index: bounded like total_frames so the sum cannot overflow.
        guard abs(startIndex) <= AnnotationList.maxFrames else {
            throw d.error("start_index must be between -\(AnnotationList.maxFrames) and \(AnnotationList.maxFrames)", key: "start_index")
        }
        let template = kind.listsFiles ? "" : try d.string("filename_tmpl", "img_{:05}.jpg")
        let multiClass = try d.bool("multi_class", false)
        let numClasses = d.has("num_classes") ? try d.int("num_classes") : nil
        let skipBroken = try d.bool("skip_broken", false)
        let withOffset = kind.listsFiles ? false : try d.bool("with_offset", false)
        _ = try d.require("modality", in: ["RGB"], default: "RGB")
        var classSampling: ClassSampling?
        if try d.bool("sample_by_class", false) {
            // mmaction2 asserts the pair away; its sampler groups items by their one label.
            if multiClass { throw d.error("sample_by_class=True groups items by their one label: not with multi_class=True", key: "sample_by_class") }
            classSampling = ClassSampling(power: try d.double("power", 0), dynamicLength: try d.bool("dynamic_length", false))
        } else {
            d.accepts("power", "dynamic_length", as: .inert("they only shape sample_by_class=True sampling"))
        }
        if multiClass && numClasses == nil { throw d.error("multi_class=True needs num_classes") }
        var clipNameTemplate = "part_{}.mp4", rawVideoSampling = RawVideoSampling.positive
        if kind == .rawVideos {
            if multiClass { throw d.error("RawVideoDataset takes one label per video (mmaction2 asserts multi_class=False)", key: "multi_class") }
            clipNameTemplate = try d.string("clipname_tmpl", "part_{}.mp4")
            guard !clipNameTemplate.isEmpty else { throw d.error("clipname_tmpl must name the clip files, as 'part_{}.mp4'", key: "clipname_tmpl") }
            rawVideoSampling = RawVideoSampling(rawValue: try d.require("sampling_strategy", in: ["positive", "random"], default: "positive"))!
        }
        guard let p = d.value("pipeline") else { throw d.error("dataset needs 'pipeline'") }
        var spec = DatasetSpec(annotationFile: annotationFile, pipeline: try PipelineReader.read(p, files: d.files, log: d.log))
        if annotationFile == nil {
            spec.missingAnnotations = d.error("ann_file is None: this dataset lists no videos (a demo/inference config, as "
                                              + "mmaction2's demo.py uses on one video): run `reel infer CONFIG CHECKPOINT VIDEO`, or "
                                              + "give an annotation file", key: "ann_file")
        }
        try checkDecoding(spec.pipeline, of: kind, at: p, d)
        spec.kind = kind
        spec.dataPrefix = prefix
        spec.testMode = testMode
        spec.startIndex = startIndex
        spec.filenameTemplate = template
        spec.multiClass = multiClass
        spec.numClasses = numClasses
        spec.skipBroken = skipBroken
        spec.withOffset = withOffset
        spec.classSampling = classSampling
        spec.clipNameTemplate = clipNameTemplate
        spec.rawVideoSampling = rawVideoSampling
        return spec
    }

    /// A video pipeline opens its file with an Init step before decoding it; a rawframe pipeline has none (mmaction2
    /// would fail later on a missing key). Each mismatch is located at the step.
    static func checkDecoding(_ pipeline: Pipeline, of kind: DatasetKind, at list: ConfigValue, _ d: ConfigReader) throws {
        let items = list.elements ?? []
        func origin(_ i: Int) -> Origin { i < items.count ? items[i].origin : list.origin }
        var opened = false
        for (i, step) in pipeline.steps.enumerated() {
            if kind == .images, step is SampleFrames || step is VideoInit || step is RawFrameDecode {
                throw d.files.error("\(step.typeName) samples or decodes a video, but an ImageDataset lists single images: decode "
                                    + "each with ImageDecode (and BuildPseudoClip for a 3-D model)", at: origin(i))
            }
            if kind != .images, step is ImageDecode {
                throw d.files.error("ImageDecode reads one image per item, which only an ImageDataset lists", at: origin(i))
            }
            switch step {
            case is VideoInit:
                guard kind == .videos || kind == .rawVideos else { throw d.files.error("\(step.typeName) opens a video file, but a RawframeDataset lists frame directories (use RawFrameDecode, or type='VideoDataset')", at: origin(i)) }
                opened = true
            case is VideoDecode:
                guard opened else { throw d.files.error("\(step.typeName) needs an Init step before it (e.g. DecordInit) to open the video", at: origin(i)) }
                opened = false
            case is SampleFrames where (kind == .videos || kind == .rawVideos) && !opened:
                throw d.files.error("\(step.typeName) needs the video's total_frames, which its Init step sets: put DecordInit (or PyAVInit, OpenCVInit) before it", at: origin(i))
            case is RawFrameDecode:
                guard kind == .rawframes else { throw d.files.error("RawFrameDecode reads frame images, but a VideoDataset lists video files (use DecordInit and DecordDecode, or type='RawframeDataset')", at: origin(i)) }
            default: break
            }
        }
    }

    /// Batch size, workers, shuffle and drop_last for a split, with the `<split>_dataloader` overrides.
    public func loaderSettings(_ split: Split) throws -> LoaderSettings {
        var batch = try data.int("videos_per_gpu", 1)   // mmaction2's train.py: cfg.data.get('videos_per_gpu', 1)
        var workers = try data.int("workers_per_gpu", 0)
        var shuffle = split == .train
        var dropLast = false
        if let o = try data.sub("\(split.rawValue)_dataloader") {
            let o = o.as("dataloader")
            // The default depends on the split (train shuffles): nothing single to record.
            o.note("shuffle", .read)
            // None (absent): the data section's value.
            o.note("videos_per_gpu", .value(.none))
            o.note("workers_per_gpu", .value(.none))
            // CUDA and process-pool options: Reel's loader threads feed the CPU and live for the whole run.
            o.accepts("pin_memory", as: .noted(default: .bool(true), why: "pinned memory speeds copies to a GPU; Reel trains on the CPU"))
            o.accepts("persistent_workers", as: .noted(default: .bool(false), why: "Reel's loader threads live for the whole run"))
            o.accepts("prefetch_factor", as: .noted(default: .int(2), why: "Reel's loader prepares batches ahead by its own rule"))
            batch = try o.int("videos_per_gpu", batch)
            workers = try o.int("workers_per_gpu", workers)
            shuffle = try o.bool("shuffle", shuffle)
            dropLast = try o.bool("drop_last", dropLast)
        }
        // OmniSource: omni_videos_per_gpu overrides the train loaders' batch size (the main one's is its first entry).
        if split == .train, isOmniSource, let list = data.value("train")?.elements, let sizes = try omniBatchSizes(count: list.count) {
            batch = sizes[0]
        } else if !isOmniSource {
            data.accepts("omni_videos_per_gpu", as: .inert("it is read with omnisource=True only"))
        }
        guard batch > 0 else { throw data.error("videos_per_gpu must be at least 1", key: "videos_per_gpu") }
        guard workers >= 0 else { throw data.error("workers_per_gpu must not be negative", key: "workers_per_gpu") }
        return LoaderSettings(batchSize: batch, workers: workers, shuffle: shuffle, dropLast: dropLast)
    }
}

/// A dataset read straight from a `dict(type='RawframeDataset', …)` value (tests, tools).
extension RawframeDataset {
    public convenience init(config: ConfigValue, files: SourceFiles, modelClasses: Int? = nil) throws {
        let spec = try DataConfig.readDataset(ConfigReader(config, name: "dataset", files: files, component: "RawframeDataset"))
        try self.init(spec: spec, modelClasses: modelClasses)
    }
}
