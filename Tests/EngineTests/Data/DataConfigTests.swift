import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Binding the data to the model: every label is checked against `model.cls_head.num_classes` when a split's
/// dataset is built (review 2026-12-02, F9: label ≥ num_classes trapped in the loss, `reel test` exited 0).
final class DataConfigTests: XCTestCase {
    static let pipeline = "[dict(type='SampleFrames', clip_len=1, num_clips=2, test_mode=True), dict(type='RawFrameDecode'), "
        + "dict(type='FormatShape', input_format='NCHW')]"

    /// A config over `fx` (labels 0, 1, 2) whose head has `classes` classes.
    func data(_ fx: FrameFixture, classes: Int, pipeline: String = pipeline, extra: String = "") throws -> DataConfig {
        let text = """
            model = dict(type='Recognizer2D', cls_head=dict(type='TSNHead', num_classes=\(classes), in_channels=8))
            d = dict(type='RawframeDataset', ann_file='\(fx.root)/ann.txt', data_prefix='\(fx.root)/rawframes', pipeline=\(pipeline)\(extra))
            data = dict(videos_per_gpu=2, train=d, val=d, test=d)

            """
        return try DataConfig(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py"))
    }

    func testLabelsAtOrAboveTheModelsNumClassesAreRefusedForEverySplit() throws {
        let fx = try FrameFixture(videos: 3, frames: 4, width: 16, height: 16)
        XCTAssertEqual(try data(fx, classes: 3).modelClasses, 3)
        XCTAssertEqual(try data(fx, classes: 3).dataset(.train).count, 3)
        XCTAssertEqual(try data(fx, classes: 3).dataset(.train).labelLimit, 3)
        let two = try data(fx, classes: 2)
        for split in DataConfig.Split.allCases {
            XCTAssertThrowsError(try two.loader(split, seed: 0)) { e in
                XCTAssertEqual("\(e)", "\(fx.root)/ann.txt:3: error: label 2 is out of range for num_classes=2 (labels are 0…1)")
                XCTAssertEqual((e as? any DataInputError)?.file, "\(fx.root)/ann.txt")
            }
        }
        // The dataset's own num_classes (used with multi_class) is a limit too; the smaller one wins.
        XCTAssertEqual(try data(fx, classes: 8, extra: ", num_classes=3").dataset(.val).labelLimit, 3)
    }

    /// mmaction2's train.py and test.py read `cfg.data.get('videos_per_gpu', 1)`: tsn_r50_1x1x8_50e_hmdb51_mit_rgb.py
    /// and the data_benchmark configs leave it out. Reel required it ("data needs 'videos_per_gpu'").
    func testVideosPerGPUDefaultsToOne() throws {
        let fx = try FrameFixture(videos: 3, frames: 4, width: 16, height: 16)
        let text = """
            d = dict(type='RawframeDataset', ann_file='\(fx.root)/ann.txt', data_prefix='\(fx.root)/rawframes', pipeline=\(Self.pipeline))
            data = dict(train=d, test=d, test_dataloader=dict(videos_per_gpu=2))

            """
        let data = try DataConfig(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py"))
        XCTAssertEqual(try data.loaderSettings(.train).batchSize, 1)
        XCTAssertEqual(try data.loaderSettings(.test).batchSize, 2)
    }

    /// A multi-hot (multi_class) dataset's loader gives each video's label set (the loss and metrics take them;
    /// MultiLabelTests checks the rest).
    func testMultiClassDatasetsGiveLabelSets() throws {
        let fx = try FrameFixture(videos: 3, frames: 4, width: 16, height: 16)
        let multi = try data(fx, classes: 3, extra: ", multi_class=True, num_classes=3")
        XCTAssertEqual(try multi.dataset(.train).records.map(\.labels), [[0], [1], [2]])
        XCTAssertEqual(try XCTUnwrap(try multi.loader(.test, seed: 0).epoch(0).next()).targets, .labelSets([[0], [1]]))
        XCTAssertEqual(try XCTUnwrap(try data(fx, classes: 3).loader(.test, seed: 0).epoch(0).next()).targets, .classes([0, 1]))
    }

    /// flip_label_map can change a label after the annotation check: the dataset re-checks the pipeline's output,
    /// so the loss still never sees it.
    func testALabelMappedOutOfRangeByThePipelineIsRefused() throws {
        let fx = try FrameFixture(videos: 3, frames: 4, width: 16, height: 16)
        let flip = Self.pipeline.replacingOccurrences(of: "dict(type='FormatShape'", with: "dict(type='Flip', flip_ratio=1.0, flip_label_map={0: 5}), dict(type='FormatShape'")
        let ds = try data(fx, classes: 3, pipeline: flip).dataset(.train)
        var rng = Philox(seed: 0)
        XCTAssertThrowsError(try ds.item(0, rng: &rng, workspace: PipelineWorkspace())) { e in
            XCTAssertEqual("\(e)", "\(fx.root)/ann.txt: error: video '\(fx.root)/rawframes/video_0': the pipeline (flip_label_map) "
                           + "turned a label into 5, out of range for num_classes=3")
        }
        XCTAssertEqual(try ds.item(1, rng: &rng, workspace: PipelineWorkspace()).labels, [1])
    }

    /// A crop larger than the frames is about the data (the video's frames are too small): a `DataInputError`.
    func testACropLargerThanTheFramesNamesTheVideo() throws {
        let fx = try FrameFixture(videos: 1, frames: 2, width: 16, height: 8)
        let crop = Self.pipeline.replacingOccurrences(of: "dict(type='FormatShape'", with: "dict(type='CenterCrop', crop_size=12), dict(type='FormatShape'")
        let ds = try data(fx, classes: 3, pipeline: crop).dataset(.test)
        var rng = Philox(seed: 0)
        XCTAssertThrowsError(try ds.item(0, rng: &rng, workspace: PipelineWorkspace())) { e in
            XCTAssertEqual("\(e)", "\(fx.root)/rawframes/video_0: error: CenterCrop does not fit in the video's 16x8 frames")
            XCTAssertEqual((e as? any DataInputError)?.file, "\(fx.root)/rawframes/video_0")
        }
    }
}
