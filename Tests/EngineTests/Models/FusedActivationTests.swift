import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The training forward's fused passes (ConvModule's BN + ReLU, a residual block's sum + ReLU) against the same
/// layers run one after the other (the unfused path a frozen ReLU pattern takes): equal bits forward and backward.
final class FusedActivationTests: XCTestCase {
    func convModule(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, act: Bool, shift: Int? = nil, seed: UInt64) -> ConvModule {
        let conv = Conv2d(cin, cout, kernel: k, stride: stride, padding: k / 2, bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed, range: -0.5...0.5)
        let bn = BatchNorm(cout)
        bn.weight.value = GradientCheck.random([cout], seed: seed + 1, range: 0.5...1.5)
        bn.bias.value = GradientCheck.random([cout], seed: seed + 2, range: -0.2...0.2)
        let layer: any Layer = shift.map { TemporalShift(net: conv, segments: $0, shiftDiv: 4) } ?? conv
        return ConvModule(conv: layer, bn: bn, activate: act)
    }

    func block(seed: UInt64) -> BasicBlock {
        BasicBlock(conv1: convModule(4, 8, k: 3, stride: 2, act: true, shift: 2, seed: seed),
                   conv2: convModule(8, 8, k: 3, act: false, seed: seed + 10),
                   downsample: convModule(4, 8, k: 1, stride: 2, act: false, seed: seed + 20))
    }

    func testFusedForwardAndBackwardEqualTheUnfusedLayers() {
        let x = GradientCheck.random([4, 4, 9, 9], seed: 5, range: -2...2)
        let dy = GradientCheck.random([8, 4, 5, 5], seed: 6, range: -1...1)
        let fused = block(seed: 10), unfused = block(seed: 10)
        // A frozen pattern with no saved output yet makes ReLU compute normally: the unfused path.
        for relu in [unfused.relu, unfused.conv1.relu!] { relu.freezesPattern = true }
        let y = fused.forward(x), yRef = unfused.forward(x)
        XCTAssertEqual(y.scalars.map(\.bitPattern), yRef.scalars.map(\.bitPattern))
        XCTAssertTrue(y.scalars.contains(0) && y.scalars.contains { $0 > 0 }, "both sides of the ReLU are exercised")
        let dx = fused.backward(dy), dxRef = unfused.backward(dy)
        XCTAssertEqual(dx.scalars.map(\.bitPattern), dxRef.scalars.map(\.bitPattern))
        XCTAssertEqual(fused.conv1.bn.weight.grad.scalars, unfused.conv1.bn.weight.grad.scalars)
    }
}
