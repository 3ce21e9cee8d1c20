/// `nn.AdaptiveAvgPool3d(output)` on channel-major C×N×T×H×W: output bin i of a dimension of length L (into `out`
/// bins) averages inputs ⌊i·L/out⌋ ..< ⌈(i+1)·L/out⌉, PyTorch's bins (they overlap when L is not a multiple of out).
/// Output C×N×T'×H'×W' (five dimensions, also for (1, 1, 1): mmaction2's heads and X3D's SE flatten afterwards).
public final class AdaptiveAvgPool3d: Layer {
    public let output: (t: Int, h: Int, w: Int)
    public var isTraining = true
    private var inputShape: [Int] = []

    public init(_ output: (Int, Int, Int) = (1, 1, 1)) {
        precondition(output.0 > 0 && output.1 > 0 && output.2 > 0, "adaptive pool output sizes must be positive")
        self.output = output
    }

    /// The input range of bin `i` of `out` over a dimension of length `length`.
    @inline(__always)
    static func bin(_ i: Int, _ out: Int, _ length: Int) -> Range<Int> {
        (i * length / out)..<(((i + 1) * length + out - 1) / out)
    }

    /// Calls `body(outputIndex, inputIndex, 1 / window size)` for every input element of every output bin of one
    /// T×H×W volume.
    @inline(__always)
    func forEachTap(_ t: Int, _ h: Int, _ w: Int, _ body: (Int, Int, Float) -> Void) {
        let (ot, oh, ow) = output
        for a in 0..<ot {
            let rt = Self.bin(a, ot, t)
            for b in 0..<oh {
                let rh = Self.bin(b, oh, h)
                for c in 0..<ow {
                    let rw = Self.bin(c, ow, w)
                    let o = (a * oh + b) * ow + c
                    let inv = 1 / Float(rt.count * rh.count * rw.count)
                    for i in rt { for j in rh { for k in rw { body(o, (i * h + j) * w + k, inv) } } }
                }
            }
        }
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 5, "AdaptiveAvgPool3d expects C×N×T×H×W, got \(x.shape)")
        let (t, h, w) = (x.shape[2], x.shape[3], x.shape[4])
        let volumes = x.shape[0] * x.shape[1], inVolume = t * h * w
        let outVolume = output.t * output.h * output.w
        var y = Tensor(uninitialized: [x.shape[0], x.shape[1], output.t, output.h, output.w])
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(volumes) { range in
                    for v in range {
                        let src = xp + v * inVolume, dst = yp + v * outVolume
                        if outVolume == 1 {
                            // The global mean: one pass, summed as PyTorch's mean is not, but within float rounding.
                            var s: Float = 0
                            for i in 0..<inVolume { s += src[i] }
                            dst[0] = s / Float(inVolume)
                            continue
                        }
                        var sums = [Float](repeating: 0, count: outVolume)
                        forEachTap(t, h, w) { o, i, _ in sums[o] += src[i] }
                        forEachTap(t, h, w) { o, _, inv in dst[o] = sums[o] * inv }
                    }
                }
            }
        }
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(inputShape.count == 5, "AdaptiveAvgPool3d.backward without forward")
        let (t, h, w) = (inputShape[2], inputShape[3], inputShape[4])
        let volumes = inputShape[0] * inputShape[1], inVolume = t * h * w
        let outVolume = output.t * output.h * output.w
        var dx = Tensor.zeros(inputShape)
        dy.withData { d in
            dx.withMutableData { out in
                Parallel.forChunks(volumes) { range in
                    for v in range {
                        let src = d + v * outVolume, dst = out + v * inVolume
                        if outVolume == 1 {
                            dst.update(repeating: src[0] / Float(inVolume), count: inVolume)
                        } else {
                            forEachTap(t, h, w) { o, i, inv in dst[i] += src[o] * inv }
                        }
                    }
                }
            }
        }
        return dx
    }
}
