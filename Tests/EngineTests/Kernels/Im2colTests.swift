import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The fast paths of im2col/col2im against the generic row-by-row code, exactly, over a sub-range of images as the
/// convolution's tiles use them: the same-size stride-1 path (one shifted plane copy per row; 3×3 pad 1, 5×5 pad 2,
/// 1×3 pad (0, 1), 1×1) and the per-ISA C kernels (every other 2-D geometry).
final class Im2colTests: ISATestCase {
    func testShiftPathEqualsTheGenericPath() {
        var rng = Philox(seed: 7)
        let cases: [(c: Int, n: Int, h: Int, w: Int, k: (Int, Int), p: (Int, Int))] = [
            (3, 4, 5, 6, (3, 3), (1, 1)), (2, 3, 7, 4, (5, 5), (2, 2)), (2, 2, 4, 5, (1, 3), (0, 1)), (3, 2, 3, 3, (1, 1), (0, 0)),
            (1, 2, 2, 2, (3, 3), (1, 1)),
        ]
        for t in cases {
            let g = ConvGeometry(channels: t.c, images: t.n, height: t.h, width: t.w, kernel: (1, t.k.0, t.k.1),
                                 stride: (1, 1, 1), padding: (0, t.p.0, t.p.1))
            XCTAssertTrue(Im2col.isSamePlaneShift(g), "\(t)")
            // col2im adds into a non-zero dx here: the shift path adds in the generic order.
            assertFastPathEqualsGeneric(g, rng: &rng, dxStartsAtZero: false, "\(t)")
        }
    }

    /// im2col and col2im (as dispatched) against the generic code on images 1..<N, exactly.
    func assertFastPathEqualsGeneric(_ g: ConvGeometry, rng: inout Philox, dxStartsAtZero: Bool, _ what: String,
                                     file: StaticString = #filePath, line: UInt = #line) {
        let x = Tensor.uniform([g.channels, g.images, g.height, g.width], in: -1...1, rng: &rng)
        let images = 1..<g.images, rows = g.channels * g.kernelVolume, cols = images.count * g.outPlane
        var fast = [Float](repeating: .nan, count: rows * cols), slow = fast
        x.withData { xp in
            fast.withUnsafeMutableBufferPointer { Im2col.im2col(xp, g, images: images, into: $0.baseAddress!, ld: cols) }
            slow.withUnsafeMutableBufferPointer { Im2col.im2colGeneric(xp, g, images: images, into: $0.baseAddress!, ld: cols) }
        }
        XCTAssertEqual(fast, slow, "im2col \(what)", file: file, line: line)
        let colT = Tensor.uniform([rows, cols], in: -1...1, rng: &rng)
        var dxFast = dxStartsAtZero ? Tensor.zeros(x.shape) : Tensor.uniform(x.shape, in: -1...1, rng: &rng)
        var dxSlow = dxFast
        colT.withData { cp in
            dxFast.withMutableData { Im2col.col2im(cp, g, images: images, ld: cols, into: $0) }
            dxSlow.withMutableData { Im2col.col2imGeneric(cp, g, images: images, ld: cols, into: $0) }
        }
        XCTAssertEqual(dxFast.scalars, dxSlow.scalars, "col2im \(what)", file: file, line: line)
    }

    /// The C kernels (every 2-D geometry but the same-size stride-1 ones) against the generic code under every ISA:
    /// im2col exactly, col2im exactly from a zero dx (as a convolution's backward starts) — the ResNet's strided 3×3
    /// and 1×1 convs on 16² to 2² planes, the 7×7/2 stem, odd sizes, unequal strides and paddings, dilation, a 2×2/2
    /// and a 3×3/3.
    func testKernelPathEqualsTheGenericPath() {
        var rng = Philox(seed: 8)
        let cases: [(c: Int, n: Int, h: Int, w: Int, k: (Int, Int), s: (Int, Int), p: (Int, Int), d: (Int, Int))] = [
            (3, 3, 16, 16, (3, 3), (2, 2), (1, 1), (1, 1)), (2, 4, 8, 8, (3, 3), (2, 2), (1, 1), (1, 1)),
            (2, 3, 4, 4, (3, 3), (2, 2), (1, 1), (1, 1)), (2, 3, 2, 2, (3, 3), (2, 2), (1, 1), (1, 1)),
            (3, 3, 16, 16, (1, 1), (2, 2), (0, 0), (1, 1)), (2, 3, 4, 4, (1, 1), (2, 2), (0, 0), (1, 1)),
            (3, 3, 13, 12, (7, 7), (2, 2), (3, 3), (1, 1)), (2, 2, 9, 11, (7, 7), (2, 2), (3, 3), (1, 1)),
            (2, 2, 7, 9, (5, 5), (2, 2), (0, 0), (1, 1)), (2, 2, 6, 7, (5, 5), (1, 2), (2, 2), (2, 1)),
            (2, 3, 11, 37, (3, 3), (2, 1), (1, 0), (1, 1)), (2, 2, 9, 9, (3, 3), (1, 1), (2, 2), (2, 2)),
            (2, 3, 8, 10, (2, 2), (2, 2), (0, 0), (1, 1)), (2, 2, 10, 11, (3, 3), (3, 3), (1, 1), (1, 1)),
            (1, 2, 1, 2, (5, 5), (2, 2), (2, 2), (1, 1)), (3, 2, 5, 5, (3, 3), (1, 1), (0, 0), (1, 1)),
        ]
        for t in cases {
            let g = ConvGeometry(channels: t.c, images: t.n, height: t.h, width: t.w, kernel: (1, t.k.0, t.k.1),
                                 stride: (1, t.s.0, t.s.1), padding: (0, t.p.0, t.p.1), dilation: (1, t.d.0, t.d.1))
            XCTAssertFalse(Im2col.isSamePlaneShift(g), "\(t)")
            XCTAssertTrue(Im2col.usesKernel(g), "\(t)")
            forEachISA { isa in assertFastPathEqualsGeneric(g, rng: &rng, dxStartsAtZero: true, "\(isa) \(t)") }
        }
        // 3-D geometries keep the generic loop.
        XCTAssertFalse(Im2col.usesKernel(ConvGeometry(channels: 1, images: 1, depth: 3, height: 4, width: 4,
                                                      kernel: (3, 3, 3), stride: (1, 2, 2), padding: (1, 1, 1))))
    }
}
