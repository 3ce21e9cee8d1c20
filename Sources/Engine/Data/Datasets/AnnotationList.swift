import Foundation
import EngineCore

/// How a rawframe annotation list is laid out and checked (the `RawframeDataset` arguments that shape it).
public struct AnnotationFormat: Sendable, Equatable {
    /// `frame_dir offset total_frames label` instead of `frame_dir total_frames label`.
    public var withOffset = false
    /// Several labels per line (`multi_class=True`).
    public var multiClass = false
    /// Every label must be in 0..<numClasses (the classifier's `num_classes`); nil leaves labels unchecked
    /// except for being non-negative.
    public var numClasses: Int?
    /// `data_prefix`, joined in front of each frame_dir as `os.path.join` does (an absolute frame_dir wins).
    public var prefix: String?
    /// VideoDataset lines `path label` (no total_frames: the video's Init step counts its frames).
    public var videos = false
    /// RawVideoDataset lines `video_dir label num_clips positive…` (JSON: `video_dir`, `label`, `num_clips`,
    /// `positive_clip_inds`); one label.
    public var rawVideos = false

    public init(withOffset: Bool = false, multiClass: Bool = false, numClasses: Int? = nil, prefix: String? = nil, videos: Bool = false) {
        self.withOffset = withOffset; self.multiClass = multiClass; self.numClasses = numClasses; self.prefix = prefix
        self.videos = videos
    }
}

/// Parses mmaction2 annotation lists (`RawframeDataset.load_annotations`, SEMANTICS.md §5.1, and VideoDataset's
/// `path label` lines) from a file
/// or from bytes; every malformed line is a `DatasetError` naming the file and line.
///
/// Read as mmaction2 reads them (Python text mode, then `line.strip().split()`): lines end at `\n`, `\r\n` or a lone
/// `\r` (universal newlines), fields are separated by any run of whitespace, a missing final newline is fine. A
/// blank (or whitespace-only) line is refused, as mmaction2 0.24.1 refuses it (an IndexError there). Reel adds
/// limits mmaction2 does not have, so no value can overflow later arithmetic or make a message megabytes long:
/// `total_frames` and `offset` at most `maxFrames`, a frame_dir at most `maxPathBytes`, the file at most
/// `maxFileBytes`. A UTF-8 byte-order mark at the start is skipped.
public enum AnnotationList {
    /// Largest annotation file read: 512 MiB (Kinetics-700's train list is about 35 MB).
    public static let maxFileBytes = 512 << 20
    /// Largest `total_frames` or `offset` (2^31 − 1: 2 years of video at 30 fps).
    public static let maxFrames = Int(Int32.max)
    /// Longest frame_dir, in bytes (Linux's PATH_MAX less the terminating NUL).
    public static let maxPathBytes = 4095

    /// Reads and parses the file at `path`.
    public static func read(_ path: String, format: AnnotationFormat) throws -> [VideoRecord] {
        switch InputFile.read(path, maxBytes: maxFileBytes) {
        case .success(let bytes):
            // mmaction2 picks the reader by the name (BaseDataset: `ann_file.endswith('.json')`).
            return path.hasSuffix(".json") ? try parseJSON(bytes, file: path, format: format) : try parse(bytes, file: path, format: format)
        case .failure(let failure):
            let message: String
            switch failure {
            case .missing: message = "annotation file not found"
            case .directory: message = "the annotation file is a directory"
            case .notRegular: message = "the annotation file is not a regular file (a device, FIFO or socket)"
            case .tooLarge(let bytes, let limit): message = "the annotation file is \(bytes) bytes; files over \(limit) bytes are refused"
            case .unreadable(let why): message = "cannot read the annotation file (\(why))"
            }
            throw DatasetError(file: path, line: nil, message: message)
        }
    }

    /// Parses annotation text; `file` names the source in errors.
    public static func parse(_ text: String, file: String, format: AnnotationFormat) throws -> [VideoRecord] {
        try parse(Array(text.utf8), file: file, format: format)
    }

    /// Parses annotation bytes (UTF-8); `file` names the source in errors. At least one video is required.
    public static func parse(_ bytes: [UInt8], file: String, format: AnnotationFormat) throws -> [VideoRecord] {
        var records: [VideoRecord] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 0
        while start < bytes.count {
            // One line: up to \n, \r\n or \r (Python's universal newlines).
            var end = start
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            lineNumber += 1
            records.append(try parseLine(bytes[start..<end], file: file, line: lineNumber, format: format))
            if end < bytes.count && bytes[end] == 0x0D && end + 1 < bytes.count && bytes[end + 1] == 0x0A { end += 1 }
            start = end + 1
        }
        if records.isEmpty { throw DatasetError(file: file, line: nil, message: "annotation file lists no videos") }
        return records
    }

    /// Parses a `.json` annotation file (mmaction2's `load_json_annotations`): a list of objects, each with the path
    /// under `frame_dir` (or `filename`: whichever the first object has), `label` as a list of class indices
    /// (exactly one without `multi_class`), and for rawframes `total_frames` (and `offset`, default 0). Errors name
    /// the file and the item (0-based, as the list's index).
    public static func parseJSON(_ bytes: [UInt8], file: String, format: AnnotationFormat) throws -> [VideoRecord] {
        let fail = { (item: Int?, m: String) in
            DatasetError(file: file, line: nil, message: (item.map { "item \($0): " } ?? "") + m)
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: []) } catch {
            throw fail(nil, "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "parse error"))")
        }
        guard let items = parsed as? [Any] else { throw fail(nil, "a JSON annotation file must be a list of objects, one per video") }
        guard let first = items.first else { throw fail(nil, "annotation file lists no videos") }
        let pathKey = (first as? [String: Any])?["frame_dir"] != nil ? "frame_dir" : "filename"
        func integer(_ value: Any?, _ name: String, item: Int) throws -> Int {
            guard let n = value as? NSNumber, let v = Int(exactly: n.doubleValue),
                  Double(v) == n.doubleValue, abs(v) <= maxFrames else {
                throw fail(item, value == nil ? "no '\(name)'" : "'\(name)' must be an integer (up to \(maxFrames))")
            }
            return v
        }
        return try items.enumerated().map { i, any in
            guard let object = any as? [String: Any] else { throw fail(i, "expected an object") }
            if format.rawVideos {
                // mmaction2's RawVideoDataset takes the items as they are: `label` one class (a one-item list is read
                // as that class too), `num_clips`, `positive_clip_inds`.
                guard let dir = object["video_dir"] as? String else { throw fail(i, "no 'video_dir' string") }
                let rawLabel = (object["label"] as? [Any]).flatMap { $0.count == 1 ? $0[0] : nil } ?? object["label"]
                let positive = try (object["positive_clip_inds"] as? [Any] ?? []).map { try integer($0, "positive_clip_inds", item: i) }
                if object["positive_clip_inds"] != nil && !(object["positive_clip_inds"] is [Any]) {
                    throw fail(i, "'positive_clip_inds' must be a list of clip indices")
                }
                return try rawVideoRecord(dir: dir, label: try integer(rawLabel, "label", item: i),
                                          clips: try integer(object["num_clips"], "num_clips", item: i), positive: positive,
                                          fail: { fail(i, $0) }, format: format)
            }
            guard let path = object[pathKey] as? String else {
                throw fail(i, "no '\(pathKey)' string (the first item names its path with '\(pathKey)')")
            }
            guard path.utf8.count <= maxPathBytes, !path.utf8.contains(0) else {
                throw fail(i, "'\(pathKey)' is over \(maxPathBytes) bytes or contains a NUL byte")
            }
            guard let rawLabels = object["label"] as? [Any] else {
                throw fail(i, "'label' must be a list of class indices (mmaction2's JSON annotations list them)")
            }
            let labels = try rawLabels.map { try integer($0, "label", item: i) }
            guard format.multiClass || labels.count == 1 else {
                throw fail(i, "expected one label (set multi_class=True for several), got \(labels.count)")
            }
            for label in labels {
                if let k = format.numClasses, label < 0 || label >= k {
                    throw fail(i, "label \(label) is out of range for num_classes=\(k)")
                }
                guard label >= 0 else { throw fail(i, "label \(label) is negative (labels count from 0)") }
            }
            let total = format.videos ? 0 : try integer(object["total_frames"], "total_frames", item: i)
            guard total > 0 || format.videos else { throw fail(i, "video '\(quoted(path, quotes: false))' has \(total) frames") }
            let offset = object["offset"] == nil ? 0 : try integer(object["offset"], "offset", item: i)
            guard offset >= 0 else { throw fail(i, "offset must not be negative, got \(offset)") }
            return VideoRecord(frameDir: join(format.prefix, path), totalFrames: total, labels: labels, offset: offset)
        }
    }

    static func parseLine(_ raw: ArraySlice<UInt8>, file: String, line: Int, format: AnnotationFormat) throws -> VideoRecord {
        let fail = { (m: String) in DatasetError(file: file, line: line, message: m) }
        if raw.contains(0) { throw fail("the line contains a NUL byte (is this a binary file?)") }
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("the line is not UTF-8 text (is this a binary file?)") }
        let fields = text.unicodeScalars.split(whereSeparator: isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
        if format.rawVideos { return try rawVideoLine(fields, fail: fail, format: format) }
        let fixed = format.videos ? 1 : format.withOffset ? 3 : 2
        let form = format.videos ? "path label" : format.withOffset ? "frame_dir offset total_frames label" : "frame_dir total_frames label"
        if fields.isEmpty { throw fail("blank line: remove it (mmaction2 cannot read blank lines either)") }
        guard fields.count > fixed else { throw fail("expected '\(form)', got \(fields.count) field(s)") }
        guard format.multiClass || fields.count == fixed + 1 else {
            throw fail("expected '\(form)' (one label; set multi_class=True for several), got \(fields.count) fields")
        }
        let dir = fields[0]
        guard dir.utf8.count <= maxPathBytes else {
            throw fail("\(format.videos ? "path" : "frame_dir") is \(dir.utf8.count) bytes long; paths over \(maxPathBytes) bytes are refused")
        }
        func integer(_ field: String, _ name: String) throws -> Int { try Self.integer(field, name, fail: fail) }
        var numbers = Array(fields.dropFirst())[...]
        let offset = format.withOffset ? try integer(numbers.removeFirst(), "offset") : 0
        // A video's frames are counted when its Init step opens it.
        let total = format.videos ? 0 : try integer(numbers.removeFirst(), "total_frames")
        let labels = try numbers.map { try integer($0, "label") }
        guard total > 0 || format.videos else { throw fail("video '\(quoted(dir, quotes: false))' has \(total) frames") }
        guard total <= maxFrames else { throw fail("total_frames \(total) is too large (at most \(maxFrames))") }
        guard offset >= 0 else { throw fail("offset must not be negative, got \(offset)") }
        guard offset <= maxFrames else { throw fail("offset \(offset) is too large (at most \(maxFrames))") }
        for label in labels {
            if let k = format.numClasses, label < 0 || label >= k {
                let range = k > 1 ? "labels are 0…\(k - 1)" : k == 1 ? "the only label is 0" : "no label is valid"
                throw fail("label \(label) is out of range for num_classes=\(k) (\(range))")
            }
            guard label >= 0 else { throw fail("label \(label) is negative (labels count from 0)") }
        }
        return VideoRecord(frameDir: join(format.prefix, dir), totalFrames: total, labels: labels, offset: offset)
    }

    /// A field as an integer, or a `DatasetError` saying why not.
    static func integer(_ field: String, _ name: String, fail: (String) -> DatasetError) throws -> Int {
        if let v = Int(field) { return v }
        let digits = field.drop(while: { $0 == "+" || $0 == "-" })
        let isNumber = !digits.isEmpty && field.count - digits.count <= 1 && digits.allSatisfy { $0.isASCII && $0.isNumber }
        throw fail("\(name) \(quoted(field)) " + (isNumber ? "is too large" : "is not an integer"))
    }

    /// A RawVideoDataset line `video_dir label num_clips positive…`.
    static func rawVideoLine(_ fields: [String], fail: (String) -> DatasetError, format: AnnotationFormat) throws -> VideoRecord {
        if fields.isEmpty { throw fail("blank line: remove it (mmaction2 cannot read blank lines either)") }
        guard fields.count >= 3 else { throw fail("expected 'video_dir label num_clips positive_clip…', got \(fields.count) field(s)") }
        let numbers = try fields.dropFirst().map { try integer($0, "field", fail: fail) }
        return try rawVideoRecord(dir: fields[0], label: numbers[0], clips: numbers[1], positive: Array(numbers.dropFirst(2)),
                                  fail: fail, format: format)
    }

    /// A raw video's record, its label and clip indices checked.
    static func rawVideoRecord(dir: String, label: Int, clips: Int, positive: [Int], fail: (String) -> DatasetError,
                               format: AnnotationFormat) throws -> VideoRecord {
        guard dir.utf8.count <= maxPathBytes, !dir.utf8.contains(0) else { throw fail("video_dir is over \(maxPathBytes) bytes or contains a NUL byte") }
        if let k = format.numClasses, label < 0 || label >= k { throw fail("label \(label) is out of range for num_classes=\(k)") }
        guard label >= 0 else { throw fail("label \(label) is negative (labels count from 0)") }
        guard (1...maxFrames).contains(clips) else { throw fail("num_clips must be at least 1, got \(clips)") }
        if let bad = positive.first(where: { !(0..<clips).contains($0) }) {
            throw fail("positive clip \(bad) is not one of the video's \(clips) clips (0…\(clips - 1))")
        }
        return VideoRecord(frameDir: join(format.prefix, dir), totalFrames: 0, labels: [label], offset: 0, clips: (clips, positive))
    }

    /// `os.path.join(prefix, dir)`: an absolute `dir` replaces the prefix.
    static func join(_ prefix: String?, _ dir: String) -> String {
        guard let prefix, !prefix.isEmpty, !dir.hasPrefix("/") else { return dir }
        return prefix.hasSuffix("/") ? prefix + dir : prefix + "/" + dir
    }

    /// Python's `str.isspace()` for one character: what `str.split()` splits on.
    static func isPythonWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0: return true
        case 0..<0x80: return false
        default: return c.properties.isWhitespace
        }
    }

    /// A field as it appears in a message: quoted, and cut short so a 10 MB field gives a one-line error.
    static func quoted(_ field: String, quotes: Bool = true) -> String {
        let short = field.count > 40 ? field.prefix(40) + "… (\(field.utf8.count) bytes)" : field
        return quotes ? "'\(short)'" : String(short)
    }
}
