import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// ResNet3dSlowFast and SlowFastHead: the pathways' frame selection (PyTorch's nearest interpolation), the lateral
/// connections and a tiny SlowFast against finite differences, the head's concatenation order, non-local blocks in
/// ResNet3d, and the reader's located refusals. (Equality with mmaction2's numbers: scripts/mmaction2_model3d_check.py;
/// state-dict names: Model3DStateDictTests.)
final class SlowFastTests: XCTestCase {
    /// Recorded from torch 2.x `interpolate(x, scale_factor=(1/r, 1, 1), mode='nearest')` on arange(T).
    func testTemporalIndicesArePyTorchNearest() {
        let expected: [(Int, Int, [Int])] = [
            (32, 8, [0, 8, 16, 24]), (19, 6, [0, 6, 12]), (19, 2, [0, 2, 4, 6, 8, 10, 12, 14, 16]), (10, 3, [0, 3, 6]),
            (7, 7, [0]), (5, 1, [0, 1, 2, 3, 4]), (33, 4, [0, 4, 8, 12, 16, 20, 24, 28]),
        ]
        for (t, r, idx) in expected { XCTAssertEqual(ResNet3dSlowFast.temporalIndices(length: t, rate: r), idx, "T \(t), rate \(r)") }
        // The clip itself: frame j of each volume is frame idx[j] of the input (C×N×T×H×W).
        let x = Tensor(shape: [1, 2, 5, 1, 1], values: [0, 1, 2, 3, 4, 10, 11, 12, 13, 14])
        XCTAssertEqual(ResNet3dSlowFast.resample(x, rate: 2).scalars, [0, 2, 10, 12])
    }

    /// One lateral connection: the fast map through a (5, 1, 1) conv of temporal stride 2 (bare, or with BN + ReLU),
    /// concatenated after fixed slow channels; gradients of the fast input and of the conv (and BN).
    func testLateralConnectionGradients() {
        for norm in [false, true] {
            var rng = Philox(seed: 3)
            var spec = ResNet3dSlowFastSpec(slow: ResNet3dSpec(flavour: .slowOnly, depth: 18), fast: ResNet3dSpec(flavour: .slowOnly, depth: 18))
            spec.slow.baseChannels = 8
            spec.channelRatio = 4
            spec.speedRatio = 2
            spec.lateralNorm = norm
            let lateral = ResNet3dSlowFast.laterals(spec, rng: &rng)[0].1
            for (i, bn) in lateral.namedModules().compactMap({ $0.1 as? BatchNorm }).enumerated() {
                bn.weight.value = GradientCheck.random(bn.weight.shape, seed: 10 + UInt64(i), range: 0.5...1.5)
                bn.bias.value = GradientCheck.random(bn.bias.shape, seed: 20 + UInt64(i), range: -0.2...0.2)
            }
            let fusion = LateralFusion(slow: GradientCheck.random([3, 2, 2, 3, 3], seed: 4), lateral: lateral)
            XCTAssertEqual(fusion.forward(GradientCheck.random([2, 2, 4, 3, 3], seed: 5)).shape, [3 + 4, 2, 2, 3, 3])
            GradientCheck.check(fusion, input: GradientCheck.random([2, 2, 4, 3, 3], seed: 5), h: 5e-3, atol: 5e-3, rtol: 5e-2)
        }
    }

    /// A two-stage SlowFast (slow ResNet3d-18 width 8, fast width 2, τ 4, α 2, β⁻¹ 4, lateral_norm) in training
    /// mode: every parameter of both pathways, the lateral convs and their BNs against finite differences.
    func testTinySlowFastGradients() {
        var slow = ResNet3dSpec(flavour: .slowOnly, depth: 18), fast = ResNet3dSpec(flavour: .slowOnly, depth: 18)
        slow.baseChannels = 8
        fast.baseChannels = 2
        func shrink(_ s: inout ResNet3dSpec, kernelT: Int) {
            s.numStages = 2
            s.spatialStrides = [1, 2]
            s.temporalStrides = [1, 1]
            s.dilations = [1, 1]
            s.conv1Kernel = [kernelT, 3, 3]
            s.inflate = [[false, true], [true, false]]
            s.nonLocal = [[false, false], [false, false]]
            s.zeroInitResidual = false
        }
        shrink(&slow, kernelT: 1)
        shrink(&fast, kernelT: 3)
        var spec = ResNet3dSlowFastSpec(slow: slow, fast: fast)
        spec.resampleRate = 4
        spec.speedRatio = 2
        spec.channelRatio = 4
        spec.fusionKernel = 3
        spec.lateralNorm = true
        var rng = Philox(seed: 11)
        let net = ResNet3dSlowFast(spec, rng: &rng)
        for (i, bn) in net.namedModules().compactMap({ $0.1 as? BatchNorm }).enumerated() {
            bn.weight.value = GradientCheck.random(bn.weight.shape, seed: 300 + UInt64(i), range: 0.5...1.5)
            bn.bias.value = GradientCheck.random(bn.bias.shape, seed: 400 + UInt64(i), range: -0.2...0.2)
        }
        let layer = BackboneAsLayer(backbone: net)
        let x = GradientCheck.random([3, 2, 8, 12, 12], seed: 12)
        let features = net.features(x)
        // Slow: T 8 / 4 = 2, fast: 8 / 2 = 4; 12×12 → stem 6 → max-pool 3 → layer2 (stride 2) 2.
        XCTAssertEqual(features.map(\.shape), [[16, 2, 2, 2, 2], [4, 2, 4, 2, 2]])
        XCTAssertEqual(net.stateDict().map(\.0).filter { $0.contains("lateral") && $0.hasSuffix("weight") },
                       ["slow_path.conv1_lateral.conv.weight", "slow_path.conv1_lateral.bn.weight",
                        "slow_path.layer1_lateral.conv.weight", "slow_path.layer1_lateral.bn.weight"])
        GradientCheck.check(layer, input: x, checkInput: false, h: 5e-3, atol: 5e-3, rtol: 5e-2)
    }

    /// mmaction2's SlowFastHead unpacks (slow, fast) as `x_fast, x_slow` and concatenates `(x_slow, x_fast)`: fc_cls's
    /// first inputs are the fast channels. With fc = identity on 3 + 2 channels the scores are the pooled features in
    /// that order; the head's gradients against finite differences.
    func testSlowFastHeadPutsFastChannelsFirst() {
        var rng = Philox(seed: 1)
        let head = SlowFastHead(inChannels: 5, numClasses: 5, dropoutRatio: 0, initStd: 0.1, rng: &rng)
        var eye = Tensor.zeros([5, 5])
        for i in 0..<5 { eye[i * 5 + i] = 1 }
        head.fcCls.weight.value = eye
        let slow = Tensor(shape: [3, 1, 1, 1, 2], values: [1, 1, 2, 2, 3, 3]), fast = Tensor(shape: [2, 1, 2, 1, 1], values: [10, 20, 30, 50])
        XCTAssertEqual(head.forward(features: [slow, fast], segments: 1).scalars, [15, 40, 1, 2, 3])
        let h2 = SlowFastHead(inChannels: 7, numClasses: 3, dropoutRatio: 0, initStd: 0.5, rng: &rng)
        GradientCheck.check(SlowFastHeadAsLayer(head: h2, slowChannels: 4), input: GradientCheck.random([7, 2, 2, 2, 2], seed: 8))
    }

    /// ResNet3d with non-local blocks: NonLocal3d after exactly the selected blocks, with non_local_cfg's settings.
    func testNonLocalBlocksFollowTheSelection() throws {
        let text = Model3DTests.model(backbone: "type='ResNet3d', pretrained=None, depth=18, base_channels=8, non_local=(0, (1, 0), 1, 0), "
                                      + "non_local_cfg=dict(mode='dot_product', sub_sample=True, use_scale=False, reduction=4, "
                                      + "norm_cfg=dict(type='BN3d', requires_grad=False))")
        let model = try Model3DTests.build(text)
        let blocks = model.namedModules().filter { $0.1 is NonLocal3d }
        XCTAssertEqual(blocks.map(\.0), ["backbone.layer2.0.non_local_block", "backbone.layer3.0.non_local_block",
                                         "backbone.layer3.1.non_local_block"])
        let nl = try XCTUnwrap(blocks.first?.1 as? NonLocal3d)
        XCTAssertEqual([nl.inChannels, nl.interChannels], [16, 4])
        XCTAssertEqual(nl.mode, .dotProduct)
        XCTAssertTrue(nl.subSample)
        XCTAssertFalse(nl.useScale)
        XCTAssertEqual(nl.outNorm?.weight.requiresGrad, false)
        // From scratch ResNet3d re-initialises them: Kaiming fan_out convs with zero bias, BN weight 1.
        XCTAssertEqual(nl.gConv.bias?.value.scalars, [Float](repeating: 0, count: 4))
        XCTAssertEqual(nl.outNorm?.weight.value.scalars, [Float](repeating: 1, count: 16))
    }

    static func slowFast(slow: String = "", fast: String = "", head: String = "in_channels=160") -> String {
        "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=4, speed_ratio=4, "
            + "channel_ratio=4,\n slow_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=True, base_channels=16\(slow)),\n"
            + " fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, base_channels=4\(fast))),\n"
            + " cls_head=dict(type='SlowFastHead', num_classes=3, \(head)))\n"
    }

    func testSlowFastReading() throws {
        guard case .slowFast(let s) = try Model3DTests.spec(Self.slowFast(slow: ", fusion_kernel=7, lateral_norm=True")).backbone else {
            return XCTFail("not a SlowFast")
        }
        XCTAssertEqual([s.resampleRate, s.speedRatio, s.channelRatio, s.fastRate, s.fusionKernel], [4, 4, 4, 1, 7])
        XCTAssertTrue(s.lateral && s.lateralNorm)
        XCTAssertEqual(s.lateralChannels, [8, 8, 16, 32])
        XCTAssertEqual(s.slow.conv1Kernel, [3, 7, 7], "a pathway has ResNet3d's defaults, not SlowOnly's")
        XCTAssertEqual(s.featureChannels, 128 + 32)
    }

    func testSlowFastRefusalsAreLocated() throws {
        func message(_ text: String) -> String? {
            do { _ = try Model3DTests.spec(text); return nil } catch let e as ConfigError { return "\(e.location.line): \(e.message)" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(Self.slowFast().replacingOccurrences(of: "base_channels=4)", with: "base_channels=8)")),
                       "3: the lateral connection after the stem takes 4 fast channels (slow width 16 // channel_ratio 4), but the fast "
                       + "pathway gives 8: set fast_pathway base_channels to slow base_channels // channel_ratio")
        XCTAssertEqual(message(Self.slowFast().replacingOccurrences(of: "lateral=False", with: "lateral=True")),
                       "3: fast_pathway lateral=True: its stages would expect lateral channels that ResNet3dSlowFast never feeds them "
                       + "(mmaction2 fails in the first stage)")
        XCTAssertEqual(message(Self.slowFast(slow: ", lateral_infl=2")),
                       "2: slow_pathway: mmaction2 0.24.1's ResNet3dPathway takes no argument 'lateral_infl'")
        XCTAssertEqual(message(Self.slowFast(slow: ", frozen_stages=2")),
                       "2: frozen_stages=2 on a slow pathway with lateral connections is not supported by Reel: the lateral convs' "
                       + "gradients pass back through the frozen stages (use -1 or 0)")
        XCTAssertEqual(message(Self.slowFast(head: "in_channels=2304")),
                       "4: in_channels=2304 but the pathways give 128 + 32 = 160 channels")
        XCTAssertEqual(message(Self.slowFast(head: "in_channels=160, spatial_type=None")),
                       "4: SlowFastHead's spatial_type must be 'avg' (mmaction2 has no other pooling for it)")
        XCTAssertEqual(message(Self.slowFast().replacingOccurrences(of: "resample_rate=4", with: "resample_rate=2")),
                       "1: resample_rate // speed_ratio is the fast pathway's frame step and must be at least 1 (mmaction2 divides by it)")
        XCTAssertEqual(message(Self.slowFast().replacingOccurrences(of: "type='SlowFastHead'", with: "type='I3DHead'")),
                       "4: I3DHead takes one feature map; a ResNet3dSlowFast backbone gives two: use SlowFastHead")
        XCTAssertEqual(message(Self.slowFast().replacingOccurrences(of: "lateral=True, ", with: "")),
                       "2: slow_pathway needs 'lateral' (mmaction2 reads slow_pathway['lateral'])")
    }
}

/// A lateral connection seen as a layer of the fast map: [fixed slow channels; lateral(fast)].
final class LateralFusion: Layer {
    let slow: Tensor, lateral: any Layer
    var isTraining = true
    init(slow: Tensor, lateral: any Layer) { self.slow = slow; self.lateral = lateral }
    var children: [(String, any Module)] { [("lateral", lateral)] }
    func forward(_ x: Tensor) -> Tensor { ResNet3dSlowFast.concatChannels(slow, lateral.forward(x)) }
    func backward(_ dy: Tensor) -> Tensor { lateral.backward(ResNet3dSlowFast.splitChannels(dy, first: slow.shape[0]).1) }
}

/// A two-map backbone seen as a layer: its features flattened one after the other.
final class BackboneAsLayer: Layer {
    let backbone: any Backbone
    var isTraining = true
    var shapes: [[Int]] = []
    init(backbone: any Backbone) { self.backbone = backbone }
    var children: [(String, any Module)] { [("backbone", backbone)] }
    func forward(_ x: Tensor) -> Tensor {
        let f = backbone.features(x)
        shapes = f.map(\.shape)
        return Tensor(shape: [f.reduce(0) { $0 + $1.count }], values: f.flatMap(\.scalars))
    }
    func backward(_ dy: Tensor) -> Tensor {
        var offset = 0
        let parts = shapes.map { s -> Tensor in
            let n = s.reduce(1, *)
            defer { offset += n }
            return Tensor(shape: s, values: Array(dy.scalars[offset..<offset + n]))
        }
        return backbone.backward(features: parts)
    }
}

/// SlowFastHead seen as a layer of one channel-major map whose first `slowChannels` are the slow features.
final class SlowFastHeadAsLayer: Layer {
    let head: SlowFastHead, slowChannels: Int
    var isTraining = true
    init(head: SlowFastHead, slowChannels: Int) { self.head = head; self.slowChannels = slowChannels }
    var children: [(String, any Module)] { [("head", head)] }
    func forward(_ x: Tensor) -> Tensor {
        let (s, f) = ResNet3dSlowFast.splitChannels(x, first: slowChannels)
        return head.forward(features: [s, f], segments: 1)
    }
    func backward(_ dy: Tensor) -> Tensor {
        let d = head.backward(scores: dy)
        return ResNet3dSlowFast.concatChannels(d[0], d[1])
    }
}

extension SlowFastTests {
    /// The lateral connections need the pathways' frame counts to meet: clip lengths are checked against the network
    /// (shipped 4x16: τ 8, α 8, fusion 5; the 8x8 variant: τ 4, α 4, fusion 7).
    func testClipLengthsAgainstTheLateralConnections() throws {
        guard case .slowFast(var s) = try Model3DTests.spec(Self.slowFast().replacingOccurrences(of: "resample_rate=4, speed_ratio=4",
                                                                                                   with: "resample_rate=8, speed_ratio=8")).backbone
        else { return XCTFail("not a SlowFast") }
        s.slow.conv1Kernel = [1, 7, 7]
        s.fast.conv1Kernel = [5, 7, 7]
        XCTAssertNil(s.clipProblem(clipLength: 32))
        XCTAssertNil(s.clipProblem(clipLength: 16))
        XCTAssertEqual(s.clipProblem(clipLength: 4), "a 4-frame clip leaves the slow pathway no frame (resample_rate 8)")
        XCTAssertEqual(s.clipProblem(clipLength: 12), "a 12-frame clip gives the slow pathway 1 frames after the stems but the lateral "
                       + "connection 2 (fast 12 / speed_ratio 8); use a clip length that is a multiple of resample_rate 8")
        (s.resampleRate, s.speedRatio, s.fusionKernel) = (4, 4, 7)
        XCTAssertNil(s.clipProblem(clipLength: 32))
        XCTAssertNil(s.clipProblem(clipLength: 64))
    }
}
