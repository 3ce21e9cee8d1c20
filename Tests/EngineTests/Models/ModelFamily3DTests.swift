import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// C3D, ResNet2Plus1d, ResNet3dCSN, X3D and X3DHead: reading (defaults as mmaction2's, every setting honoured or
/// refused at its value) and the train-mode rules that the differential check does not reach.
final class ModelFamily3DTests: XCTestCase {
    static func model(_ backbone: String, head: String) -> String {
        "model = dict(type='Recognizer3D',\n    backbone=dict(\(backbone)),\n    cls_head=dict(\(head)))\n"
    }
    static let r2plus1d = "type='ResNet2Plus1d', pretrained=None, pretrained2d=False, depth=18, base_channels=4, conv_cfg=dict(type='Conv2plus1d')"
    static let csn = "type='ResNet3dCSN', pretrained=None, depth=50, base_channels=4"
    static let i3dHead32 = "type='I3DHead', num_classes=5, in_channels=32"

    func message(_ text: String) -> String? {
        do { _ = try Model3DTests.spec(text); return nil } catch let e as ConfigError { return "\(e.location.line): \(e.message)" } catch { return "\(error)" }
    }

    func testDefaultsAreMmaction2s() throws {
        guard case .csn(let csn) = try Model3DTests.spec(Self.model(Self.csn, head: "type='I3DHead', num_classes=5, in_channels=128")).backbone
        else { return XCTFail() }
        XCTAssertEqual(csn.resnet.temporalStrides, [1, 2, 2, 2])
        XCTAssertEqual(csn.resnet.inflateStyle, .t3x3x3)
        XCTAssertEqual(csn.resnet.normEps, 1e-3, "ResNet3dCSN's default norm_cfg has eps=1e-3")
        XCTAssertEqual(csn.bottleneckMode, .ir)
        guard case .csn(let own) = try Model3DTests.spec(Self.model(Self.csn + ", norm_cfg=dict(type='BN3d', momentum=0.05)",
                                                                     head: "type='I3DHead', num_classes=5, in_channels=128")).backbone
        else { return XCTFail() }
        XCTAssertEqual([own.resnet.normEps, own.resnet.normMomentum], [1e-5, 0.05], "a norm_cfg of its own has BN3d's eps")

        let x3d = try Model3DTests.spec(Self.model("type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2",
                                                   head: "type='X3DHead', num_classes=400, in_channels=432"))
        guard case .x3d(let x) = x3d.backbone, case .x3d(let fc1Bias) = x3d.head.kind else { return XCTFail() }
        XCTAssertEqual([x.baseChannels, x.featureChannels], [24, 432])
        XCTAssertEqual(x.stageBlocks, [3, 5, 11, 7], "X3D-M: (1, 2, 5, 3) × 2.2, rounded up")
        XCTAssertEqual(x.seRatio, 1.0 / 16)
        XCTAssertFalse(fc1Bias)
        XCTAssertEqual(X3DSpec.roundWidth(24, 0.25), 8, "at least 8 wide")
        XCTAssertEqual(X3DSpec.roundWidth(24, 0), 24, "gamma 0 keeps the width")

        guard case .c3d(let c) = try Model3DTests.spec(Self.model("type='C3D'", head: "type='I3DHead', num_classes=5, in_channels=4096, spatial_type=None")).backbone
        else { return XCTFail() }
        XCTAssertEqual(c.outDim, 8192)
        XCTAssertNil(c.norm, "no norm by default: the convs have biases")
        XCTAssertEqual(c.initStd, 0.005)
    }

    func testRefusedSettingsAreLocated() {
        XCTAssertEqual(message(Self.model("type='ResNet2Plus1d', pretrained=None, depth=18,\n conv_cfg=dict(type='Conv2plus1d')", head: Self.i3dHead32)),
                       "2: ResNet2Plus1d needs pretrained2d=False (mmaction2 asserts it: there are no 2-D weights to inflate)")
        XCTAssertEqual(message(Self.model("type='ResNet2Plus1d', pretrained=None, pretrained2d=False, depth=18,\n conv_cfg=dict(type='Conv3d')", head: Self.i3dHead32)),
                       "3: conv_cfg type 'Conv3d' is not supported by ResNet2Plus1d (Conv2plus1d)")
        XCTAssertEqual(message(Self.model(Self.r2plus1d + ",\n dilations=(1, 1, 2, 1)", head: Self.i3dHead32)),
                       "3: dilations other than 1 are not supported by ResNet2Plus1d (Conv2plus1d ignores dilation)")
        XCTAssertEqual(message(Self.model("type='ResNet3dCSN', pretrained=None,\n depth=18", head: Self.i3dHead32)),
                       "3: ResNet3dCSN depth must be 50, 101 or 152, not 18")
        XCTAssertEqual(message(Self.model(Self.csn + ",\n bottleneck_mode='xx'", head: Self.i3dHead32)),
                       "3: backbone: bottleneck_mode='xx' is not supported by Reel (supported: ir, ip)")
        XCTAssertEqual(message(Self.model(Self.csn + ",\n norm_cfg=dict(type='BN3d', affine=False)", head: Self.i3dHead32)),
                       "3: norm_cfg.affine is not supported by Reel (type, requires_grad, eps, momentum)")
        XCTAssertEqual(message(Self.model(Self.csn + ",\n norm_cfg=dict(type='GN')", head: Self.i3dHead32)),
                       "3: norm_cfg type 'GN' is not supported (BN3d, SyncBN)")
        XCTAssertEqual(message(Self.model("type='C3D'", head: "type='I3DHead', num_classes=5,\n in_channels=4096")),
                       "3: C3D, fc7 width 4096 gives flat features, which spatial_type='avg' cannot pool (mmaction2's AdaptiveAvgPool3d "
                       + "fails on them): use spatial_type=None")
        XCTAssertEqual(message(Self.model("type='C3D',\n act_cfg=dict(type='Tanh')", head: "type='I3DHead', num_classes=5, in_channels=4096, spatial_type=None")),
                       "3: act_cfg type 'Tanh' is not supported (ReLU)")
        XCTAssertEqual(message(Self.model("type='X3D', gamma_w=0.25", head: "type='X3DHead', num_classes=5, in_channels=64,\n spatial_type='max'")),
                       "4: spatial_type='max' is not supported by Reel's X3DHead ('avg')")
        XCTAssertEqual(message(Self.model("type='X3D', gamma_w=0.25", head: "type='X3DHead', num_classes=5,\n in_channels=432")),
                       "4: in_channels=432 but the backbone gives 64 channels (X3D, gamma_w 0.25, gamma_b 1.0)")
        XCTAssertEqual(message(Self.model("type='X3D',\n spatial_strides=(2, 2)", head: "type='X3DHead', num_classes=5, in_channels=192")),
                       "3: spatial_strides needs exactly one positive value per stage (4), as mmaction2 asserts")
    }

    /// use_swish=False changes nothing in mmaction2 0.24.1 (BlockX3D always applies Swish): accepted with a warning.
    func testUseSwishFalseIsNoted() throws {
        let text = Self.model("type='X3D', gamma_w=0.25,\n use_swish=False", head: "type='X3DHead', num_classes=5, in_channels=64")
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        let log = ReadLog()
        _ = try ModelReader.read(config.root["model"]!, files: config.files, log: log)
        XCTAssertEqual(log.notes.map(\.message), ["backbone.use_swish=False is ignored: mmaction2 0.24.1's BlockX3D applies Swish whatever it says, and so does Reel"])
    }

    /// bn_frozen: with norm_eval, training mode also freezes every BatchNorm's affine weights; without norm_eval it
    /// does nothing (mmaction2's ResNet3dCSN.train).
    func testBnFrozenNeedsNormEval() throws {
        let head = "type='I3DHead', num_classes=5, in_channels=128"
        for (normEval, frozen) in [(true, true), (false, false)] {
            let r = try Model3DTests.build(Self.model(Self.csn + ", bn_frozen=True, norm_eval=\(normEval ? "True" : "False")", head: head))
            r.applyMode(training: true)
            let bns = r.backbone.namedModules().compactMap { $0.1 as? BatchNorm }
            XCTAssertEqual(bns.filter { !$0.weight.requiresGrad }.count, frozen ? bns.count : 0)
            XCTAssertEqual(bns.filter { $0.isTraining }.count, normEval ? 0 : bns.count)
        }
    }

    /// C3D's dropout stream is part of the recognizer's random streams, so a checkpoint keeps it.
    func testC3DDropoutStreamIsCheckpointed() throws {
        let r = try Model3DTests.build(Self.model("type='C3D', base_channels=1, out_dim=8", head: "type='I3DHead', num_classes=5, in_channels=4096, spatial_type=None"))
        XCTAssertEqual(r.randomStreams.count, 2, "the head's dropout, then the backbone's")
        var streams = r.randomStreams
        streams[1] = Philox(seed: 123)
        r.randomStreams = streams
        XCTAssertEqual((r.backbone as? C3D)?.dropout.rng, Philox(seed: 123))
    }

    /// R(2+1)D's Conv2plus1d everywhere (the stem's mid width from mmaction2's formula) and no pool2.
    func testResNet2Plus1dStructure() throws {
        let r = try Model3DTests.build(Self.model(Self.r2plus1d, head: Self.i3dHead32))
        let names = r.stateDict().map(\.0)
        XCTAssertTrue(names.contains("backbone.conv1.conv.conv_s.weight"))
        XCTAssertTrue(names.contains("backbone.layer2.0.downsample.conv.conv_t.weight"))
        let stem = try XCTUnwrap((r.backbone as? ResNet3d)?.conv1.conv as? Conv2plus1d)
        XCTAssertEqual(stem.midChannels, 3 * 3 * 4 * 49 / (3 * 49 + 3 * 4))
        let x = GradientCheck.random([1, 1, 3, 4, 32, 32], seed: 1)
        r.applyMode(training: false)
        XCTAssertEqual(r.backbone.features(Elementwise.toChannelMajor(x, channels: 3))[0].shape, [32, 1, 4, 1, 1],
                       "4 frames stay 4 without pool2")
    }
}
