import ArgumentParser
import EngineData
import Foundation
import Synchronization

extension DataCommand {
    /// `reel data extract-frames`: mmaction2's tools/data/build_rawframes.py (`--task rgb --use-opencv`) without
    /// Python, OpenCV or denseflow.
    struct ExtractFrames: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extract-frames",
            abstract: "Decode every video under a directory into rawframe directories (img_00001.jpg …).",
            discussion: """
                Like mmaction2's tools/data/build_rawframes.py --task rgb --use-opencv: each video under VIDEOS_DIR \
                (recursively; mp4, avi, mkv, webm, mov, …) becomes OUT_DIR/<its path without extension>/img_00001.jpg, \
                img_00002.jpg, … — every frame in presentation order, JPEG quality 95. A video whose frame directory \
                already exists is skipped, so an interrupted run is resumed by running it again (directories are \
                written under a hidden name and renamed when complete). A broken video is reported and the others go \
                on; the exit status is then 2 (1 if a frame could not be written).

                With --ann LIST --out-ann OUT, the VideoDataset list LIST (`path label…`, paths relative to \
                VIDEOS_DIR) is rewritten as the RawframeDataset list OUT (`frame_dir total_frames label…`, relative \
                to OUT_DIR).
                """)

        @Argument(help: "Directory of videos (searched recursively).") var videosDir: String
        @Argument(help: "Output directory for the frame directories.") var outDir: String
        @Option(name: .customLong("new-short"), help: "Resize so the short side is N, keeping the aspect ratio.") var newShort: Int?
        @Option(name: .customLong("new-width"), help: "Resize to exactly this width (with --new-height).") var newWidth: Int?
        @Option(name: .customLong("new-height"), help: "Resize to exactly this height (with --new-width).") var newHeight: Int?
        @Option(help: "Frame image format (only jpg).") var ext = "jpg"
        @Option(help: "JPEG quality (1-100; OpenCV's default is 95).") var quality = 95
        @Option(help: "VideoDataset annotation list to convert (needs --out-ann).") var ann: String?
        @Option(name: .customLong("out-ann"), help: "Where to write the RawframeDataset list for --ann.") var outAnn: String?
        @Option(help: "Videos extracted at once (default: the number of cores).") var workers = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            guard ext.lowercased() == "jpg" else {
                throw ValidationError("--ext is the frame image format and only jpg is written (got '\(ext)'); videos of every "
                                      + "known extension are found without it")
            }
            if let newShort {
                guard newWidth == nil && newHeight == nil else { throw ValidationError("--new-short cannot be combined with --new-width/--new-height") }
                guard (1...16384).contains(newShort) else { throw ValidationError("--new-short must be 1 to 16384 (got \(newShort))") }
            }
            guard (newWidth == nil) == (newHeight == nil) else { throw ValidationError("--new-width and --new-height go together") }
            if let newWidth, let newHeight {
                guard (1...16384).contains(newWidth) && (1...16384).contains(newHeight) else {
                    throw ValidationError("--new-width and --new-height must be 1 to 16384 (got \(newWidth)x\(newHeight))")
                }
            }
            guard (ann == nil) == (outAnn == nil) else { throw ValidationError("--ann and --out-ann go together") }
            guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1 to 100 (got \(quality))") }
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1 (got \(workers))") }
        }

        var size: FrameExtractionSize {
            if let newShort { return .shortSide(newShort) }
            if let newWidth, let newHeight { return .exact(width: newWidth, height: newHeight) }
            return .original
        }

        func run() throws {
            // The list is read first: a malformed one is refused before any work.
            let entries = try ann.map(ExtractedFrameList.readVideoList)
            let videos = try FrameExtractor.findVideos(in: videosDir)
            let start = Date()
            let bar = ExtractionProgress(total: videos.count, terminal: isatty(STDERR_FILENO) == 1)
            let outcomes = FrameExtractor.run(videos, into: outDir, size: size, quality: quality, workers: workers) { i, outcome in
                bar.report(videos[i], outcome)
            }
            bar.end()

            var extracted = 0, skipped = 0, frames = 0, failed = 0, writeFailed = false
            for outcome in outcomes {
                switch outcome {
                case .extracted(let n): extracted += 1; frames += n
                case .skipped: skipped += 1
                case .failed(let error): failed += 1; writeFailed = writeFailed || !(error is any DataInputError)
                }
            }
            var leftOut = 0
            if let entries, let ann, let outAnn {
                let list = ExtractedFrameList.rawframeList(entries, videosDir: videosDir, videos: videos, outcomes: outcomes)
                for (entry, reason) in list.leftOut {
                    ExitStatus.printError("reel: \(ann):\(entry.line): warning: \(entry.path) left out of \(outAnn): \(reason)")
                }
                leftOut = list.leftOut.count
                do { try list.text.write(toFile: outAnn, atomically: true, encoding: .utf8) } catch {
                    ExitStatus.printError("reel: \(FrameWriteError(path: outAnn, reason: (error as NSError).localizedDescription))")
                    throw ExitCode(ExitStatus.runFailed)
                }
            }
            print(String(format: "%@: %d videos extracted (%d frames), %d already done, %d failed, in %.1f s",
                         outDir, extracted, frames, skipped, failed, Date().timeIntervalSince(start))
                  + (outAnn.map { ", list \($0)" + (leftOut > 0 ? " (\(leftOut) left out)" : "") } ?? ""))
            if failed > 0 || leftOut > 0 {
                ExitStatus.printError("reel: \(failed) of \(videos.count) videos failed" + (leftOut > 0 ? ", \(leftOut) list entries left out" : "")
                                      + " (named above)")
                throw ExitCode(writeFailed ? ExitStatus.runFailed : ExitStatus.refusedInput)
            }
        }
    }
}

/// The progress of `extract-frames` on standard error: a bar redrawn in place on a terminal, one line per video
/// otherwise (logs, pipes). Failures are always printed on their own line, naming the file.
final class ExtractionProgress: Sendable {
    let total: Int
    let terminal: Bool
    private let state = Mutex<(done: Int, failed: Int, skipped: Int)>((0, 0, 0))

    init(total: Int, terminal: Bool) { self.total = total; self.terminal = terminal }

    func report(_ video: VideoSource, _ outcome: FrameExtractionOutcome) {
        state.withLock { s in
            s.done += 1
            var line: String
            switch outcome {
            case .extracted(let n): line = "\(video.relativePath): \(n) frames"
            case .skipped(let n): line = "\(video.relativePath): already done (\(n) frames)"; s.skipped += 1
            case .failed(let error): line = "reel: \(error)"; s.failed += 1
            }
            if terminal {
                let width = 30, filled = total == 0 ? width : s.done * width / total
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                let failure = outcome.frames == nil ? "\r\u{1B}[2K" + line + "\n" : ""
                Console.write(failure + "\r\u{1B}[2K[\(bar)] \(s.done)/\(total) videos"
                              + (s.skipped > 0 ? ", \(s.skipped) already done" : "")
                              + (s.failed > 0 ? ", \(s.failed) failed" : ""), to: STDERR_FILENO)
            } else {
                if outcome.frames != nil { line = "[\(s.done)/\(total)] " + line }
                Console.write(line + "\n", to: STDERR_FILENO)
            }
        }
    }

    func end() { if terminal && total > 0 { Console.write("\n", to: STDERR_FILENO) } }
}
