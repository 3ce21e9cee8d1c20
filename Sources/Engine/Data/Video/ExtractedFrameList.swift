import Foundation

/// One line of a VideoDataset annotation list: `filename label` (several labels with `multi_class`).
public struct VideoListEntry: Sendable, Equatable {
    /// The video's path as the list spells it (relative to the dataset's `data_prefix`, the videos directory).
    public var path: String
    /// The labels, as written back (non-negative integers).
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
    /// Reads a VideoDataset list as VideoDataset reads it (`AnnotationList`, several labels allowed), so a
    /// malformed line (blank, no label, a label that is not a non-negative integer) is refused with a
    /// `DatasetError` naming file and line before any video is extracted.
    public static func readVideoList(_ path: String) throws -> [VideoListEntry] {
        // One record a line: AnnotationList refuses blank lines, so record i is line i + 1.
        try AnnotationList.read(path, format: AnnotationFormat(multiClass: true, videos: true)).enumerated().map { i, record in
            VideoListEntry(path: record.frameDir, labels: record.labels.map(String.init), line: i + 1)
        }
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
