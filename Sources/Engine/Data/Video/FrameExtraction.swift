import Foundation
import Synchronization

/// How `reel data extract-frames` sizes the frames it writes (mmaction2 0.24.1 tools/data/build_rawframes.py,
/// `--use-opencv`): the stored size, an exact `--new-width`×`--new-height`, or `--new-short` keeping the aspect ratio.
public enum FrameExtractionSize: Sendable, Equatable {
    case original
    case exact(width: Int, height: Int)
    case shortSide(Int)

    /// The (width, height) a `width`×`height` video's frames are written at. For `shortSide(n)` the short side
    /// becomes n and the long side `int(n / short * long)`, truncated as build_rawframes.py truncates it (so
    /// 320×240 at n = 256 is 341×256, not 341.33 rounded); a square keeps n×n.
    public func output(width: Int, height: Int) -> (width: Int, height: Int) {
        switch self {
        case .original: return (width, height)
        case .exact(let w, let h): return (w, h)
        case .shortSide(let n):
            // Same operation order as the Python: (n / short) * long in double precision, then int().
            if width <= height { return (n, max(1, Int(Double(n) / Double(width) * Double(height)))) }
            return (max(1, Int(Double(n) / Double(height) * Double(width))), n)
        }
    }
}

/// One video found under the videos directory.
public struct VideoSource: Sendable, Equatable {
    /// The file's path (the videos directory joined with `relativePath`).
    public var path: String
    /// Its path under the videos directory, e.g. `walk/a.mp4`.
    public var relativePath: String
    /// The frame directory under the output directory: `relativePath` without its extension, e.g. `walk/a`.
    public var name: String
    public init(path: String, relativePath: String, name: String) {
        self.path = path; self.relativePath = relativePath; self.name = name
    }
}

/// A frame file or directory that cannot be written (a full disk, no permission): the run's own failure, not
/// refused input. `path` names what could not be written.
public struct FrameWriteError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): cannot write: \(reason)" }
}

/// What happened to one video.
public enum FrameExtractionOutcome: Sendable {
    /// Frames decoded and written (the count).
    case extracted(frames: Int)
    /// Its frame directory was already complete from an earlier run (the count of frame files in it).
    case skipped(frames: Int)
    /// It could not be extracted: a `VideoError` (refused input) or a `FrameWriteError` (the run's failure).
    case failed(any Error)

    /// Frames in the video's directory afterwards (nil when it failed).
    public var frames: Int? {
        switch self {
        case .extracted(let n), .skipped(let n): return n
        case .failed: return nil
        }
    }
}

/// `reel data extract-frames`: every video under a directory to mmaction2's rawframe layout,
/// `OUT/<name>/img_00001.jpg …` (1-based, `img_{:05d}`), as tools/data/build_rawframes.py `--task rgb
/// --use-opencv` writes it: each decoded frame in presentation order, resized with OpenCV's bilinear
/// (`Resize.bilinear`, what `mmcv.imresize` runs), saved as JPEG at cv2.imwrite's default quality 95 (4:2:0).
///
/// Resumable: a video is written into a hidden `.<name>.partial` directory beside its final place and renamed
/// into place only when every frame is written, so a directory under its final name is always complete and is
/// skipped by a later run; a killed run's partial directory is removed and redone. Videos run in parallel on
/// `workers` threads, one `VideoReader` each. Deliberate differences from build_rawframes.py: docs/differences.md.
public enum FrameExtractor {
    /// File extensions taken as videos (lower-cased): the containers `VideoReader` opens.
    public static let videoExtensions: Set<String> = ["mp4", "m4v", "avi", "mkv", "webm", "mov", "mpg", "mpeg", "flv", "ogv", "3gp", "wmv", "ts"]
    /// Frames decoded at a time: bounds memory for long videos (the reader decodes forward without seeking).
    static let chunk = 32

    /// Every video under `dir` (recursively, hidden files and directories skipped), sorted by relative path.
    /// Throws `VideoError` when `dir` is not a readable directory.
    public static func findVideos(in dir: String) throws -> [VideoSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VideoError(path: dir, reason: "the videos directory does not exist or is not a directory")
        }
        guard let walker = FileManager.default.enumerator(atPath: dir) else {
            throw VideoError(path: dir, reason: "cannot read the videos directory")
        }
        var found: [VideoSource] = []
        while let relative = walker.nextObject() as? String {
            let base = (relative as NSString).lastPathComponent
            if base.hasPrefix(".") { walker.skipDescendants(); continue }
            let ext = (relative as NSString).pathExtension.lowercased()
            guard videoExtensions.contains(ext) else { continue }
            let path = join(dir, relative)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            found.append(VideoSource(path: path, relativePath: relative, name: (relative as NSString).deletingPathExtension))
        }
        return found.sorted { $0.relativePath < $1.relativePath }
    }

    /// Extracts `videos` into `outDir` on `workers` threads; `progress` is called (from the worker threads, one
    /// call at a time) as each video ends. Returns each video's outcome, in the order given. Two videos that would
    /// share a frame directory (`a.mp4` and `a.avi`): the second fails naming the first.
    public static func run(_ videos: [VideoSource], into outDir: String, size: FrameExtractionSize, quality: Int = 95,
                           workers: Int, progress: (@Sendable (Int, FrameExtractionOutcome) -> Void)? = nil) -> [FrameExtractionOutcome] {
        var firstWithName: [String: Int] = [:]
        var duplicates: [Int: Int] = [:]
        for (i, v) in videos.enumerated() {
            if let j = firstWithName[v.name] { duplicates[i] = j } else { firstWithName[v.name] = i }
        }
        let duplicateOf = duplicates
        let state = Mutex<(next: Int, outcomes: [FrameExtractionOutcome?])>((0, Array(repeating: nil, count: videos.count)))
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, videos.count))) { _ in
            while true {
                let i: Int = state.withLock { s in defer { s.next += 1 }; return s.next }
                guard i < videos.count else { return }
                let outcome: FrameExtractionOutcome
                if let j = duplicateOf[i] {
                    outcome = .failed(VideoError(path: videos[i].path, reason: "its frame directory '\(videos[i].name)' is also "
                                                 + "the one of \(videos[j].path); rename one of them"))
                } else {
                    do { outcome = try extract(videos[i], into: outDir, size: size, quality: quality) } catch { outcome = .failed(error) }
                }
                state.withLock { s in
                    s.outcomes[i] = outcome
                    progress?(i, outcome)
                }
            }
        }
        return state.withLock { s in s.outcomes.map { $0! } }
    }

    /// Extracts one video into `outDir/<name>` (see the type's comment); skips it if that directory exists.
    public static func extract(_ video: VideoSource, into outDir: String, size: FrameExtractionSize,
                               quality: Int = 95) throws -> FrameExtractionOutcome {
        let fm = FileManager.default
        let final = join(outDir, video.name)
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: final, isDirectory: &isDir) {
            guard isDir.boolValue else { throw FrameWriteError(path: final, reason: "a file is in the way of the frame directory") }
            return .skipped(frames: try frameFiles(in: final))
        }
        let parent = (final as NSString).deletingLastPathComponent
        let partial = join(parent, "." + (final as NSString).lastPathComponent + ".partial")
        do {
            try? fm.removeItem(atPath: partial)   // left by a killed run
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw FrameWriteError(path: partial, reason: reason(error))
        }
        var keep = false
        defer { if !keep { try? fm.removeItem(atPath: partial) } }

        let reader = try VideoReader(path: video.path, threads: 1)
        reader.skipsUnwanted = false   // every frame is read, in order, chunk by chunk
        guard reader.frameCount > 0 else { throw VideoError(path: video.path, reason: "the video has no frames") }
        let (w, h) = size.output(width: reader.width, height: reader.height)
        var written = 0
        while written < reader.frameCount {
            let frames = try reader.frames(Array(written..<min(written + chunk, reader.frameCount)))
            for frame in frames {
                let out = frame.width == w && frame.height == h ? frame : Resize.bilinear(frame, width: w, height: h)
                let file = partial + String(format: "/img_%05d.jpg", written + 1)
                let jpeg = try JPEGDecoder.encode(out, quality: quality)
                do { try jpeg.write(to: URL(fileURLWithPath: file)) } catch {
                    throw FrameWriteError(path: join(final, String(format: "img_%05d.jpg", written + 1)), reason: reason(error))
                }
                written += 1
            }
        }
        guard rename(partial, final) == 0 else {
            throw FrameWriteError(path: final, reason: "cannot rename \(partial) into place (\(String(cString: strerror(errno))))")
        }
        keep = true
        return .extracted(frames: written)
    }

    /// The number of frame files (`img_NNNNN.jpg`) in a finished directory.
    static func frameFiles(in dir: String) throws -> Int {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                FilenameTemplate.matches($0, template: "img_{:05}.jpg")
            }.count
        } catch {
            throw FrameWriteError(path: dir, reason: "cannot list the finished frame directory (\(reason(error)))")
        }
    }

    /// `os.path.join` for two parts.
    static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty || b.hasPrefix("/") { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    /// The system's reason for a Foundation file error (e.g. "No space left on device").
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
