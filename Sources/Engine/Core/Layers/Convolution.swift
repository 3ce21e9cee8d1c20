
/// `nn.Conv2d` / `nn.Conv3d` (stride, padding, dilation, groups, optional bias) on channel-major activations.
///
/// Shapes: input C×N×H×W (2-D) or C×N×T×H×W (3-D); output O×N×H'×W' / O×N×T'×H'×W'. Weight O×(C/groups)×kh×kw
/// (3-D: O×(C/groups)×kt×kh×kw), PyTorch's layout and state-dict names `weight`, `bias`.
/// Forward runs tile by tile over images (im2col + one single-threaded GEMM per group, tiles split over the
/// cores); in training the col matrix is kept for backward's dW, in eval a cache-sized tile buffer is reused.
/// Unless `computesInputGradient` is false (the stem, as PyTorch), backward computes dX via GEMM + col2im.
/// 3×3 stride-1 convolutions run as Winograd F(4×4, 3×3) or F(2×2, 3×3) instead, those on planes of at most 2×2 as one GEMM
/// over stacked positions, and thin or strided ones (the stem, downsampling) by a direct kernel (`algorithm`;
/// Convolution+Winograd.swift, Convolution+WholePlane.swift, Convolution+Direct.swift). Every path applies its
/// bias (and, on the inference path, a folded BatchNorm and ReLU: `ConvEpilogue`) per output block.
public class Convolution: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, groups: Int, dims: Int
    public let kernel: (t: Int, h: Int, w: Int)
    public let stride: (t: Int, h: Int, w: Int)
    public let padding: (t: Int, h: Int, w: Int)
    public let dilation: (t: Int, h: Int, w: Int)
    public var isTraining = true
    /// False skips dX in backward (nothing upstream needs it).
    public var computesInputGradient = true
    /// How forward and backward compute (Convolution+Winograd.swift); may change between steps.
    public var algorithm = Convolution.defaultAlgorithm

    /// How a training forward computed, so backward takes the same path.
    enum Path { case im2col, winograd, wholePlane, direct, depthwise, temporal }

    /// Saved by a training forward for backward: the path, the input, its col matrix (im2col), transformed tiles V
    /// (Winograd) or stacked positions (whole plane), the transformed weights (Winograd's U, whole plane's Wbig)
    /// and the geometry.
    var cachedPath: Path?
    var cachedInput: Tensor?
    var cachedCol: Tensor?
    var cachedU: Tensor?
    var cachedGeometry: ConvGeometry?
    /// Eval mode: the last transformed weights (Winograd's U, the whole-plane Wbig), the weights and geometry they came
    /// from. Reused while those weights keep their storage (`sharesStorage`): in eval the same weights serve every batch.
    var evalTransform: (source: Tensor, geometry: ConvGeometry, value: Tensor)?
    /// A temporal kernel's planar parts and the weights they were sliced from (Convolution+Temporal.swift).
    var temporalParts: [Conv3d] = []
    var temporalSource: Tensor?
    /// The real input shape when the last training forward ran a (1, kh, kw) conv on frames as images (`planarShape`).
    var planarInputShape: [Int]?
    /// The input shape of the last forward (for benchmarks).
    public private(set) var lastInputShape: [Int]?

    init(dims: Int, inChannels: Int, outChannels: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int),
         padding: (Int, Int, Int), dilation: (Int, Int, Int), groups: Int, bias: Bool) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "channels must divide by groups")
        self.dims = dims
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        let shape = dims == 2 ? [outChannels, inChannels / groups, kernel.1, kernel.2]
            : [outChannels, inChannels / groups, kernel.0, kernel.1, kernel.2]
        weight = Parameter(Tensor.zeros(shape))
        self.bias = bias ? Parameter(Tensor.zeros([outChannels])) : nil
    }

    public var parameters: [(String, Parameter)] {
        bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
    }
    public var kind: ModuleKind { .convolution(dims: dims, inChannels: inChannels, groups: groups) }

    /// Kaiming-normal init with mode fan_out and ReLU gain (std = sqrt(2 / (O·kernel volume))), bias 0:
    /// mmcv's ConvModule init.
    public func kaimingInit(rng: inout Philox) {
        let fanOut = outChannels * (kernel.t * kernel.h * kernel.w)
        weight.value = Tensor.normal(weight.shape, std: (2 / Float(fanOut)).squareRoot(), rng: &rng)
        bias?.value.fill(0)
    }

    public func geometry(for x: Tensor) -> ConvGeometry { geometry(forShape: x.shape) }

    /// The geometry for an input of `shape` (C×N×H×W or C×N×T×H×W).
    public func geometry(forShape shape: [Int]) -> ConvGeometry {
        precondition(shape.count == dims + 2 && shape[0] == inChannels,
                     "Conv\(dims)d expects \(inChannels)×N×… input, got \(shape)")
        return ConvGeometry(channels: inChannels, images: shape[1], depth: dims == 3 ? shape[2] : 1,
                            height: shape[dims == 3 ? 3 : 2], width: shape[dims == 3 ? 4 : 3],
                            kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    /// A 1×1(×1) convolution with stride 1 and no padding reads its input directly as the col matrix.
    var isPointwise: Bool {
        kernel == (1, 1, 1) && stride == (1, 1, 1) && padding == (0, 0, 0)
    }

    /// Images per tile: enough columns for an efficient GEMM, a col matrix small enough (~2 MB) to stay in cache.
    func tileImages(_ g: ConvGeometry) -> Int {
        let bytesPerImage = (inChannels * g.kernelVolume) * g.outPlane * 4
        return max(1, min(g.images, (2 << 20) / max(1, bytesPerImage)))
    }

    public func forward(_ x: Tensor) -> Tensor {
        forward(x, weights: weight.value, epilogue: ConvEpilogue(bias: bias?.value))
    }

    /// The inference path's forward (eval mode only): `weights` in place of the layer's own (a folded BatchNorm's
    /// scale already in them), then y = relu?(y + bias + residual) on each output block as it is computed. Nothing is
    /// kept for backward.
    public func inferenceForward(_ x: Tensor, weights: Tensor, bias: Tensor?, residual: Tensor? = nil, relu: Bool) -> Tensor {
        precondition(!isTraining, "inferenceForward in training mode")
        precondition(weights.shape == weight.shape, "folded weights \(weights.shape) for a \(weight.shape) convolution")
        return forward(x, weights: weights, epilogue: ConvEpilogue(bias: bias, residual: residual, relu: relu))
    }

    /// `make()` (weights transformed for geometry `g`), cached across eval forwards; training recomputes it each step
    /// (its weights change every step, and holding them would make the optimizer's update copy them).
    func transformedWeights(_ weights: Tensor, _ g: ConvGeometry, _ make: () -> Tensor) -> Tensor {
        guard !isTraining else { evalTransform = nil; return make() }
        if let t = evalTransform, t.source.sharesStorage(with: weights), t.geometry == g { return t.value }
        let value = make()
        evalTransform = (weights, g, value)
        return value
    }

    /// How forward computes on input geometry `g`: "depthwise", "plane" (whole-plane GEMM), "winograd", "direct" or
    /// "im2col".
    public func pathName(_ g: ConvGeometry) -> String {
        let g = planarGeometry(g)
        return usesDepthwise(g) ? "depthwise"
            : usesTemporalSplit(g) ? "\(g.kernel.t)x " + temporalPartName(g) : usesWholePlane(g) ? "plane" : usesWinograd(g) ? "winograd"
            : usesDirect(g) ? "direct" : "im2col"
    }

    func forward(_ x: Tensor, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        if let flat = planarShape(x.shape) {
            let y = forwardShaped(x.reshaped(flat), weights: weights, epilogue: epilogue)
            lastInputShape = x.shape
            planarInputShape = isTraining ? x.shape : nil
            return y.reshaped([outChannels, x.shape[1], x.shape[2], y.shape[3], y.shape[4]])
        }
        planarInputShape = nil
        return forwardShaped(x, weights: weights, epilogue: epilogue)
    }

    func forwardShaped(_ x: Tensor, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        let g = geometry(for: x)
        lastInputShape = x.shape
        if usesDepthwise(g) { return depthwiseForward(x, g, weights: weights, epilogue: epilogue) }
        if usesTemporalSplit(g) { return temporalForward(x, g, weights: weights, epilogue: epilogue) }
        if usesWholePlane(g) { return wholePlaneForward(x, g, weights: weights, epilogue: epilogue) }
        if usesWinograd(g) { return winogradForward(x, g, weights: weights, epilogue: epilogue) }
        if usesDirect(g) {
            let y = directForward(x, g, weights: weights, epilogue: epilogue)
            keepForBackward(.direct, input: x, col: nil, weights: nil, g)
            return y
        }
        let cols = g.images * g.outPlane
        let cg = inChannels / groups, og = outChannels / groups
        let k = cg * g.kernelVolume
        var y = Tensor(uninitialized: outputShape(g))
        let pointwise = isPointwise, tile = tileImages(g), p = g.outPlane, groups = self.groups
        // Training keeps the whole col matrix (K×N·P) for backward's dW; eval uses a small per-tile buffer.
        // The previous step's col matrix is reused when its shape fits: it is the largest buffer of a step (the stem's
        // is 38 MB on the small bench, 118 MB on the medium one), above what malloc keeps for reuse.
        var saved: Tensor? = nil
        if isTraining && !pointwise {
            if cachedCol?.shape == [groups * k, cols] { saved = cachedCol }   // moved, not shared: no copy on write
            cachedCol = nil
            if saved == nil { saved = Tensor(uninitialized: [groups * k, cols]) }
        } else {
            cachedCol = nil
        }
        let savedPointer = saved?.withMutableData { $0 }
        x.withData { xp in
            weights.withData { w in
                y.withMutableData { yp in
                    Parallel.forChunks(g.images) { range in
                        let buffer = pointwise || savedPointer != nil ? nil
                            : UnsafeMutablePointer<Float>.allocate(capacity: groups * k * tile * p)
                        defer { buffer?.deallocate() }
                        for start in Swift.stride(from: range.lowerBound, to: range.upperBound, by: tile) {
                            let imgs = start..<min(range.upperBound, start + tile)
                            let n = imgs.count * p
                            let (col, ldb) = Self.tileCol(xp, g, imgs, pointwise: pointwise, saved: savedPointer,
                                                          fillSaved: true, buffer: buffer)
                            for gi in 0..<groups {
                                GEMM.sgemm(m: og, n: n, k: k, a: w + gi * og * k, lda: k, b: col + gi * k * ldb, ldb: ldb,
                                           c: yp + gi * og * cols + imgs.lowerBound * p, ldc: cols)
                            }
                            let columns = imgs.lowerBound * p..<imgs.lowerBound * p + n
                            epilogue.apply(yp, channels: 0..<outChannels, columns: columns, total: cols)
                        }
                    }
                }
            }
        }
        keepForBackward(.im2col, input: x, col: saved, weights: nil, g)
        return y
    }

    /// After a forward: what backward needs in training (the path, input, col-like matrix, transformed weights),
    /// nothing in eval. The caller's own reference to the col matrix ends with its forward, so the next step finds
    /// it uniquely held and reuses it without a copy.
    func keepForBackward(_ path: Path, input: Tensor, col: Tensor?, weights: Tensor?, _ g: ConvGeometry) {
        cachedPath = isTraining ? path : nil
        cachedInput = isTraining ? input : nil
        cachedCol = isTraining ? col : nil
        cachedU = isTraining ? weights : nil
        cachedGeometry = g
    }

    /// O×N(×T')×H'×W' for input geometry `g`.
    func outputShape(_ g: ConvGeometry) -> [Int] {
        [outChannels, g.images] + (dims == 3 ? [g.outDepth] : []) + [g.outHeight, g.outWidth]
    }

    /// A tile's col matrix and its row stride: the input itself for a pointwise conv; else columns of the saved
    /// training matrix (filled by im2col in forward, `fillSaved`, read as they are in backward) or, in eval, the
    /// tile buffer.
    @inline(__always)
    static func tileCol(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, _ imgs: Range<Int>, pointwise: Bool,
                        saved: UnsafeMutablePointer<Float>?, fillSaved: Bool,
                        buffer: UnsafeMutablePointer<Float>?) -> (UnsafePointer<Float>, Int) {
        let p = g.outPlane, cols = g.images * p
        if pointwise { return (xp + imgs.lowerBound * p, cols) }
        if let saved {
            if fillSaved { Im2col.im2col(xp, g, images: imgs, into: saved + imgs.lowerBound * p, ld: cols) }
            return (UnsafePointer(saved + imgs.lowerBound * p), cols)
        }
        Im2col.im2col(xp, g, images: imgs, into: buffer!, ld: imgs.count * p)
        return (UnsafePointer(buffer!), imgs.count * p)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dx = backwardShaped(dy)
        weight.gradientReady()
        bias?.gradientReady()
        if let shape = planarInputShape, dx.count == shape.reduce(1, *) { return dx.reshaped(shape) }
        return dx
    }

    func backwardShaped(_ dy: Tensor) -> Tensor {
        guard let x = cachedInput, let g = cachedGeometry else {
            preconditionFailure("Convolution.backward without a training forward")
        }
        let cols = g.images * g.outPlane
        precondition(dy.count == outChannels * cols, "dy shape \(dy.shape) does not match the forward output")
        if cachedPath == .depthwise { return depthwiseBackward(dy, x, g) }
        if cachedPath == .temporal { return temporalBackward(dy, g) }
        if cachedPath == .winograd || cachedPath == .wholePlane {
            let dx = cachedPath == .winograd ? winogradBackward(dy, x, g) : wholePlaneBackward(dy, x, g)
            accumulateBiasGradient(dy, cols: cols)
            return dx
        }
        if cachedPath == .direct && !computesInputGradient {
            directWeightGradient(dy, x, g)
            accumulateBiasGradient(dy, cols: cols)
            return Tensor.zeros([0])
        }
        // After a direct forward (or with no col matrix saved), the col matrix is rebuilt tile by tile.
        let cg = inChannels / groups, og = outChannels / groups
        let k = cg * g.kernelVolume
        let pointwise = isPointwise, tile = tileImages(g), p = g.outPlane, groups = self.groups
        let wantsWeight = weight.requiresGrad, wantsInput = computesInputGradient
        var dx = wantsInput ? Tensor.zeros(x.shape) : Tensor.zeros([0])
        let workers = Parallel.workerCount(g.images)
        // Each worker sums its tiles' weight gradients privately; they are added up at the end.
        var partial = [Float](repeating: 0, count: wantsWeight ? workers * outChannels * k : 0)
        let savedCol = cachedCol
        let savedPointer = savedCol?.withData { $0 }
        x.withData { xp in
            dy.withData { d in
                weight.value.withData { w in
                    dx.withMutableData { dxp in
                        partial.withUnsafeMutableBufferPointer { dwAll in
                            Parallel.forWorkers(g.images) { worker, range in
                                let dwLocal = wantsWeight ? dwAll.baseAddress! + worker * outChannels * k : nil
                                let buffer = pointwise || savedPointer != nil ? nil
                                    : UnsafeMutablePointer<Float>.allocate(capacity: groups * k * tile * p)
                                let dcol = pointwise || !wantsInput ? nil : UnsafeMutablePointer<Float>.allocate(capacity: groups * k * tile * p)
                                defer { buffer?.deallocate(); dcol?.deallocate() }
                                for start in Swift.stride(from: range.lowerBound, to: range.upperBound, by: tile) {
                                    let imgs = start..<min(range.upperBound, start + tile)
                                    let n = imgs.count * p
                                    let (col, ldb) = Self.tileCol(xp, g, imgs, pointwise: pointwise,
                                                                  saved: savedPointer.map { UnsafeMutablePointer(mutating: $0) },
                                                                  fillSaved: false, buffer: buffer)
                                    for gi in 0..<groups {
                                        let dyTile = d + gi * og * cols + imgs.lowerBound * p
                                        if let dwLocal {
                                            GEMM.sgemm(transB: true, m: og, n: k, k: n, a: dyTile, lda: cols,
                                                       b: col + gi * k * ldb, ldb: ldb, beta: 1, c: dwLocal + gi * og * k, ldc: k)
                                        }
                                        if wantsInput {
                                            if pointwise {
                                                GEMM.sgemm(transA: true, m: k, n: n, k: og, a: w + gi * og * k, lda: k, b: dyTile,
                                                           ldb: cols, c: dxp + gi * k * cols + imgs.lowerBound * p, ldc: cols)
                                            } else {
                                                GEMM.sgemm(transA: true, m: k, n: n, k: og, a: w + gi * og * k, lda: k, b: dyTile,
                                                           ldb: cols, c: dcol! + gi * k * n, ldc: n)
                                            }
                                        }
                                    }
                                    if wantsInput && !pointwise { Im2col.col2im(dcol!, g, images: imgs, ld: n, into: dxp) }
                                }
                            }
                        }
                    }
                }
            }
        }
        if wantsWeight {
            weight.grad.withMutableData { dw in
                partial.withUnsafeBufferPointer { parts in
                    for wk in 0..<workers { let src = parts.baseAddress! + wk * outChannels * k; for i in 0..<(outChannels * k) { dw[i] += src[i] } }
                }
            }
        }
        accumulateBiasGradient(dy, cols: cols)
        return dx
    }

    /// db[o] += Σ dy[o, ·].
    func accumulateBiasGradient(_ dy: Tensor, cols: Int) {
        if let bias, bias.requiresGrad {
            dy.withData { d in
                bias.grad.withMutableData { db in
                    Parallel.forChunks(outChannels) { rows in
                        for o in rows {
                            let row = d + o * cols
                            var s: Float = 0
                            for i in 0..<cols { s += row[i] }
                            db[o] += s
                        }
                    }
                }
            }
        }
    }
}

/// `nn.Conv2d`.
public final class Conv2d: Convolution {
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        super.init(dims: 2, inChannels: inChannels, outChannels: outChannels, kernel: (1, kernel, kernel),
                   stride: (1, stride, stride), padding: (0, padding, padding), dilation: (1, dilation, dilation),
                   groups: groups, bias: bias)
    }
}

/// `nn.Conv3d` (kernel, stride, padding, dilation as (t, h, w)).
public final class Conv3d: Convolution {
    public init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                padding: (Int, Int, Int) = (0, 0, 0), dilation: (Int, Int, Int) = (1, 1, 1), groups: Int = 1,
                bias: Bool = true) {
        super.init(dims: 3, inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride,
                   padding: padding, dilation: dilation, groups: groups, bias: bias)
    }
}
