import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// C3D, R(2+1)D, CSN and X3D: their blocks, X3DHead and a tiny model of each backbone against finite differences
/// (the full-size models are checked against mmaction2 by scripts/mmaction2_model3d_check.py).
final class BlockGradientFamily3dTests: XCTestCase {
    /// Random BN affine parameters everywhere, so no gradient vanishes by construction.
    func randomizeNorms(_ net: any Module, seed: UInt64) {
        for (i, bn) in net.namedModules().compactMap({ $0.1 as? BatchNorm }).enumerated() {
            bn.weight.value = GradientCheck.random(bn.weight.shape, seed: seed + UInt64(i), range: 0.5...1.5)
            bn.bias.value = GradientCheck.random(bn.bias.shape, seed: seed + 500 + UInt64(i), range: -0.2...0.2)
        }
    }

    func convModule(_ cin: Int, _ cout: Int, _ k: (Int, Int, Int), _ stride: (Int, Int, Int), _ padding: (Int, Int, Int),
                    _ dilation: (Int, Int, Int), _ groups: Int, _ act: Bool, seed: UInt64) -> ConvModule {
        let conv = Conv3d(cin, cout, kernel: k, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed, range: -0.5...0.5)
        return ConvModule(conv: conv, bn: BatchNorm(cout, dims: 3), activate: act)
    }

    /// CSNBottleneck3d, 'ir' and 'ip', inflated 3×3×3 with a (2, 2, 2) stride and a downsample: conv2 is the
    /// depthwise conv (groups = planes), after a 1×1×1 conv for 'ip'.
    func testCSNBottleneck3d() {
        for mode in [ResNet3dCSNSpec.BottleneckMode.ir, .ip] {
            var seed: UInt64 = 10
            let block = CSNBottleneck3d.make(cin: 8, planes: 4, inflated: true, style: .t3x3x3, caffe: false, stride: (2, 2, 2),
                                             dilation: 1, mode: mode,
                                             downsample: convModule(8, 16, (1, 1, 1), (2, 2, 2), (0, 0, 0), (1, 1, 1), 1, false, seed: 90),
                                             nonLocal: nil) { cin, cout, k, s, p, d, g, act in
                seed += 10
                return self.convModule(cin, cout, k, s, p, d, g, act, seed: seed)
            }
            XCTAssertEqual(block.conv2.layers.count, mode == .ip ? 2 : 1)
            XCTAssertEqual((block.conv2.layers.last as! ConvModule).convolution.groups, 4)
            randomizeNorms(block, seed: 300)
            GradientCheck.check(block, input: GradientCheck.random([8, 2, 4, 6, 6], seed: 3), h: 5e-3, atol: 5e-3, rtol: 5e-2)
        }
    }

    /// BlockX3D with its downsample, SE unit and Swish, a spatial stride 2.
    func testBlockX3D() {
        let block = BlockX3D(conv1: convModule(6, 8, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, true, seed: 1),
                             conv2: convModule(8, 8, (3, 3, 3), (1, 2, 2), (1, 1, 1), (1, 1, 1), 8, false, seed: 2),
                             conv3: convModule(8, 12, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, false, seed: 3),
                             se: SEModule(channels: 8, reduction: 0.25),
                             downsample: convModule(6, 12, (1, 1, 1), (1, 2, 2), (0, 0, 0), (1, 1, 1), 1, false, seed: 4))
        var rng = Philox(seed: 5)
        block.se?.kaimingInit(rng: &rng)
        block.se?.fc1.bias?.value = GradientCheck.random([8], seed: 6, range: -0.2...0.2)
        randomizeNorms(block, seed: 400)
        XCTAssertEqual(block.children.map(\.0), ["downsample", "conv1", "conv2", "swish", "conv3", "se_module", "relu"])
        GradientCheck.check(block, input: GradientCheck.random([6, 2, 3, 6, 6], seed: 7), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// X3DHead: pool → fc1 (with and without bias) → ReLU → fc2.
    func testX3DHead() {
        for bias in [false, true] {
            var rng = Philox(seed: 1)
            let head = X3DHead(inChannels: 6, numClasses: 3, fc1Bias: bias, dropoutRatio: 0, initStd: 0.5, midChannels: 10, rng: &rng)
            XCTAssertEqual(head.stateDict().map(\.0), bias ? ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
                                                           : ["fc1.weight", "fc2.weight", "fc2.bias"])
            GradientCheck.check(HeadAsLayer(head: head), input: GradientCheck.random([6, 2, 2, 3, 3], seed: 8))
        }
    }

    /// C3D at width 1 (convs 1…8 wide) with BatchNorm, fc6/fc7 6 wide: all eight convs, five pools (pool5 padded),
    /// the flatten into fc6 and the transposed output.
    func testTinyC3D() {
        var spec = C3DSpec()
        spec.baseChannels = 1
        spec.hiddenChannels = 6
        spec.outDim = 8 * 2 * 2   // 16×32×32 → 8 × 1 × 2 × 2
        spec.dropoutRatio = 0
        spec.norm = Norm3d()
        spec.initStd = 0.3
        var rng = Philox(seed: 3)
        let net = C3D(spec, rng: &rng)
        randomizeNorms(net, seed: 600)
        let x = GradientCheck.random([3, 2, 16, 32, 32], seed: 9)
        XCTAssertEqual(net.forward(x).shape, [6, 2])
        GradientCheck.check(net, input: x, checkInput: false, h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// Two stages of a ResNet2Plus1d-18 at width 4: every convolution a Conv2plus1d (stem, blocks, downsample),
    /// a temporal stride, no pool2 even with `with_pool2`.
    func testTinyResNet2Plus1d() {
        var spec = ResNet3dSpec(flavour: .resnet3d, depth: 18)
        spec.baseChannels = 4
        spec.numStages = 2
        spec.spatialStrides = [1, 2]
        spec.temporalStrides = [1, 2]
        spec.dilations = [1, 1]
        spec.inflate = [[true, false], [true, true]]
        spec.nonLocal = [[false, false], [false, false]]
        spec.zeroInitResidual = false
        var rng = Philox(seed: 9)
        let net = ResNet3d(spec, variant: .r2plus1d, rng: &rng)
        randomizeNorms(net, seed: 100)
        let x = GradientCheck.random([3, 2, 4, 16, 16], seed: 7)
        XCTAssertEqual(net.forward(x).shape, [8, 2, 2, 2, 2], "T 4 (no pool2) → layer2 2; 16 → 8 → maxpool 4 → layer2 2")
        GradientCheck.check(net, input: x, checkInput: false, h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// The first stage of an 'ip' ResNet3dCSN-50 at width 2: three bottlenecks with depthwise 3×3×3 convs, the first
    /// with a temporal stride 2 and its downsample, after the stem and max-pool. (One stage: a deeper chain of
    /// train-mode BatchNorms makes float32 central differences noisier than the tolerance; the whole model is checked
    /// against PyTorch by scripts/mmaction2_model3d_check.py.)
    func testTinyResNet3dCSN() {
        var spec = ResNet3dSpec(flavour: .resnet3d, depth: 50)
        spec.baseChannels = 2
        spec.numStages = 1
        spec.spatialStrides = [1]
        spec.temporalStrides = [2]
        spec.dilations = [1]
        spec.inflateStyle = .t3x3x3
        spec.inflate = [[true, false, true]]
        spec.nonLocal = [[false, false, false]]
        spec.withPool2 = false
        spec.zeroInitResidual = false
        spec.normEps = 1e-3
        var rng = Philox(seed: 4)
        let net = ResNet3d(spec, variant: .csn(.ip, bnFrozen: false), rng: &rng)
        randomizeNorms(net, seed: 200)
        // 32×32: 256 values per channel keep train-mode BatchNorm smooth at the finite-difference step.
        let x = GradientCheck.random([3, 2, 4, 32, 32], seed: 5)
        XCTAssertEqual(net.forward(x).shape, [8, 2, 2, 8, 8])
        GradientCheck.check(net, input: x, checkInput: false, h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// Two stages of X3D at gamma_w 0.25 (8 wide), gamma_b 1.5: the stem's channel-wise 5×1×1 conv, SE in every
    /// block, conv5.
    func testTinyX3D() {
        var spec = X3DSpec()
        spec.gammaW = 0.25
        spec.gammaB = 1.5
        spec.numStages = 2
        spec.spatialStrides = [2, 2]
        spec.seAll = true
        spec.zeroInitResidual = false
        var rng = Philox(seed: 6)
        let net = X3D(spec, rng: &rng)
        randomizeNorms(net, seed: 700)
        XCTAssertEqual(spec.stageBlocks, [1, 2])
        let x = GradientCheck.random([3, 2, 3, 32, 32], seed: 2)
        XCTAssertEqual(net.forward(x).shape, [24, 2, 3, 4, 4], "32 → stem 16 → 8 → 4; conv5 16 × 1.5")
        GradientCheck.check(net, input: x, checkInput: false, h: 2e-3, atol: 5e-3, rtol: 5e-2)
    }
}
