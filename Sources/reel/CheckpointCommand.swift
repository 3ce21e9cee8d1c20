import ArgumentParser
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel checkpoint verify FILE…` and `reel checkpoint diff A B` (hidden). `verify` reads each checkpoint completely — the safetensors (or `.pth`)
/// structure, every tensor's bytes, Reel's metadata, the optimizer sidecar it names — without building a model. The crash harness (`make crashtest`) uses it after
/// every kill to prove that no checkpoint was left half-written.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Checkpoint tools.",
        shouldDisplay: false,
        subcommands: [Verify.self, Diff.self])

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

    /// `reel checkpoint diff A B`: how far apart two checkpoints' weights are, tensor by tensor — e.g. a
    /// data-parallel run against one process on the same data (docs/distributed.md).
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two checkpoints' tensors (largest absolute and relative differences).",
            discussion: """
                Prints the tensors that differ most (by |a−b| / max |a| per tensor), then one summary line. Exit 1 \
                when the names or shapes differ, or when --rtol/--atol are given and some element has \
                |a−b| > atol + rtol·max|a| (max over its tensor): numpy's allclose, scaled per tensor.
                """)

        @Argument(help: "Two checkpoints (.safetensors or .pth).") var files: [String]
        @Option(help: "Relative tolerance (of the tensor's largest |a|).") var rtol: Double?
        @Option(help: "Absolute tolerance.") var atol: Double?
        @Option(help: "Tensors listed, largest difference first.") var top = 5

        func validate() throws { guard files.count == 2 else { throw ValidationError("give two checkpoints") } }

        func run() throws {
            let a = try CheckpointFile.read(files[0]), b = try CheckpointFile.read(files[1])
            let namesA = Set(a.tensors.map(\.name)), namesB = Set(b.tensors.map(\.name))
            guard namesA == namesB else {
                let only = namesA.symmetricDifference(namesB).sorted().prefix(5).joined(separator: ", ")
                print("the checkpoints hold different tensors (\(only))")
                throw ExitCode(1)
            }
            var rows: [(name: String, abs: Double, rel: Double)] = []
            var outside: [String] = []
            for (name, va) in a.tensors {
                guard let vb = b[name], va.shape == vb.shape else {
                    print("\(name): shapes differ (\(va.shape) and \(b[name]?.shape ?? []))")
                    throw ExitCode(1)
                }
                let (xa, xb): ([Double], [Double])
                switch (va, vb) {
                case (.float32(let ta), .float32(let tb)): (xa, xb) = (ta.scalars.map(Double.init), tb.scalars.map(Double.init))
                case (.int64(_, let ia), .int64(_, let ib)): (xa, xb) = (ia.map(Double.init), ib.map(Double.init))
                default: print("\(name): element types differ"); throw ExitCode(1)
                }
                let diff = zip(xa, xb).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
                let scale = xa.reduce(0.0) { max($0, abs($1)) }
                rows.append((name, diff, scale > 0 ? diff / scale : diff))
                if (rtol != nil || atol != nil) && diff > (atol ?? 0) + (rtol ?? 0) * scale { outside.append(name) }
            }
            for r in rows.sorted(by: { $0.rel > $1.rel }).prefix(max(0, top)) {
                print(String(format: "%@: max |a-b| %.3e, relative %.3e", r.name, r.abs, r.rel))
            }
            let worstAbs = rows.max { $0.abs < $1.abs }, worstRel = rows.max { $0.rel < $1.rel }
            print(String(format: "%d tensors: max |a-b| %.3e (%@), max |a-b|/max|a| %.3e (%@)", rows.count, worstAbs?.abs ?? 0,
                         worstAbs?.name ?? "-", worstRel?.rel ?? 0, worstRel?.name ?? "-"))
            if rtol != nil || atol != nil {
                print(outside.isEmpty ? String(format: "all within atol %g + rtol %g·max|a|", atol ?? 0, rtol ?? 0)
                      : "\(outside.count) tensors outside the tolerance: " + outside.prefix(5).joined(separator: ", "))
                if !outside.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
