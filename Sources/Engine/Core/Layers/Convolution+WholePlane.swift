/// Convolutions on planes so small that every output position sees every input position (a 3×3 pad-1 conv on
/// 2×2, 1×2 or 1×1 planes: the last stage of a ResNet on 64×64 or 56×56 frames, as in the demo and the small bench).
///
/// Why: im2col + GEMM multiplies all 9 taps for every output, but on a 2×2 plane 5 of the 9 fall on padding; and
/// Winograd's transforms cost more than they save on a single tile. Instead, with the P plane positions stacked,
/// the whole conv is one GEMM Y (P·O × N) = Wbig (P·O × P·C) · Xs (P·C × N) where Wbig[(p, o)][(q, c)] is the tap
/// joining output position p to input position q: 16 multiply-adds per (O, C, image) on a 2×2 plane instead of 36.
/// Backward: dWbig = dYs·Xsᵀ (folded back onto the taps), dXs = Wbigᵀ·dYs. Small layers: the GEMMs split their
/// output rows over the workers.
extension Convolution {
    /// True when `g` is a stride-1, same-size, ungrouped 2-D convolution whose kernel reaches the whole plane from
    /// every output position (H ≤ pad_h + 1, W ≤ pad_w + 1).
    public func usesWholePlane(_ g: ConvGeometry) -> Bool {
        algorithm == .auto && groups == 1 && Im2col.isSamePlaneShift(g)
            && g.padding.h * 2 + 1 == g.kernel.h && g.padding.w * 2 + 1 == g.kernel.w
            && g.height <= g.padding.h + 1 && g.width <= g.padding.w + 1
    }

    /// Wbig (P·O × P·C) from the weights: row (p, o), column (q, c) holds w[o][c][tap(p, q)].
    func wholePlaneWeights(_ g: ConvGeometry, weights: Tensor) -> Tensor {
        let (o, c, p) = (outChannels, inChannels, g.inPlane)
        var big = Tensor(uninitialized: [p * o, p * c])
        let pairs = Self.wholePlanePairs(g)
        weights.withData { w in
            big.withMutableData { b in
                Parallel.forChunks(o) { outs in
                    for (pi, qi, tap) in pairs {
                        for oc in outs {
                            let row = b + (pi * o + oc) * (p * c) + qi * c
                            for ic in 0..<c { row[ic] = w[(oc * c + ic) * g.kernelVolume + tap] }
                        }
                    }
                }
            }
        }
        return big
    }

    /// Every (output position, input position, kernel tap) of the plane.
    static func wholePlanePairs(_ g: ConvGeometry) -> [(Int, Int, Int)] {
        var pairs: [(Int, Int, Int)] = []
        for py in 0..<g.height { for px in 0..<g.width { for qy in 0..<g.height { for qx in 0..<g.width {
            let kh = qy - py + g.padding.h, kw = qx - px + g.padding.w
            pairs.append((py * g.width + px, qy * g.width + qx, kh * g.kernel.w + kw))
        } } } }
        return pairs
    }

    /// (channels × images × P) → (P·channels × images) and back: positions become row blocks.
    static func stackPositions(_ src: UnsafePointer<Float>, channels: Int, images: Int, plane: Int,
                               into dst: UnsafeMutablePointer<Float>) {
        Parallel.forChunks(channels) { chs in
            for ch in chs { for n in 0..<images { for q in 0..<plane {
                dst[(q * channels + ch) * images + n] = src[(ch * images + n) * plane + q]
            } } }
        }
    }

    static func unstackPositions(_ src: UnsafePointer<Float>, channels: Int, images: Int, plane: Int,
                                 into dst: UnsafeMutablePointer<Float>) {
        Parallel.forChunks(channels) { chs in
            for ch in chs { for n in 0..<images { for q in 0..<plane {
                dst[(ch * images + n) * plane + q] = src[(q * channels + ch) * images + n]
            } } }
        }
    }

    /// Forward as one GEMM over stacked positions. Training keeps Xs and Wbig.
    func wholePlaneForward(_ x: Tensor, _ g: ConvGeometry, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        let (o, c, p, n) = (outChannels, inChannels, g.inPlane, g.images)
        let big = transformedWeights(weights, g) { wholePlaneWeights(g, weights: weights) }
        var xs = Tensor(uninitialized: [p * c, n]), ys = Tensor(uninitialized: [p * o, n])
        var y = Tensor(uninitialized: outputShape(g))
        x.withData { xp in xs.withMutableData { Self.stackPositions(xp, channels: c, images: n, plane: p, into: $0) } }
        xs.withData { xsp in
            big.withData { bp in
                ys.withMutableData { ysp in
                    // Rows split over the workers (not images): each packs only its part of Wbig, the big operand.
                    Parallel.forChunks(p * o) { rows in
                        GEMM.sgemm(m: rows.count, n: n, k: p * c, a: bp + rows.lowerBound * (p * c), lda: p * c, b: xsp,
                                   ldb: n, c: ysp + rows.lowerBound * n, ldc: n)
                    }
                }
            }
        }
        ys.withData { ysp in y.withMutableData { Self.unstackPositions(ysp, channels: o, images: n, plane: p, into: $0) } }
        epilogue.applyAll(&y, channels: o, total: n * p)
        keepForBackward(.wholePlane, input: x, col: xs, weights: big, g)
        return y
    }

    /// dWbig = dYs·Xsᵀ (then folded onto the taps) and dXs = Wbigᵀ·dYs.
    func wholePlaneBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        guard let xs = cachedCol, let big = cachedU else { preconditionFailure("whole-plane backward without a training forward") }
        let (o, c, p, n) = (outChannels, inChannels, g.inPlane, g.images)
        let wantsWeight = weight.requiresGrad, wantsInput = computesInputGradient
        var dys = Tensor(uninitialized: [p * o, n]), dxs = Tensor(uninitialized: [wantsInput ? p * c : 0, n])
        dy.withData { d in dys.withMutableData { Self.stackPositions(d, channels: o, images: n, plane: p, into: $0) } }
        // Output rows split over the workers, so every element is one worker's whole sum (no partial dW buffers).
        var dBig = Tensor(uninitialized: [wantsWeight ? p * o : 0, p * c])
        dys.withData { dp in
            xs.withData { xp in
                big.withData { bp in
                    dBig.withMutableData { dbp in
                        if wantsWeight {
                            Parallel.forChunks(p * o) { rows in
                                GEMM.sgemm(transB: true, m: rows.count, n: p * c, k: n, a: dp + rows.lowerBound * n, lda: n,
                                           b: xp, ldb: n, c: dbp + rows.lowerBound * (p * c), ldc: p * c)
                            }
                        }
                    }
                    dxs.withMutableData { dxp in
                        if wantsInput {
                            Parallel.forChunks(p * c) { rows in
                                GEMM.sgemm(transA: true, m: rows.count, n: n, k: p * o, a: bp + rows.lowerBound, lda: p * c,
                                           b: dp, ldb: n, c: dxp + rows.lowerBound * n, ldc: n)
                            }
                        }
                    }
                }
            }
        }
        if wantsWeight {
            let pairs = Self.wholePlanePairs(g)
            dBig.withData { db in
                weight.grad.withMutableData { dw in
                    for (pi, qi, tap) in pairs {
                        for oc in 0..<o {
                            let row = db + (pi * o + oc) * (p * c) + qi * c
                            for ic in 0..<c { dw[(oc * c + ic) * g.kernelVolume + tap] += row[ic] }
                        }
                    }
                }
            }
        }
        guard wantsInput else { return Tensor.zeros([0]) }
        var dx = Tensor(uninitialized: x.shape)
        dxs.withData { s in dx.withMutableData { Self.unstackPositions(s, channels: c, images: n, plane: p, into: $0) } }
        return dx
    }
}
