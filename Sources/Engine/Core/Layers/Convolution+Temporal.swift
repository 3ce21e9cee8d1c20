/// 3-D convolutions with a temporal kernel (kt > 1, temporal stride 1: I3D's and SlowOnly's (3, 3, 3) and (3, 1, 1),
/// the inflated stem) as kt planar (1, kh, kw) convolutions over every frame, summed with a frame shift:
/// y[·, n, t'] = Σₖ zₖ[·, n, t' + k − pt] with zₖ = conv2d(x, W[:, :, k]) on each of the N·T frames.
///
/// Why: as one im2col + GEMM, a (3, 3, 3) conv writes a col matrix 27× the input in rows as short as the plane is
/// wide (4 floats in SlowOnly's stage 3), and ran at 20–30 GFLOP/s; split, each part takes the planar paths —
/// Winograd for 3×3 stride 1, the whole-plane GEMM on 2×2 planes, the direct kernel for strided ones, and for
/// (3, 1, 1) a plain GEMM on the input itself (no im2col at all). Backward: each part's backward on dy shifted back
/// (zeros where no output reads that frame), input gradients summed, weight gradients written into W[:, :, k].
extension Convolution {
    /// True when forward splits the temporal kernel (only under `.auto`: the other algorithms stay as they were,
    /// for comparisons).
    public func usesTemporalSplit(_ g: ConvGeometry) -> Bool {
        algorithm == .auto && dims == 3 && groups == 1 && g.kernel.t > 1 && g.stride.t == 1
            && g.dilation == (1, 1, 1)
    }

    /// The kt planar parts (created once), in this layer's mode, their weights the slices W[:, :, k] of `weights`.
    /// In eval the slices are kept while `weights` keeps its storage (so the parts' own transformed-weight caches
    /// hold); training slices afresh every step (holding the weights would make the optimizer's update copy them).
    func temporalParts(_ weights: Tensor) -> [Conv3d] {
        let (kt, kh, kw) = kernel
        if temporalParts.count != kt {
            temporalParts = (0..<kt).map { _ in
                Conv3d(inChannels, outChannels, kernel: (1, kh, kw), stride: (1, stride.h, stride.w),
                       padding: (0, padding.h, padding.w), bias: false)
            }
            temporalSource = nil
        }
        for part in temporalParts {
            part.isTraining = isTraining
            part.computesInputGradient = computesInputGradient
            part.weight.requiresGrad = weight.requiresGrad
        }
        if !isTraining, let source = temporalSource, source.sharesStorage(with: weights) { return temporalParts }
        let taps = kh * kw, perOutput = inChannels * kt * taps
        weights.withData { w in
            for (k, part) in temporalParts.enumerated() {
                var slice = Tensor(uninitialized: part.weight.shape)
                slice.withMutableData { s in
                    for oc in 0..<(outChannels * inChannels) {
                        (s + oc * taps).update(from: w + (oc / inChannels) * perOutput + (oc % inChannels) * kt * taps + k * taps,
                                               count: taps)
                    }
                }
                part.weight.value = slice
            }
        }
        temporalSource = isTraining ? nil : weights
        return temporalParts
    }

    func temporalForward(_ x: Tensor, _ g: ConvGeometry, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        let parts = temporalParts(weights)
        var y = Tensor.zeros(outputShape(g))
        let (n, t, ot, pt) = (g.images, g.depth, g.outDepth, g.padding.t)
        let plane = g.outHeight * g.outWidth
        for (k, part) in parts.enumerated() {
            let z = part.forward(x)   // O×N×T×H'×W': one output plane per input frame
            // Output frame t' reads input frame t' + k − pt.
            let lo = max(0, pt - k), hi = min(ot, t + pt - k)
            guard hi > lo else { continue }
            z.withData { zp in
                y.withMutableData { yp in
                    Parallel.forChunks(outChannels * n) { rows in
                        for r in rows {
                            let dst = yp + (r * ot + lo) * plane, src = zp + (r * t + lo + k - pt) * plane
                            for i in 0..<((hi - lo) * plane) { dst[i] += src[i] }
                        }
                    }
                }
            }
        }
        epilogue.applyAll(&y, channels: outChannels, total: n * ot * plane)
        keepForBackward(.temporal, input: x, col: nil, weights: nil, g)
        return y
    }

    func temporalBackward(_ dy: Tensor, _ g: ConvGeometry) -> Tensor {
        let (n, t, ot, pt) = (g.images, g.depth, g.outDepth, g.padding.t)
        let plane = g.outHeight * g.outWidth, (kt, kh, kw) = kernel, taps = kh * kw
        var dx: Tensor? = nil
        for (k, part) in temporalParts.enumerated() {
            // Part k's output plane for input frame f carried output frame f − k + pt.
            var dz = Tensor.zeros([outChannels, n, t, g.outHeight, g.outWidth])
            let lo = max(0, pt - k), hi = min(ot, t + pt - k)
            if hi > lo {
                dy.withData { dp in
                    dz.withMutableData { zp in
                        Parallel.forChunks(outChannels * n) { rows in
                            for r in rows {
                                (zp + (r * t + lo + k - pt) * plane).update(from: dp + (r * ot + lo) * plane, count: (hi - lo) * plane)
                            }
                        }
                    }
                }
            }
            let d = part.backward(dz)
            if computesInputGradient {
                if dx == nil { dx = d } else {
                    let count = d.count
                    dx!.withMutableData { a in d.withData { b in
                        Parallel.forChunks(count, grain: 1 << 15) { r in for i in r { a[i] += b[i] } }
                    } }
                }
            }
            if weight.requiresGrad {
                let perOutput = inChannels * kt * taps
                part.weight.grad.withData { pg in
                    weight.grad.withMutableData { wg in
                        for oc in 0..<(outChannels * inChannels) {
                            let dst = wg + (oc / inChannels) * perOutput + (oc % inChannels) * kt * taps + k * taps
                            for i in 0..<taps { dst[i] += pg[oc * taps + i] }
                        }
                    }
                }
                part.weight.grad.fill(0)
            }
        }
        accumulateBiasGradient(dy, cols: n * ot * plane)
        return dx ?? Tensor.zeros([0])
    }
}

extension Convolution {
    /// The planar path each temporal part takes on `g` ("winograd", "plane", "direct" or "im2col").
    func temporalPartName(_ g: ConvGeometry) -> String {
        let part = Conv3d(inChannels, outChannels, kernel: (1, kernel.h, kernel.w), stride: (1, stride.h, stride.w),
                          padding: (0, padding.h, padding.w), bias: false)
        var pg = g
        pg.kernel = (1, kernel.h, kernel.w)
        pg.padding = (0, padding.h, padding.w)
        return part.pathName(pg)
    }
}
