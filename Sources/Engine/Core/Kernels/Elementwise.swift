import CKernels

/// Elementwise helpers. Why: residual sums and gradient accumulation touch every activation once; they are
/// memory-bound, so they run as simple pointer loops split over the cores.
public enum Elementwise {
    /// y += x (same element count).
    public static func add(_ x: Tensor, into y: inout Tensor) {
        precondition(x.count == y.count, "add: \(x.shape) vs \(y.shape)")
        let n = x.count
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(n, grain: 1 << 16) { r in for i in r { yp[i] += xp[i] } }
            }
        }
    }

    /// y = max(y + x, 0) (Swift's max: NaN stays NaN) in one pass: a residual sum and the ReLU after it, the same bits
    /// as `add` then `ReLU.forward`.
    public static func addReLU(_ x: Tensor, into y: inout Tensor) {
        precondition(x.count == y.count, "addReLU: \(x.shape) vs \(y.shape)")
        let n = x.count
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(n, grain: 1 << 16) { r in reel_add_relu(xp + r.lowerBound, yp + r.lowerBound, r.count) }
            }
        }
    }

    /// y *= a.
    public static func scale(_ y: inout Tensor, by a: Float) {
        let n = y.count
        y.withMutableData { yp in Parallel.forChunks(n, grain: 1 << 16) { r in for i in r { yp[i] *= a } } }
    }

    /// Batch-major B×M×C×(spatial) → channel-major C×(B·M)×(spatial): the model's input layout change.
    public static func toChannelMajor(_ x: Tensor, channels c: Int) -> Tensor {
        let images = x.shape[0] * (x.rank >= 5 ? x.shape[1] : 1)
        let p = x.count / (images * c)
        var y = Tensor(uninitialized: [c, images] + Array(x.shape.suffix(x.rank - (x.rank >= 5 ? 3 : 2))))
        x.withData { xp in
            y.withMutableData { yp in
                Parallel.forChunks(images) { r in
                    for n in r { for ch in 0..<c { (yp + (ch * images + n) * p).update(from: xp + (n * c + ch) * p, count: p) } }
                }
            }
        }
        return y
    }
}
