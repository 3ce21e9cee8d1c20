/// `nn.Dropout(p)`: in training, zeroes each element with probability p and scales the rest by 1/(1−p);
/// identity in eval mode. The mask comes from the layer's own Philox stream (seeded by the model builder), so a
/// seeded run drops the same units every time.
public final class Dropout: Layer {
    public let p: Float
    public var isTraining = true
    public var rng: Philox
    private var mask: Tensor?

    public init(p: Float, rng: Philox) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1)")
        self.p = p
        self.rng = rng
    }

    public func forward(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { mask = nil; return x }
        var m = Tensor(uninitialized: x.shape)
        let keep = 1 / (1 - p)
        m.withMutableData { mp in for i in 0..<x.count { mp[i] = rng.nextFloat() < p ? 0 : keep } }
        var y = Tensor(uninitialized: x.shape)
        x.withData { xp in m.withData { mp in y.withMutableData { yp in for i in 0..<x.count { yp[i] = xp[i] * mp[i] } } } }
        mask = m
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let m = mask else { return dy }
        var dx = Tensor(uninitialized: dy.shape)
        dy.withData { d in m.withData { mp in dx.withMutableData { o in for i in 0..<dy.count { o[i] = d[i] * mp[i] } } } }
        return dx
    }
}
