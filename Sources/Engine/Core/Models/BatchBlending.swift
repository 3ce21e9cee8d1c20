import Foundation

/// mmaction2's mini-batch blending (`model.train_cfg.blending`): `MixupBlending` and `CutmixBlending`, applied by the
/// recognizer to every batch of `train_step` and `val_step` before the forward (mmaction2's `BaseRecognizer.forward`
/// with `return_loss=True`).
///
/// Both turn the labels into soft ones (one-hot over `numClasses`, B×K) and mix each video with another of the same
/// batch, a random permutation `perm` of it, by λ ~ Beta(α, α):
/// - mixup: imgs[b] ← λ·imgs[b] + (1 − λ)·imgs[perm[b]], label[b] ← λ·label[b] + (1 − λ)·label[perm[b]];
/// - cutmix: a box of (⌊W·√(1 − λ)⌋ × ⌊H·√(1 − λ)⌋) centred on a uniform pixel and clipped to the frame is copied
///   from imgs[perm[b]] into every frame of imgs[b] (the last two dimensions are H and W), and λ becomes
///   1 − box area / (H·W) for the labels.
/// The loss is then the soft-label cross entropy, and no top-k accuracy is logged (mmaction2 computes it only when
/// the labels are class indices). Draws come from the recognizer's own stream (kept in checkpoints); mmaction2 draws
/// from PyTorch's global generator, so the numbers drawn differ, not their law.
public final class BatchBlending {
    public enum Kind: String, Sendable, CaseIterable {
        case mixup = "MixupBlending"
        case cutmix = "CutmixBlending"
    }

    public let kind: Kind
    public let numClasses: Int
    public let alpha: Double
    public var rng: Philox

    public init(kind: Kind, numClasses: Int, alpha: Double, rng: Philox) {
        precondition(numClasses > 0 && alpha > 0, "blending needs num_classes > 0 and alpha > 0")
        self.kind = kind
        self.numClasses = numClasses
        self.alpha = alpha
        self.rng = rng
    }

    /// The blended batch (same shape as `imgs`, batch-major B×…×H×W) and the soft labels, B×K row-major.
    public func blend(_ imgs: Tensor, labels: [Int]) -> (imgs: Tensor, targets: [Float]) {
        let b = imgs.shape[0]
        precondition(labels.count == b, "\(labels.count) labels for a batch of \(b)")
        precondition(labels.allSatisfy { (0..<numClasses).contains($0) }, "a label outside 0..<\(numClasses)")
        var out = imgs
        let lam: Float
        var perm = Array(0..<b)
        let (h, w) = (imgs.shape[imgs.rank - 2], imgs.shape[imgs.rank - 1])
        switch kind {
        case .mixup:
            lam = sampleBeta()
            rng.shuffle(&perm)
            imgs.withData { src in
                out.withMutableData { dst in
                    let n = imgs.count / max(1, b)
                    for i in 0..<b {
                        let x = src + i * n, y = src + perm[i] * n, d = dst + i * n
                        for j in 0..<n { d[j] = lam * x[j] + (1 - lam) * y[j] }
                    }
                }
            }
        case .cutmix:
            rng.shuffle(&perm)
            let box = Self.box(height: h, width: w, lam: sampleBeta(), rng: &rng)
            lam = box.lam
            let planes = imgs.count / max(1, b * h * w)
            imgs.withData { src in
                out.withMutableData { dst in
                    for i in 0..<b {
                        for p in 0..<planes {
                            let to = dst + (i * planes + p) * h * w, from = src + (perm[i] * planes + p) * h * w
                            for y in box.y0..<box.y1 { for x in box.x0..<box.x1 { to[y * w + x] = from[y * w + x] } }
                        }
                    }
                }
            }
        }
        var targets = [Float](repeating: 0, count: b * numClasses)
        for i in 0..<b {
            targets[i * numClasses + labels[i]] += lam
            targets[i * numClasses + labels[perm[i]]] += 1 - lam
        }
        return (out, targets)
    }

    /// CutMix's box for λ on an H×W frame (clipped to it) and the λ its area gives: 1 − area / (H·W).
    static func box(height h: Int, width w: Int, lam: Float, rng: inout Philox) -> (x0: Int, y0: Int, x1: Int, y1: Int, lam: Float) {
        let cutRatio = (1 - lam).squareRoot()
        let cutW = Int(Float(w) * cutRatio), cutH = Int(Float(h) * cutRatio)
        let cx = rng.nextInt(in: 0..<w), cy = rng.nextInt(in: 0..<h)
        let x0 = min(max(cx - cutW / 2, 0), w), y0 = min(max(cy - cutH / 2, 0), h)
        let x1 = min(max(cx + cutW / 2, 0), w), y1 = min(max(cy + cutH / 2, 0), h)
        let area = Float((x1 - x0) * (y1 - y0))
        return (x0, y0, x1, y1, 1 - area / Float(w * h))
    }

    /// λ ~ Beta(α, α) as X / (X + Y) with X, Y ~ Gamma(α, 1).
    func sampleBeta() -> Float {
        while true {
            let x = sampleGamma(alpha), y = sampleGamma(alpha)
            if x + y > 0 { return Float(x / (x + y)) }
        }
    }

    /// Gamma(a, 1) by Marsaglia and Tsang (2000); for a < 1, Gamma(a + 1)·U^(1/a).
    func sampleGamma(_ a: Double) -> Double {
        if a < 1 {
            var u = rng.nextDouble()
            while u <= 0 { u = rng.nextDouble() }
            return sampleGamma(a + 1) * pow(u, 1 / a)
        }
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var u1 = rng.nextDouble()
            while u1 <= 0 { u1 = rng.nextDouble() }
            let x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * rng.nextDouble())
            let v0 = 1 + c * x
            guard v0 > 0 else { continue }
            let v = v0 * v0 * v0
            var u = rng.nextDouble()
            while u <= 0 { u = rng.nextDouble() }
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
