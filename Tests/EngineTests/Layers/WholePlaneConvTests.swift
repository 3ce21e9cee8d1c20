import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The whole-plane path (one GEMM over stacked positions, for planes the kernel covers from every output) against
/// the direct definition (forward), the im2col path (backward) and finite differences.
final class WholePlaneConvTests: XCTestCase {
    static let cases: [(h: Int, w: Int, k: Int)] = [(2, 2, 3), (1, 2, 3), (2, 1, 3), (1, 1, 3), (3, 3, 5), (2, 3, 5)]

    func make(kernel: Int, seed: UInt64, algorithm: ConvAlgorithm) -> Conv2d {
        let conv = Conv2d(5, 4, kernel: kernel, padding: kernel / 2, bias: true)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed)
        conv.bias?.value = GradientCheck.random([4], seed: seed + 1)
        conv.algorithm = algorithm
        return conv
    }

    func testAppliesOnlyWhereTheKernelCoversThePlane() {
        let conv = make(kernel: 3, seed: 1, algorithm: .auto)
        XCTAssertTrue(conv.usesWholePlane(conv.geometry(forShape: [5, 2, 2, 2])))
        XCTAssertTrue(conv.usesWholePlane(conv.geometry(forShape: [5, 2, 1, 1])))
        XCTAssertFalse(conv.usesWholePlane(conv.geometry(forShape: [5, 2, 3, 3])), "a 3×3 plane: corner taps miss")
        conv.algorithm = .im2col
        XCTAssertFalse(conv.usesWholePlane(conv.geometry(forShape: [5, 2, 2, 2])))
        XCTAssertFalse(Conv2d(5, 4, kernel: 3, stride: 2, padding: 1).usesWholePlane(
            Conv2d(5, 4, kernel: 3, stride: 2, padding: 1).geometry(forShape: [5, 2, 2, 2])))
    }

    func testForwardMatchesDirectLoopsAndBackwardMatchesIm2col() {
        for (i, t) in Self.cases.enumerated() {
            let fast = make(kernel: t.k, seed: 10 + UInt64(i), algorithm: .auto)
            let plain = make(kernel: t.k, seed: 10 + UInt64(i), algorithm: .im2col)
            let x = GradientCheck.random([5, 6, t.h, t.w], seed: 100 + UInt64(i))
            XCTAssertTrue(fast.usesWholePlane(fast.geometry(for: x)), "\(t)")
            let y = fast.forward(x), ref = ConvolutionTests.naive(fast, x)
            XCTAssertEqual(y.shape, ref.shape)
            for j in 0..<y.count { XCTAssertEqual(y[j], ref[j], accuracy: 1e-5, "\(t) y[\(j)]") }
            _ = plain.forward(x)
            let dy = GradientCheck.random(y.shape, seed: 200 + UInt64(i))
            let dx = fast.backward(dy), dxRef = plain.backward(dy)
            for j in 0..<dx.count { XCTAssertEqual(dx[j], dxRef[j], accuracy: 1e-5, "\(t) dx[\(j)]") }
            for j in 0..<fast.weight.grad.count {
                XCTAssertEqual(fast.weight.grad[j], plain.weight.grad[j], accuracy: 1e-5, "\(t) dw[\(j)]")
            }
            XCTAssertEqual(fast.bias!.grad.scalars, plain.bias!.grad.scalars, "\(t) db")
            fast.isTraining = false
            XCTAssertEqual(fast.forward(x).scalars, y.scalars, "\(t) eval = train forward")
        }
    }

    func testFiniteDifferenceGradients() {
        GradientCheck.check(make(kernel: 3, seed: 50, algorithm: .auto), input: GradientCheck.random([5, 3, 2, 2], seed: 51))
    }
}
