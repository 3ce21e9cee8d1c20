import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Recognizer3D with ResNet3d / ResNet3dSlowOnly and I3DHead: reading (every setting honoured or refused at its
/// value), structure, inference averaging, `pretrained` inflation.
final class Model3DTests: XCTestCase {
    static func spec(_ text: String) throws -> ModelSpec {
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        return try ModelReader.read(config.root["model"]!, files: config.files)
    }

    static func build(_ text: String, seed: UInt64 = 0) throws -> Recognizer3D {
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        return try XCTUnwrap(try ModelBuilder.recognizer(config.root["model"]!, files: config.files, seed: seed) as? Recognizer3D)
    }

    static func model(backbone: String, head: String = "num_classes=5, in_channels=64", test: String = "dict(average_clips='prob')") -> String {
        "model = dict(type='Recognizer3D',\n    backbone=dict(\(backbone)),\n    cls_head=dict(type='I3DHead', \(head)),\n    test_cfg=\(test))\n"
    }

    static let r18 = "type='ResNet3dSlowOnly', pretrained=None, depth=18, base_channels=8"

    func testSlowOnlyDefaultsAndI3dDefaults() throws {
        guard case .resnet3d(let s) = try Self.spec(Self.model(backbone: Self.r18)).backbone else { return XCTFail() }
        XCTAssertEqual(s.flavour, .slowOnly)
        XCTAssertEqual(s.conv1Kernel, [1, 7, 7])
        XCTAssertEqual(s.withPool2, false)
        XCTAssertEqual(s.inflate, [[false, false], [false, false], [true, true], [true, true]])
        guard case .resnet3d(let i) = try Self.spec(Self.model(backbone: "type='ResNet3d', pretrained=None, depth=50, "
            + "inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False",
            head: "num_classes=400, in_channels=2048")).backbone else { return XCTFail() }
        XCTAssertEqual(i.conv1Kernel, [3, 7, 7])
        XCTAssertEqual(i.withPool2, true)
        XCTAssertEqual(i.inflate[1], [true, false, true, false])
        XCTAssertEqual(i.inflate[3], [false, true, false])
        XCTAssertEqual(i.zeroInitResidual, false)
    }

    /// Shapes through SlowOnly-R18 (T kept, spatial /32) and the head's one row per view.
    func testShapesAndOneRowPerView() throws {
        let model = try Self.build(Self.model(backbone: Self.r18))
        let imgs = GradientCheck.random([2, 3, 3, 4, 32, 32], seed: 1)   // B 2 × V 3 views
        let (x, views) = model.backboneInput(imgs)
        XCTAssertEqual(x.shape, [3, 6, 4, 32, 32])
        XCTAssertEqual(views, 3)
        XCTAssertEqual(model.backbone.features(x)[0].shape, [64, 6, 4, 1, 1])
        model.applyMode(training: false)
        XCTAssertEqual(model.predict(imgs).shape, [2, 5])
    }

    /// Inference: the head scores every view; 'prob' averages the views' softmaxes (mmaction2 average_clip), 'score'
    /// their raw scores, None keeps one row per view.
    func testPredictAveragesViews() throws {
        let imgs = GradientCheck.random([1, 2, 3, 2, 16, 16], seed: 2)
        var rows: [[Float]] = []
        for mode in ["'prob'", "'score'", "None"] {
            let model = try Self.build(Self.model(backbone: Self.r18, head: "num_classes=3, in_channels=64, init_std=1.0",
                                                  test: "dict(average_clips=\(mode))"), seed: 4)
            model.applyMode(training: false)
            rows.append(model.predict(imgs).scalars)
        }
        let perView = rows[2]
        XCTAssertEqual(perView.count, 6, "None: one row per view")
        func softmax(_ r: ArraySlice<Float>) -> [Double] {
            let m = Double(r.max()!), e = r.map { exp(Double($0) - m) }, s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        let p0 = softmax(perView[0..<3]), p1 = softmax(perView[3..<6])
        for k in 0..<3 {
            XCTAssertEqual(Double(rows[0][k]), (p0[k] + p1[k]) / 2, accuracy: 1e-6)
            XCTAssertEqual(rows[1][k], (perView[k] + perView[3 + k]) / 2, accuracy: 1e-6)
        }
    }

    func testZeroInitResidualAndFrozenStages() throws {
        let model = try Self.build(Self.model(backbone: Self.r18 + ", frozen_stages=1, norm_cfg=dict(type='BN3d', requires_grad=False)"))
        let sd = Dictionary(uniqueKeysWithValues: model.namedParameters())
        XCTAssertEqual(sd["backbone.layer1.0.conv2.bn.weight"]?.value.scalars.allSatisfy { $0 == 0 }, true, "zero_init_residual")
        XCTAssertEqual(sd["backbone.layer1.0.conv1.bn.weight"]?.value.scalars.allSatisfy { $0 == 1 }, true)
        XCTAssertEqual(sd["backbone.layer3.0.conv1.bn.weight"]?.requiresGrad, false, "norm_cfg requires_grad=False")
        model.applyMode(training: true)
        XCTAssertEqual(sd["backbone.layer1.1.conv1.conv.weight"]?.requiresGrad, false, "frozen_stages=1")
        XCTAssertEqual(sd["backbone.layer2.0.conv1.conv.weight"]?.requiresGrad, true)
        XCTAssertFalse(model.backbone.namedModules().first { $0.0 == "conv1" }!.1.isTraining)
        // A step leaves the frozen stage's weights without gradient.
        model.zeroGradients()
        _ = model.trainStep(GradientCheck.random([2, 1, 3, 4, 32, 32], seed: 3), labels: [0, 1])
        XCTAssertEqual(sd["backbone.layer1.1.conv1.conv.weight"]?.grad.scalars.allSatisfy { $0 == 0 }, true)
        // (The residual branches get no gradient in the first step: zero_init_residual zeroed their last BN weight.)
        XCTAssertEqual(sd["backbone.layer2.0.downsample.conv.weight"]?.grad.scalars.contains { $0 != 0 }, true)
    }

    /// Every refused setting names its value's line.
    func testRefusedSettingsAreLocated() throws {
        func message(_ text: String) -> String? {
            do { _ = try Self.spec(text); return nil } catch let e as ConfigError { return "\(e.location.line): \(e.message)" } catch { return "\(error)" }
        }
        XCTAssertNil(message(Self.model(backbone: Self.r18 + ",\n non_local=((0, 0), (0, 1), 0, 0)")), "non_local is read now")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n non_local=((0, 0), (0, 1), 0, 0), non_local_cfg=dict(mode='concatenation')")),
                       "3: non_local_cfg.mode='concatenation' is not supported by Reel (embedded_gaussian, dot_product, gaussian)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n non_local=1, non_local_cfg=dict(\nsubsample=True)")),
                       "4: non_local_cfg: NonLocal3d takes no argument 'subsample' (it takes reduction, use_scale, conv_cfg, norm_cfg, "
                       + "mode, sub_sample, std, zeros_init)")
        XCTAssertEqual(message(Self.model(backbone: "type='ResNet3d', depth=50,\n pretrained='torchvision://resnet50'")),
                       "3: pretrained='torchvision://resnet50': Reel cannot download weights; download the file and set pretrained to its "
                       + "local path (or None, and use load_from)")
        XCTAssertEqual(message(Self.model(backbone: "type='ResNet3d', depth=18,\n pretrained='/nonexistent/r18.pth'")),
                       "3: pretrained='/nonexistent/r18.pth': no such file (relative paths are from the working directory)")
        XCTAssertEqual(message(Self.model(backbone: "type='ResNet3d', depth=18")),
                       "2: ResNet3d needs 'pretrained' (None, or a local weights file), as mmaction2 does")
        XCTAssertEqual(message(Self.model(backbone: Self.r18, head: "num_classes=5, in_channels=512")),
                       "3: in_channels=512 but the backbone gives 64 channels (ResNet3dSlowOnly-18, base_channels 8)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n temporal_strides=(2, 1, 1, 1)")),
                       "3: temporal_strides[0]=2 needs a downsample, which mmaction2 builds only for a spatial stride or a width "
                       + "change: the block's identity would not match")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n spatial_strides=(1, 2, 2)")),
                       "3: spatial_strides needs exactly one value per stage (4), as mmaction2 asserts")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n inflate=(0, (1, 1, 1), 1, 1)")),
                       "3: 'inflate' stage 2 needs one entry per block (2)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n out_indices=(2, 3)")),
                       "3: Reel returns the last stage only: out_indices must be (3,) (several stages need a neck such as TPN)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n norm_cfg=dict(type='BN')")),
                       "3: norm_cfg type 'BN' is not supported (BN3d, SyncBN)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18 + ",\n lateral=True")),
                       "3: ResNet3dSlowOnly has no lateral connections (lateral=False)")
        XCTAssertEqual(message(Self.model(backbone: Self.r18, head: "num_classes=5, in_channels=64,\n spatial_type=None")),
                       "4: spatial_type=None flattens the whole feature map into fc_cls; ResNet3dSlowOnly-18, base_channels 8 gives "
                       + "C×T×H×W maps whose size depends on the input: use spatial_type='avg'")
        XCTAssertEqual(message("model = dict(type='Recognizer3D', backbone=dict(type='ResNet', depth=18))\n"),
                       "1: backbone: type='ResNet' is not supported by Reel (supported: ResNet3d, ResNet3dSlowOnly, ResNet3dSlowFast, C3D, ResNet2Plus1d, ResNet3dCSN, X3D)")
        XCTAssertEqual(message("model = dict(type='Recognizer3D', backbone=dict(\(Self.r18)),\n cls_head=dict(type='TSNHead', num_classes=2, in_channels=64))\n"),
                       "2: cls_head: type='TSNHead' is not supported by Reel (supported: I3DHead, SlowFastHead, X3DHead, TPNHead)")
    }

    /// `pretrained` with `pretrained2d=True`: a 2-D ResNet's kernels repeated along t and divided by t; BN copied;
    /// downsample from `.0`/`.1`; what the file lacks is reported.
    func testPretrained2dInflation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-r3d-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r2d.safetensors").path
        let stem = GradientCheck.random([8, 3, 7, 7], seed: 1), l3 = GradientCheck.random([32, 16, 3, 3], seed: 2)
        let down = GradientCheck.random([32, 16, 1, 1], seed: 3), bnW = GradientCheck.random([32], seed: 4)
        let file = SafeTensors.File(tensors: [
            ("conv1.weight", .float32(stem)), ("layer3.0.conv1.weight", .float32(l3)),
            ("layer3.0.downsample.0.weight", .float32(down)), ("layer3.0.downsample.1.weight", .float32(bnW)),
            ("layer3.0.downsample.1.bias", .float32(bnW)), ("layer3.0.downsample.1.running_mean", .float32(bnW)),
            ("layer3.0.downsample.1.num_batches_tracked", .int64(shape: [], values: [7])), ("fc.weight", .float32(bnW)),
        ], metadata: [:])
        try SafeTensors.write(file, to: path)
        let config = try ConfigLoader(read: { $0 == "/m.py" ? Self.model(backbone: "type='ResNet3dSlowOnly', pretrained='\(path)', depth=18, base_channels=8") : nil }).load("/m.py")
        var notes: [String] = []
        let model = try XCTUnwrap(try ModelBuilder.build(try ModelReader.read(config.root["model"]!, files: config.files), seed: 0,
                                                          notes: { notes.append($0) }) as? Recognizer3D)
        let sd = Dictionary(uniqueKeysWithValues: model.stateDict())
        func value(_ k: String) -> Tensor? { if case .parameter(let p)? = sd[k] { return p.value } else { return nil } }
        XCTAssertEqual(value("backbone.conv1.conv.weight")?.scalars, stem.scalars, "t = 1: copied")
        let w = try XCTUnwrap(value("backbone.layer3.0.conv1.conv.weight"))
        XCTAssertEqual(w.shape, [32, 16, 3, 3, 3])
        for o in [0, 17, 31] { for i in [0, 9] { for t in 0..<3 { for p in 0..<9 {
            XCTAssertEqual(w[((o * 16 + i) * 3 + t) * 9 + p], l3[(o * 16 + i) * 9 + p] / 3)
        } } } }
        XCTAssertEqual(value("backbone.layer3.0.downsample.conv.weight")?.scalars, down.scalars)
        XCTAssertEqual(value("backbone.layer3.0.downsample.bn.bias")?.scalars, bnW.scalars)
        if case .buffer(let b)? = sd["backbone.layer3.0.downsample.bn.num_batches_tracked"] {
            XCTAssertEqual(b.value, .int64(shape: [], values: [7]))
        } else { XCTFail("no num_batches_tracked") }
        XCTAssertEqual(value("backbone.layer1.0.conv2.bn.weight")?.scalars.allSatisfy { $0 == 1 }, true,
                       "with pretrained, zero_init_residual is not applied (mmaction2 keeps ConvModule's init)")
        XCTAssertTrue(notes.contains("Module not exist in the state_dict_r2d: layer1.0.conv1"), "\(notes)")
        XCTAssertEqual(notes.last, "These parameters in the 2d checkpoint are not loaded: fc.weight")
    }

    /// The whole recognizer (SlowOnly, train-mode BN, head, cross entropy) against finite differences.
    func testRecognizer3DGradientsMatchFiniteDifferences() throws {
        let model = try Self.build(Self.model(backbone: "type='ResNet3d', pretrained=None, depth=18, base_channels=4, zero_init_residual=False",
                                              head: "num_classes=3, in_channels=32, dropout_ratio=0, init_std=0.5"), seed: 3)
        let imgs = GradientCheck.random([2, 1, 3, 4, 16, 16], seed: 4)
        let labels = [0, 2]
        model.zeroGradients()
        _ = model.trainStep(imgs, labels: labels)
        let kinks = model.namedModules().compactMap { $0.1 as? PiecewiseLinear }
        kinks.forEach { $0.freezesPattern = true }
        defer { kinks.forEach { $0.freezesPattern = false } }
        func loss() -> Double { model.lossOnly(imgs, labels: labels).loss }
        let params = model.namedParameters()
        for name in ["backbone.conv1.conv.weight", "backbone.layer1.0.conv1.conv.weight", "backbone.layer2.0.downsample.bn.weight",
                     "backbone.layer4.1.conv2.conv.weight", "cls_head.fc_cls.weight", "cls_head.fc_cls.bias"] {
            guard let p = params.first(where: { $0.0 == name })?.1 else { return XCTFail("no \(name)") }
            let saved = p.value
            GradientCheck.assertMatches(p.grad, at: saved, h: 1e-3, atol: 3e-3, rtol: 3e-2, maxChecks: 24, name) { w in
                p.value = w
                defer { p.value = saved }
                return loss()
            }
        }
    }
}
