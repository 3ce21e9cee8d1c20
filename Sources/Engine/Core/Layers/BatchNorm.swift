import Foundation

/// `nn.BatchNorm2d` / `nn.BatchNorm3d` on channel-major activations (C×N×H×W or C×N×T×H×W).
///
/// Train mode normalises with the batch statistics and updates the running ones PyTorch's way:
/// `running = 0.9·running + 0.1·batch`, with the *unbiased* batch variance (×M/(M−1)), while normalising with the
/// biased one; `num_batches_tracked` (int64, 0-dim) counts training forwards. Eval mode uses the running
/// statistics. State-dict names: weight, bias, running_mean, running_var, num_batches_tracked.
public final class BatchNorm: Layer {
    public let weight: Parameter, bias: Parameter
    public let runningMean: Buffer, runningVar: Buffer, numBatchesTracked: Buffer
    public let channels: Int
    public let eps: Float, momentum: Float
    /// 2 or 3: the dimensionality it is registered as (BatchNorm2d / BatchNorm3d), for shape checks only.
    public let dims: Int
    public var isTraining = true

    // Saved for backward.
    /// The input and each channel's mean and σ⁻¹ as used: backward recomputes x̂ = (x − mean)·σ⁻¹ from them (the same
    /// operations as forward, so the same bits) instead of forward writing an x̂ tensor beside y.
    private var input: Tensor?
    private var means: [Float] = []
    private var invStd: [Float] = []
    private var usedBatchStats = true

    public init(_ channels: Int, dims: Int = 2, eps: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels
        self.dims = dims
        self.eps = eps
        self.momentum = momentum
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor.zeros([channels]))
        runningMean = Buffer(.float32(Tensor.zeros([channels])))
        runningVar = Buffer(.float32(Tensor(shape: [channels], repeating: 1)))
        numBatchesTracked = Buffer(.int64(shape: [], values: [0]))
    }

    public var parameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public var buffers: [(String, Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }
    public var kind: ModuleKind { .normalization }

    /// Σd and Σd·h with h = (x − mean)·istd, for a channel in double precision (Σx and Σx² with d = x, mean 0,
    /// istd 1: exact), over eight interleaved partial sums: a single running sum is one long dependency chain the CPU
    /// cannot overlap; this order is fixed, so results stay bit-for-bit repeatable.
    @inline(__always)
    static func sums(_ d: UnsafePointer<Float>, times x: UnsafePointer<Float>, minus mean: Float = 0, scaledBy istd: Float = 1,
                     count m: Int) -> (Double, Double) {
        var a = SIMD4<Double>(), b = SIMD4<Double>(), qa = SIMD4<Double>(), qb = SIMD4<Double>()
        let mv = SIMD8<Float>(repeating: mean), iv = SIMD8<Float>(repeating: istd)
        var i = 0
        while i + 8 <= m {
            let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD8<Float>.self)
            let hv = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
            let dl = SIMD4<Double>(dv.lowHalf), dh = SIMD4<Double>(dv.highHalf)
            a += dl; b += dh; qa += dl * SIMD4<Double>(hv.lowHalf); qb += dh * SIMD4<Double>(hv.highHalf)
            i += 8
        }
        var s = (a + b).sum(), s2 = (qa + qb).sum()
        while i < m { s += Double(d[i]); s2 += Double(d[i]) * Double((x[i] - mean) * istd); i += 1 }
        return (s, s2)
    }

    /// y = x̂·g + β with x̂ = (x − mean)·istd, eight lanes at a time: the same float operations per element as the
    /// scalar loop (so the same bits), which the compiler did not vectorise (the pointers may alias).
    @inline(__always)
    static func normalize(_ x: UnsafePointer<Float>, mean: Float, istd: Float, g: Float, beta: Float,
                          into y: UnsafeMutablePointer<Float>, count m: Int) {
        var i = 0
        let mv = SIMD8<Float>(repeating: mean), iv = SIMD8<Float>(repeating: istd)
        let gv = SIMD8<Float>(repeating: g), bv = SIMD8<Float>(repeating: beta)
        while i + 8 <= m {
            let n = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
            UnsafeMutableRawPointer(y + i).storeBytes(of: n * gv + bv, as: SIMD8<Float>.self)
            i += 8
        }
        while i < m { let n = (x[i] - mean) * istd; y[i] = n * g + beta; i += 1 }
    }

    /// dx = scale·(dy − mean(dy) − x̂·mean(dy·x̂)) with x̂ = (x − mean)·istd, eight lanes at a time (same operations
    /// as the scalar form).
    @inline(__always)
    static func inputGradient(_ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, istd: Float, meanDy: Float,
                              meanDyH: Float, scale: Float, into out: UnsafeMutablePointer<Float>, count m: Int) {
        var i = 0
        let md = SIMD8<Float>(repeating: meanDy), mh = SIMD8<Float>(repeating: meanDyH), sv = SIMD8<Float>(repeating: scale)
        let mv = SIMD8<Float>(repeating: mean), iv = SIMD8<Float>(repeating: istd)
        while i + 8 <= m {
            let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD8<Float>.self)
            let hv = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * iv
            UnsafeMutableRawPointer(out + i).storeBytes(of: sv * (dv - md - hv * mh), as: SIMD8<Float>.self)
            i += 8
        }
        while i < m { out[i] = scale * (d[i] - meanDy - ((x[i] - mean) * istd) * meanDyH); i += 1 }
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == dims + 2 && x.shape[0] == channels, "BatchNorm expects \(channels)×N×… input, got \(x.shape)")
        let m = x.count / channels
        var y = Tensor(uninitialized: x.shape)
        var inv = [Float](repeating: 0, count: channels), usedMeans = [Float](repeating: 0, count: channels)
        let training = isTraining
        usedBatchStats = training
        var batchMean = [Double](repeating: 0, count: channels), batchVar = [Double](repeating: 0, count: channels)
        var rm = runningMean.tensor, rv = runningVar.tensor
        x.withData { xp in
            y.withMutableData { yp in
                usedMeans.withUnsafeMutableBufferPointer { mp in
                    weight.value.withData { w in
                        bias.value.withData { b in
                            rm.withData { rmp in
                                rv.withData { rvp in
                                    inv.withUnsafeMutableBufferPointer { invp in
                                        batchMean.withUnsafeMutableBufferPointer { bm in
                                            batchVar.withUnsafeMutableBufferPointer { bv in
                                                Parallel.forChunks(channels) { range in
                                                    for c in range {
                                                        let src = xp + c * m, dst = yp + c * m
                                                        var mean: Float, istd: Float
                                                        if training {
                                                            let (s, s2) = Self.sums(src, times: src, count: m)
                                                            let mu = s / Double(m)
                                                            let variance = max(0, s2 / Double(m) - mu * mu)
                                                            bm[c] = mu
                                                            bv[c] = variance
                                                            mean = Float(mu)
                                                            istd = Float(1 / (variance + Double(eps)).squareRoot())
                                                        } else {
                                                            mean = rmp[c]
                                                            istd = 1 / (rvp[c] + eps).squareRoot()
                                                        }
                                                        invp[c] = istd
                                                        mp[c] = mean
                                                        let g = w[c], beta = b[c]
                                                        Self.normalize(src, mean: mean, istd: istd, g: g, beta: beta, into: dst, count: m)
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
        }
        if training {
            let unbias = m > 1 ? Double(m) / Double(m - 1) : 1
            let mom = Double(momentum)
            rm.withMutableData { p in for c in 0..<channels { p[c] = Float((1 - mom) * Double(p[c]) + mom * batchMean[c]) } }
            rv.withMutableData { p in
                for c in 0..<channels { p[c] = Float((1 - mom) * Double(p[c]) + mom * batchVar[c] * unbias) }
            }
            runningMean.tensor = rm
            runningVar.tensor = rv
            if case .int64(let shape, let values) = numBatchesTracked.value {
                numBatchesTracked.value = .int64(shape: shape, values: [values[0] + 1])
            }
        }
        input = x
        means = usedMeans
        invStd = inv
        return y
    }

    /// Batch statistics: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)); running statistics: dx = γ·σ⁻¹·dy.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("BatchNorm.backward without forward") }
        let m = dy.count / channels
        var dx = Tensor(uninitialized: dy.shape)
        let batch = usedBatchStats
        let inv = invStd, mu = means
        let trainAffine = weight.requiresGrad
        dy.withData { d in
            x.withData { xp in
                dx.withMutableData { dxp in
                    weight.value.withData { w in
                        weight.grad.withMutableData { dw in
                            bias.grad.withMutableData { db in
                                Parallel.forChunks(channels) { range in
                                    for c in range {
                                        let dc = d + c * m, xc = xp + c * m, out = dxp + c * m
                                        let (sumDy, sumDyH) = Self.sums(dc, times: xc, minus: mu[c], scaledBy: inv[c], count: m)
                                        if trainAffine {
                                            dw[c] += Float(sumDyH)
                                            db[c] += Float(sumDy)
                                        }
                                        let scale = w[c] * inv[c]
                                        if batch {
                                            let meanDy = Float(sumDy / Double(m)), meanDyH = Float(sumDyH / Double(m))
                                            Self.inputGradient(dc, xc, mean: mu[c], istd: inv[c], meanDy: meanDy, meanDyH: meanDyH,
                                                               scale: scale, into: out, count: m)
                                        } else {
                                            for i in 0..<m { out[i] = scale * dc[i] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
