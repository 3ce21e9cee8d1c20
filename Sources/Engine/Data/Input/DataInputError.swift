import EngineCore
/// An error in a data file the user supplied — an annotation list, a frame image or a video's frame directory —
/// rather than in Reel or the machine. `reel` refuses such input with exit status 2, whether the error surfaces while
/// the dataset loads or in the middle of training (the runner keeps the file in `RunFailure.inputFile`).
///
/// Conforming types: `DatasetError` (annotation file and line, or a video directory) and `JPEGDecoder.DecodeError`
/// (a frame file).
public protocol DataInputError: Error, CustomStringConvertible {
    /// The offending file or directory, exactly as the message names it.
    var file: String { get }
}
