/// The geometry of one 2-D or 3-D convolution or pooling window (2-D: depth 1, kernel depth 1).
public struct ConvGeometry: Sendable, Equatable {
    public var channels: Int, images: Int
    public var depth: Int, height: Int, width: Int
    public var kernel: (t: Int, h: Int, w: Int)
    public var stride: (t: Int, h: Int, w: Int)
    public var padding: (t: Int, h: Int, w: Int)
    public var dilation: (t: Int, h: Int, w: Int)

    public init(channels: Int, images: Int, depth: Int = 1, height: Int, width: Int,
                kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int),
                dilation: (Int, Int, Int) = (1, 1, 1)) {
        self.channels = channels; self.images = images
        self.depth = depth; self.height = height; self.width = width
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.dilation = dilation
    }

    public var outDepth: Int { (depth + 2 * padding.t - dilation.t * (kernel.t - 1) - 1) / stride.t + 1 }
    public var outHeight: Int { (height + 2 * padding.h - dilation.h * (kernel.h - 1) - 1) / stride.h + 1 }
    public var outWidth: Int { (width + 2 * padding.w - dilation.w * (kernel.w - 1) - 1) / stride.w + 1 }
    public var inPlane: Int { depth * height * width }
    public var outPlane: Int { outDepth * outHeight * outWidth }
    public var kernelVolume: Int { kernel.t * kernel.h * kernel.w }

    /// The outputs [lo, hi) of a row whose tap at column offset `x0` (source column xo·stride + x0) lies inside the
    /// input row; the others read padding.
    @inline(__always)
    func outputColumns(tapOffset x0: Int) -> (lo: Int, hi: Int) {
        let sw = stride.w, ow = outWidth
        let lo = min(ow, max(0, (-x0 + sw - 1) / sw))
        return (lo, max(lo, min(ow, (width - x0 + sw - 1) / sw)))
    }

    public static func == (a: ConvGeometry, b: ConvGeometry) -> Bool {
        a.channels == b.channels && a.images == b.images && a.depth == b.depth && a.height == b.height
            && a.width == b.width && a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding
            && a.dilation == b.dilation
    }
}

/// im2col / col2im for a range of images of channel-major activations (C×N×(T×)H×W).
///
/// Why this shape: convolutions run tile by tile over images, each core taking its own tiles (single-threaded
/// GEMMs, so OpenBLAS never competes with our workers for the two cores). A tile's col matrix — rows
/// (c, kt, kh, kw), columns (image, output position) — is sized to stay in cache between im2col and its GEMM,
/// and in backward is recomputed instead of stored. Different tiles touch different images, so col2im needs no
/// locking.
public enum Im2col {
    /// What row `row` (channel c, kernel tap kt/kh/kw) of a col matrix reads: its channel, tap offsets, the
    /// horizontal source offset x0 and the output columns [lo, hi) whose source lies inside an input row.
    @inline(__always)
    static func rowTap(_ row: Int, _ g: ConvGeometry) -> (c: Int, kt: Int, kh: Int, x0: Int, lo: Int, hi: Int) {
        let kv = g.kernelVolume
        var r = row % kv
        let kw = r % g.kernel.w; r /= g.kernel.w
        let kh = r % g.kernel.h
        let kt = r / g.kernel.h
        let x0 = kw * g.dilation.w - g.padding.w
        let (lo, hi) = g.outputColumns(tapOffset: x0)
        return (row / kv, kt, kh, x0, lo, hi)
    }

    /// True for a 2-D stride-1, dilation-1 convolution whose output plane has the input's size ("same" padding,
    /// e.g. every 3×3 pad-1 conv of a ResNet but the downsampling ones). Then a col row is the whole input plane
    /// shifted by (kh − pad, kw − pad): one contiguous copy per image plus zeroed borders, instead of a short
    /// copy per output row (rows are 2–32 floats in the later stages, where the per-row bookkeeping dominated).
    @inline(__always)
    static func isSamePlaneShift(_ g: ConvGeometry) -> Bool {
        g.kernel.t == 1 && g.depth == 1 && g.stride == (1, 1, 1) && g.dilation == (1, 1, 1)
            && g.outHeight == g.height && g.outWidth == g.width
    }

    /// What col row `row` (channel c, tap kh/kw) of a same-size conv reads: its channel and shift (dy, dx), the
    /// output rows [y0, y1) whose source row exists, and the span [i0, i1) of plane offsets whose source
    /// `i + dy·W + dx` lies inside the plane (border columns included; the callers handle them).
    @inline(__always)
    static func shiftRow(_ row: Int, _ g: ConvGeometry) -> (c: Int, dy: Int, dx: Int, y0: Int, y1: Int, i0: Int, i1: Int) {
        let kv = g.kernelVolume, w = g.width, h = g.height
        let dy = (row % kv) / g.kernel.w - g.padding.h, dx = row % g.kernel.w - g.padding.w
        let y0 = min(h, max(0, -dy)), y1 = max(y0, min(h, h - dy))
        let i0 = y0 * w + max(0, -dx)
        return (row / kv, dy, dx, y0, y1, i0, max(i0, y1 * w - max(0, dx)))
    }

    /// Fills `col` (rows C·kt·kh·kw, `images.count`·P columns, row stride `ld`) from `x`.
    public static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              into col: UnsafeMutablePointer<Float>, ld: Int) {
        if isSamePlaneShift(g) { return im2colShift(x, g, images: images, into: col, ld: ld) }
        if isStride2(g) { return im2colStride2(x, g, images: images, into: col, ld: ld) }
        im2colGeneric(x, g, images: images, into: col, ld: ld)
    }

    /// `im2col` for any geometry, one output row at a time.
    static func im2colGeneric(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              into col: UnsafeMutablePointer<Float>, ld: Int) {
        let kv = g.kernelVolume
        let (od, oh, ow) = (g.outDepth, g.outHeight, g.outWidth)
        let n = g.images, inPlane = g.inPlane
        let sw = g.stride.w
        for row in 0..<(g.channels * kv) {
            let (c, kt, kh, x0, lo, hi) = rowTap(row, g)
            var dst = col + row * ld
            let src = x + c * n * inPlane
            for img in images {
                let plane = src + img * inPlane
                for zo in 0..<od {
                    let zi = zo * g.stride.t - g.padding.t + kt * g.dilation.t
                    if zi < 0 || zi >= g.depth { for i in 0..<(oh * ow) { dst[i] = 0 }; dst += oh * ow; continue }
                    let slice = plane + zi * g.height * g.width
                    for yo in 0..<oh {
                        let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                        if yi < 0 || yi >= g.height { for i in 0..<ow { dst[i] = 0 }; dst += ow; continue }
                        let line = slice + yi * g.width
                        // Zeros at the padded edges, a plain gather in between. Plain loops: rows are short
                        // (2–64 floats), where a memcpy call costs more than the copy.
                        var xo = 0
                        while xo < lo { dst[xo] = 0; xo += 1 }
                        let shifted = line + x0
                        if sw == 1 {
                            while xo < hi { dst[xo] = shifted[xo]; xo += 1 }
                        } else {
                            while xo < hi { dst[xo] = shifted[xo * sw]; xo += 1 }
                        }
                        while xo < ow { dst[xo] = 0; xo += 1 }
                        dst += ow
                    }
                }
            }
        }
    }

    static func im2colShift(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                            into col: UnsafeMutablePointer<Float>, ld: Int) {
        let w = g.width, plane = g.inPlane, n = g.images
        for row in 0..<(g.channels * g.kernelVolume) {
            let (c, dy, dx, y0, y1, i0, i1) = shiftRow(row, g)
            var dst = col + row * ld
            let src = x + c * n * plane
            for img in images {
                let s = src + img * plane + dy * w + dx
                if i0 > 0 { dst.update(repeating: 0, count: i0) }
                if i1 > i0 { (dst + i0).update(from: s + i0, count: i1 - i0) }
                if plane > i1 { (dst + i1).update(repeating: 0, count: plane - i1) }
                // Columns whose source wrapped into the neighbouring row are padding.
                if dx != 0 {
                    let (c0, c1) = dx < 0 ? (0, min(w, -dx)) : (max(0, w - dx), w)
                    for y in y0..<y1 { for xo in c0..<c1 { dst[y * w + xo] = 0 } }
                }
                dst += plane
            }
        }
    }

    /// The adjoint of `im2colShift`: each col row added into its input plane shifted back.
    static func col2imShift(_ col: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                            ld: Int, into dx: UnsafeMutablePointer<Float>) {
        let w = g.width, plane = g.inPlane, n = g.images
        for row in 0..<(g.channels * g.kernelVolume) {
            let (c, dy, sx, y0, y1, _, _) = shiftRow(row, g)
            var src = col + row * ld
            let dstChannel = dx + c * n * plane
            for img in images {
                let d = dstChannel + img * plane + dy * w + sx
                // Per output row, the columns whose source stays in that input row (exact: no add-and-undo).
                let lo = max(0, -sx), hi = w - max(0, sx)
                if hi > lo {
                    for y in y0..<y1 {
                        let r = y * w
                        for i in (r + lo)..<(r + hi) { d[i] += src[i] }
                    }
                }
                src += plane
            }
        }
    }

    /// Adds `col` (the layout `im2col` writes) back into `dx` for those images: the adjoint of `im2col`.
    public static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              ld: Int, into dx: UnsafeMutablePointer<Float>) {
        if isSamePlaneShift(g) { return col2imShift(col, g, images: images, ld: ld, into: dx) }
        if isStride2(g) { return col2imStride2(col, g, images: images, ld: ld, into: dx) }
        col2imGeneric(col, g, images: images, ld: ld, into: dx)
    }

    /// `col2im` for any geometry, one output row at a time.
    static func col2imGeneric(_ col: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              ld: Int, into dx: UnsafeMutablePointer<Float>) {
        let kv = g.kernelVolume
        let (od, oh, ow) = (g.outDepth, g.outHeight, g.outWidth)
        let n = g.images, inPlane = g.inPlane
        for row in 0..<(g.channels * kv) {
            let (c, kt, kh, x0, lo, hi) = rowTap(row, g)
            var src = col + row * ld
            let dstChannel = dx + c * n * inPlane
            for img in images {
                let plane = dstChannel + img * inPlane
                for zo in 0..<od {
                    let zi = zo * g.stride.t - g.padding.t + kt * g.dilation.t
                    if zi < 0 || zi >= g.depth { src += oh * ow; continue }
                    let slice = plane + zi * g.height * g.width
                    for yo in 0..<oh {
                        let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                        if yi >= 0 && yi < g.height && hi > lo {
                            let line = slice + yi * g.width
                            if g.stride.w == 1 {
                                let d = line + x0
                                for xo in lo..<hi { d[xo] += src[xo] }
                            } else {
                                for xo in lo..<hi { line[xo * g.stride.w + x0] += src[xo] }
                            }
                        }
                        src += ow
                    }
                }
            }
        }
    }

    /// True for a 2-D convolution with horizontal stride 2, no horizontal dilation and a kernel at least 5 wide: a
    /// ResNet's 7×7/2 stem. Then each input plane is split once into its even and odd columns, and every col row
    /// segment is a contiguous copy from one half instead of a stride-2 gather (stem forward 53 → 43 ms on the
    /// medium bench). With 1 or 3 taps per row the split costs more than it saves (1×1/2: 1.5 → 1.9 ms).
    @inline(__always)
    static func isStride2(_ g: ConvGeometry) -> Bool {
        g.kernel.t == 1 && g.depth == 1 && g.stride.w == 2 && g.dilation.w == 1 && g.kernel.w >= 5
    }

    /// For tap column offset `x0` (source column 2·xo + x0): the start of its half in a split row (evens at 0, odds
    /// at `half`) plus the index of output 0's source within that half.
    @inline(__always)
    static func splitOffset(_ x0: Int, half: Int) -> Int {
        let phase = x0 & 1
        return phase * half + (x0 - phase) / 2
    }

    /// Copies a rows×width plane into `split` with each row's even columns first, then its odd ones (rows of
    /// 2·⌈width/2⌉ floats, the odd half starting at ⌈width/2⌉).
    static func splitColumns(_ plane: UnsafePointer<Float>, rows: Int, width w: Int, into split: UnsafeMutablePointer<Float>) {
        let half = (w + 1) / 2
        for yi in 0..<rows {
            let src = plane + yi * w, dst = split + yi * 2 * half
            var j = 0
            while 2 * j + 1 < w { dst[j] = src[2 * j]; dst[half + j] = src[2 * j + 1]; j += 1 }
            if 2 * j < w { dst[j] = src[2 * j] }
        }
    }

    /// `im2col` for `isStride2` geometries (same values as `im2colGeneric`).
    static func im2colStride2(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              into col: UnsafeMutablePointer<Float>, ld: Int) {
        let (oh, ow, h, w) = (g.outHeight, g.outWidth, g.height, g.width)
        let half = (w + 1) / 2, splitWidth = 2 * half, kv = g.kernelVolume
        let split = UnsafeMutablePointer<Float>.allocate(capacity: h * splitWidth)
        defer { split.deallocate() }
        for c in 0..<g.channels {
            for img in images {
                splitColumns(x + (c * g.images + img) * g.inPlane, rows: h, width: w, into: split)
                for tap in 0..<kv {
                    let (_, _, kh, x0, lo, hi) = rowTap(c * kv + tap, g)
                    let offset = splitOffset(x0, half: half)
                    var dst = col + (c * kv + tap) * ld + (img - images.lowerBound) * g.outPlane
                    for yo in 0..<oh {
                        let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                        if yi < 0 || yi >= h || hi <= lo {
                            dst.update(repeating: 0, count: ow)
                        } else {
                            let src = split + yi * splitWidth + offset
                            var xo = 0
                            while xo < lo { dst[xo] = 0; xo += 1 }
                            while xo < hi { dst[xo] = src[xo]; xo += 1 }
                            while xo < ow { dst[xo] = 0; xo += 1 }
                        }
                        dst += ow
                    }
                }
            }
        }
    }

    /// `col2im` for `isStride2` geometries: contributions summed per input plane into its split halves, in the
    /// generic path's order, then added to `dx` (bit-identical to `col2imGeneric` when `dx` starts at zero).
    static func col2imStride2(_ col: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                              ld: Int, into dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, h, w) = (g.outHeight, g.outWidth, g.height, g.width)
        let half = (w + 1) / 2, splitWidth = 2 * half, kv = g.kernelVolume
        let split = UnsafeMutablePointer<Float>.allocate(capacity: h * splitWidth)
        defer { split.deallocate() }
        for c in 0..<g.channels {
            for img in images {
                split.update(repeating: 0, count: h * splitWidth)
                for tap in 0..<kv {
                    let (_, _, kh, x0, lo, hi) = rowTap(c * kv + tap, g)
                    let offset = splitOffset(x0, half: half)
                    var src = col + (c * kv + tap) * ld + (img - images.lowerBound) * g.outPlane
                    for yo in 0..<oh {
                        let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                        if yi >= 0 && yi < h && hi > lo {
                            let dst = split + yi * splitWidth + offset
                            for xo in lo..<hi { dst[xo] += src[xo] }
                        }
                        src += ow
                    }
                }
                let plane = dx + (c * g.images + img) * g.inPlane
                for yi in 0..<h {
                    let dst = plane + yi * w, src = split + yi * splitWidth
                    var j = 0
                    while 2 * j + 1 < w { dst[2 * j] += src[j]; dst[2 * j + 1] += src[half + j]; j += 1 }
                    if 2 * j < w { dst[2 * j] += src[j] }
                }
            }
        }
    }
}
