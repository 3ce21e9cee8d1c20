import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// MaxPool's C kernel (every ISA the CPU has) against a direct definition: the maximum of each window and, for
/// backward, the gradient routed to the first maximum in window order (PyTorch's rule), on inputs full of ties;
/// eval mode (no indices) gives the same values.
final class MaxPoolTests: XCTestCase {
    /// Direct max pooling of one 2-D plane layout C×N×H×W: outputs and the flat input index each takes.
    static func naive(_ x: Tensor, kernel: Int, stride: Int, padding: Int) -> (y: [Float], index: [Int]) {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
        var y: [Float] = [], index: [Int] = []
        for p in 0..<planes { for yo in 0..<oh { for xo in 0..<ow {
            var best = -Float.infinity, at = -1
            for kh in 0..<kernel { for kw in 0..<kernel {
                let yi = yo * stride - padding + kh, xi = xo * stride - padding + kw
                guard yi >= 0, yi < h, xi >= 0, xi < w else { continue }
                let v = x[(p * h + yi) * w + xi]
                if at < 0 || v > best { best = v; at = (p * h + yi) * w + xi }
            } }
            y.append(best); index.append(at)
        } } }
        return (y, index)
    }

    func testPlanarKernelMatchesTheDefinitionWithTiesOnEveryISA() {
        let saved = KernelISA.active
        defer { KernelISA.activate(saved) }
        for isa in KernelISA.available {
            KernelISA.activate(isa)
            for (k, s, p) in [(3, 2, 1), (2, 2, 0), (3, 1, 1), (3, 3, 0)] { check(kernel: k, stride: s, padding: p, isa: isa) }
        }
    }

    func check(kernel: Int, stride: Int, padding: Int, isa: KernelISA) {
        var rng = Philox(seed: 3)
        for (h, w) in [(5, 6), (9, 17), (12, 40), (3, 33), (64, 70), (32, 32), (4, 4), (2, 45)] {
            // Values on a coarse grid: many equal maxima inside a window.
            var x = Tensor.uniform([2, 3, h, w], in: -2...2, rng: &rng)
            let count = x.count
            x.withMutableData { p in for i in 0..<count { p[i] = (p[i] * 2).rounded() } }
            let pool = MaxPool(kernel: kernel, stride: stride, padding: padding)
            XCTAssertTrue(MaxPool.isPlanar(pool.geometry(x.shape)))
            let y = pool.forward(x)
            let ref = Self.naive(x, kernel: kernel, stride: stride, padding: padding)
            let what = "\(isa) \(kernel)/\(stride) pad \(padding) on \(h)x\(w)"
            XCTAssertEqual(y.scalars, ref.y, "\(what) forward")
            let dy = Tensor.uniform(y.shape, in: -1...1, rng: &rng)
            var expected = [Float](repeating: 0, count: x.count)
            for (o, i) in ref.index.enumerated() { expected[i] += dy[o] }
            XCTAssertEqual(pool.backward(dy).scalars, expected, "\(what) backward to the first maximum")
            // Eval computes no indices (another kernel path): the same values.
            pool.isTraining = false
            XCTAssertEqual(pool.forward(x).scalars, ref.y, "\(what) eval forward")
        }
    }

    /// I3D's pool1, (1, 3, 3) / (1, 2, 2) / pad (0, 1, 1): pooled frame by frame on the 2-D kernel, it equals the
    /// definition per frame (values and the first maximum's position in backward), in training and eval.
    func testFramewise3DPoolingIsThe2DPoolOfEachFrame() {
        var rng = Philox(seed: 5)
        var x = Tensor.uniform([3, 2, 4, 9, 10], in: -2...2, rng: &rng)
        let count = x.count
        x.withMutableData { p in for i in 0..<count { p[i] = (p[i] * 2).rounded() } }
        let pool = MaxPool(dims: 3, kernel: (1, 3, 3), stride: (1, 2, 2), padding: (0, 1, 1))
        XCTAssertTrue(pool.poolsFramesAsImages && MaxPool.isPlanar(pool.geometry(x.shape)))
        let y = pool.forward(x)
        XCTAssertEqual(y.shape, [3, 2, 4, 5, 5])
        // The same values as C×(N·T) images.
        let ref = Self.naive(Tensor(shape: [3, 8, 9, 10], values: x.scalars), kernel: 3, stride: 2, padding: 1)
        XCTAssertEqual(y.scalars, ref.y)
        let dy = Tensor.uniform(y.shape, in: -1...1, rng: &rng)
        var expected = [Float](repeating: 0, count: x.count)
        for (o, i) in ref.index.enumerated() { expected[i] += dy[o] }
        XCTAssertEqual(pool.backward(dy).scalars, expected)
        pool.isTraining = false
        XCTAssertEqual(pool.forward(x).scalars, ref.y)
        // A temporal window keeps the 3-D loop.
        XCTAssertFalse(MaxPool(dims: 3, kernel: (2, 1, 1), stride: (2, 1, 1), padding: (0, 0, 0)).poolsFramesAsImages)
    }
}
