import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Multi-label recognition (mmaction2's `multi_class=True` heads and datasets, the MMiT and HVU configs): the
/// BCELossWithLogits values and gradients, BaseHead's label smoothing and soft-label cross-entropy, the two mean
/// average precisions, and the loader's label sets. Reference numbers: PyTorch 2.15 in float64
/// (`F.binary_cross_entropy_with_logits`, `log_softmax`) and mmaction2 0.24.1's `mean_average_precision` /
/// `mmit_mean_average_precision` on the same inputs.
final class MultiLabelTests: XCTestCase {
    let logits = Tensor(shape: [3, 4], values: [2, -1, 0.5, -3, 0, 4, -0.25, 1.5, -30, 30, 0.1, -0.7])
    let sets = [[0, 2], [1], [0, 1]]

    func assertClose(_ a: Tensor, _ b: [Double], tolerance: Double, _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        for (x, y) in zip(a.scalars, b) { XCTAssertEqual(Double(x), y, accuracy: tolerance * max(1, abs(y)), what) }
    }

    func testBCELossWithLogitsMatchesPyTorch() {
        let y = Targets.labelSets(sets).multiHot(classes: 4)
        let (loss, grad) = BCELossWithLogits(lossWeight: 160)(logits, targets: y)
        XCTAssertEqual(loss, 467.98782066151483, accuracy: 1e-9 * 468)
        assertClose(grad, [-1.5893722936282357, 3.5858856182666017, -5.033875583975273, 0.6323449757008904,
                           6.666666666666667, -0.2398161328278873, 5.837646654856026, 10.900993015915247,
                           -13.333333333332085, 0, 6.9997224997192005, 4.424163037757785], tolerance: 1e-6, "plain")
        let weighted = BCELossWithLogits(lossWeight: 160, classWeight: [1, 2, 0.5, 3])(logits, targets: y)
        XCTAssertEqual(weighted.loss, 517.8621998648985, accuracy: 1e-9 * 518)
        assertClose(weighted.gradient, [-1.5893722936282357, 7.171771236533203, -2.5169377919876363, 1.897034927102671,
                                        6.666666666666667, -0.4796322656557746, 2.918823327428013, 32.70297904774574,
                                        -13.333333333332085, 0, 3.4998612498596002, 13.272489113273357], tolerance: 1e-6, "weighted")
        // A logit of ±30 neither overflows nor loses its term: e^−30 is kept by log1p.
        XCTAssertTrue(loss.isFinite)
    }

    func testBCELossGradientMatchesFiniteDifferences() {
        let x = GradientCheck.random([4, 6], seed: 11, range: -3...3)
        let y = (0..<24).map { Float(($0 * 7) % 5 == 0 ? 1 : 0) }
        for weights: [Float]? in [nil, [1, 2, 0.5, 3, 1, 0.25]] {
            let bce = BCELossWithLogits(lossWeight: 2, classWeight: weights)
            GradientCheck.assertMatches(bce(x, targets: y).gradient, at: x, h: 1e-3, atol: 1e-4, "dlogits weights=\(String(describing: weights))") {
                bce($0, targets: y).loss
            }
        }
    }

    /// BaseHead.loss: `multi_class` with ε ≠ 0 smooths the multi-hot targets to (1 − ε)·y + ε/K before the loss; a
    /// single-label head with a multi_class dataset gets mmaction2's soft-label cross-entropy; no accuracies either way.
    func testHeadLossSmoothingAndSoftCrossEntropy() {
        let smoothed = HeadLoss(.binaryCrossEntropy(BCELossWithLogits(lossWeight: 160)), multiClass: true, labelSmoothEps: 0.1)
        let s = smoothed(logits, targets: .labelSets(sets))
        XCTAssertEqual(s.loss, 475.60448732818145, accuracy: 1e-7 * 476, "float32 targets, as mmaction2's")
        assertClose(s.gradient, [-0.5893722936282364, 3.252552284933268, -4.033875583975273, 0.29901164236755706,
                                 6.333333333333333, 0.7601838671721121, 5.504313321522692, 10.567659682581915,
                                 -12.333333333332085, 0.999999999998753, 6.6663891663858665, 4.0908297044244515], tolerance: 1e-6, "smoothed")
        XCTAssertTrue(s.accuracies.isEmpty)
        let soft = HeadLoss()(logits, targets: .labelSets(sets))
        XCTAssertEqual(soft.loss, 20.700578363668743, accuracy: 1e-9 * 21)
        assertClose(soft.gradient, [0.1876403472507097, 0.025937752253095456, -0.21708839255149887, 0.003510293047693764,
                                    0.005477173560807446, -0.03428978950279763, 0.004265627058174834, 0.02454698888381534,
                                    -0.3333333333333333, 0.3333333333332334, 0, 0], tolerance: 1e-6, "soft cross-entropy")
        XCTAssertTrue(soft.accuracies.isEmpty)
        // Class indices on a single-label head: the accuracies; on a multi_class head: none (BaseHead's rule).
        XCTAssertEqual(HeadLoss(topk: [1, 2])(logits, targets: .classes([0, 1, 1])).accuracies.map(\.0), ["top1_acc", "top2_acc"])
        XCTAssertTrue(HeadLoss(multiClass: true)(logits, targets: .classes([0, 1, 1])).accuracies.isEmpty)
    }

    func testMeanAveragePrecisionsMatchMmaction2() throws {
        let scores: [[Float]] = [[0.9, 0.1, 0.4, 0.3], [0.2, 0.8, 0.8, 0.1], [0.5, 0.5, 0.1, 0.9], [0.3, 0.2, 0.7, 0.7], [0.6, 0.1, 0.2, 0.2]]
        let r = try Metrics.evaluate(scores: scores, targets: .labelSets([[0, 2], [1], [3, 0], [2], [1, 3]]),
                                     metrics: ["mean_average_precision", "mmit_mean_average_precision"])
        XCTAssertEqual(r.map(\.key), ["mean_average_precision", "mmit_mean_average_precision"])
        XCTAssertEqual(r[0].value, 0.7166666666666666, accuracy: 1e-12)
        XCTAssertEqual(r[1].value, 0.6499999999999999, accuracy: 1e-12)
        // Classes 2 and 3 belong to no video: their APs are NaN and left out of the mean (ties in the scores too).
        let two = try Metrics.evaluate(scores: scores, targets: .labelSets([[0], [1], [0], [1], [0]]),
                                       metrics: ["mean_average_precision", "mmit_mean_average_precision"])
        XCTAssertEqual(two[0].value, 0.9166666666666666, accuracy: 1e-12)
        XCTAssertEqual(two[1].value, 0.6166666666666666, accuracy: 1e-12)
        // Worked by hand: class 0 ranked 0.9 (✓), 0.6 (✓), 0.5 (✓) — AP 1; one positive ranked third — AP 1/3.
        XCTAssertEqual(Metrics.averagePrecision(scores: [0.9, 0.1, 0.5, 0.3, 0.6], positives: [0, 2, 4]), 1, accuracy: 1e-12)
        XCTAssertEqual(Metrics.averagePrecision(scores: [0.9, 0.1, 0.5, 0.3, 0.6], positives: [2]), 1.0 / 3, accuracy: 1e-12)
        XCTAssertTrue(Metrics.averagePrecision(scores: [0.9, 0.1], positives: []).isNaN, "NumPy's 0/0 recall")
        // Single-label targets are one-element sets for the mAPs; the accuracies refuse label sets.
        XCTAssertEqual(try Metrics.evaluate(scores: scores, labels: [0, 1, 3, 2, 0], metrics: ["mean_average_precision"])[0].value,
                       try Metrics.evaluate(scores: scores, targets: .labelSets([[0], [1], [3], [2], [0]]), metrics: ["mean_average_precision"])[0].value)
        XCTAssertThrowsError(try Metrics.evaluate(scores: scores, targets: .labelSets([[0], [1], [3], [2], [0]]), metrics: ["top_k_accuracy"])) {
            XCTAssertTrue("\($0)".contains("metric 'top_k_accuracy' needs one label per video"), "\($0)")
        }
    }

    /// mmaction2's JSON annotations (the HVU configs' `hvu_*_train.json`): a list of objects with the path, the label
    /// list and, for rawframes, total_frames; every bad item named with the file and its index.
    func testJSONAnnotations() throws {
        func parse(_ text: String, _ format: AnnotationFormat) throws -> [VideoRecord] {
            try AnnotationList.parseJSON(Array(text.utf8), file: "a.json", format: format)
        }
        let videos = AnnotationFormat(multiClass: true, numClasses: 5, prefix: "v", videos: true)
        XCTAssertEqual(try parse(#"[{"filename": "x.mp4", "label": [1, 4]}, {"filename": "/abs/y.mp4", "label": []}]"#, videos),
                       [VideoRecord(frameDir: "v/x.mp4", totalFrames: 0, labels: [1, 4], offset: 0),
                        VideoRecord(frameDir: "/abs/y.mp4", totalFrames: 0, labels: [], offset: 0)])
        let frames = AnnotationFormat(numClasses: 5, prefix: "f")
        XCTAssertEqual(try parse(#"[{"frame_dir": "d", "total_frames": 12, "offset": 3, "label": [2]}]"#, frames),
                       [VideoRecord(frameDir: "f/d", totalFrames: 12, labels: [2], offset: 3)])
        func message(_ text: String, _ format: AnnotationFormat) -> String {
            do { return "no error: \(try parse(text, format))" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(#"{"filename": "x"}"#, videos), "a.json: error: a JSON annotation file must be a list of objects, one per video")
        XCTAssertEqual(message("[", videos).prefix(31), "a.json: error: not valid JSON (")
        XCTAssertEqual(message("[]", videos), "a.json: error: annotation file lists no videos")
        XCTAssertEqual(message(#"[{"filename": "x", "label": [1]}, {"label": [1]}]"#, videos),
                       "a.json: error: item 1: no 'filename' string (the first item names its path with 'filename')")
        XCTAssertEqual(message(#"[{"filename": "x", "label": 1}]"#, videos),
                       "a.json: error: item 0: 'label' must be a list of class indices (mmaction2's JSON annotations list them)")
        XCTAssertEqual(message(#"[{"filename": "x", "label": [5]}]"#, videos), "a.json: error: item 0: label 5 is out of range for num_classes=5")
        XCTAssertEqual(message(#"[{"filename": "x", "label": [1.5]}]"#, videos),
                       "a.json: error: item 0: 'label' must be an integer (up to \(AnnotationList.maxFrames))")
        XCTAssertEqual(message(#"[{"frame_dir": "d", "label": [1, 2]}]"#, frames),
                       "a.json: error: item 0: expected one label (set multi_class=True for several), got 2")
        XCTAssertEqual(message(#"[{"frame_dir": "d", "label": [1]}]"#, frames), "a.json: error: item 0: no 'total_frames'")
    }

    /// A multi_class dataset's loader gives label sets; the config's head and metrics are checked against it.
    func testLoaderGivesLabelSetsAndConfigsAreCheckedAgainstThem() throws {
        let fx = try FrameFixture(videos: 3, frames: 4, width: 16, height: 16)
        try "video_0 4 0 2\nvideo_1 4 1\nvideo_2 4 2 1 0\n".write(toFile: fx.root + "/multi.txt", atomically: true, encoding: .utf8)
        func config(head: String, dataset: String = ", multi_class=True, num_classes=3", metrics: String = "['mean_average_precision']") -> String {
            """
            model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, base_channels=8, pretrained=None),
                         cls_head=dict(type='TSNHead', num_classes=3, in_channels=64\(head)))
            p = [dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'),
                 dict(type='FormatShape', input_format='NCHW')]
            d = dict(type='RawframeDataset', ann_file='\(fx.root)/multi.txt', data_prefix='\(fx.root)/rawframes', pipeline=p\(dataset))
            data = dict(videos_per_gpu=3, train=d, val=d, test=d)
            optimizer = dict(type='SGD', lr=0.01)
            optimizer_config = dict(grad_clip=None)
            total_epochs = 1
            evaluation = dict(metrics=\(metrics))

            """
        }
        func load(_ text: String) throws -> ResolvedConfig { try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py") }
        let bce = ", multi_class=True, loss_cls=dict(type='BCELossWithLogits', loss_weight=3.0)"
        let spec = try RunSpec.read(try load(config(head: bce)))
        XCTAssertEqual(spec.model.head.loss.function, .binaryCrossEntropy)
        XCTAssertEqual(spec.model.head.loss.weight, 3)
        let batch = try XCTUnwrap(try spec.train.makeLoader(seed: 0).epoch(0).next())
        XCTAssertEqual(batch.targets, .labelSets([[0, 2], [1], [2, 1, 0]]))
        let model = ModelBuilder.fromScratch(spec.model, seed: 0)
        let step = model.trainStep(batch.imgs, targets: batch.targets)
        XCTAssertEqual(step.logVars.map(\.0), ["loss_cls", "loss"], "no accuracies for a multi_class head")
        XCTAssertTrue(step.loss.isFinite && step.loss > 0)

        func refusal(_ text: String) -> String {
            do { _ = try RunSpec.read(try load(text)); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal(config(head: bce, dataset: "")).contains(
            "/c.py:2:102: error: BCELossWithLogits takes multi-hot labels: data.train needs multi_class=True"), refusal(config(head: bce, dataset: "")))
        XCTAssertTrue(refusal(config(head: ", multi_class=True", dataset: ", num_classes=3")).contains(
            "error: the head has multi_class=True but data.train gives one label per video"))
        XCTAssertTrue(refusal(config(head: bce, metrics: "['top_k_accuracy']")).contains(
            "error: metric 'top_k_accuracy' needs one label per video, but data.val has multi_class=True"))
        XCTAssertTrue(refusal(config(head: ", loss_cls=dict(type='CrossEntropyLoss', class_weight=[1.0, 2.0])")).contains(
            "error: class_weight has 2 values for num_classes=3 (one per class)"))
        XCTAssertTrue(refusal(config(head: "", dataset: ", num_classes=3", metrics: "['mmit_mean_average_precision']")) == "no error",
                      "a mAP on one label per video, with the dataset's num_classes, as mmaction2 computes it")
    }
}
