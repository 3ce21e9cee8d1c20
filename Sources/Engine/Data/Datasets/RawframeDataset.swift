import Foundation
import EngineCore

/// One line of an annotation file.
public struct VideoRecord: Sendable, Equatable {
    /// `data_prefix` joined with the annotation's frame_dir (rawframes) or video path (videos).
    public var frameDir: String
    /// The line's total_frames (0 for a video: its Init step counts them).
    public var totalFrames: Int
    public var labels: [Int]
    public var offset: Int
    /// RawVideoDataset: the clip files the raw video is cut into and the positive ones among them (0-based).
    public var clips: (count: Int, positive: [Int])?

    public init(frameDir: String, totalFrames: Int, labels: [Int], offset: Int, clips: (count: Int, positive: [Int])? = nil) {
        self.frameDir = frameDir; self.totalFrames = totalFrames; self.labels = labels; self.offset = offset; self.clips = clips
    }

    public static func == (a: VideoRecord, b: VideoRecord) -> Bool {
        a.frameDir == b.frameDir && a.totalFrames == b.totalFrames && a.labels == b.labels && a.offset == b.offset
            && a.clips?.count == b.clips?.count && a.clips?.positive == b.clips?.positive
    }
}

/// Refused data: a bad annotation file or line (`file` and `line`), or a video whose frames the pipeline cannot use
/// (`file` is the frame directory). `description` is what `reel` prints before exiting 2.
public struct DatasetError: DataInputError, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public init(file: String, line: Int?, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { line.map { "\(file):\($0): error: \(message)" } ?? "\(file): error: \(message)" }
}

/// mmaction2's `RawframeDataset` (SEMANTICS.md §5.1): annotation lines `frame_dir total_frames label` (or
/// `frame_dir offset total_frames label` with `with_offset`, several labels with `multi_class`), frames named by
/// `filename_tmpl` from `start_index`, and the config's pipeline run on each item. With `kind == .videos` it is
/// mmaction2's `VideoDataset`: lines `path label`, `start_index` 0, and the pipeline's Init step opens the file (the
/// two differ only in those, so one type serves both).
///
/// Reel extension: `skip_broken=True` — an item whose frames cannot be read is replaced by another item (drawn from
/// the item's own random stream) instead of failing the run; each skip is noted in the worker's
/// `PipelineWorkspace.skipped`, and the loader hands the notes to its consumer with the batch (the runner logs them).
///
/// Labels are checked against `labelLimit` (the classifier's `num_classes`, given when the dataset is bound to a
/// model) both in the annotation file and after the pipeline (`flip_label_map` can change them), so the loss never
/// sees a label outside 0..<num_classes. Throws `DatasetError` for the annotation file (the dict is read by
/// Build/DataReader).
public final class RawframeDataset: Sendable {
    public let annotationFile: String
    public let kind: DatasetKind
    public let records: [VideoRecord]
    public let pipeline: Pipeline
    public let testMode: Bool
    public let startIndex: Int
    public let filenameTemplate: String
    public let multiClass: Bool
    public let numClasses: Int?
    public let skipBroken: Bool
    /// Every label must be below this: the smaller of the classifier's and the dataset's `num_classes`.
    public let labelLimit: Int?
    /// `sample_by_class=True`: the loader draws each epoch's items by class (see `ClassSampling`).
    public let classSampling: ClassSampling?
    /// RawVideoDataset: `clipname_tmpl` and `sampling_strategy`.
    public let clipNameTemplate: String
    public let rawVideoSampling: RawVideoSampling

    public var count: Int { records.count }

    /// Reads the annotation file of a dataset spec (a malformed or missing file is a `DatasetError`).
    /// `modelClasses` is the classifier's `num_classes` (nil: labels are only checked to be non-negative).
    public init(spec: DatasetSpec, modelClasses: Int? = nil) throws {
        guard let file = spec.annotationFile else {
            throw spec.missingAnnotations ?? DatasetError(file: "<config>", line: nil, message: "the dataset has no annotation file (ann_file=None)")
        }
        annotationFile = file
        kind = spec.kind
        testMode = spec.testMode
        startIndex = spec.startIndex
        filenameTemplate = spec.filenameTemplate
        multiClass = spec.multiClass
        numClasses = spec.numClasses
        skipBroken = spec.skipBroken
        pipeline = spec.pipeline
        labelLimit = [modelClasses, numClasses].compactMap { $0 }.min()
        classSampling = spec.classSampling
        clipNameTemplate = spec.clipNameTemplate
        rawVideoSampling = spec.rawVideoSampling
        var format = AnnotationFormat(withOffset: spec.withOffset, multiClass: multiClass, numClasses: labelLimit,
                                      prefix: spec.dataPrefix, videos: spec.kind.listsFiles)
        format.rawVideos = spec.kind == .rawVideos
        var records = try AnnotationList.read(annotationFile, format: format)
        if spec.kind == .rawVideos && spec.rawVideoSampling == .positive {
            // mmaction2 keeps only the raw videos that have a positive clip to draw.
            records = records.filter { !($0.clips?.positive.isEmpty ?? true) }
            if records.isEmpty {
                throw DatasetError(file: file, line: nil, message: "no raw video lists a positive clip (sampling_strategy='positive' "
                                   + "keeps only those)")
            }
        }
        self.records = records
    }

    /// Reads an annotation file (see `AnnotationList.read`; `AnnotationList.parse` takes bytes without a file).
    /// Every malformed line is a `DatasetError` naming the file and line.
    public static func readAnnotations(_ path: String, prefix: String?, withOffset: Bool, multiClass: Bool,
                                       numClasses: Int?) throws -> [VideoRecord] {
        try AnnotationList.read(path, format: AnnotationFormat(withOffset: withOffset, multiClass: multiClass,
                                                               numClasses: numClasses, prefix: prefix))
    }

    /// The pipeline's input for item `index` (mmaction2's `__getitem__` before the pipeline).
    public func initialSample(_ index: Int) -> PipelineSample {
        let r = records[index]
        var s = PipelineSample(frameDir: r.frameDir, totalFrames: r.totalFrames, labels: r.labels)
        s.offset = r.offset
        s.startIndex = startIndex
        s.filenameTemplate = filenameTemplate
        return s
    }

    /// RawVideoDataset's `sample_clip`: the file of one clip of raw video `index` (a positive one, or any, per
    /// `sampling_strategy`), `clipname_tmpl` joined to the video's directory as a path when it starts with a letter and
    /// appended to it otherwise. Other datasets: the record's path.
    public func samplePath(_ index: Int, rng: inout Philox) -> String {
        let r = records[index]
        guard kind == .rawVideos, let clips = r.clips else { return r.frameDir }
        let clip = rawVideoSampling == .positive ? clips.positive[rng.nextInt(in: 0..<clips.positive.count)]
                                                 : rng.nextInt(in: 0..<clips.count)
        let name = FilenameTemplate.format(clipNameTemplate, clip)
        return name.first?.isLetter == true ? AnnotationList.join(r.frameDir, name) : r.frameDir + name
    }

    /// Runs the pipeline on item `index`. Under `skip_broken`, an item with a missing or undecodable frame is noted
    /// in `workspace.skipped` and another one (chosen from `rng`) takes its place; up to 10 tries, then the last
    /// error is thrown.
    public func item(_ index: Int, rng: inout Philox, workspace: PipelineWorkspace) throws -> PipelineSample {
        var i = index
        func sample(_ i: Int) -> PipelineSample {
            var s = initialSample(i)
            if kind == .rawVideos { s.frameDir = samplePath(i, rng: &rng) }
            return s
        }
        for attempt in 0..<10 {
            do {
                return try checked(pipeline.run(sample(i), rng: &rng, workspace: workspace))
            } catch let e as DataInputError where skipBroken && attempt < 9 && (e is JPEGDecoder.DecodeError || e is VideoError) {
                let next = rng.nextInt(in: 0..<count)
                workspace.skipped.append("skip_broken: skipped \(records[i].frameDir) (\(e)); using \(records[next].frameDir) instead")
                i = next
            }
        }
        return try checked(pipeline.run(sample(i), rng: &rng, workspace: workspace))
    }

    /// The pipeline's labels must still be valid classes (`Flip`'s `flip_label_map` can change them).
    private func checked(_ s: PipelineSample) throws -> PipelineSample {
        if let k = labelLimit, let bad = s.labels.first(where: { $0 < 0 || $0 >= k }) {
            throw DatasetError(file: annotationFile, line: nil, message: "video '\(s.frameDir)': the pipeline (flip_label_map) "
                               + "turned a label into \(bad), out of range for num_classes=\(k)")
        }
        return s
    }
}
