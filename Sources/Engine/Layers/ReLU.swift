/// `nn.ReLU`: y = max(x, 0); backward passes dy where the output is positive. Any shape.
public final class ReLU: Layer {
    public var isTraining = true
    private var output: Tensor?
    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        let n = x.count
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
                    Parallel.forChunks(n, grain: 1 << 16) { r in for i in r { out[i] = yp[i] > 0 ? d[i] : 0 } }
                }
            }
        }
        return dx
    }
}
