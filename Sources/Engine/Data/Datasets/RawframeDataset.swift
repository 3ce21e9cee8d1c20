import Config
import Foundation

/// One line of a rawframe annotation file.
public struct VideoRecord: Sendable, Equatable {
    /// `data_prefix` joined with the annotation's frame_dir.
    public var frameDir: String
    public var totalFrames: Int
    public var labels: [Int]
    public var offset: Int
}

/// A bad annotation file or line: names the file (and line) so the user can fix it.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { line.map { "\(file):\($0): error: \(message)" } ?? "\(file): error: \(message)" }
}

/// mmaction2's `RawframeDataset` (SEMANTICS.md §5.1): annotation lines `frame_dir total_frames label` (or
/// `frame_dir offset total_frames label` with `with_offset`, several labels with `multi_class`), frames named by
/// `filename_tmpl` from `start_index`, and the config's pipeline run on each item.
///
/// Reel extension: `skip_broken=True` — an item whose frames cannot be read is reported through `onBroken` and
/// replaced by another item (drawn from the item's own random stream) instead of failing the run.
public final class RawframeDataset: @unchecked Sendable {
    public let annotationFile: String
    public let records: [VideoRecord]
    public let pipeline: Pipeline
    public let testMode: Bool
    public let startIndex: Int
    public let filenameTemplate: String
    public let multiClass: Bool
    public let numClasses: Int?
    public let skipBroken: Bool
    /// Called (from loader threads) for each item skipped under `skip_broken`.
    public var onBroken: (@Sendable (String) -> Void)?

    public var count: Int { records.count }

    /// Builds the dataset from a `data.train`/`data.val`/`data.test` dict. Config mistakes are located
    /// `ConfigError`s; a missing or malformed annotation file is a `DatasetError`.
    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "dataset", files: files)
        _ = try r.require("type", in: ["RawframeDataset"], default: "RawframeDataset")
        annotationFile = try r.string("ann_file")
        let prefix = try r.optionalString("data_prefix")
        testMode = try r.bool("test_mode", false)
        startIndex = try r.int("start_index", 1)
        filenameTemplate = try r.string("filename_tmpl", "img_{:05}.jpg")
        multiClass = try r.bool("multi_class", false)
        numClasses = r.has("num_classes") ? try r.int("num_classes") : nil
        skipBroken = try r.bool("skip_broken", false)
        let withOffset = try r.bool("with_offset", false)
        _ = try r.require("modality", in: ["RGB"], default: "RGB")
        if multiClass && numClasses == nil { throw r.error("multi_class=True needs num_classes") }
        guard let p = r.value("pipeline") else { throw r.error("dataset needs 'pipeline'") }
        pipeline = try Pipeline(config: p, files: files)
        records = try Self.readAnnotations(annotationFile, prefix: prefix, withOffset: withOffset, multiClass: multiClass,
                                           numClasses: numClasses)
    }

    /// Parses an annotation file. Every malformed line is an error naming the file and line.
    public static func readAnnotations(_ path: String, prefix: String?, withOffset: Bool, multiClass: Bool,
                                       numClasses: Int?) throws -> [VideoRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, line: nil, message: "annotation file not found")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError(file: path, line: nil, message: "annotation file is not UTF-8 text")
        }
        var records: [VideoRecord] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            let fail = { (m: String) in DatasetError(file: path, line: n + 1, message: m) }
            let fixed = withOffset ? 3 : 2
            let form = withOffset ? "frame_dir offset total_frames label" : "frame_dir total_frames label"
            guard fields.count > fixed else { throw fail("expected '\(form)', got \(fields.count) field(s)") }
            guard multiClass || fields.count == fixed + 1 else {
                throw fail("expected '\(form)' (one label; set multi_class=True for several), got \(fields.count) fields")
            }
            var numbers: [Int] = []
            for field in fields.dropFirst() {
                guard let v = Int(field) else { throw fail("'\(field)' is not an integer") }
                numbers.append(v)
            }
            let offset = withOffset ? numbers[0] : 0
            let total = numbers[withOffset ? 1 : 0]
            let labels = Array(numbers[(fixed - 1)...])
            guard total > 0 else { throw fail("video '\(fields[0])' has \(total) frames") }
            guard offset >= 0 else { throw fail("offset must not be negative") }
            guard labels.allSatisfy({ $0 >= 0 }) else { throw fail("labels must not be negative") }
            if let k = numClasses, let l = labels.first(where: { $0 >= k }) {
                throw fail("label \(l) is outside 0..<\(k) (num_classes)")
            }
            let dir = prefix.map { ($0 as NSString).appendingPathComponent(fields[0]) } ?? fields[0]
            records.append(VideoRecord(frameDir: dir, totalFrames: total, labels: labels, offset: offset))
        }
        if records.isEmpty { throw DatasetError(file: path, line: nil, message: "annotation file lists no videos") }
        return records
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

    /// Runs the pipeline on item `index`. Under `skip_broken`, an unreadable item is reported and another one
    /// (chosen from `rng`) takes its place; up to 10 tries.
    public func item(_ index: Int, rng: inout Philox, workspace: PipelineWorkspace) throws -> PipelineSample {
        var i = index
        for attempt in 0..<10 {
            do {
                return try pipeline.run(initialSample(i), rng: &rng, workspace: workspace)
            } catch let e as JPEGDecoder.DecodeError where skipBroken && attempt < 9 {
                onBroken?("skipped \(records[i].frameDir): \(e)")
                i = rng.nextInt(in: 0..<count)
            }
        }
        return try pipeline.run(initialSample(i), rng: &rng, workspace: workspace)
    }
}
