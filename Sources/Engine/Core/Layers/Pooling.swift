import CKernels

/// `nn.MaxPool2d` / `nn.MaxPool3d` on channel-major activations; padding counts as −∞ (never the maximum).
/// Each (channel, image) plane is independent, so planes are split over the cores; the argmax of every output is
/// kept for backward.
public final class MaxPool: Layer, PiecewiseLinear {
    public let dims: Int
    public var freezesPattern = false
    public let kernel: (t: Int, h: Int, w: Int), stride: (t: Int, h: Int, w: Int), padding: (t: Int, h: Int, w: Int)
    public var isTraining = true
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []

    /// 2-D pooling (PyTorch MaxPool2d(kernel, stride, padding)).
    public convenience init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        let s = stride ?? kernel
        self.init(dims: 2, kernel: (1, kernel, kernel), stride: (1, s, s), padding: (0, padding, padding))
    }

    public init(dims: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int)) {
        self.dims = dims
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    /// A 3-D pool whose windows stay within one frame ((1, kh, kw), temporal stride 1, no temporal padding, as
    /// I3D's and SlowOnly's pool1) pools each frame as an image: the same outputs, on the 2-D C kernel.
    var poolsFramesAsImages: Bool { dims == 3 && kernel.t == 1 && stride.t == 1 && padding.t == 0 }

    /// The pooling's geometry on an input of `shape`; frames count as images where `poolsFramesAsImages`, so the
    /// argmax indices (and backward) are per frame there.
    func geometry(_ shape: [Int]) -> ConvGeometry {
        if poolsFramesAsImages {
            return ConvGeometry(channels: shape[0], images: shape[1] * shape[2], depth: 1, height: shape[3], width: shape[4],
                                kernel: (1, kernel.h, kernel.w), stride: (1, stride.h, stride.w), padding: (0, padding.h, padding.w))
        }
        return ConvGeometry(channels: shape[0], images: shape[1], depth: dims == 3 ? shape[2] : 1,
                            height: shape[dims == 3 ? 3 : 2], width: shape[dims == 3 ? 4 : 3],
                            kernel: kernel, stride: stride, padding: padding)
    }

    static func outputShape(_ x: Tensor, _ g: ConvGeometry, dims: Int) -> [Int] {
        dims == 3 ? [x.shape[0], x.shape[1], g.outDepth, g.outHeight, g.outWidth]
            : [x.shape[0], x.shape[1], g.outHeight, g.outWidth]
    }

    public func forward(_ x: Tensor) -> Tensor {
        let g = geometry(x.shape)
        var y = Tensor(uninitialized: poolsFramesAsImages ? [x.shape[0], x.shape[1], x.shape[2], g.outHeight, g.outWidth]
                                                          : Self.outputShape(x, g, dims: dims))
        let planes = g.channels * g.images
        if freezesPattern, inputShape == x.shape {
            let (inP, outP) = (g.inPlane, g.outPlane)
            x.withData { xp in y.withMutableData { yp in
                for p in 0..<planes { for o in 0..<outP { yp[p * outP + o] = xp[p * inP + Int(argmax[p * outP + o])] } }
            } }
            return y
        }
        let (inP, outP) = (g.inPlane, g.outPlane)
        // Indices only where something reads them: backward (training), a frozen pattern, the 3-D loop's own
        // bookkeeping. Eval's 2-D pooling skips them (and the array).
        let planar = Self.isPlanar(g), keepsIndices = isTraining || freezesPattern || !planar
        var arg = [Int32](repeating: 0, count: keepsIndices ? planes * outP : 0)
        x.withData { xp in
            y.withMutableData { yp in
                arg.withUnsafeMutableBufferPointer { ap in
                    Parallel.forChunks(planes) { range in
                        if planar {
                            // 2-D windows: the per-ISA C kernel (Sources/Engine/CKernels/LayerBody.h), a chunk per call.
                            let split = UnsafeMutablePointer<Float>.allocate(capacity: reel_maxpool_rows_split_floats(g.height, g.width, g.kernel.w, g.stride.w, g.padding.w, g.outWidth))
                            defer { split.deallocate() }
                            reel_maxpool2d_rows(xp + range.lowerBound * inP, range.count, g.height, g.width, g.kernel.h,
                                                g.kernel.w, g.stride.h, g.stride.w, g.padding.h, g.padding.w, g.outHeight,
                                                g.outWidth, yp + range.lowerBound * outP,
                                                keepsIndices ? ap.baseAddress! + range.lowerBound * outP : nil, split)
                            return
                        }
                        let ow = g.outWidth
                        for p in range {
                            let src = xp + p * inP
                            for zo in 0..<g.outDepth {
                                let z0 = zo * g.stride.t - g.padding.t
                                let zlo = max(0, z0), zhi = min(g.depth, z0 + g.kernel.t)
                                for yo in 0..<g.outHeight {
                                    let y0 = yo * g.stride.h - g.padding.h
                                    let ylo = max(0, y0), yhi = min(g.height, y0 + g.kernel.h)
                                    // A whole output row at a time: taps in window order (t, y, x), each tap a pass
                                    // over the row's outputs — independent across outputs, so the CPU overlaps them
                                    // (one output at a time is a serial compare chain). Strict `>` keeps the first
                                    // maximum, as PyTorch.
                                    let o0 = p * outP + (zo * g.outHeight + yo) * ow
                                    let best = yp + o0, at = ap.baseAddress! + o0
                                    for xo in 0..<ow { best[xo] = -.infinity; at[xo] = -1 }
                                    for zi in zlo..<zhi {
                                        for yi in ylo..<yhi {
                                            let row = (zi &* g.height &+ yi) &* g.width
                                            for kw in 0..<g.kernel.w {
                                                let x0 = kw &- g.padding.w
                                                let (xlo, xhi) = g.outputColumns(tapOffset: x0)
                                                var xo = xlo
                                                while xo < xhi {
                                                    let idx = row &+ xo &* g.stride.w &+ x0
                                                    let v = src[idx]
                                                    if v > best[xo] || at[xo] < 0 { best[xo] = v; at[xo] = Int32(truncatingIfNeeded: idx) }
                                                    xo &+= 1
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        argmax = arg
        inputShape = x.shape
        return y
    }

    /// 2-D windows (depth 1), which the C kernel pools; 3-D ones take the Swift loop.
    static func isPlanar(_ g: ConvGeometry) -> Bool { g.depth == 1 && g.kernel.t == 1 }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(argmax.count == dy.count, "MaxPool.backward without a training forward")
        var dx = Tensor.zeros(inputShape)
        let g = geometry(inputShape)
        let planes = g.channels * g.images, inP = g.inPlane, outP = g.outPlane
        dy.withData { d in
            dx.withMutableData { out in
                argmax.withUnsafeBufferPointer { ap in
                    Parallel.forChunks(planes) { range in
                        for p in range {
                            let dst = out + p * inP
                            for o in (p * outP)..<((p + 1) * outP) where ap[o] >= 0 { dst[Int(ap[o])] += d[o] }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// `nn.AvgPool2d` / `nn.AvgPool3d` with PyTorch's defaults (padding zeros counted in the average:
/// count_include_pad=True). Channel-major activations.
public final class AvgPool: Layer {
    public let dims: Int
    public let kernel: (t: Int, h: Int, w: Int), stride: (t: Int, h: Int, w: Int), padding: (t: Int, h: Int, w: Int)
    public var isTraining = true
    private var inputShape: [Int] = []

    public init(dims: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int) = (0, 0, 0)) {
        self.dims = dims
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    func geometry(_ shape: [Int]) -> ConvGeometry {
        ConvGeometry(channels: shape[0], images: shape[1], depth: dims == 3 ? shape[2] : 1,
                     height: shape[dims == 3 ? 3 : 2], width: shape[dims == 3 ? 4 : 3],
                     kernel: kernel, stride: stride, padding: padding)
    }

    /// Calls `body(outputIndex, inputIndex)` for every (window, element) pair of one plane.
    @inline(__always)
    func forEachTap(_ g: ConvGeometry, _ body: (Int, Int) -> Void) {
        var o = 0
        for zo in 0..<g.outDepth { for yo in 0..<g.outHeight { for xo in 0..<g.outWidth {
            for kt in 0..<g.kernel.t {
                let zi = zo * g.stride.t - g.padding.t + kt
                if zi < 0 || zi >= g.depth { continue }
                for kh in 0..<g.kernel.h {
                    let yi = yo * g.stride.h - g.padding.h + kh
                    if yi < 0 || yi >= g.height { continue }
                    for kw in 0..<g.kernel.w {
                        let xi = xo * g.stride.w - g.padding.w + kw
                        if xi < 0 || xi >= g.width { continue }
                        body(o, (zi * g.height + yi) * g.width + xi)
                    }
                }
            }
            o += 1
        } } }
    }

    public func forward(_ x: Tensor) -> Tensor {
        let g = geometry(x.shape)
        var y = Tensor.zeros(MaxPool.outputShape(x, g, dims: dims))
        let planes = g.channels * g.images, inP = g.inPlane, outP = g.outPlane
        let scale = 1 / Float(g.kernelVolume)
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(planes) { range in
                    for p in range {
                        let src = xp + p * inP, dst = yp + p * outP
                        forEachTap(g) { o, i in dst[o] += src[i] * scale }
                    }
                }
            }
        }
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let g = geometry(inputShape)
        var dx = Tensor.zeros(inputShape)
        let planes = g.channels * g.images, inP = g.inPlane, outP = g.outPlane
        let scale = 1 / Float(g.kernelVolume)
        dy.withData { d in
            dx.withMutableData { out in
                Parallel.forChunks(planes) { range in
                    for p in range {
                        let src = d + p * outP, dst = out + p * inP
                        forEachTap(g) { o, i in dst[i] += src[o] * scale }
                    }
                }
            }
        }
        return dx
    }
}

/// Global average pooling (`nn.AdaptiveAvgPool2d(1)` + flatten): channel-major C×N×(spatial) in, N×C out, the
/// layout the classifier takes.
public final class GlobalAvgPool: Layer {
    public var isTraining = true
    private var inputShape: [Int] = []
    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        let c = x.shape[0], n = x.shape[1], p = x.count / (c * n)
        var y = Tensor(uninitialized: [n, c])
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(c) { range in
                    for ch in range {
                        for img in 0..<n {
                            let src = xp + (ch * n + img) * p
                            var s: Float = 0
                            for i in 0..<p { s += src[i] }
                            yp[img * c + ch] = s / Float(p)
                        }
                    }
                }
            }
        }
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let c = inputShape[0], n = inputShape[1]
        let p = inputShape.dropFirst(2).reduce(1, *)
        var dx = Tensor(uninitialized: inputShape)
        dy.withData { d in
            dx.withMutableData { out in
                Parallel.forChunks(c) { range in
                    for ch in range {
                        for img in 0..<n {
                            let v = d[img * c + ch] / Float(p)
                            (out + (ch * n + img) * p).update(repeating: v, count: p)
                        }
                    }
                }
            }
        }
        return dx
    }
}
