/// X3D's squeeze-and-excitation unit (mmaction2 0.24.1 backbones/x3d.py `SEModule`): s = σ(fc2(relu(fc1(mean(x)))))
/// per channel and clip, y = x·s.
///
/// Shapes: x and y C×N×T×H×W; fc1 a 1×1×1 Conv3d C → `bottleneck` with bias, fc2 back to C. Children and state-dict
/// names as mmaction2 registers them: `avg_pool`, `fc1` (weight, bias), `relu`, `fc2`, `sigmoid`.
public final class SEModule: Layer {
    public let channels: Int, bottleneck: Int
    public let avgPool = AdaptiveAvgPool3d()
    public let fc1: Conv3d, fc2: Conv3d
    public let relu = ReLU(), sigmoid = Sigmoid()
    public var isTraining = true
    private var input: Tensor?, scale: Tensor?

    /// `reduction` is X3D's `se_ratio` (1/16): the bottleneck width is `roundWidth(channels, reduction)`.
    public init(channels: Int, reduction: Double) {
        self.channels = channels
        bottleneck = Self.roundWidth(Double(channels), reduction)
        fc1 = Conv3d(channels, bottleneck, kernel: (1, 1, 1))
        fc2 = Conv3d(bottleneck, channels, kernel: (1, 1, 1))
    }

    /// mmaction2's `SEModule._round_width`: width·multiplier rounded to the nearest multiple of `divisor` (halves
    /// up), at least `minWidth`, plus one `divisor` when rounding lost more than 10 %.
    public static func roundWidth(_ width: Double, _ multiplier: Double, minWidth: Int = 8, divisor: Int = 8) -> Int {
        let w = width * multiplier
        let minimum = minWidth == 0 ? divisor : minWidth
        // Python's int() truncates toward zero, then // floors: the same for the non-negative widths used here.
        var out = max(minimum, Int(w + Double(divisor) / 2) / divisor * divisor)
        if Double(out) < 0.9 * w { out += divisor }
        return out
    }

    public var children: [(String, any Module)] {
        [("avg_pool", avgPool), ("fc1", fc1), ("relu", relu), ("fc2", fc2), ("sigmoid", sigmoid)]
    }

    /// X3D's init: both convolutions Kaiming-normal (fan_out, ReLU gain), biases 0.
    public func kaimingInit(rng: inout Philox) {
        fc1.kaimingInit(rng: &rng)
        fc2.kaimingInit(rng: &rng)
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 5 && x.shape[0] == channels, "SEModule expects \(channels)×N×T×H×W, got \(x.shape)")
        let s = sigmoid.forward(fc2.forward(relu.forward(fc1.forward(avgPool.forward(x)))))
        let rows = x.shape[0] * x.shape[1], volume = x.count / rows
        var y = Tensor(uninitialized: x.shape)
        x.withData { xp in
            s.withData { sp in
                y.withMutableData { yp in
                    Parallel.forChunks(rows) { range in
                        for r in range { for i in r * volume..<(r + 1) * volume { yp[i] = xp[i] * sp[r] } }
                    }
                }
            }
        }
        (input, scale) = isTraining ? (x, s) : (nil, nil)
        return y
    }

    /// dx = dy·s + (the pooled path's gradient of ds = Σ dy·x over each volume).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let s = scale else { preconditionFailure("SEModule.backward without a training forward") }
        let rows = x.shape[0] * x.shape[1], volume = x.count / rows
        var ds = Tensor(uninitialized: s.shape)
        var dx = Tensor(uninitialized: x.shape)
        dy.withData { d in
            x.withData { xp in
                s.withData { sp in
                    ds.withMutableData { dsp in
                        dx.withMutableData { dxp in
                            Parallel.forChunks(rows) { range in
                                for r in range {
                                    var acc: Float = 0
                                    for i in r * volume..<(r + 1) * volume { acc += d[i] * xp[i]; dxp[i] = d[i] * sp[r] }
                                    dsp[r] = acc
                                }
                            }
                        }
                    }
                }
            }
        }
        let pooled = avgPool.backward(fc1.backward(relu.backward(fc2.backward(sigmoid.backward(ds)))))
        pooled.withData { pp in
            dx.withMutableData { dxp in
                Parallel.forChunks(rows) { range in
                    for i in range.lowerBound * volume..<range.upperBound * volume { dxp[i] += pp[i] }
                }
            }
        }
        return dx
    }
}
