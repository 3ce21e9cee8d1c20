import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// TPN on mmaction2's Recognizer2D (the TPN-TSM config): a 2-D backbone's stages as the neck's levels, each video's
/// frames one clip; `fcn_test` scoring clips of `num_segs` frames (optionally flipped); the gradients through the
/// regrouping and the multi-output ResNet; and the settings mmaction2 fails on, located.
final class TPNRecognizer2DTests: XCTestCase {
    /// A TSM-R18 at base 16 (stages 3 and 4: 64 and 128 channels) with TPN-TSM's neck and head at small widths.
    static func config(aux: String = "dict(out_channels=5, loss_weight=0.5)", dropout: String = "0.5",
                       testCfg: String = "average_clips='score', fcn_test=True") -> String {
        """
        model = dict(type='Recognizer2D',
            backbone=dict(type='ResNetTSM', depth=18, base_channels=16, pretrained=None, num_segments=4, out_indices=(2, 3),
                          norm_eval=False, shift_div=8),
            neck=dict(type='TPN', in_channels=(64, 128), out_channels=64,
                      spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128),
                      temporal_modulation_cfg=dict(downsample_scales=(4, 4)), upsample_cfg=dict(scale_factor=(1, 1, 1)),
                      downsample_cfg=dict(downsample_scale=(1, 1, 1)),
                      level_fusion_cfg=dict(in_channels=(64, 64), mid_channels=(64, 64), out_channels=128,
                                            downsample_scales=((1, 1, 1), (1, 1, 1))),
                      aux_head_cfg=\(aux)),
            cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, spatial_type='avg',
                          consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=\(dropout), init_std=0.01),
            train_cfg=None,
            test_cfg=dict(\(testCfg)))

        """
    }

    func refusal(_ text: String) -> String {
        do { _ = try TPNTests.read(text); return "no error" } catch { return "\(error)" }
    }

    /// Reads with the backbone's two stages and fcn_test's clip length (ResNetTSM's num_segments), builds with
    /// mmaction2's names, and trains a step whose log starts with the auxiliary loss.
    func testReadsBuildsAndTrainsAStepOnEachVideosFramesAsOneClip() throws {
        let spec = try TPNTests.read(Self.config())
        guard case .resnet(let b) = spec.backbone else { return XCTFail("a 2-D backbone") }
        XCTAssertEqual(b.outIndices, [2, 3])
        XCTAssertEqual(spec.neck?.inChannels, [64, 128])
        XCTAssertEqual(spec.fcnTest, Recognizer2D.FullyConvolutionalTest(clipFrames: 4))
        let model = ModelBuilder.fromScratch(spec, seed: 0)
        let names = model.stateDict().map(\.0)
        XCTAssertEqual(names.first, "backbone.conv1.conv.weight")
        XCTAssertTrue(names.contains("neck.pyramid_fusion.conv.weight") && names.contains("neck.aux_head.fc.weight"))
        XCTAssertEqual(names.last, "cls_head.fc_cls.bias")
        XCTAssertEqual(model.randomStreams.count, 2, "the head's dropout and the auxiliary head's")
        var rng = Philox(seed: 4)
        let imgs = Tensor.uniform([2, 4, 3, 32, 32], in: -1...1, rng: &rng)
        let step = model.trainStep(imgs, labels: [0, 3])
        XCTAssertEqual(step.logVars.map(\.0), ["loss_aux", "top1_acc", "top5_acc", "loss_cls", "loss"])
        let parts = Dictionary(uniqueKeysWithValues: step.logVars)
        XCTAssertEqual(parts["loss"]!, parts["loss_aux"]! + parts["loss_cls"]!, accuracy: 1e-9)
        // At init the scores are near zero: each cross-entropy is about ln 5.
        XCTAssertEqual(parts["loss_cls"]!, log(5), accuracy: 0.1)
        XCTAssertEqual(parts["loss_aux"]!, 0.5 * log(5), accuracy: 0.1)
    }

    /// fcn_test: eight test frames are two clips of num_segs=4, so the video's 'score' average is the mean of the two
    /// halves scored alone; with flip=True the scores are those of the mirrored frames.
    func testFullyConvolutionalTestScoresEachClipAndFlips() throws {
        let model = ModelBuilder.fromScratch(try TPNTests.read(Self.config()), seed: 1)
        model.applyMode(training: false)
        var rng = Philox(seed: 5)
        let imgs = Tensor.uniform([1, 8, 3, 32, 32], in: -1...1, rng: &rng)
        let frame = 3 * 32 * 32
        let first = Tensor(shape: [1, 4, 3, 32, 32], values: Array(imgs.scalars[..<(4 * frame)]))
        let second = Tensor(shape: [1, 4, 3, 32, 32], values: Array(imgs.scalars[(4 * frame)...]))
        let both = model.predict(imgs).scalars, a = model.predict(first).scalars, b = model.predict(second).scalars
        XCTAssertEqual(both.count, 5)
        XCTAssertGreaterThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-4, "the halves score differently")
        for k in 0..<5 { XCTAssertEqual(both[k], (a[k] + b[k]) / 2, accuracy: 1e-5 * max(1, abs(both[k]))) }

        let flipping = ModelBuilder.fromScratch(try TPNTests.read(Self.config(testCfg: "average_clips='score', fcn_test=True, flip=True")), seed: 1)
        flipping.applyMode(training: false)
        let mirrored = Recognizer2D.flippedHorizontally(imgs)
        XCTAssertEqual(mirrored[31], imgs[0])
        XCTAssertEqual(flipping.predict(imgs).scalars, model.predict(mirrored).scalars)
    }

    /// Without fcn_test a test video's frames are one clip: its 4 frames pool to one step, as in training.
    func testRegularTestTakesTheVideoAsOneClip() throws {
        let spec = try TPNTests.read(Self.config(testCfg: "average_clips='prob'"))
        XCTAssertNil(spec.fcnTest)
        let model = ModelBuilder.fromScratch(spec, seed: 2)
        model.applyMode(training: false)
        var rng = Philox(seed: 6)
        let p = model.predict(Tensor.uniform([3, 4, 3, 32, 32], in: -1...1, rng: &rng))
        XCTAssertEqual(p.shape, [3, 5])
        for v in 0..<3 { XCTAssertEqual((0..<5).map { Double(p[v * 5 + $0]) }.reduce(0, +), 1, accuracy: 1e-5) }
    }

    /// The training loss against central differences in parameters below the neck's two levels: layer3 feeds the neck
    /// directly and through layer4, so its gradient is the sum the multi-output backward forms after the clips are
    /// regrouped into frames.
    func testGradientsReachTheBackboneThroughBothLevels() throws {
        let model = ModelBuilder.fromScratch(try TPNTests.read(Self.config(aux: "None", dropout: "0.0")), seed: 3)
        var rng = Philox(seed: 7)
        // 64×64 frames leave layer4 2×2: the neck's BatchNorms then normalise over 8 positions (over 2 they would make
        // the loss nearly flat in their inputs and the differences meaningless).
        let imgs = Tensor.uniform([2, 4, 3, 64, 64], in: -1...1, rng: &rng)
        let labels = [1, 4]
        for (_, p) in model.namedParameters() { p.grad.fill(0) }
        _ = model.trainStep(imgs, labels: labels)
        let kinks = model.namedModules().compactMap { $0.1 as? PiecewiseLinear }
        kinks.forEach { $0.freezesPattern = true }
        defer { kinks.forEach { $0.freezesPattern = false } }
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        for name in ["backbone.layer3.1.conv2.conv.weight", "backbone.layer3.0.conv1.conv.net.weight", "backbone.layer2.1.conv2.bn.weight"] {
            let p = try XCTUnwrap(params[name], name)
            let saved = p.value, grad = p.grad
            GradientCheck.assertMatches(grad, at: saved, h: 5e-3, atol: 2e-3, rtol: 5e-2, maxChecks: 12, name) { w in
                p.value = w
                defer { p.value = saved }
                return model.lossOnly(imgs, labels: labels).loss
            }
        }
    }

    /// What mmaction2 fails on, or Reel does not run, as located errors.
    func testSettingsMmaction2CannotRunAreLocated() {
        let plainResNet = Self.config().replacingOccurrences(of: "type='ResNetTSM'", with: "type='ResNet'")
            .replacingOccurrences(of: " num_segments=4,", with: "").replacingOccurrences(of: ", shift_div=8", with: "")
        XCTAssertTrue(refusal(plainResNet).contains("/m.py:14:51:"), refusal(plainResNet))
        XCTAssertTrue(refusal(plainResNet).contains("error: fcn_test=True groups the test frames by num_segs"))
        XCTAssertEqual(refusal(plainResNet.replacingOccurrences(of: "fcn_test=True", with: "fcn_test=True, num_segs=4")), "no error")
        XCTAssertTrue(refusal(Self.config().replacingOccurrences(of: "type='TPNHead'", with: "type='TSNHead'"))
            .contains("error: with a TPN neck on Recognizer2D the head takes a clip's map: use TPNHead"))
        XCTAssertTrue(refusal(Self.config().replacingOccurrences(of: "out_indices=(2, 3)", with: "out_indices=(2,)"))
            .contains("error: out_indices must be increasing stage indices ending with the last (3)"))
        let tsn = """
            model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None),
                         cls_head=dict(type='TSNHead', num_classes=5, in_channels=512),
                         test_cfg=dict(average_clips='score', fcn_test=True))

            """
        XCTAssertTrue(refusal(tsn).contains("error: fcn_test=True calls the head with fcn_test=True, which only TPNHead after a TPN neck takes"))
        XCTAssertEqual(refusal(TPNTests.config.replacingOccurrences(of: "average_clips='prob'", with: "average_clips='prob', fcn_test=True")),
                       "no error", "Recognizer3D does not read fcn_test (accepted, noted)")
    }

    /// The pipelines against the neck (`ModelInputCheck`): the training frames must pool to one step, fcn_test's
    /// clips must divide the test frames.
    func testPipelinesAreCheckedAgainstTheNecksTimePooling() throws {
        let fx = try FrameFixture(videos: 2, frames: 8, width: 16, height: 16)
        func config(train: Int, test: Int) -> String {
            func dataset(_ clips: Int) -> String {
                "dict(type='RawframeDataset', ann_file='\(fx.root)/ann.txt', data_prefix='\(fx.root)/rawframes', pipeline=["
                    + "dict(type='SampleFrames', clip_len=1, num_clips=\(clips), test_mode=True), dict(type='RawFrameDecode'), "
                    + "dict(type='FormatShape', input_format='NCHW')])"
            }
            return Self.config() + """
                data = dict(videos_per_gpu=2, train=\(dataset(train)), val=\(dataset(test)), test=\(dataset(test)))
                optimizer = dict(type='SGD', lr=0.01)
                optimizer_config = dict(grad_clip=None)
                total_epochs = 1

                """
        }
        func message(_ text: String) -> String {
            do { _ = try RunSpec.read(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py")); return "no error" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(message(config(train: 4, test: 8)), "no error")
        XCTAssertTrue(message(config(train: 8, test: 8)).contains(
            "error: TPN pools the 8 frames data.train's pipeline makes per video (one clip on Recognizer2D) by 4 in time to 2 steps"),
            message(config(train: 8, test: 8)))
        XCTAssertTrue(message(config(train: 4, test: 6)).contains(
            "error: fcn_test cuts the 6 images data.val's pipeline makes per video (clips × clip_len × crops) into clips of num_segs=4"))
    }
}
