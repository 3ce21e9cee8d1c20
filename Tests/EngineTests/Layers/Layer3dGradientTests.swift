import XCTest
@testable import EngineCore

/// Finite-difference gradient checks for the 3-D recognizers' layers (NonLocal3d, Conv2plus1d, SEModule, Swish,
/// Sigmoid, AdaptiveAvgPool3d, channel-wise Conv3d), plus hand-worked values.
final class Layer3dGradientTests: XCTestCase {
    func testSigmoidAndSwish() {
        GradientCheck.check(Sigmoid(), input: GradientCheck.random([2, 3, 4], seed: 1, range: -4...4), h: 1e-2)
        GradientCheck.check(Swish(), input: GradientCheck.random([2, 3, 4], seed: 2, range: -4...4), h: 1e-2)
        // σ(0) = ½; σ(±100) saturates without overflow (σ(−100) = e⁻¹⁰⁰, a float denormal, as PyTorch's 3.7835e-44).
        XCTAssertEqual(Sigmoid().forward(Tensor(shape: [3], values: [0, 100, -100])).scalars, [0.5, 1, expf(-100)])
        XCTAssertEqual(Swish().forward(Tensor(shape: [1], values: [2]))[0], 2 / (1 + expf(-2)), accuracy: 1e-7)
    }

    func testAdaptiveAvgPool3d() {
        GradientCheck.check(AdaptiveAvgPool3d(), input: GradientCheck.random([2, 3, 2, 3, 4], seed: 3))
        GradientCheck.check(AdaptiveAvgPool3d((2, 2, 3)), input: GradientCheck.random([2, 1, 3, 5, 7], seed: 4))
        // Length 3 into 2 bins: [0, 2) and [1, 3) overlap on the middle value.
        let y = AdaptiveAvgPool3d((2, 1, 1)).forward(Tensor(shape: [1, 1, 3, 1, 1], values: [1, 2, 4]))
        XCTAssertEqual(y.scalars, [1.5, 3])
        XCTAssertEqual(y.shape, [1, 1, 2, 1, 1])
    }

    func testSEModule() {
        let se = SEModule(channels: 8, reduction: 0.5)
        XCTAssertEqual(se.bottleneck, 8)
        XCTAssertEqual(se.stateDict().map(\.0), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        var rng = Philox(seed: 5)
        se.kaimingInit(rng: &rng)
        se.fc1.bias?.value = GradientCheck.random([8], seed: 6)
        GradientCheck.check(se, input: GradientCheck.random([8, 2, 2, 3, 3], seed: 7))
    }

    func testConv2plus1d() {
        let conv = Conv2plus1d(3, 4, kernel: (3, 3, 3), stride: (2, 1, 2), padding: (1, 1, 1), bias: false)
        var rng = Philox(seed: 8)
        conv.kaimingInit(rng: &rng)
        XCTAssertEqual(conv.stateDict().map(\.0), ["conv_s.weight", "bn_s.weight", "bn_s.bias", "bn_s.running_mean",
                                                    "bn_s.running_var", "bn_s.num_batches_tracked", "conv_t.weight"])
        XCTAssertEqual(conv.convS.weight.shape, [conv.midChannels, 3, 1, 3, 3])
        XCTAssertEqual(conv.convT.weight.shape, [4, conv.midChannels, 3, 1, 1])
        // Inputs away from the ReLU kink are not guaranteed after BatchNorm: the check freezes the ReLU mask.
        GradientCheck.check(conv, input: GradientCheck.random([3, 2, 4, 4, 5], seed: 9), atol: 5e-3, rtol: 3e-2)
    }

    func testNonLocal3dEveryMode() {
        for mode in NonLocal3d.Mode.allCases {
            for subSample in [false, true] {
                for norm in [false, true] {
                    let nl = NonLocal3d(6, useScale: subSample, norm: norm, mode: mode, subSample: subSample)
                    var rng = Philox(seed: 10)
                    nl.initWeights(std: 0.5, zerosInit: false, rng: &rng)
                    if let bn = nl.outNorm { bn.runningVar.tensor = GradientCheck.random([6], seed: 11, range: 0.5...1.5) }
                    // Eval-mode BatchNorm keeps the check on the attention (train-mode BN is checked on its own).
                    nl.outNorm?.isTraining = false
                    GradientCheck.check(nl, input: GradientCheck.random([6, 2, 2, 3, 4], seed: 12), atol: 3e-3, rtol: 3e-2)
                }
            }
        }
    }

    func testNonLocal3dStateDictNamesAndInit() {
        let nl = NonLocal3d(8, useScale: false, norm: true, subSample: true)
        XCTAssertEqual(nl.stateDict().map(\.0), [
            "g.0.conv.weight", "g.0.conv.bias", "conv_out.conv.weight", "conv_out.bn.weight", "conv_out.bn.bias",
            "conv_out.bn.running_mean", "conv_out.bn.running_var", "conv_out.bn.num_batches_tracked",
            "theta.conv.weight", "theta.conv.bias", "phi.0.conv.weight", "phi.0.conv.bias",
        ])
        XCTAssertEqual(NonLocal3d(8, mode: .gaussian, subSample: true).stateDict().map(\.0),
                       ["g.0.conv.weight", "g.0.conv.bias", "conv_out.conv.weight", "conv_out.conv.bias"])
        // mmcv's zero init of conv_out's norm: the block starts as the identity.
        var rng = Philox(seed: 13)
        nl.initWeights(rng: &rng)
        XCTAssertEqual(nl.outNorm?.weight.value.scalars, Array(repeating: 0, count: 8))
        let x = GradientCheck.random([8, 1, 2, 4, 4], seed: 14)
        XCTAssertEqual(nl.forward(x), x)
    }

    /// Channel-wise convolutions (groups = channels) on the shapes CSN and X3D use, and 2-D.
    func testDepthwiseConvolution() {
        let cases: [(k: (Int, Int, Int), s: (Int, Int, Int), p: (Int, Int, Int), x: [Int])] = [
            ((3, 3, 3), (1, 1, 1), (1, 1, 1), [3, 2, 3, 5, 6]), ((3, 3, 3), (1, 2, 2), (1, 1, 1), [2, 2, 3, 7, 6]),
            ((3, 3, 3), (2, 2, 2), (1, 1, 1), [2, 1, 5, 6, 7]), ((5, 1, 1), (1, 1, 1), (2, 0, 0), [2, 2, 4, 2, 3]),
            ((1, 3, 3), (1, 1, 1), (0, 0, 0), [2, 2, 2, 4, 4]),
        ]
        for (i, t) in cases.enumerated() {
            let conv = Conv3d(t.x[0], t.x[0], kernel: t.k, stride: t.s, padding: t.p, groups: t.x[0], bias: i % 2 == 0)
            conv.weight.value = GradientCheck.random(conv.weight.shape, seed: 20 + UInt64(i))
            conv.bias?.value = GradientCheck.random([t.x[0]], seed: 30 + UInt64(i))
            GradientCheck.check(conv, input: GradientCheck.random(t.x, seed: 40 + UInt64(i)))
        }
        let conv2d = Conv2d(3, 3, kernel: 3, stride: 2, padding: 1, groups: 3)
        conv2d.weight.value = GradientCheck.random(conv2d.weight.shape, seed: 50)
        GradientCheck.check(conv2d, input: GradientCheck.random([3, 2, 5, 6], seed: 51))
    }
}
