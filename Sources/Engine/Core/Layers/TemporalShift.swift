/// TSM's temporal shift (mmaction2 `TemporalShift.shift`, SEMANTICS.md §6.4) on channel-major activations
/// C×(N·T)×H×W, where the T frames of each video are consecutive along the second axis.
///
/// With f = C / shiftDiv: channels [0, f) take frame t+1 (the last frame gets zeros), channels [f, 2f) take
/// frame t−1 (the first frame gets zeros), the rest are unchanged. Backward is the adjoint (the opposite shift).
/// As a module it wraps the layer it feeds (`net`), so state-dict keys read `….conv.net.weight` as mmaction2's.
public final class TemporalShift: Layer {
    public let segments: Int, shiftDiv: Int
    public let net: any Layer
    public var isTraining = true

    public init(net: any Layer, segments: Int, shiftDiv: Int = 8) {
        self.net = net
        self.segments = segments
        self.shiftDiv = shiftDiv
    }

    public var children: [(String, any Module)] { [("net", net)] }
    public var kind: ModuleKind { .container }

    public func forward(_ x: Tensor) -> Tensor { net.forward(Self.shift(x, segments: segments, shiftDiv: shiftDiv, inverse: false)) }
    public func backward(_ dy: Tensor) -> Tensor {
        Self.shift(net.backward(dy), segments: segments, shiftDiv: shiftDiv, inverse: true)
    }

    /// The shift itself (`inverse` = its adjoint, used for the gradient).
    public static func shift(_ x: Tensor, segments t: Int, shiftDiv: Int, inverse: Bool) -> Tensor {
        let c = x.shape[0], frames = x.shape[1]
        precondition(frames % t == 0, "temporal shift: \(frames) frames are not a multiple of \(t) segments")
        let p = x.count / (c * frames)
        let fold = c / shiftDiv
        var y = Tensor(uninitialized: x.shape)
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(c) { range in
                    for ch in range {
                        let src = xp + ch * frames * p, dst = yp + ch * frames * p
                        // Direction for this channel: +1 = read the next frame, −1 = the previous one, 0 = copy.
                        var dir = ch < fold ? 1 : (ch < 2 * fold ? -1 : 0)
                        if inverse { dir = -dir }
                        if dir == 0 { dst.update(from: src, count: frames * p); continue }
                        for f in 0..<frames {
                            let tIdx = f % t, from = tIdx + dir
                            if from < 0 || from >= t {
                                (dst + f * p).update(repeating: 0, count: p)
                            } else {
                                (dst + f * p).update(from: src + (f + dir) * p, count: p)
                            }
                        }
                    }
                }
            }
        }
        return y
    }
}
