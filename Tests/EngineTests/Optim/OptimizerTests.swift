import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Update rules against sequences worked from SEMANTICS.md §4.2 in double precision, param groups against §4.3–4.4.
final class OptimizerTests: XCTestCase {
    /// p₀ = [1, −2, 0.5]; the gradients of three steps.
    static let gradients: [[Float]] = [[0.1, 0.2, -0.3], [-0.05, 0.4, 0.1], [0.2, -0.1, 0]]

    func run(_ config: String) throws -> [Float] {
        final class One: Module { let p = Parameter(Tensor(shape: [3], values: [1, -2, 0.5])); var isTraining = true
            var parameters: [(String, Parameter)] { [("w", p)] } }
        let model = One()
        let text = "optimizer = " + config + "\n"
        let c = try ConfigLoader(read: { _ in text }).load("/o.py")
        let opt = try OptimizerBuilder.build(c.root["optimizer"]!, model: model, files: c.files)
        for g in Self.gradients {
            opt.zeroGradients()
            model.p.grad = Tensor(shape: [3], values: g)
            opt.step()
        }
        return model.p.value.scalars
    }

    func assertClose(_ a: [Float], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        for (x, y) in zip(a, b) { XCTAssertEqual(Double(x), y, accuracy: 2e-6, file: file, line: line) }
    }

    func testSGD() throws {
        // Plain: p = p − 0.1·Σg → [0.975, −2.05, 0.52].
        assertClose(try run("dict(type='SGD', lr=0.1)"), [0.975, -2.05, 0.52])
        // Momentum 0.9, dampening 0.1, wd 0.01: buf₁ = d₁ (no dampening on the first step), then 0.9·buf + 0.9·d.
        assertClose(try run("dict(type='SGD', lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)"),
                    [0.95816437109, -2.10286767458, 0.561447638895])
        // Nesterov: d + 0.9·buf.
        assertClose(try run("dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)"),
                    [0.933209762551, -2.141759579462, 0.5717798163405])
    }

    func testAdamAndAdamW() throws {
        // Coupled L2: d = g + 0.01·p; m, v with bias corrections 1 − βᵗ.
        assertClose(try run("dict(type='Adam', lr=0.01, weight_decay=0.01)"),
                    [0.9792654321172517, -2.0249656878564317, 0.5166553649454871])
        assertClose(try run("dict(type='Adam', lr=0.01, weight_decay=0.01, amsgrad=True)"),
                    [0.9792654321172517, -2.0249656878564317, 0.5166543265316708])
        // Decoupled: p ← p·(1 − lr·wd) first; AdamW's weight_decay default is 0.01.
        assertClose(try run("dict(type='AdamW', lr=0.01)"), [0.9804578116709443, -2.0249349814739537, 0.5169435010794691])
    }

    final class Tiny: Module {
        let conv1 = Conv2d(3, 4, kernel: 3, bias: false), bn = BatchNorm(4)
        let conv2 = Conv2d(4, 4, kernel: 1), dw = Conv2d(4, 4, kernel: 3, groups: 4), fc = Linear(4, 2)
        var isTraining = true
        var children: [(String, any Module)] { [("conv1", conv1), ("bn", bn), ("conv2", conv2), ("dw", dw), ("fc", fc)] }
    }

    func groups(_ config: String) throws -> [ParamGroup] {
        let text = "optimizer = " + config + "\n"
        let c = try ConfigLoader(read: { _ in text }).load("/o.py")
        return try OptimizerBuilder.build(c.root["optimizer"]!, model: Tiny(), files: c.files).groups
    }

    func testParamwiseConfig() throws {
        let g = try groups("""
            dict(type='SGD', lr=1.0, weight_decay=1e-4, paramwise_cfg=dict(custom_keys={'conv2': dict(lr_mult=0.1, decay_mult=0)},
                 bias_lr_mult=2, bias_decay_mult=0, norm_decay_mult=0, dwconv_decay_mult=0.5))
            """)
        XCTAssertEqual(g.map { $0.parameters.map(\.name) }, [["conv1.weight"], ["bn.weight"], ["bn.bias"], ["conv2.weight"],
                                                             ["conv2.bias"], ["dw.weight"], ["dw.bias"], ["fc.weight"], ["fc.bias"]])
        XCTAssertEqual(g.map(\.lr), [1, 1, 1, 0.1, 0.1, 1, 2, 1, 2])
        XCTAssertEqual(g.map(\.weightDecay), [1e-4, 0, 0, 0, 0, 0.5e-4, 0.5e-4, 1e-4, 0])
        XCTAssertThrowsError(try groups("dict(type='SGD', lr=1.0, paramwise_cfg=dict(norm_decay_mult=0))"))
        XCTAssertEqual(try groups("dict(type='SGD', lr=1.0)").map { $0.parameters.count }, [9])
    }

    func testTSMOptimizerConstructor() throws {
        let g = try groups("dict(type='SGD', lr=0.01, weight_decay=1e-4, constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=True))")
        XCTAssertEqual(g.map { $0.parameters.map(\.name) }, [["conv1.weight"], [], ["conv2.weight", "dw.weight"],
                                                             ["conv2.bias", "dw.bias"], ["bn.weight", "bn.bias"], ["fc.weight"], ["fc.bias"]])
        XCTAssertEqual(g.map(\.lr), [0.01, 0.02, 0.01, 0.02, 0.01, 0.05, 0.1])
        XCTAssertEqual(g.map(\.weightDecay), [1e-4, 0, 1e-4, 0, 0, 1e-4, 0])
        let off = try groups("dict(type='SGD', lr=0.01, constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=False))")
        XCTAssertEqual(off[2].parameters.map(\.name), ["conv2.weight", "dw.weight", "fc.weight"])
        XCTAssertTrue(off[5].parameters.isEmpty && off[6].parameters.isEmpty)
    }

    func testGradClip() {
        let a = Parameter(Tensor(shape: [2], values: [0, 0])), b = Parameter(Tensor(shape: [1], values: [0]))
        a.grad = Tensor(shape: [2], values: [3, 0]); b.grad = Tensor(shape: [1], values: [-4])
        XCTAssertEqual(GradClip.clip([a, b], maxNorm: 10, normType: 2), 5, accuracy: 1e-9)
        XCTAssertEqual(a.grad.scalars, [3, 0], "no clipping below max_norm")
        XCTAssertEqual(GradClip.clip([a, b], maxNorm: 1, normType: 2), 5, accuracy: 1e-9)
        XCTAssertEqual(Double(a.grad[0]), 3 / (5 + 1e-6), accuracy: 1e-7)
        XCTAssertEqual(Double(b.grad[0]), -4 / (5 + 1e-6), accuracy: 1e-7)
        b.grad = Tensor(shape: [1], values: [-4])
        XCTAssertEqual(GradClip.clip([a, b], maxNorm: 2, normType: .infinity), 4, accuracy: 1e-9)
        XCTAssertEqual(Double(b.grad[0]), -4 * 2 / (4 + 1e-6), accuracy: 1e-6)
    }
}
