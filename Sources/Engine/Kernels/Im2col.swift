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

    public static func == (a: ConvGeometry, b: ConvGeometry) -> Bool {
        a.channels == b.channels && a.images == b.images && a.depth == b.depth && a.height == b.height
            && a.width == b.width && a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding
            && a.dilation == b.dilation
    }
}

/// im2col / col2im on channel-major activations.
///
/// Why this shape: activations are C×N×(T×)H×W, so row (c, kt, kh, kw) of `col` (K = C·kt·kh·kw rows,
/// N·P columns, P = output plane) is one strided gather of channel c across all images; a single GEMM
/// `W[O×K]·col` then yields the output already channel-major. Rows are independent, so both cores split them;
/// col2im splits by channel so no two threads write the same input element.
public enum Im2col {
    /// Fills `col` (K×(N·P)) from `x` (channels `c0..<c0+cCount` of a C×N×plane tensor).
    public static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, channelOffset c0: Int = 0,
                              channelCount: Int? = nil, into col: UnsafeMutablePointer<Float>) {
        let cCount = channelCount ?? g.channels
        let kv = g.kernelVolume
        let (od, oh, ow) = (g.outDepth, g.outHeight, g.outWidth)
        let cols = g.images * od * oh * ow
        let n = g.images, inPlane = g.inPlane
        Parallel.forChunks(cCount * kv, grain: 4) { rows in
            for row in rows {
                let c = row / kv
                var r = row % kv
                let kw = r % g.kernel.w; r /= g.kernel.w
                let kh = r % g.kernel.h
                let kt = r / g.kernel.h
                var dst = col + row * cols
                let src = x + (c0 + c) * n * inPlane
                for img in 0..<n {
                    let plane = src + img * inPlane
                    for zo in 0..<od {
                        let zi = zo * g.stride.t - g.padding.t + kt * g.dilation.t
                        if zi < 0 || zi >= g.depth {
                            dst.update(repeating: 0, count: oh * ow); dst += oh * ow; continue
                        }
                        let slice = plane + zi * g.height * g.width
                        for yo in 0..<oh {
                            let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                            if yi < 0 || yi >= g.height {
                                dst.update(repeating: 0, count: ow); dst += ow; continue
                            }
                            let line = slice + yi * g.width
                            let x0 = kw * g.dilation.w - g.padding.w
                            if g.stride.w == 1 {
                                // Contiguous run: zeros on the left/right edges, one copy in between.
                                let lo = max(0, -x0), hi = min(ow, g.width - x0)
                                if lo > 0 { dst.update(repeating: 0, count: min(lo, ow)) }
                                if hi > lo { (dst + lo).update(from: line + x0 + lo, count: hi - lo) }
                                if hi < ow { (dst + max(hi, lo)).update(repeating: 0, count: ow - max(hi, lo)) }
                            } else {
                                for xo in 0..<ow {
                                    let xi = xo * g.stride.w + x0
                                    dst[xo] = (xi >= 0 && xi < g.width) ? line[xi] : 0
                                }
                            }
                            dst += ow
                        }
                    }
                }
            }
        }
    }

    /// Adds `col` (K×(N·P)) back into `dx` (C×N×plane): the adjoint of `im2col`. `dx` must be zeroed (or hold
    /// what should be accumulated).
    public static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, channelOffset c0: Int = 0,
                              channelCount: Int? = nil, into dx: UnsafeMutablePointer<Float>) {
        let cCount = channelCount ?? g.channels
        let kv = g.kernelVolume
        let (od, oh, ow) = (g.outDepth, g.outHeight, g.outWidth)
        let cols = g.images * od * oh * ow
        let n = g.images, inPlane = g.inPlane
        Parallel.forChunks(cCount, grain: 1) { channels in
            for c in channels {
                let dstChannel = dx + (c0 + c) * n * inPlane
                for r0 in 0..<kv {
                    var r = r0
                    let kw = r % g.kernel.w; r /= g.kernel.w
                    let kh = r % g.kernel.h
                    let kt = r / g.kernel.h
                    var src = col + (c * kv + r0) * cols
                    for img in 0..<n {
                        let plane = dstChannel + img * inPlane
                        for zo in 0..<od {
                            let zi = zo * g.stride.t - g.padding.t + kt * g.dilation.t
                            if zi < 0 || zi >= g.depth { src += oh * ow; continue }
                            let slice = plane + zi * g.height * g.width
                            for yo in 0..<oh {
                                let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                                if yi < 0 || yi >= g.height { src += ow; continue }
                                let line = slice + yi * g.width
                                let x0 = kw * g.dilation.w - g.padding.w
                                let lo = max(0, (-x0 + g.stride.w - 1) / g.stride.w)
                                let hi = min(ow, (g.width - x0 + g.stride.w - 1) / g.stride.w)
                                if hi > lo {
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
        }
    }
}
