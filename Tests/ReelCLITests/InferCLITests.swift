import Foundation
import XCTest

/// `reel infer` (mmaction2's demo.py) through the real binary: a frame directory gives exactly the scores `reel test`
/// computes for that video, a video file runs through OpenCVInit/OpenCVDecode, and an `ann_file=None` config (the
/// shape of mmaction2's demo/inference configs) builds and infers while `reel test` refuses it with a located error.
final class InferCLITests: XCTestCase {
    func testFrameDirectoryMatchesTestScoresAndVideoFilesRun() throws {
        let ws = try DemoWorkspace(self)
        let train = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1))
        XCTAssertEqual(train.status, 0, train.stderr)
        let ckpt = ws.path("w/epoch_1.safetensors")

        let test = try ws.run(["test", ws.config, ckpt, "--out", ws.path("scores.json")])
        XCTAssertEqual(test.status, 0, test.stderr)
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ws.path("scores.json")))) as? [[Double]])
        // The test split is the val list; its first video.
        let list = try String(contentsOfFile: ws.path("data/demo/val_list.txt"), encoding: .utf8)
        let first = try XCTUnwrap(list.split(separator: "\n").first?.split(separator: " ").first.map(String.init))
        let dir = ws.path("data/demo/rawframes/\(first)")

        let json = try ws.run(["infer", ws.config, ckpt, dir, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let scores = try XCTUnwrap(object["scores"] as? [Double])
        XCTAssertEqual(scores.count, all[0].count)
        for (a, b) in zip(scores, all[0]) { XCTAssertEqual(a, b, accuracy: 1e-6) }

        let table = try ws.run(["infer", ws.config, ckpt, dir, "--labels", ws.path("data/demo/classes.txt"), "--top", "3"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, table.stdout)
        XCTAssertTrue(lines[0].contains("\(dir): 8 frames, model input [8, 3, "), table.stdout)
        let names = try String(contentsOfFile: ws.path("data/demo/classes.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        XCTAssertTrue(lines[1].hasSuffix("  " + names[best]), table.stdout)
        XCTAssertTrue(lines[1].contains(String(format: "%.4f", scores[best])), table.stdout)

        // A video file: the demo's clips as h264 (the rawframe config's pipeline, opened and decoded as a video).
        let made = try ws.run(["data", "demo", "vids", "--format", "mp4", "--videos-per-class", "2", "--frames", "8"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let mp4 = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: ws.path("vids/videos")).filter { $0.hasSuffix(".mp4") }.min())
        let video = try ws.run(["infer", ws.config, ckpt, ws.path("vids/videos/\(mp4)")])
        XCTAssertEqual(video.status, 0, video.stderr)
        XCTAssertTrue(video.stdout.contains("\(mp4): 8 frames, model input [8, 3, 56, 56]"), video.stdout)
        XCTAssertEqual(video.stdout.split(separator: "\n").count, 6, video.stdout)

        let missing = try ws.run(["infer", ws.config, ckpt, ws.path("none.mp4")])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("none.mp4: no such video file or frame directory"), missing.stderr)
    }

    func testConfigWithoutAnnotationFileBuildsAndInfersButIsNotTested() throws {
        let ws = try DemoWorkspace(self)
        let config = ws.path("inference.py")
        try """
        _base_ = ['\(DemoWorkspace.repo.path)/configs/demo/tsm_r18_demo.py']
        data = dict(test=dict(ann_file=None, data_prefix=None))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let build = try ws.run(["config", "check", "--build", config])
        XCTAssertEqual(build.status, 0, build.stdout + build.stderr)

        let train = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1))
        XCTAssertEqual(train.status, 0, train.stderr)
        let ckpt = ws.path("w/epoch_1.safetensors")
        let infer = try ws.run(["infer", config, ckpt, ws.path("data/demo/rawframes/video_00000")])
        XCTAssertEqual(infer.status, 0, infer.stderr)
        let test = try ws.run(["test", config, ckpt])
        XCTAssertEqual(test.status, 2, test.stderr)
        XCTAssertTrue(test.stderr.contains("inference.py:2:"), test.stderr)
        XCTAssertTrue(test.stderr.contains("error: ann_file is None: this dataset lists no videos"), test.stderr)
    }

    /// A feature extractor (mmaction2's clip_feature_extraction configs: no cls_head, feature_extraction=True) gives a
    /// video's pooled features from a TSM checkpoint's backbone; training and `reel test` refuse it.
    func testFeatureExtractionConfig() throws {
        let ws = try DemoWorkspace(self)
        let train = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1))
        XCTAssertEqual(train.status, 0, train.stderr)
        let ckpt = ws.path("w/epoch_1.safetensors")
        let config = ws.path("features.py")
        // Shaped like mmaction2's tsn_r50_clip_feature_extraction_1x1x3_rgb.py: a model without cls_head and a test split only.
        try """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16,
                     num_segments=8, shift_div=8, shift_place='blockres', norm_eval=False),
                     test_cfg=dict(feature_extraction=True))
        img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        test_pipeline = [
            dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True),
            dict(type='RawFrameDecode'), dict(type='CenterCrop', crop_size=56), dict(type='Normalize', **img_norm_cfg),
            dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs'], meta_keys=[]),
            dict(type='ToTensor', keys=['imgs'])]
        data = dict(videos_per_gpu=1, workers_per_gpu=0,
                    test=dict(type='RawframeDataset', ann_file=None, data_prefix=None, pipeline=test_pipeline))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let json = try ws.run(["infer", config, ckpt, ws.path("data/demo/rawframes/video_00000"), "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let features = try XCTUnwrap(object["features"] as? [Double])
        XCTAssertEqual(features.count, 128, "ResNet-18 at base 16: 128 channels")
        XCTAssertTrue(features.allSatisfy { $0.isFinite && $0 >= 0 }, "pooled ReLU outputs")
        let table = try ws.run(["infer", config, ckpt, ws.path("data/demo/rawframes/video_00000")])
        XCTAssertTrue(table.stdout.contains("features: 128 values"), table.stdout)
        let build = try ws.run(["config", "check", "--build", config])
        XCTAssertEqual(build.status, 0, build.stdout + build.stderr)
        let trained = try ws.run(["train", config, "--no-tui", "--work-dir", ws.path("w2"), "--cfg-options", "optimizer.type=SGD",
                                  "optimizer.lr=0.1", "total_epochs=1"])
        XCTAssertEqual(trained.status, 2, trained.stderr)
        XCTAssertTrue(trained.stderr.contains("features.py:1:"), trained.stderr)
        XCTAssertTrue(trained.stderr.contains("has nothing to train"), trained.stderr)
        let tested = try ws.run(["test", config, ckpt])
        XCTAssertNotEqual(tested.status, 0)
        XCTAssertTrue(tested.stderr.contains("extracts features (no cls_head)"), tested.stderr)
    }
}
