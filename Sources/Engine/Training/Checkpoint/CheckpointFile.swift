import Foundation
import EngineCore
import EngineData

/// Reading a weights file whatever its container: safetensors (Reel's own checkpoints, huggingface's format) or a
/// PyTorch `.pth` (`TorchCheckpoint`: mmcv/mmaction2 checkpoints, model-zoo weights). The container is told by the
/// file's first bytes, not its name, so a renamed file still reads and a `.pth` never meets the safetensors header
/// check ("cannot read header length 85966670672").
public enum CheckpointFile {
    /// Reads and checks a whole file (regular files only: a FIFO or a device would block or never end).
    public static func read(_ path: String) throws -> SafeTensors.File { try decode(try contents(of: path), path: path) }

    /// The bytes of a regular file (mapped where safe), or a `CheckpointError` saying why it cannot be read.
    static func contents(of path: String) throws -> Data {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw CheckpointError(path: path, reason: errno == ENOENT ? "no such file" : "cannot read it: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(path: path, reason: (st.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "it is not a regular file")
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw CheckpointError(path: path, reason: "cannot read it")
        }
    }

    public static func decode(_ data: Data, path: String) throws -> SafeTensors.File {
        try data.withUnsafeBytes { raw in
            TorchCheckpoint.isTorchFile(raw) ? try TorchCheckpoint.decode(raw, path: path) : try SafeTensors.decode(raw, path: path)
        }
    }

    /// Whether a file name is one the checkpoint browser and `reel` list as weights.
    public static func isWeightsName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".safetensors") || name.hasSuffix(".pth") || name.hasSuffix(".pt"))
    }
}
