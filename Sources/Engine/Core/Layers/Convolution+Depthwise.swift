import CKernels

/// Channel-wise convolutions (groups == in channels == out channels: CSN's depthwise 3×3×3, X3D's channel-wise
/// 3×3×3 and (5, 1, 1) convs; 2-D too) by the direct kernel of Sources/Engine/CKernels/DepthwiseBody.h, one
/// (channel, clip) volume per call.
///
/// Why: im2col + one GEMM per group turns each channel into a GEMM of one output row with K = 27, after writing a
/// col matrix 27× the input; the direct kernel reads each input run once per tap from cache and keeps outputs in
/// registers. Backward: dx and dW in one pass over each volume, split over channels so each channel's dW is summed
/// by one worker in clip order (the same bits run to run, no partial sums to add up).
extension Convolution {
    /// True when this convolution runs as a channel-wise direct kernel on `g`: groups == channels in and out,
    /// dilation 1, under every algorithm but `.im2col` (kept as the plain definition for comparisons).
    public func usesDepthwise(_ g: ConvGeometry) -> Bool {
        groups > 1 && groups == inChannels && groups == outChannels && g.dilation == (1, 1, 1) && algorithm != .im2col
    }

    func depthwiseShape(_ g: ConvGeometry) -> reel_dw_shape {
        reel_dw_shape(T: g.depth, H: g.height, W: g.width, KT: g.kernel.t, KH: g.kernel.h, KW: g.kernel.w,
                      ST: g.stride.t, SH: g.stride.h, SW: g.stride.w, PT: g.padding.t, PH: g.padding.h, PW: g.padding.w)
    }

    func depthwiseForward(_ x: Tensor, _ g: ConvGeometry, weights: Tensor, epilogue: ConvEpilogue) -> Tensor {
        var y = Tensor(uninitialized: outputShape(g))
        var shape = depthwiseShape(g)
        let scratchCount = reel_dwconv_scratch_floats(&shape)
        let (n, inVolume, outVolume, taps) = (g.images, g.inPlane, g.outPlane, g.kernelVolume)
        x.withData { xp in
            weights.withData { w in
                y.withMutableData { yp in
                    Parallel.forChunks(inChannels * n) { volumes in
                        var s = shape
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                        defer { scratch.deallocate() }
                        for v in volumes {
                            let c = v / n
                            reel_dwconv_forward(&s, xp + v * inVolume, w + c * taps, yp + v * outVolume, scratch)
                            epilogue.apply(yp, channels: c..<c + 1, columns: (v % n) * outVolume..<(v % n + 1) * outVolume,
                                           total: n * outVolume)
                        }
                    }
                }
            }
        }
        keepForBackward(.depthwise, input: x, col: nil, weights: nil, g)
        return y
    }

    /// dx (unless `computesInputGradient` is false) and weight.grad += dW, then the bias gradient.
    func depthwiseBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        var shape = depthwiseShape(g)
        let scratchCount = reel_dwconv_scratch_floats(&shape)
        let (n, inVolume, outVolume, taps) = (g.images, g.inPlane, g.outPlane, g.kernelVolume)
        let wantsInput = computesInputGradient, wantsWeight = weight.requiresGrad
        var dx = wantsInput ? Tensor(uninitialized: x.shape) : Tensor.zeros([0])
        x.withData { xp in
            dy.withData { d in
                weight.value.withData { w in
                    weight.grad.withMutableData { dw in
                        dx.withMutableData { dxp in
                            Parallel.forChunks(inChannels) { channels in
                                var s = shape
                                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                                defer { scratch.deallocate() }
                                for c in channels {
                                    for i in 0..<n {
                                        let v = c * n + i
                                        reel_dwconv_backward(&s, xp + v * inVolume, w + c * taps, d + v * outVolume,
                                                             wantsInput ? dxp + v * inVolume : nil,
                                                             wantsWeight ? dw + c * taps : nil, scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        accumulateBiasGradient(dy, cols: n * outVolume)
        return dx
    }
}
