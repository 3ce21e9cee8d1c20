import Foundation
import EngineCore

/// mmaction2's `Resize` geometry (mmcv `rescale_size`) and OpenCV's bilinear interpolation for uint8 images
/// (SEMANTICS.md §5.5), which is what `mmcv.imresize` runs.
public enum Resize {
    /// The output (width, height) for an input of `width`×`height`.
    /// - `scale` as a factor: both sides × factor. As (A, B): with `keepRatio`, the largest size whose long side
    ///   ≤ max(A, B) and short side ≤ min(A, B) (−1 means unbounded: `(-1, 256)` = short side 256); without, exactly
    ///   (A, B) as (w, h). Sides are rounded as `trunc(v + 0.5)`.
    public static func targetSize(width w: Int, height h: Int, factor: Double? = nil, scale: (Int, Int)? = nil,
                                  keepRatio: Bool = true) -> (width: Int, height: Int) {
        if let factor { return (Int(Double(w) * factor + 0.5), Int(Double(h) * factor + 0.5)) }
        guard let (a, b) = scale else { return (w, h) }
        guard keepRatio else { return (a, b) }
        let long = Double(max(a, b)), short = min(a, b) == -1 ? Double(max(a, b)) : Double(min(a, b))
        let longBound = min(a, b) == -1 ? Double.infinity : long
        let f = min(longBound / Double(max(w, h)), short / Double(min(w, h)))
        return (Int(Double(w) * f + 0.5), Int(Double(h) * f + 0.5))
    }

    /// OpenCV `INTER_LINEAR` on uint8: pixel-centre alignment, edge clamping, 11-bit fixed-point weights, the
    /// horizontal pass in integers and OpenCV's vertical rounding `(((h0>>4)·w0>>16) + ((h1>>4)·w1>>16) + 2) >> 2`.
    public static func bilinear(_ src: Frame, width ow: Int, height oh: Int) -> Frame {
        if ow == src.width && oh == src.height { return src }
        let whole = FrameWindow(width: src.width, height: src.height)
        return BilinearPlan(source: whole, sourceWidth: src.width, channels: src.channels, target: (ow, oh),
                            region: FrameWindow(width: ow, height: oh)).apply(src)
    }

    /// For each output coordinate: the first source index and the two 11-bit weights (OpenCV's coefficients,
    /// computed in single precision and rounded to nearest). OpenCV clamps the weights at the edges only
    /// horizontally; vertically it keeps them and clamps the row indices instead (`clampWeights: false`), which
    /// rounds differently in the first and last output rows of an upscale.
    static func taps(outSize: Int, inSize: Int, clampWeights: Bool = true) -> [(Int, Int32, Int32)] {
        let scale = Double(inSize) / Double(outSize)
        return (0..<outSize).map { d in
            var f = Float((Double(d) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            if clampWeights {
                if s < 0 { f = 0; s = 0 }
                if s >= inSize - 1 { f = 0; s = inSize - 1 }
            }
            let w1 = Int32(lrintf(f * 2048)), w0 = Int32(lrintf((1 - f) * 2048))
            return (s, w0, w1)
        }
    }
}
