import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

final class ConvolutionTests: XCTestCase {
    /// Direct-loop convolution (the reference beside the im2col + GEMM path), channel-major C×N×T×H×W.
    static func naive(_ conv: Convolution, _ x: Tensor) -> Tensor {
        let g = conv.geometry(for: x)
        let cg = conv.inChannels / conv.groups, og = conv.outChannels / conv.groups
        var shape = [conv.outChannels, g.images]
        if conv.dims == 3 { shape.append(g.outDepth) }
        shape += [g.outHeight, g.outWidth]
        var y = Tensor.zeros(shape)
        let w = conv.weight.value
        for o in 0..<conv.outChannels {
            let grp = o / og
            for n in 0..<g.images { for zo in 0..<g.outDepth { for yo in 0..<g.outHeight { for xo in 0..<g.outWidth {
                var s = Double(conv.bias?.value[o] ?? 0)
                for ci in 0..<cg { for kt in 0..<g.kernel.t { for kh in 0..<g.kernel.h { for kw in 0..<g.kernel.w {
                    let zi = zo * g.stride.t - g.padding.t + kt * g.dilation.t
                    let yi = yo * g.stride.h - g.padding.h + kh * g.dilation.h
                    let xi = xo * g.stride.w - g.padding.w + kw * g.dilation.w
                    guard zi >= 0, zi < g.depth, yi >= 0, yi < g.height, xi >= 0, xi < g.width else { continue }
                    let c = grp * cg + ci
                    let xv = x[(((c * g.images + n) * g.depth + zi) * g.height + yi) * g.width + xi]
                    let wv = w[(((o * cg + ci) * g.kernel.t + kt) * g.kernel.h + kh) * g.kernel.w + kw]
                    s += Double(xv) * Double(wv)
                } } } }
                y[(((o * g.images + n) * g.outDepth + zo) * g.outHeight + yo) * g.outWidth + xo] = Float(s)
            } } } }
        }
        return y
    }

    struct Layout { var stride = 1, padding = 0, dilation = 1, groups = 1, bias = true }

    static let layouts: [Layout] = [
        Layout(), Layout(stride: 2, padding: 1), Layout(padding: 1, dilation: 2), Layout(groups: 2, bias: false),
        Layout(stride: 2, padding: 1, groups: 2), Layout(stride: 1, padding: 0, dilation: 1, groups: 1, bias: false),
    ]

    func make2d(_ l: Layout, kernel: Int = 3, cin: Int = 4, cout: Int = 6, seed: UInt64 = 1) -> Conv2d {
        let conv = Conv2d(cin, cout, kernel: kernel, stride: l.stride, padding: l.padding, dilation: l.dilation,
                          groups: l.groups, bias: l.bias)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed)
        conv.bias?.value = GradientCheck.random([cout], seed: seed + 1)
        return conv
    }

    func testIm2colGEMMMatchesDirectLoops2D() {
        for (i, l) in Self.layouts.enumerated() {
            for kernel in [1, 3] {
                let conv = make2d(l, kernel: kernel, seed: UInt64(i))
                let x = GradientCheck.random([4, 3, 7, 6], seed: 10 + UInt64(i))
                let fast = conv.forward(x), slow = Self.naive(conv, x)
                XCTAssertEqual(fast.shape, slow.shape, "layout \(i) k\(kernel)")
                for j in 0..<fast.count { XCTAssertEqual(fast[j], slow[j], accuracy: 1e-4, "layout \(i) k\(kernel) @\(j)") }
            }
        }
    }

    func testIm2colGEMMMatchesDirectLoops3D() {
        let conv = Conv3d(4, 4, kernel: (3, 3, 3), stride: (1, 2, 2), padding: (1, 1, 1), groups: 2)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 3)
        conv.bias?.value = GradientCheck.random([4], seed: 4)
        let x = GradientCheck.random([4, 2, 4, 5, 5], seed: 5)
        let fast = conv.forward(x), slow = Self.naive(conv, x)
        XCTAssertEqual(fast.shape, [4, 2, 4, 3, 3])
        for j in 0..<fast.count { XCTAssertEqual(fast[j], slow[j], accuracy: 1e-4) }
    }

    func testConv2dGradients() {
        for (i, l) in Self.layouts.enumerated() {
            for kernel in [1, 3] {
                let conv = make2d(l, kernel: kernel, seed: 20 + UInt64(i))
                GradientCheck.check(conv, input: GradientCheck.random([4, 2, 5, 6], seed: 30 + UInt64(i)))
            }
        }
    }

    func testConv3dGradients() {
        let conv = Conv3d(2, 4, kernel: (3, 1, 3), stride: (2, 1, 1), padding: (1, 0, 1), dilation: (1, 1, 2), bias: true)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 40)
        conv.bias?.value = GradientCheck.random([4], seed: 41)
        GradientCheck.check(conv, input: GradientCheck.random([2, 2, 4, 3, 6], seed: 42))
    }

    func testStemSkipsInputGradientAndKaimingScale() {
        let conv = Conv2d(3, 8, kernel: 7, stride: 2, padding: 3, bias: false)
        conv.computesInputGradient = false
        var rng = Philox(seed: 1)
        conv.kaimingInit(rng: &rng)
        let w = conv.weight.value.scalars
        let std = (w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / (8 * 49)).squareRoot(), accuracy: 0.01, "fan_out Kaiming")
        let x = GradientCheck.random([3, 2, 16, 16], seed: 2)
        let y = conv.forward(x)
        XCTAssertEqual(y.shape, [8, 2, 8, 8])
        XCTAssertEqual(conv.backward(y).count, 0)
        XCTAssertNotEqual(conv.weight.grad.scalars.map(abs).max(), 0)
    }
}
