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
        let ch = src.channels, rowLen = ow * ch
        // Per output column: the byte offsets of its two source pixels and their weights, flattened for the loop.
        var off0 = [Int](repeating: 0, count: ow), off1 = off0
        var wx0 = [Int32](repeating: 0, count: ow), wx1 = wx0
        for (x, (x0, w0, w1)) in taps(outSize: ow, inSize: src.width).enumerated() {
            off0[x] = x0 * ch; off1[x] = min(x0 + 1, src.width - 1) * ch; wx0[x] = w0; wx1[x] = w1
        }
        let ys = taps(outSize: oh, inSize: src.height, clampWeights: false)
        var out = [UInt8](repeating: 0, count: ow * oh * ch)
        // Two horizontal rows, each remembered with its source row: an upscale reuses them over several output rows
        // (OpenCV's ring buffer), a downscale computes each source row once.
        var rows = [Int32](repeating: 0, count: 2 * rowLen)
        var cached = (-1, -1)
        src.pixels.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { op in
                rows.withUnsafeMutableBufferPointer { rp in
                    off0.withUnsafeBufferPointer { o0 in off1.withUnsafeBufferPointer { o1 in
                    wx0.withUnsafeBufferPointer { a0 in wx1.withUnsafeBufferPointer { a1 in
                        func horizontal(_ y: Int, into row: UnsafeMutablePointer<Int32>) {
                            let line = sp.baseAddress! + y * src.width * ch
                            if ch == 3 {
                                for x in 0..<ow {
                                    let p = line + o0[x], q = line + o1[x], w0 = a0[x], w1 = a1[x], r = row + 3 * x
                                    r[0] = Int32(p[0]) &* w0 &+ Int32(q[0]) &* w1
                                    r[1] = Int32(p[1]) &* w0 &+ Int32(q[1]) &* w1
                                    r[2] = Int32(p[2]) &* w0 &+ Int32(q[2]) &* w1
                                }
                            } else {
                                for x in 0..<ow {
                                    for c in 0..<ch { row[x * ch + c] = Int32(line[o0[x] + c]) &* a0[x] &+ Int32(line[o1[x] + c]) &* a1[x] }
                                }
                            }
                        }
                        let buf0 = rp.baseAddress!, buf1 = rp.baseAddress! + rowLen
                        for y in 0..<oh {
                            let (sy, v0, v1) = ys[y]
                            let y0 = min(max(sy, 0), src.height - 1), y1 = min(max(sy + 1, 0), src.height - 1)
                            // Bring source rows y0 and y1 into the buffers, reusing whatever is already there.
                            let (r0, r1): (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>)
                            if cached.0 == y0 && cached.1 == y1 {
                                (r0, r1) = (buf0, buf1)
                            } else if cached.1 == y0 {
                                buf0.update(from: buf1, count: rowLen)
                                if y1 != y0 { horizontal(y1, into: buf1) } else { buf1.update(from: buf0, count: rowLen) }
                                (r0, r1) = (buf0, buf1)
                            } else {
                                horizontal(y0, into: buf0)
                                if y1 != y0 { horizontal(y1, into: buf1) } else { buf1.update(from: buf0, count: rowLen) }
                                (r0, r1) = (buf0, buf1)
                            }
                            cached = (y0, y1)
                            let dst = op.baseAddress! + y * rowLen
                            for i in 0..<rowLen {
                                let v = (((r0[i] >> 4) &* v0) >> 16) &+ (((r1[i] >> 4) &* v1) >> 16) &+ 2
                                dst[i] = UInt8(clamping: v >> 2)
                            }
                        }
                    } }
                    } }
                }
            }
        }
        return Frame(width: ow, height: oh, channels: ch, pixels: out)
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
