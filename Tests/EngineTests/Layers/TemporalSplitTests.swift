import XCTest
@testable import EngineCore

/// 3-D convolutions with a temporal kernel, split into planar parts (Convolution+Temporal.swift), and (1, kh, kw) ones
/// run on frames as images (Convolution+Planar.swift), against the same layer on im2col + GEMM (the definition): forward, dx, dW, db in training, the eval/inference path, and a
/// finite-difference check.
final class TemporalSplitTests: XCTestCase {
    typealias Case = (c: Int, o: Int, k: (Int, Int, Int), s: (Int, Int, Int), p: (Int, Int, Int), x: [Int], path: String)

    static let cases: [Case] = [
        (4, 6, (3, 3, 3), (1, 1, 1), (1, 1, 1), [4, 2, 4, 6, 5], "3x winograd"),
        (4, 5, (3, 3, 3), (1, 2, 2), (1, 1, 1), [4, 2, 3, 8, 9], "3x direct"),
        (6, 4, (3, 1, 1), (1, 1, 1), (1, 0, 0), [6, 2, 5, 3, 4], "3x im2col"),
        (5, 4, (3, 3, 3), (1, 1, 1), (0, 1, 1), [5, 1, 4, 2, 2], "3x plane"),
        (3, 8, (5, 7, 7), (1, 2, 2), (2, 3, 3), [3, 2, 3, 9, 8], "5x direct"),
        (2, 3, (2, 3, 3), (1, 1, 1), (0, 1, 1), [2, 2, 3, 5, 5], "2x winograd"),
        // (1, kh, kw): frames as images (Convolution+Planar.swift), so the depth-1 paths apply.
        (5, 4, (1, 3, 3), (1, 1, 1), (0, 1, 1), [5, 2, 3, 2, 2], "plane"),
        (4, 4, (1, 3, 3), (1, 1, 1), (0, 1, 1), [4, 2, 3, 6, 5], "winograd"),
        (6, 5, (1, 3, 3), (1, 2, 2), (0, 1, 1), [6, 2, 3, 7, 8], "im2col"),
    ]

    func testSplitAgreesWithIm2col() {
        for (i, t) in Self.cases.enumerated() {
            let convs = [ConvAlgorithm.auto, .im2col].map { algo -> Conv3d in
                let c = Conv3d(t.c, t.o, kernel: t.k, stride: t.s, padding: t.p, bias: true)
                c.weight.value = GradientCheck.random(c.weight.shape, seed: 10 + UInt64(i))
                c.bias?.value = GradientCheck.random([t.o], seed: 20 + UInt64(i))
                c.algorithm = algo
                return c
            }
            let x = GradientCheck.random(t.x, seed: 30 + UInt64(i))
            XCTAssertEqual(convs[0].pathName(convs[0].geometry(for: x)), t.path, "case \(i)")
            let ys = convs.map { $0.forward(x) }
            XCTAssertEqual(ys[0].shape, ys[1].shape, "case \(i)")
            let r = GradientCheck.random(ys[0].shape, seed: 40 + UInt64(i))
            let dxs = convs.map { $0.backward(r) }
            XCTAssertEqual(dxs[0].shape, x.shape, "case \(i)")
            // Two steps: the parts' gradients must be handed over and cleared each time.
            _ = convs.map { $0.forward(x) }
            _ = convs.map { $0.backward(r) }
            for j in 0..<ys[0].count { XCTAssertEqual(ys[0][j], ys[1][j], accuracy: 1e-4, "case \(i) y[\(j)]") }
            for j in 0..<dxs[0].count { XCTAssertEqual(dxs[0][j], dxs[1][j], accuracy: 1e-4, "case \(i) dx[\(j)]") }
            for j in 0..<convs[0].weight.grad.count {
                XCTAssertEqual(convs[0].weight.grad[j], convs[1].weight.grad[j], accuracy: 1e-3, "case \(i) dW[\(j)]")
            }
            for j in 0..<t.o { XCTAssertEqual(convs[0].bias!.grad[j], convs[1].bias!.grad[j], accuracy: 1e-3) }
            // Eval, and the inference path with folded weights, bias and ReLU.
            convs.forEach { $0.isTraining = false }
            let e = convs.map { $0.inferenceForward(x, weights: $0.weight.value, bias: $0.bias?.value, relu: true) }
            for j in 0..<e[0].count { XCTAssertEqual(e[0][j], e[1][j], accuracy: 1e-4, "case \(i) eval y[\(j)]") }
            // New weights in eval (a checkpoint load) are sliced again.
            convs.forEach { $0.weight.value = GradientCheck.random($0.weight.shape, seed: 50 + UInt64(i)) }
            let e2 = convs.map { $0.forward(x) }
            for j in 0..<e2[0].count { XCTAssertEqual(e2[0][j], e2[1][j], accuracy: 1e-4, "case \(i) reloaded y[\(j)]") }
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let conv = Conv3d(3, 4, kernel: (3, 3, 3), stride: (1, 1, 1), padding: (1, 1, 1))
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 1)
        conv.bias?.value = GradientCheck.random([4], seed: 2)
        XCTAssertTrue(conv.usesTemporalSplit(conv.geometry(forShape: [3, 2, 3, 4, 4])))
        GradientCheck.check(conv, input: GradientCheck.random([3, 2, 3, 4, 4], seed: 3))
        // Without an input gradient (a stem): weights only.
        let stem = Conv3d(3, 4, kernel: (3, 1, 1), padding: (1, 0, 0), bias: false)
        stem.weight.value = GradientCheck.random(stem.weight.shape, seed: 4)
        stem.computesInputGradient = false
        GradientCheck.check(stem, input: GradientCheck.random([3, 2, 3, 2, 2], seed: 5), checkInput: false)
    }
}
