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
                    Parallel.forChunks(n, grain: 1 << 16) { r in Self.mask(d, by: yp, into: out, r) }
                }
            }
        }
        return dx
    }

    /// out[i] = y[i] > 0 ? d[i] : 0 over `r`, eight lanes at a time (the scalar select loop did not vectorise:
    /// the pointers may alias, and it cost 7× the forward pass).
    @inline(__always)
    static func mask(_ d: UnsafePointer<Float>, by y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ r: Range<Int>) {
        var i = r.lowerBound
        let zero = SIMD8<Float>(repeating: 0)
        while i + 8 <= r.upperBound {
            let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: zero.replacing(with: dv, where: yv .> zero), as: SIMD8<Float>.self)
            i += 8
        }
        while i < r.upperBound { out[i] = y[i] > 0 ? d[i] : 0; i += 1 }
    }
}
