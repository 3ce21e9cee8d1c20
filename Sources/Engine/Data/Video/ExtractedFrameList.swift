import Foundation

/// One line of a VideoDataset annotation list: `filename label` (several labels with `multi_class`).
public struct VideoListEntry: Sendable, Equatable {
    /// The video's path as the list spells it (relative to the dataset's `data_prefix`, the videos directory).
    public var path: String
    /// The label fields, verbatim (checked to be non-negative integers).
    public var labels: [String]
    /// 1-based line number in the list.
    public var line: Int
    public init(path: String, labels: [String], line: Int) { self.path = path; self.labels = labels; self.line = line }
}

/// Turns a VideoDataset list (`path label...`, relative to the videos directory) into the RawframeDataset list of
/// the frames `reel data extract-frames` wrote (`frame_dir total_frames label...`, relative to the output
/// directory), as mmaction2's tools/data/build_file_list.py would list them afterwards: frame_dir is the path
/// without its extension, total_frames the number of frames written.
public enum ExtractedFrameList {
    /// Reads a VideoDataset list the way mmaction2 0.24.1 reads it (`line.strip().split()`, universal newlines),
    /// refusing (with `DatasetError` naming file and line) blank lines, lines without a label and labels that are
    /// not non-negative integers, before any video is extracted.
    public static func readVideoList(_ path: String) throws -> [VideoListEntry] {
        let bytes: [UInt8]
        switch InputFile.read(path, maxBytes: AnnotationList.maxFileBytes) {
        case .success(let b): bytes = b
        case .failure(.missing): throw DatasetError(file: path, line: nil, message: "annotation file not found")
        case .failure(.directory): throw DatasetError(file: path, line: nil, message: "the annotation file is a directory")
        case .failure(let other): throw DatasetError(file: path, line: nil, message: "cannot read the annotation file (\(other))")
        }
        var entries: [VideoListEntry] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            line += 1
            let fail = { (m: String) in DatasetError(file: path, line: line, message: m) }
            guard let text = String(validating: bytes[start..<end], as: UTF8.self), !text.contains("\0") else {
                throw fail("the line is not UTF-8 text (is this a binary file?)")
            }
            let fields = text.unicodeScalars.split(whereSeparator: AnnotationList.isPythonWhitespace)
                .map { String(String.UnicodeScalarView($0)) }
            if fields.isEmpty { throw fail("blank line: remove it (mmaction2 cannot read blank lines either)") }
            guard fields.count >= 2 else { throw fail("expected 'filename label', got 1 field") }
            for label in fields.dropFirst() where Int(label).map({ $0 < 0 }) ?? true {
                throw fail("label \(AnnotationList.quoted(label)) is not a non-negative integer")
            }
            entries.append(VideoListEntry(path: fields[0], labels: Array(fields.dropFirst()), line: line))
            if end < bytes.count && bytes[end] == 0x0D && end + 1 < bytes.count && bytes[end + 1] == 0x0A { end += 1 }
            start = end + 1
        }
        if entries.isEmpty { throw DatasetError(file: path, line: nil, message: "annotation file lists no videos") }
        return entries
    }

    /// The rawframe list's text for `entries`, from what extraction did (`videos[i]` ended as `outcomes[i]`), and
    /// the entries left out — a video not found under `videosDir`, or one that failed — each with the reason.
    public static func rawframeList(_ entries: [VideoListEntry], videosDir: String, videos: [VideoSource],
                                    outcomes: [FrameExtractionOutcome]) -> (text: String, leftOut: [(VideoListEntry, String)]) {
        var frames: [String: (name: String, frames: Int?)] = [:]
        for (v, o) in zip(videos, outcomes) { frames[v.relativePath] = (v.name, o.frames) }
        var text = "", leftOut: [(VideoListEntry, String)] = []
        for entry in entries {
            guard let found = frames[relative(entry.path, to: videosDir)] else {
                leftOut.append((entry, "no such video under \(videosDir)")); continue
            }
            guard let n = found.frames else { leftOut.append((entry, "its extraction failed")); continue }
            text += ([found.name, String(n)] + entry.labels).joined(separator: " ") + "\n"
        }
        return (text, leftOut)
    }

    /// A list path relative to the videos directory: `./` parts dropped; an absolute path inside the directory made
    /// relative (mmaction2 joins an absolute path to no prefix).
    static func relative(_ path: String, to dir: String) -> String {
        var p = path
        if p.hasPrefix("/") {
            let root = URL(fileURLWithPath: dir).standardizedFileURL.path
            let prefix = root.hasSuffix("/") ? root : root + "/"
            guard p.hasPrefix(prefix) else { return p }
            p = String(p.dropFirst(prefix.count))
        }
        return p.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.joined(separator: "/")
    }
}
