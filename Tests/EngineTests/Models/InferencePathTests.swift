import XCTest
@testable import EngineCore

/// The inference path (BatchNorm folded into the convolution, ReLU and residual sums in its epilogue) against the
/// layer-by-layer eval forward it replaces.
final class InferencePathTests: XCTestCase {
    /// A ConvModule with non-trivial BatchNorm statistics and affine parameters.
    func makeModule(_ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, relu: Bool, seed: UInt64, shift: Bool = false) -> ConvModule {
        let conv = Conv2d(cin, cout, kernel: kernel, stride: stride, padding: kernel / 2, bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed)
        let bn = BatchNorm(cout)
        bn.weight.value = GradientCheck.random([cout], seed: seed + 1, range: 0.5...1.5)
        bn.bias.value = GradientCheck.random([cout], seed: seed + 2)
        bn.runningMean.tensor = GradientCheck.random([cout], seed: seed + 3)
        bn.runningVar.tensor = GradientCheck.random([cout], seed: seed + 4, range: 0.2...2)
        let wrapped: any Layer = shift ? TemporalShift(net: conv, segments: 2, shiftDiv: 4) : conv
        return ConvModule(conv: wrapped, bn: bn, activate: relu)
    }

    /// conv → BN (running statistics) → ReLU, each layer on its own.
    func layered(_ m: ConvModule, _ x: Tensor) -> Tensor {
        let y = m.bn.forward(m.conv.forward(x))
        return m.relu?.forward(y) ?? y
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
        var worst: Float = 0
        for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
        XCTAssertLessThan(worst, 2e-5, message, file: file, line: line)
    }

    func testConvModuleEvalFoldsBatchNormOnEveryPath() {
        // Stem (direct), 3×3 (Winograd), 3×3 stride 2 (direct / im2col), 1×1, a 2×2 plane (whole plane), shifted.
        let cases: [(ConvModule, [Int])] = [
            (makeModule(3, 8, kernel: 7, stride: 2, relu: true, seed: 1), [3, 2, 20, 20]),
            (makeModule(6, 10, kernel: 3, relu: true, seed: 10), [6, 2, 8, 8]),
            (makeModule(6, 10, kernel: 3, stride: 2, relu: false, seed: 20), [6, 2, 34, 34]),
            (makeModule(6, 10, kernel: 3, stride: 2, relu: true, seed: 25), [6, 2, 8, 8]),
            (makeModule(6, 10, kernel: 1, relu: false, seed: 30), [6, 2, 5, 5]),
            (makeModule(6, 10, kernel: 3, relu: true, seed: 40), [6, 2, 2, 2]),
            (makeModule(8, 8, kernel: 3, relu: true, seed: 50, shift: true), [8, 4, 6, 6]),
        ]
        for (i, (m, shape)) in cases.enumerated() {
            m.setTraining(false)
            XCTAssertTrue(m.infers, "case \(i)")
            let x = GradientCheck.random(shape, seed: 900 + UInt64(i))
            assertClose(m.forward(x), layered(m, x), "case \(i)")
        }
    }

    func testFoldedWeightsFollowParameterAndStatisticChanges() {
        let m = makeModule(4, 6, kernel: 3, relu: true, seed: 60)
        m.setTraining(false)
        let x = GradientCheck.random([4, 2, 6, 6], seed: 61)
        _ = m.forward(x)
        // An in-place update (as the optimizer does) and a new running variance must both be seen.
        m.convolution.weight.value.withMutableData { $0[0] += 0.5 }
        assertClose(m.forward(x), layered(m, x), "after a weight update")
        m.bn.runningVar.tensor.withMutableData { $0[2] *= 3 }
        assertClose(m.forward(x), layered(m, x), "after a running-variance change")
        m.bn.runningMean.tensor = GradientCheck.random([6], seed: 62)
        assertClose(m.forward(x), layered(m, x), "after a new running mean")
    }

    func testResidualBlocksFuseTheSumAndReLU() {
        let basic = BasicBlock(conv1: makeModule(8, 16, kernel: 3, stride: 2, relu: true, seed: 70),
                               conv2: makeModule(16, 16, kernel: 3, relu: false, seed: 71),
                               downsample: makeModule(8, 16, kernel: 1, stride: 2, relu: false, seed: 72))
        let bottleneck = Bottleneck(conv1: makeModule(16, 4, kernel: 1, relu: true, seed: 80),
                                    conv2: makeModule(4, 4, kernel: 3, relu: true, seed: 81),
                                    conv3: makeModule(4, 16, kernel: 1, relu: false, seed: 82), downsample: nil)
        for (name, block) in [("basic", basic as any Layer), ("bottleneck", bottleneck as any Layer)] {
            let x = GradientCheck.random([block is BasicBlock ? 8 : 16, 2, 8, 8], seed: 90)
            block.setTraining(false)
            let fused = block.forward(x)
            // The same block's eval forward, layer by layer (module by module, no epilogue fusion).
            let ref: Tensor
            if let b = block as? BasicBlock {
                var out = layered(b.conv2, layered(b.conv1, x))
                Elementwise.add(layered(b.downsample!, x), into: &out)
                ref = ReLU().forward(out)
            } else {
                let b = block as! Bottleneck
                var out = layered(b.conv3, layered(b.conv2, layered(b.conv1, x)))
                Elementwise.add(x, into: &out)
                ref = ReLU().forward(out)
            }
            assertClose(fused, ref, name)
        }
    }

    /// `frozen_stages`: the frozen stem and stage run the inference path while training, and backward stops above
    /// them (before, backward reached a frozen convolution that had kept nothing and stopped the process).
    func testFrozenStagesTrainWithoutBackwardThroughThem() {
        var rng = Philox(seed: 3)
        let net = ResNet(depth: 18, baseChannels: 8, inChannels: 3, frozenStages: 1, rng: &rng)
        net.applyMode(training: true)
        let x = GradientCheck.random([3, 2, 32, 32], seed: 4)
        let y = net.forward(x)
        let frozenBefore = net.layers[0].namedParameters().map { $0.1.value }
        let dx = net.backward(GradientCheck.random(y.shape, seed: 5))
        XCTAssertEqual(dx.count, 0, "no input gradient below frozen stages")
        XCTAssertEqual(net.layers[0].namedParameters().map { $0.1.grad.dot($0.1.grad) }, frozenBefore.map { _ in 0 })
        XCTAssertNotEqual(net.layers[1].namedParameters()[0].1.grad.dot(net.layers[1].namedParameters()[0].1.grad), 0)
    }
}
