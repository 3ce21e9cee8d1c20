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
    /// Per output column: byte offsets (within a source row) of its two source pixels, and their 11-bit weights.
    private let xOffset0: [Int], xOffset1: [Int]
    private let xWeight0: [Int32], xWeight1: [Int32]
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
        var o0 = [Int](), o1 = [Int](), a0 = [Int32](), a1 = [Int32]()
        for j in 0..<region.width {
            let (s, w0, w1) = xt[region.mapX(j)]
            o0.append(source.mapX(s) * ch); o1.append(source.mapX(min(s + 1, source.width - 1)) * ch)
            a0.append(w0); a1.append(w1)
        }
        xOffset0 = o0; xOffset1 = o1; xWeight0 = a0; xWeight1 = a1
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
                    xOffset0.withUnsafeBufferPointer { o0 in xOffset1.withUnsafeBufferPointer { o1 in
                    xWeight0.withUnsafeBufferPointer { a0 in xWeight1.withUnsafeBufferPointer { a1 in
                        func horizontal(_ y: Int, into row: UnsafeMutablePointer<Int16>) {
                            let line = src.baseAddress! + y * sourceRowBytes
                            if ch == 3 {
                                for x in 0..<o0.count {
                                    let p = line + o0[x], q = line + o1[x], w0 = a0[x], w1 = a1[x], r = row + 3 * x
                                    r[0] = Int16(truncatingIfNeeded: (Int32(p[0]) &* w0 &+ Int32(q[0]) &* w1) &>> 4)
                                    r[1] = Int16(truncatingIfNeeded: (Int32(p[1]) &* w0 &+ Int32(q[1]) &* w1) &>> 4)
                                    r[2] = Int16(truncatingIfNeeded: (Int32(p[2]) &* w0 &+ Int32(q[2]) &* w1) &>> 4)
                                }
                            } else {
                                for x in 0..<o0.count {
                                    for c in 0..<ch {
                                        let v = Int32(line[o0[x] + c]) &* a0[x] &+ Int32(line[o1[x] + c]) &* a1[x]
                                        row[x * ch + c] = Int16(truncatingIfNeeded: v &>> 4)
                                    }
                                }
                            }
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
                            let v0 = yWeight0[i], v1 = yWeight1[i]
                            let dst = out.baseAddress! + i * rowLen
                            Self.vertical(r0, v0, r1, v1, into: dst, count: rowLen)
                        }
                    } }
                    } }
                }
            }
            initialized = count
        }
        return Frame(width: outWidth, height: outHeight, channels: ch, pixels: pixels)
    }

    /// OpenCV's vertical rounding, `((h0·v0 >> 16) + (h1·v1 >> 16) + 2) >> 2` clamped to a byte, 8 lanes at a time:
    /// written on SIMD8 values so the products become 16-bit high-half multiplies (a plain loop is vectorised with
    /// 32-bit lanes and emulated 32-bit multiplies on the x86-64 baseline).
    @inline(__always)
    static func vertical(_ r0: UnsafePointer<Int16>, _ v0: Int16, _ r1: UnsafePointer<Int16>, _ v1: Int16,
                         into dst: UnsafeMutablePointer<UInt8>, count: Int) {
        // Every operand is non-negative (sums of bytes times weights), so the products are unsigned 16×16 → high 16.
        // Written so that each product is a 16-bit high-half multiply (the weights are zero-extended 16-bit values,
        // the compiler needs to see that to avoid emulated 32-bit multiplies on the x86-64 baseline).
        let w0 = SIMD8<UInt32>(truncatingIfNeeded: SIMD8<UInt16>(repeating: UInt16(truncatingIfNeeded: v0)))
        let w1 = SIMD8<UInt32>(truncatingIfNeeded: SIMD8<UInt16>(repeating: UInt16(truncatingIfNeeded: v1)))
        let two = SIMD8<UInt16>(repeating: 2), max = SIMD8<UInt16>(repeating: 255)
        var k = 0
        while k + 8 <= count {
            let a = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(r0 + k).loadUnaligned(as: SIMD8<UInt16>.self))
            let b = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(r1 + k).loadUnaligned(as: SIMD8<UInt16>.self))
            let t0 = SIMD8<UInt16>(truncatingIfNeeded: (a &* w0) &>> 16)
            let t1 = SIMD8<UInt16>(truncatingIfNeeded: (b &* w1) &>> 16)
            let c = pointwiseMin((t0 &+ t1 &+ two) &>> 2, max)
            UnsafeMutableRawPointer(dst + k).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: c), as: SIMD8<UInt8>.self)
            k += 8
        }
        while k < count {
            let s = Int16(truncatingIfNeeded: (Int32(r0[k]) &* Int32(v0)) &>> 16)
                &+ Int16(truncatingIfNeeded: (Int32(r1[k]) &* Int32(v1)) &>> 16) &+ 2
            dst[k] = UInt8(clamping: s &>> 2)
            k += 1
        }
    }
}
