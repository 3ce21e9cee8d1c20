import XCTest
import CKernels
@testable import EngineCore

/// The channel-wise convolution kernel (DepthwiseBody.h) under every ISA this CPU supports, against the definition
/// written as plain loops: forward, input gradient and weight gradient of one volume, on strides 1 and 2 in every
/// dimension, odd sizes, kernels larger than the input, and a 2-D case (T = KT = 1).
final class DepthwiseKernelISATests: ISATestCase {
    typealias Shape = reel_dw_shape

    static func out(_ n: Int, _ k: Int, _ s: Int, _ p: Int) -> Int { (n + 2 * p - k) / s + 1 }

    /// Calls body(outputIndex, inputIndex, weightIndex) for every tap of every output that reads a real input.
    static func forEachTap(_ s: Shape, _ body: (Int, Int, Int) -> Void) {
        let (ot, oh, ow) = (out(s.T, s.KT, s.ST, s.PT), out(s.H, s.KH, s.SH, s.PH), out(s.W, s.KW, s.SW, s.PW))
        for a in 0..<ot { for b in 0..<oh { for c in 0..<ow {
            for kt in 0..<s.KT { for ky in 0..<s.KH { for kx in 0..<s.KW {
                let t = a * s.ST - s.PT + kt, h = b * s.SH - s.PH + ky, w = c * s.SW - s.PW + kx
                guard t >= 0, t < s.T, h >= 0, h < s.H, w >= 0, w < s.W else { continue }
                body((a * oh + b) * ow + c, (t * s.H + h) * s.W + w, (kt * s.KH + ky) * s.KW + kx)
            } } }
        } } }
    }

    static func values(_ count: Int, seed: UInt64) -> [Float] { GradientCheck.random([count], seed: seed).scalars }

    func testMatchesTheDefinitionUnderEveryISA() {
        let shapes: [Shape] = [
            Shape(T: 3, H: 5, W: 6, KT: 3, KH: 3, KW: 3, ST: 1, SH: 1, SW: 1, PT: 1, PH: 1, PW: 1),
            Shape(T: 4, H: 9, W: 7, KT: 3, KH: 3, KW: 3, ST: 1, SH: 2, SW: 2, PT: 1, PH: 1, PW: 1),
            Shape(T: 5, H: 8, W: 11, KT: 3, KH: 3, KW: 3, ST: 2, SH: 2, SW: 2, PT: 1, PH: 1, PW: 1),
            Shape(T: 6, H: 3, W: 5, KT: 5, KH: 1, KW: 1, ST: 1, SH: 1, SW: 1, PT: 2, PH: 0, PW: 0),
            Shape(T: 1, H: 13, W: 40, KT: 1, KH: 3, KW: 3, ST: 1, SH: 1, SW: 1, PT: 0, PH: 1, PW: 1),
            Shape(T: 2, H: 2, W: 3, KT: 3, KH: 5, KW: 5, ST: 1, SH: 3, SW: 1, PT: 1, PH: 2, PW: 2),
            Shape(T: 3, H: 17, W: 33, KT: 1, KH: 3, KW: 5, ST: 2, SH: 1, SW: 3, PT: 0, PH: 1, PW: 2),
        ]
        for (i, s) in shapes.enumerated() {
            var shape = s
            let taps = s.KT * s.KH * s.KW, inCount = s.T * s.H * s.W
            let outCount = Self.out(s.T, s.KT, s.ST, s.PT) * Self.out(s.H, s.KH, s.SH, s.PH) * Self.out(s.W, s.KW, s.SW, s.PW)
            let x = Self.values(inCount, seed: 100 + UInt64(i)), w = Self.values(taps, seed: 200 + UInt64(i))
            let dy = Self.values(outCount, seed: 300 + UInt64(i))
            var y0 = [Double](repeating: 0, count: outCount), dx0 = [Double](repeating: 0, count: inCount)
            var dw0 = [Double](repeating: 0, count: taps)
            Self.forEachTap(s) { o, xi, k in
                y0[o] += Double(w[k]) * Double(x[xi])
                dx0[xi] += Double(w[k]) * Double(dy[o])
                dw0[k] += Double(dy[o]) * Double(x[xi])
            }
            var scratch = [Float](repeating: .nan, count: reel_dwconv_scratch_floats(&shape))
            var results: [KernelISA: [Float]] = [:]
            forEachISA { isa in
                var y = [Float](repeating: .nan, count: outCount), dx = [Float](repeating: .nan, count: inCount)
                var dw = [Float](repeating: 0.5, count: taps)   // added to
                scratch.withUnsafeMutableBufferPointer { sp in
                    reel_dwconv_forward(&shape, x, w, &y, sp.baseAddress!)
                    sp.update(repeating: .nan)   // any contents on entry
                    reel_dwconv_backward(&shape, x, w, dy, &dx, &dw, sp.baseAddress!)
                }
                for j in 0..<outCount { XCTAssertEqual(Double(y[j]), y0[j], accuracy: 1e-4, "\(isa) case \(i) y[\(j)]") }
                for j in 0..<inCount { XCTAssertEqual(Double(dx[j]), dx0[j], accuracy: 1e-4, "\(isa) case \(i) dx[\(j)]") }
                for j in 0..<taps { XCTAssertEqual(Double(dw[j]), 0.5 + dw0[j], accuracy: 1e-3, "\(isa) case \(i) dw[\(j)]") }
                // dx alone and dw alone (NULL for the other) give the same values.
                var dxOnly = [Float](repeating: .nan, count: inCount), dwOnly = [Float](repeating: 0.5, count: taps)
                scratch.withUnsafeMutableBufferPointer { sp in
                    reel_dwconv_backward(&shape, x, w, dy, &dxOnly, nil, sp.baseAddress!)
                    reel_dwconv_backward(&shape, x, w, dy, nil, &dwOnly, sp.baseAddress!)
                }
                XCTAssertEqual(dxOnly, dx, "\(isa) case \(i) dx alone")
                XCTAssertEqual(dwOnly, dw, "\(isa) case \(i) dw alone")
                results[isa] = y
            }
            // Forward sums the taps in the same order under every ISA: the same bits.
            if let base = results[.baseline] { for (isa, y) in results { XCTAssertEqual(y, base, "\(isa) case \(i) vs baseline") } }
        }
    }

    /// Convolution takes the depthwise path exactly where it applies.
    func testConvolutionChoosesTheKernel() {
        let dw = Conv3d(8, 8, kernel: (3, 3, 3), stride: (1, 2, 2), padding: (1, 1, 1), groups: 8)
        let g = dw.geometry(forShape: [8, 2, 4, 8, 8])
        XCTAssertEqual(dw.pathName(g), "depthwise")
        dw.algorithm = .im2col
        XCTAssertEqual(dw.pathName(g), "im2col")
        XCTAssertEqual(Conv3d(8, 16, kernel: (3, 3, 3), groups: 8).pathName(ConvGeometry(channels: 8, images: 1, depth: 3,
            height: 5, width: 5, kernel: (3, 3, 3), stride: (1, 1, 1), padding: (0, 0, 0))), "im2col")
        XCTAssertEqual(Conv2d(4, 4, kernel: 3, padding: 1, groups: 4).pathName(ConvGeometry(channels: 4, images: 1, height: 5,
            width: 5, kernel: (1, 3, 3), stride: (1, 1, 1), padding: (0, 1, 1))), "depthwise")
    }

    /// The layer on the depthwise path equals the layer on im2col (forward, dx, dW, db) in training.
    func testLayerAgreesWithIm2col() {
        for (k, s, p) in [((3, 3, 3), (1, 2, 2), (1, 1, 1)), ((3, 3, 3), (2, 2, 2), (1, 1, 1)), ((5, 1, 1), (1, 1, 1), (2, 0, 0))] {
            let convs = [ConvAlgorithm.auto, .im2col].map { algo -> Conv3d in
                let c = Conv3d(6, 6, kernel: k, stride: s, padding: p, groups: 6, bias: true)
                c.weight.value = GradientCheck.random(c.weight.shape, seed: 1)
                c.bias?.value = GradientCheck.random([6], seed: 2)
                c.algorithm = algo
                return c
            }
            let x = GradientCheck.random([6, 3, 5, 9, 10], seed: 3)
            let ys = convs.map { $0.forward(x) }
            let r = GradientCheck.random(ys[0].shape, seed: 4)
            let dxs = convs.map { $0.backward(r) }
            for j in 0..<ys[0].count { XCTAssertEqual(ys[0][j], ys[1][j], accuracy: 1e-5) }
            for j in 0..<dxs[0].count { XCTAssertEqual(dxs[0][j], dxs[1][j], accuracy: 1e-5) }
            for j in 0..<convs[0].weight.grad.count { XCTAssertEqual(convs[0].weight.grad[j], convs[1].weight.grad[j], accuracy: 1e-3) }
            XCTAssertEqual(convs[0].bias!.grad.scalars, convs[1].bias!.grad.scalars)
        }
    }
}
