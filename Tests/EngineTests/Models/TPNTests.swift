import XCTest
import Config
@testable import EngineCore
@testable import EngineTraining

/// mmaction2's TPN neck (tpn_slowonly_r50 configs): its state-dict names, the whole module's gradients (both flows,
/// the auxiliary loss) against finite differences, the time pooling, and the reading of its config.
final class TPNTests: XCTestCase {
    /// The shipped structure at small widths: levels of 64 and 128 channels, pairs of frames pooled.
    static func spec(parallel: Bool = false, aux: Bool = true) -> TPNSpec {
        var s = TPNSpec(inChannels: [64, 128], outChannels: 64, spatialOut: 128, temporalScales: [2, 2], fusionMid: [64, 64], fusionOut: 64)
        s.parallel = parallel
        s.aux = aux ? (5, 0.5) : nil
        return s
    }

    /// What mmaction2 0.24.1's TPN (this spec's arguments) lists in its state dict, in order.
    func testStateDictNamesAreMmaction2s() {
        var rng = Philox(seed: 1)
        let names = TPN(Self.spec(), rng: &rng).stateDict().map(\.0)
        var expected = ["temporal_modulation_ops.0.conv.conv.weight", "temporal_modulation_ops.1.conv.conv.weight",
                        "downsample_ops.0.conv.conv.weight"]
        let bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
        func fusion(_ n: Int) -> [String] {
            (0..<2).flatMap { i in ["level_fusion_\(n).downsamples.\(i).conv.conv.weight"] + bn.map { "level_fusion_\(n).downsamples.\(i).conv.bn.\($0)" } }
                + ["level_fusion_\(n).fusion_conv.conv.weight"] + bn.map { "level_fusion_\(n).fusion_conv.bn.\($0)" }
        }
        expected += fusion(1)
        expected += ["spatial_modulation.spatial_modulation.0.0.conv.weight"] + bn.map { "spatial_modulation.spatial_modulation.0.0.bn.\($0)" }
        expected += fusion(2)
        expected += ["pyramid_fusion.conv.weight"] + bn.map { "pyramid_fusion.bn.\($0)" }
        expected += ["aux_head.conv.conv.weight"] + bn.map { "aux_head.conv.bn.\($0)" } + ["aux_head.fc.weight", "aux_head.fc.bias"]
        XCTAssertEqual(names, expected)
    }

    /// L = Σ out ⊙ r + the auxiliary loss, against central differences in every input and a sample of every
    /// parameter, for the cascade and the parallel flow.
    func testGradientsOfBothFlowsWithTheAuxiliaryLoss() {
        for parallel in [false, true] {
            var rng = Philox(seed: parallel ? 3 : 2)
            let tpn = TPN(Self.spec(parallel: parallel), auxDropout: 0, rng: &rng)
            // L sums 32k float32 outputs: its rounding (~1e-7·|L|) over the step h limits the numeric side to ~3e-3.
            let x0 = GradientCheck.random([64, 2, 4, 4, 4], seed: 11), x1 = GradientCheck.random([128, 2, 4, 2, 2], seed: 12)
            let classes = [1, 4]
            let out = tpn.forward(features: [x0, x1])[0]
            XCTAssertEqual(out.shape, [2048, 2, 2, 2, 2])
            let r = GradientCheck.random(out.shape, seed: 13)
            func loss(_ a: Tensor, _ b: Tensor) -> Double {
                let y = tpn.forward(features: [a, b])[0]
                return y.dot(r) + (tpn.auxiliaryLoss(classes: classes)?.value ?? 0)
            }
            for (_, p) in tpn.namedParameters() { p.grad.fill(0) }
            _ = tpn.forward(features: [x0, x1])
            XCTAssertEqual(tpn.auxiliaryLoss(classes: classes)?.name, "loss_aux")
            let dx = tpn.backward(features: [r])
            let kinks = tpn.namedModules().compactMap { $0.1 as? PiecewiseLinear }
            kinks.forEach { $0.freezesPattern = true }
            defer { kinks.forEach { $0.freezesPattern = false } }
            let flow = parallel ? "parallel" : "cascade"
            GradientCheck.assertMatches(dx[0], at: x0, h: 1e-2, atol: 5e-3, rtol: 5e-2, maxChecks: 64, "\(flow) dx0") { loss($0, x1) }
            GradientCheck.assertMatches(dx[1], at: x1, h: 1e-2, atol: 5e-3, rtol: 5e-2, maxChecks: 64, "\(flow) dx1") { loss(x0, $0) }
            for (name, p) in tpn.namedParameters() where p.requiresGrad {
                let saved = p.value, grad = p.grad
                GradientCheck.assertMatches(grad, at: saved, h: 5e-3, atol: 5e-3, rtol: 5e-2, maxChecks: 16, "\(flow) \(name)") { w in
                    p.value = w
                    defer { p.value = saved }
                    return loss(x0, x1)
                }
            }
        }
    }

    /// MaxPool3d((s,1,1), ceil_mode=True): a last, shorter window when T is not a multiple of s.
    func testTemporalMaxPoolCeilMode() {
        let pool = TemporalMaxPool(scale: 2)
        let x = Tensor(shape: [1, 1, 5, 1, 1], values: [1, 3, 2, 0, 7])
        let y = pool.forward(x)
        XCTAssertEqual(y.shape, [1, 1, 3, 1, 1])
        XCTAssertEqual(y.scalars, [3, 2, 7])
        XCTAssertEqual(pool.backward(Tensor(shape: [1, 1, 3, 1, 1], values: [1, 2, 3])).scalars, [0, 1, 2, 0, 3])
    }

    static let config = """
        model = dict(type='Recognizer3D',
            backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=16, lateral=False, out_indices=(2, 3),
                          conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1)),
            neck=dict(type='TPN', in_channels=(64, 128), out_channels=64,
                      spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128),
                      temporal_modulation_cfg=dict(downsample_scales=(4, 4)), upsample_cfg=dict(scale_factor=(1, 1, 1)),
                      downsample_cfg=dict(downsample_scale=(1, 1, 1)),
                      level_fusion_cfg=dict(in_channels=(64, 64), mid_channels=(64, 64), out_channels=64,
                                            downsample_scales=((1, 1, 1), (1, 1, 1))),
                      aux_head_cfg=dict(out_channels=5, loss_weight=0.5)),
            cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, spatial_type='avg',
                          consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.01),
            test_cfg=dict(average_clips='prob'))

        """

    /// The `model` of a config text, as ModelReader reads it (TPNRecognizer2DTests reads with it too).
    static func read(_ text: String) throws -> ModelSpec {
        let c = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        return try ModelReader.read(c.root["model"]!, files: c.files)
    }

    func refusal(_ old: String, _ new: String) -> String {
        do { _ = try Self.read(Self.config.replacingOccurrences(of: old, with: new)); return "no error" } catch { return "\(error)" }
    }

    /// A SlowOnly-R18 with TPN reads, builds with mmaction2's names and trains a step: the log has loss_aux first and
    /// the total is the sum; inference runs without the auxiliary head.
    func testConfigReadsBuildsAndTrains() throws {
        let spec = try Self.read(Self.config)
        XCTAssertEqual(spec.neck?.inChannels, [64, 128])
        XCTAssertEqual(spec.head.name, "TPNHead")
        let model = ModelBuilder.fromScratch(spec, seed: 0)
        XCTAssertTrue(model.stateDict().map(\.0).contains("neck.aux_head.fc.weight"))
        XCTAssertEqual(model.randomStreams.count, 2, "the head's dropout and the auxiliary head's")
        var rng = Philox(seed: 4)
        let imgs = Tensor.uniform([2, 1, 3, 4, 32, 32], in: -1...1, rng: &rng)
        let step = model.trainStep(imgs, labels: [0, 3])
        XCTAssertEqual(step.logVars.map(\.0), ["loss_aux", "top1_acc", "top5_acc", "loss_cls", "loss"])
        let parts = Dictionary(uniqueKeysWithValues: step.logVars)
        XCTAssertEqual(parts["loss"]!, parts["loss_aux"]! + parts["loss_cls"]!, accuracy: 1e-9)
        XCTAssertEqual(step.loss, parts["loss"]!)
        model.applyMode(training: false)
        XCTAssertEqual(model.predict(imgs).shape, [2, 5])
    }

    /// Mixup without the auxiliary head: the neck runs in the blended step (it trapped on a precondition before).
    func testBlendingTrainsWithATPNWithoutAuxiliaryHead() throws {
        let text = Self.config.replacingOccurrences(of: "aux_head_cfg=dict(out_channels=5, loss_weight=0.5)", with: "aux_head_cfg=None")
            .replacingOccurrences(of: "test_cfg=dict(average_clips", with: "train_cfg=dict(blending=dict(type='MixupBlending', num_classes=5, "
                                  + "alpha=0.2)), test_cfg=dict(average_clips")
        let spec = try Self.read(text)
        XCTAssertNotNil(spec.blending)
        XCTAssertNil(spec.neck?.aux)
        let model = ModelBuilder.fromScratch(spec, seed: 0)
        var rng = Philox(seed: 4)
        let step = model.trainStep(Tensor.uniform([2, 1, 3, 4, 32, 32], in: -1...1, rng: &rng), labels: [0, 3])
        XCTAssertEqual(step.logVars.map(\.0), ["loss_cls", "loss"])
        XCTAssertTrue(step.loss.isFinite)
    }

    func testSettingsMmaction2CannotRunOrReelDoesNotImplementAreLocated() {
        XCTAssertTrue(refusal("out_indices=(2, 3)", "out_indices=(3,)").contains("error: TPN takes two or more backbone stages"))
        XCTAssertTrue(refusal("neck=dict(type='TPN', in_channels=(64, 128)", "neck=dict(type='TPN', in_channels=(64, 256)")
            .contains("error: in_channels=(64, 256) but the backbone's out_indices stages give (64, 128)"))
        XCTAssertTrue(refusal("downsample_scales=(4, 4)", "downsample_scales=(4, 2)").contains("all equal"))
        XCTAssertTrue(refusal("upsample_cfg=dict(scale_factor=(1, 1, 1))", "upsample_cfg=dict(scale_factor=(1, 2, 2))")
            .contains("error: Reel's TPN supports upsample_cfg.scale_factor=(1, 1, 1) only"))
        XCTAssertTrue(refusal("mid_channels=(64, 64)", "mid_channels=(64, 48)").contains("a multiple of 32"))
        XCTAssertTrue(refusal("aux_head_cfg=dict(out_channels=5", "aux_head_cfg=dict(out_channels=7")
            .contains("error: aux_head_cfg.out_channels=7 but the head has num_classes=5"))
        XCTAssertTrue(refusal("in_channels=2048, spatial_type", "in_channels=1024, spatial_type").contains("but TPN gives 2048 channels"))
        XCTAssertTrue(refusal("test_cfg=dict(average_clips", "train_cfg=dict(blending=dict(type='MixupBlending', num_classes=5, alpha=0.2)), test_cfg=dict(average_clips")
            .contains("error: mixup/cutmix with TPN's auxiliary head is not supported"))
        XCTAssertEqual(refusal("upsample_cfg=dict(scale_factor=(1, 1, 1)), downsample_cfg=dict(downsample_scale=(1, 1, 1)),",
                               "upsample_cfg=None, downsample_cfg=None, flow_type='parallel',"), "no error")
    }
}
