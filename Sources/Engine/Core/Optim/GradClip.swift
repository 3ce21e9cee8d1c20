import Foundation

/// PyTorch's `clip_grad_norm_` over every trainable parameter: total = (Σ‖g‖_q^q)^(1/q) (q = ∞: max |g|);
/// gradients are scaled by max_norm/(total + 1e-6) when that is below 1. Returns the total *before* clipping,
/// which is what mmcv logs as `grad_norm`.
public enum GradClip {
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Double, normType: Double) -> Double {
        let ps = parameters.filter(\.requiresGrad)
        var total = 0.0
        for p in ps {
            p.grad.withData { g in
                for i in 0..<p.grad.count {
                    let a = Double(abs(g[i]))
                    if normType.isInfinite { total = max(total, a) } else { total += pow(a, normType) }
                }
            }
        }
        if !normType.isInfinite { total = pow(total, 1 / normType) }
        let coef = maxNorm / (total + 1e-6)
        if coef < 1 { for p in ps { Elementwise.scale(&p.grad, by: Float(coef)) } }
        return total
    }
}
