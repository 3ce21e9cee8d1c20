import ArgumentParser
import Config
import EngineData
import Foundation

extension InspectCommand {
    /// `reel inspect video VIDEO`: what Reel's video reader sees in a file — size, frame count as Reel counts it
    /// (presented packets) beside the container's own count, codec, frame rate, keyframes — and, with `--raw`, the
    /// asked frames' RGB bytes, for differential checks against decord and PyAV (scripts/video_differential.py).
    struct VideoRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "video",
            abstract: "Show a video file's facts as Reel reads it; write chosen frames' RGB bytes.",
            discussion: """
                --frames takes 0-based frame indices in any order, repeats allowed (0,5,5,3). --raw writes those \
                frames back to back, each height×width×3 bytes (RGB, rows top to bottom), as decoded by Reel: the \
                stored pixels, rotation metadata not applied.
                """)

        @Argument(help: "The video file.") var video: String
        @Option(help: "Frame indices to decode, comma-separated (0-based; any order, repeats allowed).") var frames: String?
        @Option(help: "Write the --frames' RGB bytes (H×W×3 each, uint8) back to back to this file.") var raw: String?
        @Flag(help: "Print the facts as one JSON object.") var json = false

        func validate() throws {
            if raw != nil && frames == nil { throw ValidationError("--raw needs --frames (the frames to write)") }
            _ = try indices()
        }

        /// The parsed --frames list (empty without it).
        func indices() throws -> [Int] {
            guard let frames else { return [] }
            return try frames.split(separator: ",", omittingEmptySubsequences: false).map { part in
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let i = Int(text), i >= 0 else {
                    throw ValidationError("--frames: '\(text)' is not a frame index (a whole number from 0)")
                }
                return i
            }
        }

        func run() throws {
            let reader = try VideoReader(path: video)
            let wanted = try indices()
            // Decoding checks the indices against the frame count (an error naming the file) before anything is written.
            let decoded = wanted.isEmpty ? [] : try reader.frames(wanted)
            if let raw {
                var bytes = Data(capacity: decoded.count * reader.width * reader.height * 3)
                for f in decoded { bytes.append(contentsOf: f.pixels) }
                try AtomicFile.write(bytes, to: raw)
            }
            let keys = reader.keyframeIndices
            if json {
                var o: [String: Any] = [
                    "path": video, "width": reader.width, "height": reader.height, "frame_count": reader.frameCount,
                    "container_frame_count": reader.containerFrameCount, "codec": reader.codecName,
                    "frame_rate": reader.frameRate, "keyframes": keys,
                ]
                if !wanted.isEmpty { o["frames"] = wanted }
                if let raw { o["raw"] = raw; o["raw_bytes"] = decoded.count * reader.width * reader.height * 3 }
                let d = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
                print(String(decoding: d, as: UTF8.self))
                return
            }
            let container = reader.containerFrameCount > 0 ? "\(reader.containerFrameCount)" : "not stored"
            print("\(video): \(reader.codecName) \(reader.width)x\(reader.height), \(reader.frameCount) frames "
                  + "(container nb_frames: \(container)), \(Self.rate(reader.frameRate)) fps")
            let shown = keys.prefix(40).map(String.init).joined(separator: " ")
            print(keys.isEmpty ? "keyframes: unknown (no timestamps: frames are decoded from the start)"
                  : "keyframes (\(keys.count)): \(shown)\(keys.count > 40 ? " …" : "")")
            if let raw {
                print("wrote \(raw): \(decoded.count) frames of \(reader.height)x\(reader.width)x3 bytes (RGB), frames \(wanted)")
            }
        }

        /// A frame rate as people write it: 30, 29.97.
        static func rate(_ r: Double) -> String {
            r == r.rounded() ? String(Int(r)) : String(format: "%.3f", r)
        }
    }
}
