import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Gradient checks and hand-worked values for the non-convolution layers.
final class LayerGradientTests: XCTestCase {
    /// A deliberately wrong layer: the check must fail on it (guards against a check that passes everything).
    final class WrongScale: Layer {
        var isTraining = true
        func forward(_ x: Tensor) -> Tensor { x }
        func backward(_ dy: Tensor) -> Tensor { var d = dy; for i in 0..<d.count { d[i] *= 1.1 }; return d }
    }

    func testGradientCheckCatchesAWrongGradient() {
        let layer = WrongScale()
        let x = GradientCheck.random([3, 4], seed: 1), r = GradientCheck.random([3, 4], seed: 2)
        let worst = GradientCheck.worstElement(layer.backward(r), at: x) { layer.forward($0).dot(r) }
        XCTAssertGreaterThan(worst.excess, 0, "a 10% wrong gradient must be reported")
    }

    func testBatchNormTrainAndEvalGradients() {
        for dims in [2, 3] {
            let shape = dims == 2 ? [3, 2, 3, 4] : [3, 2, 2, 3, 2]
            let bn = BatchNorm(3, dims: dims)
            bn.weight.value = GradientCheck.random([3], seed: 1, range: 0.5...1.5)
            bn.bias.value = GradientCheck.random([3], seed: 2)
            GradientCheck.check(bn, input: GradientCheck.random(shape, seed: 3), h: 1e-2, atol: 5e-3, rtol: 3e-2)
            bn.isTraining = false
            bn.runningVar.tensor = GradientCheck.random([3], seed: 4, range: 0.5...2)
            GradientCheck.check(bn, input: GradientCheck.random(shape, seed: 5))
        }
    }

    func testBatchNormRunningStatisticsByHand() {
        // One channel, values 1, 2, 3, 4: mean 2.5, biased var 1.25 (used to normalise), unbiased 5/3 (stored).
        let bn = BatchNorm(1)
        let y = bn.forward(Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4]))
        let s = 1 / (1.25 + 1e-5).squareRoot()
        XCTAssertEqual(y.scalars, [Float(-1.5 * s), Float(-0.5 * s), Float(0.5 * s), Float(1.5 * s)])
        XCTAssertEqual(bn.runningMean.tensor[0], 0.25, accuracy: 1e-7)                     // 0.9·0 + 0.1·2.5
        XCTAssertEqual(bn.runningVar.tensor[0], Float(0.9 + 0.1 * 5.0 / 3), accuracy: 1e-6) // 0.9·1 + 0.1·5/3
        XCTAssertEqual(bn.numBatchesTracked.value, .int64(shape: [], values: [1]))
        bn.isTraining = false
        let e = bn.forward(Tensor(shape: [1, 1, 1, 1], values: [2]))
        XCTAssertEqual(e[0], (2 - 0.25) / (Float(0.9 + 0.1 * 5.0 / 3) + 1e-5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(bn.numBatchesTracked.value, .int64(shape: [], values: [1]), "eval does not count")
    }

    func testReLU() {
        var x = GradientCheck.random([2, 3, 4], seed: 7)
        for i in 0..<x.count where abs(x[i]) < 0.05 { x[i] = 0.3 }   // keep away from the kink
        GradientCheck.check(ReLU(), input: x)
        XCTAssertEqual(ReLU().forward(Tensor(shape: [3], values: [-1, 0, 2])).scalars, [0, 0, 2])
    }

    /// Distinct values far apart so a ±h step never changes which element is the maximum.
    func spaced(_ shape: [Int], seed: UInt64) -> Tensor {
        var values = (0..<shape.reduce(1, *)).map { Float($0) * 0.1 - 3 }
        var rng = Philox(seed: seed)
        rng.shuffle(&values)
        return Tensor(shape: shape, values: values)
    }

    func testMaxPool() {
        GradientCheck.check(MaxPool(kernel: 3, stride: 2, padding: 1), input: spaced([2, 2, 5, 6], seed: 1))
        GradientCheck.check(MaxPool(dims: 3, kernel: (2, 2, 2), stride: (2, 1, 2), padding: (0, 1, 0)),
                            input: spaced([2, 1, 4, 3, 4], seed: 2))
        GradientCheck.check(MaxPool(dims: 3, kernel: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1)),
                            input: spaced([2, 2, 3, 5, 6], seed: 3))
        // Padding is −∞: an all-negative input never yields 0 at the border.
        let y = MaxPool(kernel: 3, stride: 2, padding: 1).forward(Tensor(shape: [1, 1, 2, 2], values: [-4, -3, -2, -1]))
        XCTAssertEqual(y.scalars, [-1])
    }

    func testAvgAndGlobalPool() {
        GradientCheck.check(AvgPool(dims: 2, kernel: (1, 2, 2), stride: (1, 2, 2), padding: (0, 1, 1)),
                            input: GradientCheck.random([2, 2, 4, 5], seed: 3))
        GradientCheck.check(AvgPool(dims: 3, kernel: (2, 1, 1), stride: (2, 1, 1)), input: GradientCheck.random([2, 1, 4, 2, 2], seed: 4))
        let avg = AvgPool(dims: 2, kernel: (1, 2, 2), stride: (1, 2, 2), padding: (0, 1, 1))
        // count_include_pad: the corner window holds one real value and three zeros.
        XCTAssertEqual(avg.forward(Tensor(shape: [1, 1, 2, 2], values: [4, 8, 12, 16])).scalars, [1, 2, 3, 4])
        GradientCheck.check(GlobalAvgPool(), input: GradientCheck.random([3, 2, 2, 3], seed: 5))
        XCTAssertEqual(GlobalAvgPool().forward(Tensor(shape: [2, 1, 1, 2], values: [1, 3, 5, 7])).scalars, [2, 6])
    }

    func testLinear() {
        let fc = Linear(5, 3)
        fc.weight.value = GradientCheck.random([3, 5], seed: 8)
        fc.bias?.value = GradientCheck.random([3], seed: 9)
        GradientCheck.check(fc, input: GradientCheck.random([4, 5], seed: 10))
        let small = Linear(2, 1)
        small.weight.value = Tensor(shape: [1, 2], values: [2, 3])
        small.bias?.value = Tensor(shape: [1], values: [1])
        XCTAssertEqual(small.forward(Tensor(shape: [1, 2], values: [4, 5])).scalars, [24])   // 2·4 + 3·5 + 1
    }

    func testDropoutScalesKeptUnitsAndIsIdentityInEval() {
        let d = Dropout(p: 0.25, rng: Philox(seed: 1))
        let x = Tensor(shape: [1, 10_000], repeating: 1)
        let y = d.forward(x)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4.0 / 3) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 10_000, 0.75, accuracy: 0.02)
        let seeded = Dropout(p: 0.5, rng: Philox(seed: 3))
        GradientCheck.check(seeded, input: GradientCheck.random([3, 7], seed: 4), prepare: { seeded.rng = Philox(seed: 3) })
        d.isTraining = false
        XCTAssertEqual(d.forward(x), x)
    }

    func testTemporalShiftExactValuesAndAdjoint() {
        // 8 channels (shift_div 8 → fold 1: channel 0 from t+1, channel 1 from t−1), one video of 3 frames, 1 pixel.
        var values: [Float] = []
        for c in 0..<8 { for t in 0..<3 { values.append(Float(10 * c + t)) } }
        let x = Tensor(shape: [8, 3, 1, 1], values: values)
        let y = TemporalShift.shift(x, segments: 3, shiftDiv: 8, inverse: false)
        XCTAssertEqual(Array(y.scalars[0..<3]), [1, 2, 0])       // frame t takes t+1; last is zero
        XCTAssertEqual(Array(y.scalars[3..<6]), [0, 10, 11])     // frame t takes t−1; first is zero
        XCTAssertEqual(Array(y.scalars[6..<9]), [20, 21, 22])    // unchanged
        // Two videos of 2 frames: no leakage across videos.
        let two = Tensor(shape: [8, 4, 1, 1], values: (0..<32).map(Float.init))
        XCTAssertEqual(Array(TemporalShift.shift(two, segments: 2, shiftDiv: 8, inverse: false).scalars[0..<4]), [1, 0, 3, 0])
        // <shift(a), b> == <a, shiftᵀ(b)>.
        let a = GradientCheck.random([16, 6, 2, 2], seed: 1), b = GradientCheck.random([16, 6, 2, 2], seed: 2)
        XCTAssertEqual(TemporalShift.shift(a, segments: 3, shiftDiv: 4, inverse: false).dot(b),
                       a.dot(TemporalShift.shift(b, segments: 3, shiftDiv: 4, inverse: true)), accuracy: 1e-4)
        let conv = Conv2d(8, 4, kernel: 1, bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 3)
        let wrapped = TemporalShift(net: conv, segments: 3)
        GradientCheck.check(wrapped, input: GradientCheck.random([8, 6, 2, 2], seed: 4))
        XCTAssertEqual(wrapped.stateDict().map(\.0), ["net.weight"])
    }

    func testCrossEntropyValuesAndGradient() {
        // logits [1, 2, 3] label 2: −log(e³/(e+e²+e³)) = log(1 + e⁻¹ + e⁻²) = 0.40760596.
        let ce = CrossEntropyLoss()
        let (loss, grad) = ce(Tensor(shape: [1, 3], values: [1, 2, 3]), labels: [2])
        XCTAssertEqual(loss, 0.40760596, accuracy: 1e-7)
        XCTAssertEqual(Double(grad[2]), exp(3) / (exp(1) + exp(2) + exp(3)) - 1, accuracy: 1e-6)
        // Smoothing 0.1 over 3 classes: 0.9·0.40760596 + 0.1·mean(2.40760596, 1.40760596, 0.40760596) = 0.50760596.
        XCTAssertEqual(CrossEntropyLoss(labelSmoothing: 0.1)(Tensor(shape: [1, 3], values: [1, 2, 3]), labels: [2]).loss,
                       0.50760596, accuracy: 1e-7)
        let logits = GradientCheck.random([4, 5], seed: 6, range: -2...2)
        for smoothing: Float in [0, 0.2] {
            let loss = CrossEntropyLoss(lossWeight: 0.5, labelSmoothing: smoothing)
            let labels = [0, 3, 4, 1]
            GradientCheck.assertMatches(loss(logits, labels: labels).gradient, at: logits, h: 1e-3, atol: 1e-4,
                                        "dlogits ε=\(smoothing)") { loss($0, labels: labels).loss }
        }
    }
}
