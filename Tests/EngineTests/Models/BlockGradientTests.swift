import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Residual blocks and the stem, each checked against finite differences on their own.
final class BlockGradientTests: XCTestCase {
    func convModule(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, act: Bool, shift: Int? = nil, seed: UInt64) -> ConvModule {
        let conv = Conv2d(cin, cout, kernel: k, stride: stride, padding: k / 2, bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed, range: -0.5...0.5)
        let bn = BatchNorm(cout)
        bn.weight.value = GradientCheck.random([cout], seed: seed + 1, range: 0.5...1.5)
        bn.bias.value = GradientCheck.random([cout], seed: seed + 2, range: -0.2...0.2)
        let layer: any Layer = shift.map { TemporalShift(net: conv, segments: $0, shiftDiv: 4) } ?? conv
        return ConvModule(conv: layer, bn: bn, activate: act)
    }

    func testConvModule() {
        GradientCheck.check(convModule(4, 4, k: 3, act: false, seed: 1), input: GradientCheck.random([4, 4, 5, 5], seed: 2),
                            atol: 5e-3, rtol: 3e-2)
    }

    func testBasicBlockWithShiftAndDownsample() {
        let block = BasicBlock(conv1: convModule(4, 8, k: 3, stride: 2, act: true, shift: 2, seed: 10),
                               conv2: convModule(8, 8, k: 3, act: false, seed: 20),
                               downsample: convModule(4, 8, k: 1, stride: 2, act: false, seed: 30))
        GradientCheck.check(block, input: GradientCheck.random([4, 4, 6, 6], seed: 3), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    func testBottleneck() {
        let block = Bottleneck(conv1: convModule(8, 4, k: 1, act: true, seed: 40), conv2: convModule(4, 4, k: 3, act: true, seed: 50),
                               conv3: convModule(4, 8, k: 1, act: false, seed: 60), downsample: nil)
        GradientCheck.check(block, input: GradientCheck.random([8, 2, 5, 5], seed: 4), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }
}
