import CKernels

/// `nn.ReLU`: y = max(x, 0); backward passes dy where the output is positive. Any shape.
public final class ReLU: Layer, PiecewiseLinear {
    public var isTraining = true
    public var freezesPattern = false
    private var output: Tensor?
    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let n = x.count
        if freezesPattern, let mask = output, mask.count == n {
            // Same active set as the last free forward (gradient checks stay on one linear piece).
            x.withData { xp in mask.withData { mp in y.withMutableData { yp in for i in 0..<n { yp[i] = mp[i] > 0 ? xp[i] : 0 } } } }
            return y
        }
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(n, grain: 1 << 16) { r in for i in r { yp[i] = max(xp[i], 0) } }
            }
        }
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU.backward without forward") }
        var dx = Tensor(uninitialized: dy.shape)
        let n = dy.count
        dy.withData { d in
            y.withData { yp in
                dx.withMutableData { out in
                    Parallel.forChunks(n, grain: 1 << 16) { r in reel_relu_backward(d + r.lowerBound, yp + r.lowerBound, out + r.lowerBound, r.count) }
                }
            }
        }
        return dx
    }

    /// Takes `y` as this layer's output, computed by a fused kernel (BatchNorm's ReLU, the residual sum's): what
    /// `forward` would have produced and kept for backward.
    func adopt(output y: Tensor) { output = y }
}
