import Foundation

/// `nn.Sigmoid`: y = 1 / (1 + e⁻ˣ); backward dx = dy·y·(1 − y) from the saved output. Any shape.
public final class Sigmoid: Layer {
    public var isTraining = true
    private var output: Tensor?
    public init() {}

    /// σ(v), written so that neither branch overflows: e⁻ˣ for x ≥ 0, eˣ/(1 + eˣ) below.
    @inline(__always)
    static func sigmoid(_ v: Float) -> Float {
        if v >= 0 { return 1 / (1 + expf(-v)) }
        let e = expf(v)
        return e / (1 + e)
    }

    public func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let n = x.count
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(n, grain: 1 << 15) { r in for i in r { yp[i] = Self.sigmoid(xp[i]) } }
            }
        }
        output = isTraining ? y : nil
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("Sigmoid.backward without a training forward") }
        var dx = Tensor(uninitialized: dy.shape)
        let n = dy.count
        dy.withData { d in
            y.withData { yp in
                dx.withMutableData { out in
                    Parallel.forChunks(n, grain: 1 << 15) { r in for i in r { out[i] = d[i] * yp[i] * (1 - yp[i]) } }
                }
            }
        }
        return dx
    }
}

/// mmcv's `Swish` (X3D): y = x·σ(x); backward dx = dy·(σ + x·σ·(1 − σ)) from the saved input. Any shape.
public final class Swish: Layer {
    public var isTraining = true
    private var input: Tensor?
    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let n = x.count
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(n, grain: 1 << 15) { r in for i in r { yp[i] = xp[i] * Sigmoid.sigmoid(xp[i]) } }
            }
        }
        input = isTraining ? x : nil
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Swish.backward without a training forward") }
        var dx = Tensor(uninitialized: dy.shape)
        let n = dy.count
        dy.withData { d in
            x.withData { xp in
                dx.withMutableData { out in
                    Parallel.forChunks(n, grain: 1 << 15) { r in
                        for i in r {
                            let s = Sigmoid.sigmoid(xp[i])
                            out[i] = d[i] * (s + xp[i] * s * (1 - s))
                        }
                    }
                }
            }
        }
        return dx
    }
}
