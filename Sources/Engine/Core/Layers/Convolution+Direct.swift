import CKernels

/// Direct convolution (no im2col): the C kernel splits the zero-padded input into stride×stride phase planes so that
/// every tap reads contiguous columns, and accumulates 8 output channels × one or two vectors of output columns in
/// registers over all input channels and taps (Sources/Engine/CKernels/KernelBody.h), in the CPU's widest ISA.
///
/// Why: the stem (3 input channels, 7×7, stride 2) as im2col + GEMM writes a col matrix 49× its input and feeds the
/// GEMM a K of only 147; it ran at 19–59 GFLOP/s. The same holds, less strongly, for the stride-2 downsampling convs.
/// Backward: the weight gradient alone (the stem, which needs no input gradient) by the matching direct kernel; with
/// an input gradient, the im2col path, rebuilding the col matrix tile by tile (Convolution.backward).
extension Convolution {
    /// True when this convolution runs directly on input geometry `g` (see `ConvAlgorithm.auto`).
    public func usesDirect(_ g: ConvGeometry) -> Bool {
        guard groups == 1, g.dilation == (1, 1, 1), g.kernel.t == 1, g.stride.t == 1, g.padding.t == 0,
              g.stride.h == g.stride.w, g.padding.h == g.padding.w else { return false }
        switch algorithm {
        case .direct: return true
        case .auto:
            // Thin inputs (the stem) and strided convs on planes wide enough to fill the vectors.
            return inChannels <= 4 || (g.stride.h >= 2 && g.outWidth >= 16)
        case .winograd, .winograd4, .im2col: return false
        }
    }

    /// Forward by the direct kernel, one plane (image, or frame of a clip) per call, planes split over the cores.
    func directForward(_ x: Tensor, _ g: ConvGeometry, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        var y = Tensor(uninitialized: outputShape(g))
        let planes = g.images * g.depth
        let (c, o, kh, kw, s, pad) = (inChannels, outChannels, g.kernel.h, g.kernel.w, g.stride.h, g.padding.h)
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        let packed = transformedWeights(weights, g) {
            var packed = Tensor(uninitialized: [reel_conv_packed_floats(o, c, kh, kw)])
            weights.withData { w in packed.withMutableData { reel_conv_pack(w, nil, o, c, kh, kw, $0) } }
            return packed
        }
        let scratchCount = reel_conv_scratch_floats(c, g.height, g.width, kh, kw, s, pad)
        // The kernel adds the bias and applies ReLU itself; a residual is added afterwards, per plane.
        let fusedInKernel = epilogue.residual == nil
        x.withData { xp in
            packed.withData { wp in
                y.withMutableData { yp in
                    epilogue.withPointers { bias, _ in
                        Parallel.forChunks(planes) { range in
                            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                            defer { scratch.deallocate() }
                            for p in range {
                                reel_conv_direct(xp + p * inPlane, planes * inPlane, c, g.height, g.width, wp, o, kh, kw, s, pad,
                                                 fusedInKernel ? bias : nil, fusedInKernel && epilogue.relu ? 1 : 0,
                                                 yp + p * outPlane, planes * outPlane, scratch)
                                if !fusedInKernel {
                                    epilogue.apply(yp, channels: 0..<o, columns: p * outPlane..<(p + 1) * outPlane,
                                                   total: planes * outPlane)
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// weight.grad += the direct kernel's per-plane weight gradients: each worker sums its planes privately, the sums
    /// are added in worker order (a fixed order: the same bits run to run).
    func directWeightGradient(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) {
        guard weight.requiresGrad else { return }
        let planes = g.images * g.depth
        let (c, o, kh, kw, s, pad) = (inChannels, outChannels, g.kernel.h, g.kernel.w, g.stride.h, g.padding.h)
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth, count = weight.value.count
        let workers = Parallel.workerCount(planes)
        var partial = [Float](repeating: 0, count: workers * count)
        let scratchCount = reel_conv_dw_scratch_floats(c, g.height, g.width, o, kh, kw, s, pad)
        x.withData { xp in
            dy.withData { dp in
                partial.withUnsafeMutableBufferPointer { parts in
                    Parallel.forWorkers(planes) { worker, range in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                        defer { scratch.deallocate() }
                        for p in range {
                            reel_conv_direct_dw(xp + p * inPlane, planes * inPlane, c, g.height, g.width, dp + p * outPlane,
                                                planes * outPlane, o, kh, kw, s, pad, parts.baseAddress! + worker * count, scratch)
                        }
                    }
                }
            }
        }
        weight.grad.withMutableData { dw in
            partial.withUnsafeBufferPointer { parts in
                for wk in 0..<workers { for i in 0..<count { dw[i] += parts[wk * count + i] } }
            }
        }
    }
}
