import XCTest
@testable import EngineCore

/// The 3-D recognizers' layers against mmcv 1.7.2 / mmaction2 0.24.1 / PyTorch themselves (Fixtures/layers3d.json,
/// written by scripts/make-layer3d-fixtures.py): the same state-dict names and shapes in the same order, and, with
/// the same parameters and input, the training-mode output, dL/dx and parameter gradients to float rounding.
final class Layer3dReferenceTests: XCTestCase {
    struct Case: Decodable {
        var x_shape: [Int], x: [Float], r: [Float], y: [Float], y_shape: [Int], dx: [Float]
        var keys: [[ShapeOrName]], state: [String: [Float]], grads: [String: [Float]]
    }
    /// A `keys` entry is [name, shape].
    enum ShapeOrName: Decodable, Equatable {
        case name(String), shape([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .name(s) } else { self = .shape(try c.decode([Int].self)) }
        }
    }
    struct File: Decodable { var cases: [String: Case] }

    static let cases: [String: Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/layers3d.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [:] }
        return file.cases
    }()

    /// Loads the case's state into `layer` (names and shapes must match mmcv's, in order), runs forward and backward
    /// of L = Σ y⊙r, and compares y, dx and every parameter gradient.
    func check(_ name: String, _ layer: any Layer, tolerance: Float = 2e-5, file: StaticString = #filePath, line: UInt = #line) {
        guard let c = Self.cases[name] else { return XCTFail("fixture case \(name) missing", file: file, line: line) }
        let ours = layer.stateDict()
        let expected: [(String, [Int])] = c.keys.compactMap {
            if case .name(let n) = $0.first, case .shape(let s) = $0.last { return (n, s) } else { return nil }
        }
        XCTAssertEqual(ours.map(\.0), expected.map(\.0), "\(name): state-dict names", file: file, line: line)
        XCTAssertEqual(ours.map(\.1.shape), expected.map(\.1), "\(name): state-dict shapes", file: file, line: line)
        for (key, entry) in ours {
            guard let values = c.state[key] else { continue }
            let t = Tensor(shape: entry.shape, values: values)
            switch entry {
            case .parameter(let p): p.value = t
            case .buffer(let b): b.tensor = t
            }
        }
        layer.zeroGradients()
        let x = Tensor(shape: c.x_shape, values: c.x)
        let y = layer.forward(x)
        XCTAssertEqual(y.shape, c.y_shape, "\(name): output shape", file: file, line: line)
        assertClose(y.scalars, c.y, tolerance, "\(name) y", file: file, line: line)
        let dx = layer.backward(Tensor(shape: y.shape, values: c.r))
        assertClose(dx.scalars, c.dx, tolerance, "\(name) dx", file: file, line: line)
        for (key, p) in layer.namedParameters() {
            guard let g = c.grads[key] else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
            assertClose(p.grad.scalars, g, tolerance, "\(name) d\(key)", file: file, line: line)
        }
    }

    /// |a − b| ≤ tol·(1 + |b|) everywhere; reports the worst element.
    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float, _ what: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
        var worst = (index: -1, excess: Float(-1))
        for i in 0..<min(a.count, b.count) {
            let e = abs(a[i] - b[i]) / (1 + abs(b[i]))
            if e > worst.excess { worst = (i, e) }
        }
        XCTAssertLessThanOrEqual(worst.excess, tol, "\(what): worst [\(worst.index)] \(a[max(0, worst.index)]) vs \(b[max(0, worst.index)])",
                                 file: file, line: line)
    }

    func testNonLocal3dMatchesMmcv() {
        check("nonlocal_embedded_subsample_bn", NonLocal3d(8, useScale: false, norm: true, mode: .embeddedGaussian, subSample: true))
        check("nonlocal_embedded_scale", NonLocal3d(6))
        check("nonlocal_gaussian_subsample", NonLocal3d(4, norm: true, mode: .gaussian, subSample: true))
        check("nonlocal_dot_product", NonLocal3d(6, reduction: 3, mode: .dotProduct))
    }

    func testConv2plus1dMatchesMmaction2() {
        let conv = Conv2plus1d(4, 6, kernel: (3, 3, 3), stride: (2, 2, 2), padding: (1, 1, 1))
        XCTAssertEqual(conv.midChannels, 12)   // ⌊3·(4·6·9) / (4·9 + 3·6)⌋ = ⌊648 / 54⌋
        check("conv2plus1d", conv)
    }

    /// mmaction2's widths (printed by its Conv2plus1d): the paper's formula with t = 3 even for a (1, 3, 3) kernel.
    func testConv2plus1dWidths() {
        let cases: [(Int, Int, (Int, Int, Int), Int)] = [
            (64, 64, (3, 3, 3), 144), (3, 64, (3, 7, 7), 83), (64, 128, (3, 3, 3), 230), (128, 256, (3, 3, 3), 460),
            (256, 512, (3, 3, 3), 921), (16, 16, (3, 3, 3), 36), (7, 5, (1, 3, 3), 12),
        ]
        for (i, o, k, m) in cases { XCTAssertEqual(Conv2plus1d.midChannels(i, o, kernel: k), m, "\(i)→\(o) \(k)") }
    }

    /// mmaction2's `SEModule._round_width` (values printed by it): X3D-M's SE widths at se_ratio 1/16, and others.
    func testSERoundWidth() {
        let cases: [(Double, Double, Int)] = [(24, 0.0625, 8), (54, 0.0625, 8), (108, 0.0625, 8), (216, 0.0625, 16),
                                              (432, 0.0625, 32), (100, 0.25, 24), (7, 1.0 / 16, 8)]
        for (w, m, e) in cases { XCTAssertEqual(SEModule.roundWidth(w, m), e, "\(w)·\(m)") }
    }

    func testSEModuleSwishSigmoidMatch() {
        check("se_module", SEModule(channels: 16, reduction: 1.0 / 16))
        check("swish", Swish())
        check("sigmoid", Sigmoid())
    }

    func testAdaptiveAvgPool3dMatchesPyTorch() {
        check("adaptive_pool_1", AdaptiveAvgPool3d())
        check("adaptive_pool_233", AdaptiveAvgPool3d((2, 3, 3)))
    }

    func testDepthwiseConv3dMatchesPyTorch() {
        check("depthwise_333_s222", Conv3d(5, 5, kernel: (3, 3, 3), stride: (2, 2, 2), padding: (1, 1, 1), groups: 5, bias: false))
        check("depthwise_333_s122", Conv3d(4, 4, kernel: (3, 3, 3), stride: (1, 2, 2), padding: (1, 1, 1), groups: 4, bias: true))
        check("depthwise_511", Conv3d(3, 3, kernel: (5, 1, 1), padding: (2, 0, 0), groups: 3, bias: false))
    }
}
