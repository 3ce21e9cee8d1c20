/// The `TemporalPool` mmaction2's ResNetTSM wraps around `layer2` with `temporal_pool=True`: a max pool over time
/// (MaxPool3d kernel (3, 1, 1), stride (2, 1, 1), padding (1, 0, 0)) on each video's T segments, halving them,
/// before the wrapped stage runs. Reel's channel-major C×(N·T)×H×W is C×N×T×H×W in memory, so the pool runs on a
/// reshape. State-dict keys read `layer2.net.0.conv1.conv.weight`.
public final class TemporalPool: Layer {
    public let net: any Layer
    public let segments: Int
    let pool = MaxPool(dims: 3, kernel: (3, 1, 1), stride: (2, 1, 1), padding: (1, 0, 0))
    public var isTraining = true

    public init(net: any Layer, segments: Int) {
        precondition(segments % 2 == 0, "temporal pool: \(segments) segments do not halve")
        self.net = net
        self.segments = segments
    }

    public var children: [(String, any Module)] { [("net", net)] }
    public var kind: ModuleKind { .container }

    public func forward(_ x: Tensor) -> Tensor {
        let (c, frames) = (x.shape[0], x.shape[1])
        precondition(frames % segments == 0, "temporal pool: \(frames) frames are not a multiple of \(segments) segments")
        let pooled = pool.forward(x.reshaped([c, frames / segments, segments, x.shape[2], x.shape[3]]))
        return net.forward(pooled.reshaped([c, frames / 2, x.shape[2], x.shape[3]]))
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let d = net.backward(dy)
        let (c, frames) = (d.shape[0], d.shape[1])
        let dx = pool.backward(d.reshaped([c, frames / (segments / 2), segments / 2, d.shape[2], d.shape[3]]))
        return dx.reshaped([c, dx.shape[1] * dx.shape[2], dx.shape[3], dx.shape[4]])
    }
}
