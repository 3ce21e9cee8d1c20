import ArgumentParser
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel checkpoint verify FILE…` (hidden): reads each checkpoint completely — the safetensors (or `.pth`)
/// structure, every tensor's bytes, Reel's metadata, the optimizer sidecar it names — without building a model. The crash harness (`make crashtest`) uses it after
/// every kill to prove that no checkpoint was left half-written.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Checkpoint tools.",
        shouldDisplay: false,
        subcommands: [Verify.self])

    /// A checkpoint whose tensors read but whose metadata does not (refused input, like a `SafeTensors.FormatError`).
    struct Unreadable: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): not a valid Reel checkpoint: \(reason)" }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that checkpoints read completely (exit status 2 naming the first one that does not).",
            discussion: "Prints one line per file: its tensor count and the epoch and iteration it records.")

        @Argument(help: "Checkpoints (.safetensors or .pth).") var files: [String]

        func run() throws {
            for path in files {
                let file = try CheckpointFile.read(path)
                let meta: CheckpointMetadata?
                do { meta = try CheckpointStore.metadata(of: file) } catch {
                    throw Unreadable(path: path, reason: "its Reel metadata cannot be read: \(error)")
                }
                let counters = meta.map { "epoch \($0.epoch), iter \($0.iter)" } ?? "no Reel metadata"
                // The optimizer sidecar it names must be there, of its size and digest, and read completely too.
                var optimizer = ""
                if let ref = try OptimizerSidecar.reference(in: file, path: path) {
                    let state = try OptimizerSidecar.read(ref, checkpointPath: path)
                    optimizer = " with its optimizer state, \(state.tensors.count) tensors in \(ref.file)"
                }
                print("\(path): ok (\(file.tensors.count) tensors, \(counters))" + optimizer)
            }
        }
    }
}
