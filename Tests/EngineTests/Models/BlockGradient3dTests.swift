import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The 3-D residual blocks, a tiny ResNet3d and I3DHead, each checked against finite differences on their own.
final class BlockGradient3dTests: XCTestCase {
    func convModule(_ cin: Int, _ cout: Int, k: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                    dilation: Int = 1, act: Bool, seed: UInt64) -> ConvModule {
        let conv = Conv3d(cin, cout, kernel: k, stride: stride, padding: (k.0 / 2, k.1 / 2 * dilation, k.2 / 2 * dilation),
                          dilation: (1, dilation, dilation), bias: false)
        conv.weight.value = GradientCheck.random(conv.weight.shape, seed: seed, range: -0.5...0.5)
        let bn = BatchNorm(cout, dims: 3)
        bn.weight.value = GradientCheck.random([cout], seed: seed + 1, range: 0.5...1.5)
        bn.bias.value = GradientCheck.random([cout], seed: seed + 2, range: -0.2...0.2)
        return ConvModule(conv: conv, bn: bn, activate: act)
    }

    /// Inflated 3×3×3 convs, a (2, 2, 2) stride and its downsample.
    func testBasicBlock3dInflatedWithStrideAndDownsample() {
        let block = BasicBlock3d(conv1: convModule(4, 8, k: (3, 3, 3), stride: (2, 2, 2), act: true, seed: 10),
                                 conv2: convModule(8, 8, k: (3, 3, 3), act: false, seed: 20),
                                 downsample: convModule(4, 8, k: (1, 1, 1), stride: (2, 2, 2), act: false, seed: 30))
        GradientCheck.check(block, input: GradientCheck.random([4, 2, 4, 6, 6], seed: 3), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// Not inflated (1×3×3), dilation 2, identity shortcut.
    func testBasicBlock3dFlatDilated() {
        let block = BasicBlock3d(conv1: convModule(4, 4, k: (1, 3, 3), dilation: 2, act: true, seed: 11),
                                 conv2: convModule(4, 4, k: (1, 3, 3), act: false, seed: 21), downsample: nil)
        GradientCheck.check(block, input: GradientCheck.random([4, 2, 3, 6, 6], seed: 6), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// '3x1x1' inflation: conv1 3×1×1, conv2 1×3×3 with the stride.
    func testBottleneck3dInflated3x1x1() {
        let block = Bottleneck3d(conv1: convModule(8, 4, k: (3, 1, 1), act: true, seed: 40),
                                 conv2: convModule(4, 4, k: (1, 3, 3), stride: (1, 2, 2), act: true, seed: 50),
                                 conv3: convModule(4, 16, k: (1, 1, 1), act: false, seed: 60),
                                 downsample: convModule(8, 16, k: (1, 1, 1), stride: (1, 2, 2), act: false, seed: 70))
        GradientCheck.check(block, input: GradientCheck.random([8, 2, 3, 5, 5], seed: 4), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// '3x3x3' inflation: conv2 3×3×3 with a temporal stride.
    func testBottleneck3dInflated3x3x3() {
        let block = Bottleneck3d(conv1: convModule(8, 4, k: (1, 1, 1), act: true, seed: 41),
                                 conv2: convModule(4, 4, k: (3, 3, 3), stride: (2, 1, 1), act: true, seed: 51),
                                 conv3: convModule(4, 8, k: (1, 1, 1), act: false, seed: 61),
                                 downsample: convModule(8, 8, k: (1, 1, 1), stride: (2, 1, 1), act: false, seed: 71))
        GradientCheck.check(block, input: GradientCheck.random([8, 2, 4, 4, 4], seed: 5), h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// A two-stage ResNet3d-18 at width 4: stem 3×7×7 with a temporal stride, both max-pools, inflated and flat
    /// blocks, a temporal stride with its downsample; every parameter against finite differences. (Two stages keep
    /// the train-mode BatchNorm chain short enough for central differences to stay on one smooth piece; the whole
    /// 4-stage models are checked against PyTorch by scripts/mmaction2_model3d_check.py.)
    func testTinyResNet3d() {
        var spec = ResNet3dSpec(flavour: .resnet3d, depth: 18)
        spec.baseChannels = 4
        spec.numStages = 2
        spec.conv1StrideT = 2
        spec.spatialStrides = [1, 1]
        spec.temporalStrides = [1, 2]
        spec.dilations = [1, 1]
        spec.inflate = [[true, false], [true, true]]
        spec.nonLocal = [[false, false], [false, false]]
        spec.zeroInitResidual = false
        var rng = Philox(seed: 9)
        let net = ResNet3d(spec, rng: &rng)
        // Random BN affine parameters, so no gradient vanishes by construction.
        for (i, bn) in net.namedModules().compactMap({ $0.1 as? BatchNorm }).enumerated() {
            bn.weight.value = GradientCheck.random(bn.weight.shape, seed: 100 + UInt64(i), range: 0.5...1.5)
            bn.bias.value = GradientCheck.random(bn.bias.shape, seed: 200 + UInt64(i), range: -0.2...0.2)
        }
        let x = GradientCheck.random([3, 2, 8, 16, 16], seed: 7)
        XCTAssertEqual(net.forward(x).shape, [8, 2, 1, 4, 4], "T 8 → stem 4 → pool2 2 → layer2 1; 16 → 8 → maxpool 4")
        GradientCheck.check(net, input: x, checkInput: false, h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// I3DHead: average pool (or flatten) → dropout → fc, input gradient and fc gradients.
    func testI3DHead() {
        for avg in [true, false] {
            var rng = Philox(seed: 1)
            let head = I3DHead(inChannels: avg ? 6 : 6 * 8, numClasses: 3, avgPool: avg, dropoutRatio: 0, initStd: 0.5, rng: &rng)
            let layer = HeadAsLayer(head: head)
            GradientCheck.check(layer, input: GradientCheck.random([6, 2, 2, 2, 2], seed: 8))
        }
    }

    /// Flatten is PyTorch's view(N, −1) of N×C×T×H×W: sample n's row is channel 0's T·H·W values, then channel 1's.
    func testI3DHeadFlattenOrder() {
        let x = Tensor(shape: [2, 2, 3], values: [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112])   // C×N×P
        XCTAssertEqual(I3DHead.flatten(x).scalars, [0, 1, 2, 100, 101, 102, 10, 11, 12, 110, 111, 112])
        XCTAssertEqual(I3DHead.unflatten(I3DHead.flatten(x), shape: x.shape).scalars, x.scalars)
    }
}

/// A head seen as a one-input layer (features → scores), for GradientCheck.
final class HeadAsLayer: Layer {
    let head: any RecognizerHead
    var isTraining = true
    init(head: any RecognizerHead) { self.head = head }
    var children: [(String, any Module)] { [("head", head)] }
    func forward(_ x: Tensor) -> Tensor { head.forward(features: [x], segments: 1) }
    func backward(_ dy: Tensor) -> Tensor { head.backward(scores: dy)[0] }
}
