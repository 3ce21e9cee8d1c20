import Foundation

/// The attention of NonLocal3d as batched GEMMs on channel-major matrices. Clip b's θ-side is a Cθ×P matrix at
/// θ + b·P with row stride N·P (the activations' own layout, no permutes), φ and g are Cθ×P' and Cᵢ×P' at row
/// stride N·P', and f is a dense P×P' block per clip. Work is split over (clip, block of f's rows) for the parts
/// that are row-independent (f, softmax, y, dθ) and over (clip, block of f's columns) for the sums over rows
/// (dg, dφ), so a single clip still uses every core.
extension NonLocal3d {
    /// Row or column blocks per clip: enough tasks for every worker at the clip counts of small batches.
    static func blocks(_ extent: Int, clips: Int) -> Int {
        max(1, min(extent / 64, (Parallel.workers * 4 + clips - 1) / clips))
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 5 && x.shape[0] == inChannels, "NonLocal3d expects \(inChannels)×N×T×H×W, got \(x.shape)")
        let n = x.shape[1], p = x.count / (inChannels * n)
        let gx = g.forward(x)
        let thetaX = theta?.forward(x) ?? x
        let phiX = phi?.forward(x) ?? x
        let ci = interChannels, ct = thetaX.shape[0], p2 = gx.count / (ci * n)
        precondition(phiX.count == ct * n * p2, "NonLocal3d: φ and g positions differ")
        var f = Tensor(uninitialized: [n, p, p2])
        var y = Tensor(uninitialized: [ci] + Array(x.shape.dropFirst()))
        let rowBlocks = Self.blocks(p, clips: n)
        let scale: Float? = mode == .embeddedGaussian && useScale ? Float(Double(ci).squareRoot()) : nil
        let mode = self.mode
        thetaX.withData { tp in
            phiX.withData { pp in
                gx.withData { gp in
                    f.withMutableData { fp in
                        y.withMutableData { yp in
                            Parallel.forChunks(n * rowBlocks) { tasks in
                                for task in tasks {
                                    let b = task / rowBlocks, rows = Parallel.chunk(task % rowBlocks, of: rowBlocks, count: p)
                                    let fb = fp + b * p * p2 + rows.lowerBound * p2
                                    GEMM.sgemm(transA: true, m: rows.count, n: p2, k: ct, a: tp + b * p + rows.lowerBound,
                                               lda: n * p, b: pp + b * p2, ldb: n * p2, c: fb, ldc: p2)
                                    for r in 0..<rows.count {
                                        let row = fb + r * p2
                                        switch mode {
                                        case .dotProduct: for j in 0..<p2 { row[j] /= Float(p2) }
                                        case .embeddedGaussian, .gaussian: Self.softmax(row, p2, dividedBy: scale)
                                        }
                                    }
                                    GEMM.sgemm(transB: true, m: ci, n: rows.count, k: p2, a: gp + b * p2, lda: n * p2,
                                               b: fb, ldb: p2, c: yp + b * p + rows.lowerBound, ldc: n * p)
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = convOut.forward(y)
        out.withMutableData { op in
            x.withData { xp in Parallel.forChunks(x.count, grain: 1 << 15) { r in for i in r { op[i] += xp[i] } } }
        }
        saved = isTraining ? (x, gx, thetaX, phiX, f) : nil
        return out
    }

    /// row ← softmax(row / scale) in place (PyTorch's order: divide, subtract the maximum, exponentiate, normalise).
    @inline(__always)
    static func softmax(_ row: UnsafeMutablePointer<Float>, _ count: Int, dividedBy scale: Float?) {
        if let scale { for j in 0..<count { row[j] /= scale } }
        var m = -Float.infinity
        for j in 0..<count { m = max(m, row[j]) }
        var s: Float = 0
        for j in 0..<count { let e = expf(row[j] - m); row[j] = e; s += e }
        for j in 0..<count { row[j] /= s }
    }

    /// dx = dout + g′ᵀ(dg) + θ′ᵀ(dθ) + φ′ᵀ(dφ), with dy = conv_outᵀ(dout) and, per clip, df = dyᵀ·g,
    /// da = f ⊙ (df − Σⱼ df ⊙ f) (/ scale) after a softmax or df / P' after dot_product, dθ = φ·daᵀ, dφ = θ·da,
    /// dg = dy·f.
    public func backward(_ dout: Tensor) -> Tensor {
        guard let s = saved else { preconditionFailure("NonLocal3d.backward without a training forward") }
        let dy = convOut.backward(dout)
        let n = s.x.shape[1], p = s.x.count / (inChannels * n)
        let ci = interChannels, ct = s.theta.shape[0], p2 = s.g.count / (ci * n)
        var da = Tensor(uninitialized: [n, p, p2])
        var dTheta = Tensor(uninitialized: s.theta.shape)
        var dPhi = Tensor(uninitialized: s.phi.shape)
        var dg = Tensor(uninitialized: s.g.shape)
        let rowBlocks = Self.blocks(p, clips: n), colBlocks = Self.blocks(p2, clips: n)
        let scale: Float? = mode == .embeddedGaussian && useScale ? Float(Double(ci).squareRoot()) : nil
        let mode = self.mode
        dy.withData { dyp in
            s.g.withData { gp in
                s.f.withData { fp in
                    s.theta.withData { tp in
                        s.phi.withData { pp in
                            da.withMutableData { dap in
                                dTheta.withMutableData { dtp in
                                    Parallel.forChunks(n * rowBlocks) { tasks in
                                        for task in tasks {
                                            let b = task / rowBlocks, rows = Parallel.chunk(task % rowBlocks, of: rowBlocks, count: p)
                                            let off = b * p * p2 + rows.lowerBound * p2
                                            GEMM.sgemm(transA: true, m: rows.count, n: p2, k: ci, a: dyp + b * p + rows.lowerBound,
                                                       lda: n * p, b: gp + b * p2, ldb: n * p2, c: dap + off, ldc: p2)
                                            for r in 0..<rows.count {
                                                let d = dap + off + r * p2, f = fp + off + r * p2
                                                if mode == .dotProduct {
                                                    for j in 0..<p2 { d[j] /= Float(p2) }
                                                    continue
                                                }
                                                var dot: Float = 0
                                                for j in 0..<p2 { dot += d[j] * f[j] }
                                                for j in 0..<p2 { d[j] = f[j] * (d[j] - dot) }
                                                if let scale { for j in 0..<p2 { d[j] /= scale } }
                                            }
                                            GEMM.sgemm(transB: true, m: ct, n: rows.count, k: p2, a: pp + b * p2, lda: n * p2,
                                                       b: dap + off, ldb: p2, c: dtp + b * p + rows.lowerBound, ldc: n * p)
                                        }
                                    }
                                }
                                dPhi.withMutableData { dpp in
                                    dg.withMutableData { dgp in
                                        Parallel.forChunks(n * colBlocks) { tasks in
                                            for task in tasks {
                                                let b = task / colBlocks, cols = Parallel.chunk(task % colBlocks, of: colBlocks, count: p2)
                                                let c0 = b * p2 + cols.lowerBound, f0 = b * p * p2 + cols.lowerBound
                                                GEMM.sgemm(m: ci, n: cols.count, k: p, a: dyp + b * p, lda: n * p, b: fp + f0,
                                                           ldb: p2, c: dgp + c0, ldc: n * p2)
                                                GEMM.sgemm(m: ct, n: cols.count, k: p, a: tp + b * p, lda: n * p, b: dap + f0,
                                                           ldb: p2, c: dpp + c0, ldc: n * p2)
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
        var dx = g.backward(dg)
        let fromTheta = theta?.backward(dTheta) ?? dTheta
        let fromPhi = phi?.backward(dPhi) ?? dPhi
        let count = dx.count
        dx.withMutableData { dxp in
            dout.withData { op in
                fromTheta.withData { tp in
                    fromPhi.withData { pp in
                        Parallel.forChunks(count, grain: 1 << 15) { r in
                            for i in r { dxp[i] += op[i] + tp[i] + pp[i] }
                        }
                    }
                }
            }
        }
        return dx
    }
}
