import CKernels
import EngineCore
/// OpenCV's uint8 `INTER_LINEAR` resize (see `Resize.bilinear`) of a window of a frame to `target`, computing only
/// the output pixels in `region` (a window of the resized image, mirrored if flipped). Every output pixel is
/// computed by the same integer arithmetic as a full resize followed by a crop and a flip, so the result is
/// bit-identical; the geometry (taps, weights, byte offsets) is worked out once and serves every frame of a clip.
struct BilinearPlan {
    let channels: Int
    /// Bytes per row of the source frames (their full width).
    let sourceRowBytes: Int
    let outWidth: Int, outHeight: Int
    /// Per output byte (column × channel): the byte offset (within a source row) of the tap nearer the row's start,
    /// its partner `channels` bytes on, and their 11-bit weights (`reel_bilinear_h`).
    private let xOffset: [Int32]
    private let xWeightLow: [Int16], xWeightHigh: [Int16]
    /// The same taps grouped for the vector kernels (`reel_bilinear_h_plan`).
    private let xGroups: [UInt8]
    /// Per output row: the two physical source rows and their 11-bit weights.
    private let row0: [Int], row1: [Int]
    private let yWeight0: [Int16], yWeight1: [Int16]

    /// - Parameters:
    ///   - source: the window of the source frames that is resized (its logical size is the resize's input size).
    ///   - sourceWidth: the frames' full width in pixels.
    ///   - target: the resize's output size.
    ///   - region: the part of the resized image that is kept, in its coordinates (mirrored if flipped after).
    init(source: FrameWindow, sourceWidth: Int, channels ch: Int, target: (width: Int, height: Int), region: FrameWindow) {
        channels = ch
        sourceRowBytes = sourceWidth * ch
        outWidth = region.width; outHeight = region.height
        let xt = Resize.taps(outSize: target.width, inSize: source.width)
        var offsets = [Int32](), low = [Int16](), high = [Int16]()
        for j in 0..<region.width {
            let (s, w0, w1) = xt[region.mapX(j)]
            // The taps are neighbours, in either order (a mirrored window), where w1 ≠ 0 (a clamped edge tap has w1 = 0).
            let o0 = source.mapX(s) * ch, o1 = source.mapX(min(s + 1, source.width - 1)) * ch
            let (o, lo, hi) = w1 == 0 || o1 > o0 ? (o0, w0, w1) : (o1, w1, w0)
            for c in 0..<ch {
                offsets.append(Int32(o + c)); low.append(Int16(lo)); high.append(Int16(hi))
            }
        }
        xOffset = offsets; xWeightLow = low; xWeightHigh = high
        xGroups = [UInt8](unsafeUninitializedCapacity: reel_bilinear_h_plan_bytes(offsets.count)) { plan, made in
            reel_bilinear_h_plan(offsets, low, high, ch, offsets.count, plan.baseAddress)
            made = plan.count
        }
        let yt = Resize.taps(outSize: target.height, inSize: source.height, clampWeights: false)
        var r0 = [Int](), r1 = [Int](), b0 = [Int16](), b1 = [Int16]()
        for i in 0..<region.height {
            let (s, v0, v1) = yt[region.mapY(i)]
            let y0 = min(max(s, 0), source.height - 1), y1 = min(max(s + 1, 0), source.height - 1)
            // Weights are ≤ 2048: 16-bit, so the vertical pass multiplies 16-bit lanes (high half, as OpenCV's SIMD does).
            r0.append(source.mapY(y0)); r1.append(source.mapY(y1)); b0.append(Int16(v0)); b1.append(Int16(v1))
        }
        row0 = r0; row1 = r1; yWeight0 = b0; yWeight1 = b1
    }

    /// The resized region of `frame` (whose width must be `sourceWidth`).
    func apply(_ frame: Frame) -> Frame {
        let ch = channels, rowLen = outWidth * ch, count = rowLen * outHeight
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            // Two horizontally resized source rows, each remembered with its physical row (OpenCV's ring buffer):
            // an upscale reuses them over several output rows. Stored as (sum >> 4), the only form the vertical
            // pass reads, which fits in 16 bits (≤ 255·2049 >> 4).
            withUnsafeTemporaryAllocation(of: Int16.self, capacity: 2 * rowLen) { rows in
                frame.pixels.withUnsafeBufferPointer { src in
                    xOffset.withUnsafeBufferPointer { ofs in
                    xWeightLow.withUnsafeBufferPointer { lo in xWeightHigh.withUnsafeBufferPointer { hi in
                    xGroups.withUnsafeBytes { groups in
                        func horizontal(_ y: Int, into row: UnsafeMutablePointer<Int16>) {
                            let start = y * sourceRowBytes
                            reel_bilinear_h(src.baseAddress! + start, src.count - start, ofs.baseAddress!, lo.baseAddress!,
                                            hi.baseAddress!, groups.baseAddress, ch, rowLen, row)
                        }
                        let slot = [rows.baseAddress!, rows.baseAddress! + rowLen]
                        var held = (-1, -1)
                        /// The buffer holding physical row `y`, computing it into the slot not holding `keep`.
                        func fetch(_ y: Int, keep: Int) -> UnsafeMutablePointer<Int16> {
                            if held.0 == y { return slot[0] }
                            if held.1 == y { return slot[1] }
                            if held.0 == keep { horizontal(y, into: slot[1]); held.1 = y; return slot[1] }
                            horizontal(y, into: slot[0]); held.0 = y; return slot[0]
                        }
                        for i in 0..<outHeight {
                            let r0 = fetch(row0[i], keep: row1[i])
                            let r1 = fetch(row1[i], keep: row0[i])
                            reel_bilinear_v(r0, Int32(yWeight0[i]), r1, Int32(yWeight1[i]), out.baseAddress! + i * rowLen,
                                            rowLen)
                        }
                    } } }
                    }
                }
            }
            initialized = count
        }
        return Frame(width: outWidth, height: outHeight, channels: ch, pixels: pixels)
    }
}
