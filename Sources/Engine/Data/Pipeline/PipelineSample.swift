import Foundation
import EngineCore

/// One video flowing through a pipeline: mmaction2's `results` dict with typed fields.
///
/// Frames stay uint8 RGB (H×W×3) through decoding, resizing, cropping and flipping. `Normalize` only records its
/// parameters and `FormatShape` writes the float32 output in one pass (normalise + transpose), which is the same
/// arithmetic as mmaction2's two steps (SEMANTICS.md §5.9: double-precision `(x − mean)/std` rounded to float32)
/// without an intermediate N×H×W×C float copy.
public struct PipelineSample: Sendable {
    // From the dataset record.
    public var frameDir: String
    public var totalFrames: Int
    /// Class indices (one for single-label datasets).
    public var labels: [Int]
    public var offset = 0
    public var startIndex = 1
    public var filenameTemplate = "img_{:05}.jpg"

    // SampleFrames.
    public var frameIndices: [Int] = []
    public var clipLen = 1, frameInterval = 1, numClips = 1

    // RawFrameDecode and the spatial steps.
    public var frames: [Frame] = []
    public var originalShape: (height: Int, width: Int)? = nil
    /// Views per clip set produced by ThreeCrop (3) and TenCrop (10); frames are view-major.
    public var numCrops = 1
    /// The last crop of each view, in the coordinates of the frame it was cut from (the preview draws it).
    public var cropBoxes: [CropBox] = []
    public var flipped = false
    public var flipDirection = "horizontal"
    /// What `lazy=True` steps recorded, until `Fuse` applies it (mmaction2's `results['lazy']`).
    public var lazy: LazyGeometry? = nil

    // Normalize (applied by FormatShape or at the end of the pipeline).
    public var normalization: Normalization? = nil

    // FormatShape.
    public var inputFormat: String? = nil
    /// The final float32 input (FormatShape layout, or M×H×W×C if the pipeline has no FormatShape).
    public var imgs: Tensor? = nil
    public var collectedKeys: [String]? = nil

    public init(frameDir: String, totalFrames: Int, labels: [Int]) {
        self.frameDir = frameDir
        self.totalFrames = totalFrames
        self.labels = labels
    }

    public var imageShape: (height: Int, width: Int)? { frames.first.map { ($0.height, $0.width) } }

    /// The frame file of a sampled index (start_index is already in the index; `offset` is added on top).
    public func framePath(index: Int) -> String {
        (frameDir as NSString).appendingPathComponent(FilenameTemplate.format(filenameTemplate, index + offset))
    }
}

/// Normalize's parameters (mean/std in output channel order; float32 as mmaction2 stores them).
public struct Normalization: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    public var toBGR: Bool
}

/// Python's `str.format` for the one placeholder a filename template holds: `{}`, `{:05}`, `{:05d}`, `{:d}`.
public enum FilenameTemplate {
    public static func format(_ template: String, _ value: Int) -> String {
        guard let open = template.firstIndex(of: "{"), let close = template[open...].firstIndex(of: "}") else { return template }
        var spec = template[template.index(after: open)..<close]
        if spec.hasPrefix(":") { spec = spec.dropFirst() }
        if spec.hasSuffix("d") { spec = spec.dropLast() }
        var text = String(value)
        if spec.hasPrefix("0"), let width = Int(spec.dropFirst()), text.count < width {
            let negative = value < 0
            let digits = negative ? String(text.dropFirst()) : text
            text = (negative ? "-" : "") + String(repeating: "0", count: width - text.count) + digits
        } else if let width = Int(spec), text.count < width {
            text = String(repeating: " ", count: width - text.count) + text
        }
        return String(template[..<open]) + text + String(template[template.index(after: close)...])
    }

    /// Whether a file name is the template with some frame number in its placeholder: `^prefix\d+suffix$`, the
    /// pattern mmaction2's `inference_recognizer` counts frames with (a template without a placeholder: itself).
    public static func matches(_ name: String, template: String) -> Bool {
        guard let open = template.firstIndex(of: "{"), let close = template[open...].firstIndex(of: "}") else { return name == template }
        let prefix = template[..<open], suffix = template[template.index(after: close)...]
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return false }
        return name.dropFirst(prefix.count).dropLast(suffix.count).allSatisfy { $0.isASCII && $0.isNumber }
    }
}
