import CKernels
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
    /// SyncBN (`norm_cfg=dict(type='SyncBN')`) in data-parallel training: the batch statistics of forward and the
    /// gradient sums of backward are summed over the processes, so K processes × batch b normalise as one × K·b.
    /// Nil: each process normalises with its own batch (BN, and SyncBN in one process).
    public var synchronizer: (any StatisticsSynchronizer)?

    // Saved for backward.
    /// The input and each channel's mean and σ⁻¹ as used: backward recomputes x̂ = (x − mean)·σ⁻¹ from them (the same
    /// operations as forward, so the same bits) instead of forward writing an x̂ tensor beside y.
    private var input: Tensor?
    private var means: [Float] = []
    private var invStd: [Float] = []
    private var usedBatchStats = true
    /// The element count over all processes when the forward normalised with synchronised statistics.
    private var syncedCount: Int?

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

    /// Forward with the batch statistics (training) or the running ones (eval).
    public func forward(_ x: Tensor) -> Tensor { forward(x, relu: false) }

    /// Forward, then with `relu` ReLU (Swift's max(v, 0), as `ReLU.forward`) in the same pass: the fused
    /// ConvModule's BN → ReLU, one pass over the activations instead of two.
    /// Per channel: Σx and Σx² in double over sixteen interleaved partial sums in a fixed order (one running sum is a
    /// dependency chain the CPU cannot overlap; a fixed order keeps results bit-for-bit repeatable, the same under
    /// every ISA), then y = ((x − mean)·istd)·γ + β — the per-ISA C kernels of Sources/Engine/CKernels/LayerBody.h.
    public func forward(_ x: Tensor, relu: Bool) -> Tensor {
        precondition(x.rank == dims + 2 && x.shape[0] == channels, "BatchNorm expects \(channels)×N×… input, got \(x.shape)")
        let m = x.count / channels
        var y = Tensor(uninitialized: x.shape)
        var inv = [Float](repeating: 0, count: channels), usedMeans = [Float](repeating: 0, count: channels)
        let training = isTraining
        usedBatchStats = training
        var batchMean = [Double](repeating: 0, count: channels), batchVar = [Double](repeating: 0, count: channels)
        var rm = runningMean.tensor, rv = runningVar.tensor
        // SyncBN: the statistics of every process's batch, computed before the normalising pass.
        let synced = training ? synchronizer.map { syncedStatistics(x, $0) } : nil
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
                                                        if let synced {
                                                            bm[c] = synced.mean[c]
                                                            bv[c] = synced.variance[c]
                                                            mean = Float(synced.mean[c])
                                                            istd = Float(1 / (synced.variance[c] + Double(eps)).squareRoot())
                                                        } else if training {
                                                            var s = 0.0, s2 = 0.0
                                                            reel_bn_sums(src, src, 0, 1, m, &s, &s2)
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
                                                        reel_bn_normalize(src, mean, istd, g, beta, dst, m, relu ? 1 : 0)
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
            let count = synced?.count ?? m
            let unbias = count > 1 ? Double(count) / Double(count - 1) : 1
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
        syncedCount = synced?.count
        return y
    }

    /// Per-channel mean and biased variance over every process's batch (Σx, Σx² in double, summed across processes
    /// with the element count), for SyncBN.
    private func syncedStatistics(_ x: Tensor, _ sync: any StatisticsSynchronizer) -> (mean: [Double], variance: [Double], count: Int) {
        let c = channels
        var sums = channelSums(x, x, means: nil, invStd: nil) + [Double(x.count / c)]   // Σx, Σx², the count
        sums.withUnsafeMutableBufferPointer { sync.sum($0) }
        let total = sums[2 * c]
        let mean = (0..<c).map { sums[$0] / total }
        let variance = (0..<c).map { max(0, sums[c + $0] / total - mean[$0] * mean[$0]) }
        return (mean, variance, Int(total.rounded()))
    }

    /// Batch statistics: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)); running statistics: dx = γ·σ⁻¹·dy.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("BatchNorm.backward without forward") }
        if usedBatchStats, let total = syncedCount, let sync = synchronizer {
            let dx = syncedBackward(dy, x, sync, total: total)
            weight.gradientReady()
            bias.gradientReady()
            return dx
        }
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
                                        var sumDy = 0.0, sumDyH = 0.0
                                        reel_bn_sums(dc, xc, mu[c], inv[c], m, &sumDy, &sumDyH)
                                        if trainAffine {
                                            dw[c] += Float(sumDyH)
                                            db[c] += Float(sumDy)
                                        }
                                        let scale = w[c] * inv[c]
                                        if batch {
                                            let meanDy = Float(sumDy / Double(m)), meanDyH = Float(sumDyH / Double(m))
                                            reel_bn_input_gradient(dc, xc, mu[c], inv[c], meanDy, meanDyH, scale, out, m)
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
        weight.gradientReady()
        bias.gradientReady()
        return dx
    }

    /// Per channel c, Σd and Σd·(x − mean[c])·σ⁻¹[c] in double (`reel_bn_sums`): the first `channels` entries, then
    /// the next `channels`. With d = x and no means (0) or σ⁻¹ (1): Σx and Σx².
    private func channelSums(_ d: Tensor, _ x: Tensor, means: [Float]?, invStd: [Float]?) -> [Double] {
        let m = d.count / channels, c = channels
        var sums = [Double](repeating: 0, count: 2 * c)
        d.withData { dp in
            x.withData { xp in
                sums.withUnsafeMutableBufferPointer { sp in
                    Parallel.forChunks(c) { range in
                        for ch in range {
                            reel_bn_sums(dp + ch * m, xp + ch * m, means?[ch] ?? 0, invStd?[ch] ?? 1, m, &sp[ch], &sp[c + ch])
                        }
                    }
                }
            }
        }
        return sums
    }

    /// SyncBN's backward: Σdy and Σdy·x̂ per channel are summed over the processes (their means taken over all
    /// `total` elements) for the input gradient; γ and β get this process's own sums, which data-parallel training
    /// then averages like every other gradient (PyTorch's SyncBatchNorm does the same).
    private func syncedBackward(_ dy: Tensor, _ x: Tensor, _ sync: any StatisticsSynchronizer, total: Int) -> Tensor {
        let m = dy.count / channels, c = channels
        let inv = invStd, mu = means
        var sums = channelSums(dy, x, means: mu, invStd: inv)   // Σdy, Σdy·x̂
        if weight.requiresGrad {
            weight.grad.withMutableData { dw in bias.grad.withMutableData { db in
                for ch in 0..<c { dw[ch] += Float(sums[c + ch]); db[ch] += Float(sums[ch]) }
            } }
        }
        sums.withUnsafeMutableBufferPointer { sync.sum($0) }
        var dx = Tensor(uninitialized: dy.shape)
        dy.withData { d in
            x.withData { xp in
                dx.withMutableData { dxp in
                    weight.value.withData { w in
                        Parallel.forChunks(c) { range in
                            for ch in range {
                                let meanDy = Float(sums[ch] / Double(total)), meanDyH = Float(sums[c + ch] / Double(total))
                                reel_bn_input_gradient(d + ch * m, xp + ch * m, mu[ch], inv[ch], meanDy, meanDyH,
                                                       w[ch] * inv[ch], dxp + ch * m, m)
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// Sums per-channel statistics over the processes of a data-parallel job: what SyncBN needs of the process group
/// (the engine's core knows nothing of MPI).
public protocol StatisticsSynchronizer: AnyObject {
    /// Replaces `values` on every process with their sum over the processes (the same call, in the same order, on
    /// every process).
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
}
