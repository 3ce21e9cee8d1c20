import ArgumentParser
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel data`: datasets Reel can make.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Make datasets.",
        subcommands: [Demo.self, ExtractFrames.self])

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the synthetic motion dataset the demo configs train on (rawframes and/or mp4 videos).",
            discussion: """
                Classes differ only by the direction of motion (left/right, up/down, clockwise/anticlockwise, \
                zoom in/out): TSM, which sees the order of frames, learns them; an order-blind TSN cannot.

                --format rawframes (the default) writes DIR/rawframes/video_NNNNN/img_NNNNN.jpg with \
                DIR/train_list.txt and DIR/val_list.txt (RawframeDataset); --format mp4 writes the same frames as \
                h264 videos DIR/videos/video_NNNNN.mp4 with DIR/train_list_videos.txt and DIR/val_list_videos.txt \
                (VideoDataset lines videos/video_NNNNN.mp4 LABEL, data_prefix DIR); --format both writes both.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case rawframes, mp4, both }

        @Argument(help: "Output directory (e.g. data/demo).") var dir: String
        @Option(help: "Number of classes (2-8).") var classes = 8
        @Option(name: .customLong("videos-per-class"), help: "Videos per class (a quarter go to val).") var videosPerClass = 40
        @Option(help: "Frames per video.") var frames = 16
        @Option(help: "Frame size WxH.") var size = "64x64"
        @Option(help: "Random seed (the same seed writes the same files).") var seed: UInt64 = 0
        @Option(help: "What to write: rawframes (JPEG frame directories), mp4 (h264 videos) or both.") var format = Format.rawframes

        func validate() throws {
            guard (2...8).contains(classes) else { throw ValidationError("--classes must be between 2 and 8") }
            guard videosPerClass >= 2 else { throw ValidationError("--videos-per-class must be at least 2") }
            guard frames >= 2 else { throw ValidationError("--frames must be at least 2") }
            _ = try parsedSize()
        }

        func parsedSize() throws -> (Int, Int) {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts.allSatisfy({ (16...1024).contains($0) }) else {
                throw ValidationError("--size must be WxH with sides from 16 to 1024, e.g. 64x64 (got '\(size)')")
            }
            return (parts[0], parts[1])
        }

        func run() throws {
            var spec = DemoDatasetSpec()
            spec.classes = classes; spec.videosPerClass = videosPerClass; spec.frames = frames; spec.seed = seed
            spec.rawframes = format != .mp4; spec.videos = format != .rawframes
            (spec.width, spec.height) = try parsedSize()
            let start = Date()
            let s = try DemoDataset.write(spec, to: dir)
            print(String(format: "wrote %@: %d train + %d val videos, %d classes, %d frames of %dx%d (%.1f MB) in %.1f s",
                         dir, s.trainVideos, s.valVideos, classes, s.frames, spec.width, spec.height,
                         Double(s.bytes) / 1e6, Date().timeIntervalSince(start))
                  + (format == .rawframes ? "" : format == .mp4 ? " (mp4 videos)" : " (rawframes and mp4 videos)"))
        }
    }
}
