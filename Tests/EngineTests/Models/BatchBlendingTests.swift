import XCTest
import Config
@testable import EngineCore
@testable import EngineTraining

/// `train_cfg.blending` (mmaction2's MixupBlending / CutmixBlending, SEMANTICS.md §6.5–6.6 for the soft-label loss):
/// the blended batch and soft labels against the definitions, the Beta(α, α) sampler's moments, the soft-label cross
/// entropy (value, gradient by finite differences, class weights), the recognizer's step and streams, and the config.
final class BatchBlendingTests: XCTestCase {
    /// Four videos with distinct labels, so the permutation and λ can be read back from the soft labels.
    func draw(_ kind: BatchBlending.Kind, seed: UInt64, shape: [Int] = [4, 2, 3, 5, 6])
        -> (x: Tensor, y: Tensor, targets: [Float], perm: [Int], lam: Float) {
        let blending = BatchBlending(kind: kind, numClasses: 5, alpha: 0.7, rng: Philox(seed: seed))
        let x = GradientCheck.random(shape, seed: seed + 100)
        let labels = [3, 0, 4, 1]
        let (y, targets) = blending.blend(x, labels: labels)
        var perm = [Int](repeating: -1, count: 4), lam: Float = 1
        for i in 0..<4 {
            let row = Array(targets[i * 5..<(i + 1) * 5])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6, "a soft label sums to 1")
            let others = (0..<5).filter { $0 != labels[i] && row[$0] > 0 }
            XCTAssertLessThanOrEqual(others.count, 1)
            perm[i] = others.first.map { c in labels.firstIndex(of: c)! } ?? i
            if perm[i] != i { lam = row[labels[i]] }
        }
        XCTAssertEqual(perm.sorted(), [0, 1, 2, 3], "the partners form a permutation")
        return (x, y, targets, perm, lam)
    }

    func testMixupIsTheConvexCombinationOfTheBatchAndItsPermutation() {
        for seed in 1...5 as ClosedRange<UInt64> {
            let (x, y, _, perm, lam) = draw(.mixup, seed: seed)
            let n = x.count / 4
            for i in 0..<4 { for j in 0..<n {
                // To the last bit of float rounding (the optimiser may evaluate the vectorised loop differently).
                XCTAssertEqual(y[i * n + j], lam * x[i * n + j] + (1 - lam) * x[perm[i] * n + j], accuracy: 1e-6, "video \(i) element \(j)")
            } }
        }
    }

    /// Every frame of video i takes one axis-aligned box from its partner; λ = 1 − box area / (H·W).
    func testCutmixPastesOneBoxIntoEveryFrameAndWeighsTheLabelsByItsArea() {
        var sawPartialBox = false
        for seed in 1...12 as ClosedRange<UInt64> {
            let (x, y, _, perm, lam) = draw(.cutmix, seed: seed)
            let (planes, h, w) = (2 * 3, 5, 6)
            var box: Set<Int>? = nil
            for i in 0..<4 where perm[i] != i {
                for p in 0..<planes {
                    var copied = Set<Int>()
                    for k in 0..<(h * w) {
                        let at = (i * planes + p) * h * w + k, from = (perm[i] * planes + p) * h * w + k
                        if y[at] != x[at] { XCTAssertEqual(y[at], x[from]); copied.insert(k) }
                    }
                    if let box { XCTAssertEqual(copied, box, "the same box in every frame") } else { box = copied }
                }
            }
            guard let box else { continue }
            if !box.isEmpty {
                let rows = Set(box.map { $0 / w }), cols = Set(box.map { $0 % w })
                XCTAssertEqual(box.count, rows.count * cols.count, "a rectangle")
                XCTAssertEqual(rows.max()! - rows.min()! + 1, rows.count)
                XCTAssertEqual(cols.max()! - cols.min()! + 1, cols.count)
                sawPartialBox = sawPartialBox || box.count < h * w
            }
            XCTAssertEqual(lam, 1 - Float(box.count) / Float(h * w), accuracy: 1e-6, "seed \(seed)")
        }
        XCTAssertTrue(sawPartialBox)
    }

    /// mmaction2's box: side ⌊W·√(1 − λ)⌋ around a uniform centre, halves by floor division, clipped to the frame.
    func testCutmixBoxArithmetic() {
        var rng = Philox(seed: 3)
        for _ in 0..<200 {
            let lam = rng.nextFloat()
            var copy = rng
            let b = BatchBlending.box(height: 7, width: 10, lam: lam, rng: &rng)
            let cx = copy.nextInt(in: 0..<10), cy = copy.nextInt(in: 0..<7)
            let cw = Int(Float(10) * (1 - lam).squareRoot()), ch = Int(Float(7) * (1 - lam).squareRoot())
            XCTAssertEqual(b.x0, max(cx - cw / 2, 0)); XCTAssertEqual(b.x1, min(cx + cw / 2, 10))
            XCTAssertEqual(b.y0, max(cy - ch / 2, 0)); XCTAssertEqual(b.y1, min(cy + ch / 2, 7))
            XCTAssertEqual(b.lam, 1 - Float((b.x1 - b.x0) * (b.y1 - b.y0)) / 70)
        }
    }

    /// Beta(α, α): mean ½ and variance 1/(4(2α + 1)), for α below 1 (the Gamma boost) and above.
    func testBetaSamplerMoments() {
        for alpha in [0.2, 1.0, 3.0] {
            let blending = BatchBlending(kind: .mixup, numClasses: 2, alpha: alpha, rng: Philox(seed: 11))
            let xs = (0..<40_000).map { _ in Double(blending.sampleBeta()) }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
            XCTAssertEqual(mean, 0.5, accuracy: 0.01, "alpha \(alpha)")
            XCTAssertEqual(variance, 1 / (4 * (2 * alpha + 1)), accuracy: 0.006, "alpha \(alpha)")
            XCTAssertTrue(xs.allSatisfy { (0...1).contains($0) })
        }
    }

    // MARK: Soft-label cross entropy

    func testSoftLabelLossEqualsHardLabelLossOnOneHotTargets() {
        let logits = GradientCheck.random([3, 4], seed: 21, range: -3...3)
        let labels = [2, 0, 3]
        var onehot = [Float](repeating: 0, count: 12)
        for (i, l) in labels.enumerated() { onehot[i * 4 + l] = 1 }
        let loss = CrossEntropyLoss(lossWeight: 0.5)
        let hard = loss(logits, labels: labels), soft = loss(logits, targets: onehot)
        XCTAssertEqual(soft.loss, hard.loss, accuracy: 1e-9)
        for i in 0..<12 { XCTAssertEqual(soft.gradient[i], hard.gradient[i], accuracy: 1e-7) }
    }

    func testSoftLabelLossValueGradientAndClassWeights() {
        let logits = GradientCheck.random([3, 4], seed: 22, range: -2...2)
        let targets: [Float] = [0.3, 0.7, 0, 0, 0, 0, 1, 0, 0.25, 0, 0, 0.75]
        for weights in [nil, [Float]([1, 2, 0.5, 3])] {
            let loss = CrossEntropyLoss(lossWeight: 2, classWeight: weights)
            func value(_ s: Tensor) -> Double {
                // −Σ y·w·log_softmax, over Σ w·y (or B), times loss_weight — in double from the definition.
                var total = 0.0, norm = 0.0
                for i in 0..<3 {
                    let row = (0..<4).map { Double(s[i * 4 + $0]) }
                    let logZ = log(row.map { exp($0) }.reduce(0, +))
                    for c in 0..<4 {
                        let wy = Double(weights?[c] ?? 1) * Double(targets[i * 4 + c])
                        total -= wy * (row[c] - logZ)
                        norm += wy
                    }
                }
                return 2 * total / (weights == nil ? 3 : norm)
            }
            let (l, g) = loss(logits, targets: targets)
            XCTAssertEqual(l, value(logits), accuracy: 1e-9)
            for k in 0..<12 {
                var plus = logits, minus = logits
                plus[k] += 1e-3; minus[k] -= 1e-3
                XCTAssertEqual(Double(g[k]), (value(plus) - value(minus)) / 2e-3, accuracy: 2e-3, "∂/∂s[\(k)]")
            }
        }
    }

    // MARK: The recognizer and the config

    func model(_ blending: String) throws -> any Recognizer {
        let text = "model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=4, num_segments=2), "
            + "cls_head=dict(type='TSMHead', num_classes=3, in_channels=32, num_segments=2), train_cfg=dict(blending=\(blending)))\n"
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        return try ModelBuilder.build(config.root["model"]!, files: config.files, seed: 4)
    }

    /// A blended step logs loss_cls and loss only; the blending's stream is the last random stream and round-trips.
    func testRecognizerStepAndStreams() throws {
        let m = try model("dict(type='CutmixBlending', num_classes=3, alpha=1.0)")
        XCTAssertEqual(m.blending?.kind, .cutmix)
        let streams = m.randomStreams
        XCTAssertEqual(streams.count, m.headModule.randomStreams.count + 1)
        let x = GradientCheck.random([2, 2, 3, 16, 16], seed: 9)
        let step = m.trainStep(x, labels: [0, 2])
        XCTAssertEqual(step.logVars.map(\.0), ["loss_cls", "loss"])
        XCTAssertTrue(step.loss.isFinite)
        XCTAssertNotEqual(m.randomStreams.last, streams.last, "the step drew from the blending's stream")
        m.randomStreams = streams
        XCTAssertEqual(m.randomStreams, streams)
        XCTAssertEqual(m.lossOnly(x, labels: [0, 2]).logVars.map(\.0), ["loss_cls", "loss"])
    }

    func testConfigErrorsAreLocated() throws {
        for (blending, message) in [
            ("dict(type='MixupBlending', num_classes=4)", "num_classes=4 must equal the head's num_classes (3)"),
            ("dict(type='MixupBlending', num_classes=3, alpha=0)", "alpha must be > 0"),
            ("dict(type='BatchAugBlending', num_classes=3)", "is not supported by Reel"),
        ] {
            XCTAssertThrowsError(try model(blending), blending) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
                XCTAssertTrue("\(error)".contains("/m.py:1:"), "\(error)")
            }
        }
    }
}
