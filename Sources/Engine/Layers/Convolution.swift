/// `nn.Conv2d` / `nn.Conv3d` (stride, padding, dilation, groups, optional bias) on channel-major activations.
///
/// Shapes: input C×N×H×W (2-D) or C×N×T×H×W (3-D); output O×N×H'×W' / O×N×T'×H'×W'. Weight O×(C/groups)×kh×kw
/// (3-D: O×(C/groups)×kt×kh×kw), PyTorch's layout and state-dict names `weight`, `bias`.
/// Forward is im2col + one GEMM per group over all N images; backward gives dW (GEMM with the cached col),
/// db and, unless `computesInputGradient` is false (the stem, as PyTorch), dX via GEMM + col2im.
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

    private var cachedCol: Tensor?
    private var cachedGeometry: ConvGeometry?
    private var cachedInputShape: [Int] = []

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

    func geometry(for x: Tensor) -> ConvGeometry {
        precondition(x.rank == dims + 2 && x.shape[0] == inChannels,
                     "Conv\(dims)d expects \(inChannels)×N×… input, got \(x.shape)")
        return ConvGeometry(channels: inChannels, images: x.shape[1], depth: dims == 3 ? x.shape[2] : 1,
                            height: x.shape[dims == 3 ? 3 : 2], width: x.shape[dims == 3 ? 4 : 3],
                            kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    /// A 1×1(×1) convolution with stride 1 and no padding reads its input directly as the col matrix.
    var isPointwise: Bool {
        kernel == (1, 1, 1) && stride == (1, 1, 1) && padding == (0, 0, 0)
    }

    public func forward(_ x: Tensor) -> Tensor {
        let g = geometry(for: x)
        let cols = g.images * g.outPlane
        let cg = inChannels / groups, og = outChannels / groups
        let k = cg * g.kernelVolume
        var outShape = [outChannels, g.images]
        if dims == 3 { outShape.append(g.outDepth) }
        outShape += [g.outHeight, g.outWidth]
        var y = Tensor(uninitialized: outShape)
        var col: Tensor
        if isPointwise {
            col = x.reshaped([inChannels, cols])
        } else {
            col = Tensor(uninitialized: [groups * k, cols])
            x.withData { xp in col.withMutableData { Im2col.im2col(xp, g, into: $0) } }
        }
        weight.value.withData { w in
            col.withData { c in
                y.withMutableData { yp in
                    for gi in 0..<groups {
                        GEMM.sgemm(m: og, n: cols, k: k, a: w + gi * og * k, lda: k, b: c + gi * k * cols, ldb: cols,
                                   c: yp + gi * og * cols, ldc: cols)
                    }
                    if let b = bias?.value {
                        b.withData { bp in
                            Parallel.forChunks(outChannels) { rows in
                                for o in rows { let row = yp + o * cols; let v = bp[o]; for i in 0..<cols { row[i] += v } }
                            }
                        }
                    }
                }
            }
        }
        if isTraining {
            cachedCol = col
            cachedGeometry = g
            cachedInputShape = x.shape
        } else {
            cachedCol = nil
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let col = cachedCol, let g = cachedGeometry else {
            preconditionFailure("Convolution.backward without a training forward")
        }
        let cols = g.images * g.outPlane
        let cg = inChannels / groups, og = outChannels / groups
        let k = cg * g.kernelVolume
        precondition(dy.count == outChannels * cols, "dy shape \(dy.shape) does not match the forward output")
        dy.withData { d in
            col.withData { c in
                if weight.requiresGrad {
                    weight.grad.withMutableData { dw in
                        for gi in 0..<groups {
                            GEMM.sgemm(transB: true, m: og, n: k, k: cols, a: d + gi * og * cols, lda: cols,
                                       b: c + gi * k * cols, ldb: cols, beta: 1, c: dw + gi * og * k, ldc: k)
                        }
                    }
                }
                if let bias, bias.requiresGrad {
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
        guard computesInputGradient else { return Tensor.zeros([0]) }
        var dx = Tensor(uninitialized: cachedInputShape)
        dy.withData { d in
            weight.value.withData { w in
                if isPointwise {
                    dx.withMutableData { dxp in
                        for gi in 0..<groups {
                            GEMM.sgemm(transA: true, m: k, n: cols, k: og, a: w + gi * og * k, lda: k,
                                       b: d + gi * og * cols, ldb: cols, c: dxp + gi * k * cols, ldc: cols)
                        }
                    }
                } else {
                    var dcol = Tensor(uninitialized: [groups * k, cols])
                    dcol.withMutableData { dc in
                        for gi in 0..<groups {
                            GEMM.sgemm(transA: true, m: k, n: cols, k: og, a: w + gi * og * k, lda: k,
                                       b: d + gi * og * cols, ldb: cols, c: dc + gi * k * cols, ldc: cols)
                        }
                    }
                    let total = dx.count
                    dx.withMutableData { dxp in
                        dxp.update(repeating: 0, count: total)
                        dcol.withData { Im2col.col2im($0, g, into: dxp) }
                    }
                }
            }
        }
        return dx
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
