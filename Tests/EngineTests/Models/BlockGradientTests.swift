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

    /// ResNetTSM's NL3DWrapper: a shifted Bottleneck then a NonLocal3d over each video's 4 segments (2 videos),
    /// every mode, with and without sub-sampling; and the block alone plus the attention on the 5-D view.
    func testNonLocalWrapper() {
        for mode in NonLocal3d.Mode.allCases {
            for subSample in [false, true] {
                let block = Bottleneck(conv1: convModule(8, 4, k: 1, act: true, shift: 4, seed: 70), conv2: convModule(4, 4, k: 3, act: true, seed: 71),
                                       conv3: convModule(4, 8, k: 1, act: false, seed: 72), downsample: nil)
                let nl = NonLocal3d(8, useScale: true, mode: mode, subSample: subSample)
                var rng = Philox(seed: 73)
                nl.initWeights(std: 0.3, zerosInit: false, rng: &rng)
                let wrapper = NL3DWrapper(block: block, nonLocal: nl, segments: 4)
                XCTAssertEqual(wrapper.stateDict().map(\.0).filter { !$0.contains("running") && !$0.contains("tracked") }.prefix(2),
                               ["block.conv1.conv.net.weight", "block.conv1.bn.weight"])
                XCTAssertTrue(wrapper.stateDict().map(\.0).contains("non_local_block.g" + (subSample ? ".0" : "") + ".conv.weight"))
                let x = GradientCheck.random([8, 8, 4, 4], seed: 74)
                let expected = nl.forward(block.forward(x).reshaped([8, 2, 4, 4, 4]))
                XCTAssertEqual(wrapper.forward(x).scalars, expected.scalars, "\(mode)")
                GradientCheck.check(wrapper, input: x, h: 5e-3, atol: 5e-3, rtol: 5e-2)
            }
        }
    }

    /// ResNetTSM's TemporalPool: max over (3, 1, 1) windows with stride 2 and padding 1 in time, per video, before the
    /// wrapped stage; values by hand and gradients by finite differences.
    func testTemporalPool() {
        let pool = TemporalPool(net: Sequential([convModule(2, 2, k: 3, act: true, seed: 80)]), segments: 4)
        XCTAssertEqual(pool.stateDict().map(\.0).first, "net.0.conv.weight")
        GradientCheck.check(pool, input: GradientCheck.random([2, 8, 3, 3], seed: 81), h: 5e-3, atol: 5e-3, rtol: 5e-2)
        // One channel, 2 videos of 4 frames of one pixel: windows {0, 1} and {1, 2, 3} per video (padding −∞).
        let identity = TemporalPool(net: Sequential([]), segments: 4)
        let y = identity.forward(Tensor(shape: [1, 8, 1, 1], values: [1, 5, 2, 3, 9, 0, 4, 7]))
        XCTAssertEqual(y.shape, [1, 4, 1, 1])
        XCTAssertEqual(y.scalars, [5, 5, 9, 7])
    }
}
