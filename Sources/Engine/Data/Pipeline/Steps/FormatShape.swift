import CKernels
import EngineCore
/// mmaction2's `FormatShape`: writes the float32 model input from the M = views·clips·clip_len frames
/// (SEMANTICS.md §5.10), applying a pending `Normalize` in the same pass.
/// - `NCHW`: M×C×H×W.
/// - `NCTHW`: (views·clips)×C×clip_len×H×W.
/// `collapse=True` drops a leading dimension of 1.
public struct FormatShape: PipelineStep {
    public var typeName: String { "FormatShape" }
    public var inputFormat: String
    public var collapse = false

    public init(inputFormat: String, collapse: Bool = false) { self.inputFormat = inputFormat; self.collapse = collapse }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        guard let first = sample.frames.first else { throw PipelineError(message: "FormatShape: no frames (is RawFrameDecode missing?)") }
        let m = sample.frames.count, h = first.height, w = first.width, c = first.channels
        let t = sample.clipLen
        var shape: [Int]
        if inputFormat == "NCHW" {
            shape = [m, c, h, w]
        } else {
            guard t > 0, m % t == 0 else { throw PipelineError(message: "FormatShape: \(m) frames are not whole clips of \(t)") }
            shape = [m / t, c, t, h, w]
        }
        if collapse {
            guard shape[0] == 1 else { throw PipelineError(message: "FormatShape(collapse=True) needs a single clip, got \(shape[0])") }
            shape.removeFirst()
        }
        var out = Tensor(uninitialized: shape)
        let table = PixelConversion.table(sample.normalization, channels: sample.frames.map(\.channels).max() ?? c)
        let formula = PixelConversion.formula(sample.normalization, table: table)
        let toBGR = sample.normalization?.toBGR == true && c == 3
        table.withUnsafeBufferPointer { tab in out.withMutableData { dst in
            for (i, frame) in sample.frames.enumerated() {
                // Frame i is clip i / t, time i % t; its channel planes are `planeStride` apart in the output.
                let base: Int, planeStride: Int
                if inputFormat == "NCHW" {
                    base = i * c * h * w; planeStride = h * w
                } else {
                    base = (i / t) * c * t * h * w + (i % t) * h * w; planeStride = t * h * w
                }
                PixelConversion.write(frame, table: tab.baseAddress!, formula: formula, toBGR: toBGR, to: dst + base,
                                      planeStride: planeStride)
            }
        } }
        sample.imgs = out
        sample.inputFormat = inputFormat
    }
}

/// uint8 HWC → float32 planar, with Normalize's arithmetic: channel swap first when `to_bgr`, then
/// `(x − mean_c) / std_c` in double precision from the float32 mean/std, rounded to float32 (SEMANTICS.md §5.9).
enum PixelConversion {
    /// A per-output-channel table of all 256 results: exact (the same double-precision formula) and cheaper than
    /// arithmetic per pixel. Built once per sample, not per frame.
    static func table(_ normalization: Normalization?, channels c: Int) -> [Float] {
        var table = [Float](repeating: 0, count: 256 * c)
        for ch in 0..<c {
            for v in 0..<256 {
                if let norm = normalization {
                    table[ch * 256 + v] = Float((Double(v) - Double(norm.mean[ch])) / Double(norm.std[ch]))
                } else {
                    table[ch * 256 + v] = Float(v)
                }
            }
        }
        return table
    }

    /// The arithmetic `reel_u8_to_planes` uses instead of the table where it can: the first of `formulas`.
    static func formula(_ normalization: Normalization?, table: [Float]) -> Formula { formulas(normalization, table: table)[0] }

    /// The formulas that give the table's entry for every v of every channel, fastest first: (Float(v) − mean) / std
    /// in float, Float(Double(v)·(1/std) + (−mean/std)) in double, and the table itself (always, last).
    static func formulas(_ normalization: Normalization?, table: [Float]) -> [Formula] {
        let c = table.count / 256
        func fits(_ coef: [Double], _ value: (Int, Double, Double) -> Float) -> Bool {
            (0..<c).allSatisfy { ch in (0..<256).allSatisfy { v in value(v, coef[2 * ch], coef[2 * ch + 1]) == table[ch * 256 + v] } }
        }
        var out: [Formula] = []
        let quotient: [Double] = (0..<c).flatMap { ch -> [Double] in
            normalization.map { [Double($0.mean[ch]), Double($0.std[ch])] } ?? [0, 1]
        }
        if fits(quotient, { v, m, d in (Float(v) - Float(m)) / Float(d) }) { out.append(Formula(kind: REEL_PIXELS_QUOTIENT, coef: quotient)) }
        let affine: [Double] = (0..<c).flatMap { ch -> [Double] in
            normalization.map { [1 / Double($0.std[ch]), -Double($0.mean[ch]) / Double($0.std[ch])] } ?? [1, 0]
        }
        if fits(affine, { v, a, b in Float(Double(v) * a + b) }) { out.append(Formula(kind: REEL_PIXELS_AFFINE, coef: affine)) }
        return out + [Formula(kind: REEL_PIXELS_TABLE, coef: [])]
    }

    /// A `reel_pixel_formula` and its per-channel coefficients.
    struct Formula {
        var kind: reel_pixel_formula
        var coef: [Double]
    }

    static func write(_ frame: Frame, normalization: Normalization?, to dst: UnsafeMutablePointer<Float>, planeStride: Int) {
        let table = table(normalization, channels: frame.channels)
        table.withUnsafeBufferPointer { tab in
            write(frame, table: tab.baseAddress!, formula: formula(normalization, table: table),
                  toBGR: normalization?.toBGR == true, to: dst, planeStride: planeStride)
        }
    }

    /// `table` as made by `table(_:channels:)` for this frame's channel count, `formula` by `formula(_:table:)`.
    static func write(_ frame: Frame, table: UnsafePointer<Float>, formula: Formula, toBGR: Bool,
                      to dst: UnsafeMutablePointer<Float>, planeStride: Int) {
        frame.pixels.withUnsafeBufferPointer { px in formula.coef.withUnsafeBufferPointer { coef in
            reel_u8_to_planes(px.baseAddress!, frame.width * frame.height, frame.channels, table, formula.kind,
                              coef.baseAddress, toBGR && frame.channels == 3 ? 1 : 0, dst, planeStride)
        } }
    }
}

/// `Collect(keys, meta_keys)` and `ToTensor(keys)`: Reel's samples are already typed, so these only check that
/// the keys they name exist (mmaction2 fails on a missing key too).
public struct CollectStep: PipelineStep {
    public let typeName: String
    public var keys: [String]
    public static let known: Set<String> = ["imgs", "label", "frame_inds", "clip_len", "frame_interval", "num_clips", "frame_dir",
                                     "total_frames", "filename_tmpl", "start_index", "modality", "original_shape",
                                     "img_shape", "crop_bbox", "flip", "flip_direction", "img_norm_cfg", "input_shape",
                                     "offset", "crop_quadruple", "scale_factor", "keep_ratio"]

    public init(typeName: String, keys: [String]) { self.typeName = typeName; self.keys = keys }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        if keys.contains("imgs") && sample.imgs == nil && sample.frames.isEmpty {
            throw PipelineError(message: "\(typeName): no 'imgs' to collect")
        }
        if typeName == "Collect" { sample.collectedKeys = keys }
    }
}
