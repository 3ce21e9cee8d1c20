import EngineCore
import EngineData
/// A checkpoint file that Reel refuses to read or use: truncated, corrupt, hostile, or not fitting this run.
///
/// Every value read from a checkpoint is untrusted input, so every problem with one ends up here, naming the file
/// (and the header or metadata field when there is one). `reel` recognises the type and exits 2 (refused input).
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    /// The header or metadata field at fault (`__metadata__.reel.epoch`, `optimizer.groups[0].betas`, …), if any.
    public var field: String?
    public var reason: String
    /// The container the file was read as: `safetensors`, or `PyTorch .pth` (`TorchCheckpoint`).
    public var format: String

    public init(path: String, field: String? = nil, reason: String, format: String = "safetensors") {
        self.path = path
        self.field = field
        self.reason = reason
        self.format = format
    }

    public var description: String {
        "\(path): not a valid \(format) checkpoint: " + (field.map { "\($0): " } ?? "") + reason
    }
}

extension SafeTensors {
    /// The name this error had before checkpoints got their own error type.
    public typealias FormatError = CheckpointError
}
