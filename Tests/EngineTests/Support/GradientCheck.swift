import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Central-difference gradient checks for layers.
///
/// The scalar is L = Σ y ⊙ r for a fixed random r, so ∂L/∂y = r and a layer's `backward(r)` must equal the
/// numerical derivative of L. Float32 forward passes, double accumulation; step h and tolerances suit Float32.
enum GradientCheck {
    static func random(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> Tensor {
        var rng = Philox(seed: seed)
        return Tensor.uniform(shape, in: range, rng: &rng)
    }

    /// Compares `analytic` with central differences of `loss` around `point`, on every element (or a seeded
    /// sample of `maxChecks`). Reports the worst element.
    static func assertMatches(_ analytic: Tensor, at point: Tensor, h: Float = 1e-2, atol: Double = 2e-3,
                              rtol: Double = 2e-2, maxChecks: Int = 256, _ what: String,
                              loss: (Tensor) -> Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.shape, point.shape, "\(what): gradient shape", file: file, line: line)
        let worst = worstElement(analytic, at: point, h: h, atol: atol, rtol: rtol, maxChecks: maxChecks, loss: loss)
        XCTAssertLessThanOrEqual(worst.excess, 0,
            "\(what): worst element \(worst.index): analytic \(worst.analytic) vs numeric \(worst.numeric)",
            file: file, line: line)
    }

    /// The element where analytic and numeric derivatives disagree most, measured as the amount by which the
    /// difference exceeds `atol + rtol·max(|a|, |n|)` (≤ 0 means every checked element is within tolerance).
    static func worstElement(_ analytic: Tensor, at point: Tensor, h: Float = 1e-2, atol: Double = 2e-3,
                             rtol: Double = 2e-2, maxChecks: Int = 256, loss: (Tensor) -> Double)
        -> (index: Int, analytic: Double, numeric: Double, excess: Double)
    {
        var indices = Array(0..<point.count)
        if indices.count > maxChecks {
            var rng = Philox(seed: 99)
            rng.shuffle(&indices)
            indices = Array(indices.prefix(maxChecks))
        }
        var worst = (index: -1, analytic: 0.0, numeric: 0.0, excess: -Double.infinity)
        for i in indices {
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * Double(h))
            let a = Double(analytic[i])
            let excess = abs(a - numeric) - (atol + rtol * max(abs(a), abs(numeric)))
            if excess > worst.excess { worst = (i, a, numeric, excess) }
        }
        return worst
    }

    /// Checks ∂L/∂x and every parameter gradient of `layer` at `x` (L = Σ y⊙r). `prepare` runs before every
    /// forward (e.g. to reset a dropout stream).
    static func check(_ layer: any Layer, input x: Tensor, seed: UInt64 = 5, checkInput: Bool = true,
                      prepare: () -> Void = {}, h: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
                      file: StaticString = #filePath, line: UInt = #line) {
        prepare()
        let y = layer.forward(x)
        let r = random(y.shape, seed: seed)
        func loss(_ input: Tensor) -> Double { prepare(); return layer.forward(input).dot(r) }
        for (_, p) in layer.namedParameters() { p.grad.fill(0) }
        prepare()
        _ = layer.forward(x)
        let dx = layer.backward(r)
        // Finite differences on the linear piece of that forward: ReLU masks and max-pool choices stay fixed.
        let kinks = layer.namedModules().compactMap { $0.1 as? PiecewiseLinear }
        kinks.forEach { $0.freezesPattern = true }
        defer { kinks.forEach { $0.freezesPattern = false } }
        let params = layer.namedParameters().map { ($0.0, $0.1, $0.1.grad) }
        if checkInput {
            assertMatches(dx, at: x, h: h, atol: atol, rtol: rtol, "dx", loss: loss, file: file, line: line)
        }
        for (name, p, grad) in params where p.requiresGrad {
            let saved = p.value
            assertMatches(grad, at: saved, h: h, atol: atol, rtol: rtol, name, loss: { w in
                p.value = w
                defer { p.value = saved }
                return loss(x)
            }, file: file, line: line)
        }
    }
}
