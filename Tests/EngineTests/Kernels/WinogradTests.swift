import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Winograd F(2×2, 3×3) and F(4×4, 3×3) against the direct definition (forward) and the im2col path (backward), on plane sizes
/// that exercise odd edges, single tiles, planes 2 or 4 tiles wide (several tile rows per SIMD row, the last group
/// partial) and more than eight tiles per row (the SIMD remainder).
final class WinogradTests: XCTestCase {
    static let sizes: [(h: Int, w: Int)] = [(1, 1), (2, 3), (4, 4), (7, 7), (9, 8), (5, 3), (5, 18), (17, 9)]

    func make(_ cin: Int, _ cout: Int, bias: Bool, seed: UInt64, algorithm: ConvAlgorithm = .winograd) -> Conv2d {
        let conv = Conv2d(cin, cout, kernel: 3, stride: 1, padding: 1, bias: bias)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed)
        conv.bias?.value = GradientCheck.random([cout], seed: seed + 1)
        conv.algorithm = algorithm
        return conv
    }

    func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 2e-5, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        // Relative to the tensor's largest magnitude: float rounding of long sums scales with it, not with an element.
        var worst: Float = 0, scale: Float = 1
        for i in 0..<b.count { scale = max(scale, abs(b[i])) }
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a[i] - b[i]) / scale) }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): worst difference / max |value|", file: file, line: line)
    }

    func testAppliesOnlyToThreeByThreeStrideOnePadOne() {
        let g = Conv2d(4, 4, kernel: 3, padding: 1).geometry(forShape: [4, 1, 8, 8])
        XCTAssertTrue(Winograd.applies(g, groups: 1))
        XCTAssertFalse(Winograd.applies(g, groups: 2))
        XCTAssertFalse(Winograd.applies(Conv2d(4, 4, kernel: 3, stride: 2, padding: 1).geometry(forShape: [4, 1, 8, 8]), groups: 1))
        XCTAssertFalse(Winograd.applies(Conv2d(4, 4, kernel: 3, padding: 2, dilation: 2).geometry(forShape: [4, 1, 8, 8]), groups: 1))
        XCTAssertFalse(Winograd.applies(Conv2d(4, 4, kernel: 3).geometry(forShape: [4, 1, 8, 8]), groups: 1))
        let conv = make(4, 4, bias: false, seed: 1, algorithm: .im2col)
        XCTAssertFalse(conv.usesWinograd(g))
        conv.algorithm = .auto
        XCTAssertTrue(conv.usesWinograd(g))
        XCTAssertFalse(conv.usesWinograd(conv.geometry(forShape: [4, 1, 2, 2])), "a single-tile plane stays on im2col")
    }

    func testForwardMatchesDirectLoops() {
        for (i, size) in Self.sizes.enumerated() {
            let conv = make(5, 6, bias: i % 2 == 0, seed: UInt64(i), algorithm: .winograd)
            let x = GradientCheck.random([5, 3, size.h, size.w], seed: 100 + UInt64(i))
            XCTAssertTrue(conv.usesWinograd(conv.geometry(for: x)))
            assertClose(conv.forward(x), ConvolutionTests.naive(conv, x), "\(size.h)x\(size.w) train")
            conv.isTraining = false
            assertClose(conv.forward(x), ConvolutionTests.naive(conv, x), "\(size.h)x\(size.w) eval")
        }
    }

    func testConv3dWithOneByThreeByThreeKernel() {
        let conv = Conv3d(3, 4, kernel: (1, 3, 3), padding: (0, 1, 1), bias: true)
        conv.algorithm = .winograd
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 7)
        conv.bias?.value = GradientCheck.random([4], seed: 8)
        let x = GradientCheck.random([3, 2, 3, 6, 5], seed: 9)
        XCTAssertTrue(conv.usesWinograd(conv.geometry(for: x)))
        assertClose(conv.forward(x), ConvolutionTests.naive(conv, x), "Conv3d 1x3x3")
        GradientCheck.check(conv, input: x)
    }

    /// dx, dw and db equal the im2col path's for the same weights and upstream gradient.
    func testBackwardMatchesIm2col() {
        for (i, size) in Self.sizes.enumerated() {
            let fast = make(6, 5, bias: true, seed: 20 + UInt64(i), algorithm: .winograd)
            let plain = make(6, 5, bias: true, seed: 20 + UInt64(i), algorithm: .im2col)
            let x = GradientCheck.random([6, 3, size.h, size.w], seed: 200 + UInt64(i))
            let dy = GradientCheck.random([5, 3, size.h, size.w], seed: 300 + UInt64(i))
            _ = fast.forward(x); _ = plain.forward(x)
            assertClose(fast.backward(dy), plain.backward(dy), "\(size.h)x\(size.w) dx")
            assertClose(fast.weight.grad, plain.weight.grad, "\(size.h)x\(size.w) dw")
            assertClose(fast.bias!.grad, plain.bias!.grad, "\(size.h)x\(size.w) db")
        }
    }

    func testFiniteDifferenceGradients() {
        let conv = make(3, 4, bias: true, seed: 50, algorithm: .winograd)
        GradientCheck.check(conv, input: GradientCheck.random([3, 2, 5, 6], seed: 51))
        let conv4 = make(3, 4, bias: true, seed: 52, algorithm: .winograd4)
        GradientCheck.check(conv4, input: GradientCheck.random([3, 2, 6, 9], seed: 53))
    }

    /// F(4×4, 3×3) on every plane size (ragged tiles, a single tile, planes narrower than a vector of tiles):
    /// forward against the definition, backward against im2col.
    func testFourByFourTiles() {
        for (i, size) in (Self.sizes + [(28, 28), (12, 30)]).enumerated() {
            let fast = make(6, 5, bias: true, seed: 90 + UInt64(i), algorithm: .winograd4)
            let plain = make(6, 5, bias: true, seed: 90 + UInt64(i), algorithm: .im2col)
            XCTAssertEqual(fast.winogradTile(fast.geometry(forShape: [6, 3, size.h, size.w])), 4)
            let x = GradientCheck.random([6, 3, size.h, size.w], seed: 400 + UInt64(i))
            let dy = GradientCheck.random([5, 3, size.h, size.w], seed: 500 + UInt64(i))
            assertClose(fast.forward(x), ConvolutionTests.naive(fast, x), "\(size.h)x\(size.w) F4 y")
            _ = plain.forward(x)
            assertClose(fast.backward(dy), plain.backward(dy), "\(size.h)x\(size.w) F4 dx")
            assertClose(fast.weight.grad, plain.weight.grad, "\(size.h)x\(size.w) F4 dw")
            assertClose(fast.bias!.grad, plain.bias!.grad, "\(size.h)x\(size.w) F4 db")
            fast.isTraining = false
            assertClose(fast.forward(x), ConvolutionTests.naive(fast, x), "\(size.h)x\(size.w) F4 eval")
        }
    }

    /// `auto` takes 4×4 tiles on planes at least 24 wide and 8 high, 2×2 tiles below that.
    func testAutoTileByPlaneWidth() {
        let conv = make(4, 4, bias: false, seed: 3, algorithm: .auto)
        guard Convolution.forcedWinogradTile == nil else { return }
        XCTAssertEqual(conv.winogradTile(conv.geometry(forShape: [4, 1, 28, 28])), 4)
        XCTAssertEqual(conv.winogradTile(conv.geometry(forShape: [4, 1, 8, 24])), 4)
        XCTAssertEqual(conv.winogradTile(conv.geometry(forShape: [4, 1, 14, 14])), 2)
        XCTAssertEqual(conv.winogradTile(conv.geometry(forShape: [4, 1, 7, 32])), 2)
    }

    /// Many images over both workers and several blocks; a second step reuses the saved V; no input gradient.
    func testLargeBatchBlocksAndStemStyleBackward() {
        for algorithm in [ConvAlgorithm.winograd, .winograd4] { largeBatch(algorithm) }
    }

    func largeBatch(_ algorithm: ConvAlgorithm) {
        let fast = make(16, 16, bias: false, seed: 60, algorithm: algorithm)
        let plain = make(16, 16, bias: false, seed: 60, algorithm: .im2col)
        for step in 0..<2 {
            let x = GradientCheck.random([16, 40, 28, 28], seed: 61 + UInt64(step))
            let dy = GradientCheck.random([16, 40, 28, 28], seed: 71 + UInt64(step))
            assertClose(fast.forward(x), plain.forward(x), tolerance: 2e-5, "step \(step) y")
            assertClose(fast.backward(dy), plain.backward(dy), tolerance: 2e-5, "step \(step) dx")
        }
        assertClose(fast.weight.grad, plain.weight.grad, tolerance: 2e-5, "dw over two steps")
        fast.computesInputGradient = false
        _ = fast.forward(GradientCheck.random([16, 2, 6, 6], seed: 80))
        XCTAssertEqual(fast.backward(GradientCheck.random([16, 2, 6, 6], seed: 81)).count, 0)
    }
}
