import CKernels

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
        if usesKernel(g) { return im2colKernel(x, g, images: images, into: col, ld: ld) }
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
        if usesKernel(g) { return col2imKernel(col, g, images: images, ld: ld, into: dx) }
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

    /// True for the geometries the per-ISA C kernels handle: every 2-D convolution (depth 1, any stride, padding
    /// and dilation). Each input plane is split once into its stride phases (zero-padded), so every window row is a
    /// contiguous vector copy (Sources/Engine/CKernels/LayerBody.h). Why: the strided convs' rows are 2–8 floats on
    /// the later stages, where the generic loop's per-row bookkeeping cost more than the copies (the stride-2 3×3
    /// and 1×1 convs ran at 33–67 GFLOP/s on the small bench, im2col 6 % of a step).
    @inline(__always)
    static func usesKernel(_ g: ConvGeometry) -> Bool { g.depth == 1 && g.kernel.t == 1 && g.padding.t == 0 }

    /// `im2col` by the C kernel (`usesKernel` geometries; the same values as `im2colGeneric`).
    static func im2colKernel(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                             into col: UnsafeMutablePointer<Float>, ld: Int) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount(g))
        defer { scratch.deallocate() }
        reel_im2col(x + images.lowerBound * g.inPlane, g.images * g.inPlane, g.channels, images.count, g.height, g.width,
                    g.kernel.h, g.kernel.w, g.stride.h, g.stride.w, g.padding.h, g.padding.w, g.dilation.h, g.dilation.w,
                    col, ld, scratch)
    }

    /// `col2im` by the C kernel: bit-identical to `col2imGeneric` when `dx` starts at zero (as a convolution's
    /// backward does: each input element's contributions are summed in the generic order, then added to dx).
    static func col2imKernel(_ col: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                             ld: Int, into dx: UnsafeMutablePointer<Float>) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount(g))
        defer { scratch.deallocate() }
        reel_col2im(col, ld, g.channels, images.count, g.height, g.width, g.kernel.h, g.kernel.w, g.stride.h, g.stride.w,
                    g.padding.h, g.padding.w, g.dilation.h, g.dilation.w, dx + images.lowerBound * g.inPlane,
                    g.images * g.inPlane, scratch)
    }

    static func scratchCount(_ g: ConvGeometry) -> Int {
        reel_im2col_scratch_floats(g.height, g.width, g.kernel.h, g.kernel.w, g.stride.h, g.stride.w, g.padding.h,
                                   g.padding.w, g.dilation.h, g.dilation.w)
    }
}
