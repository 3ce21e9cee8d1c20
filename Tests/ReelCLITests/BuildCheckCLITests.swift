import XCTest

/// `reel config check --build`: the config's model and pipelines run once on a synthetic clip (one train step, one
/// test view), a `pretrained=` URL is a warning there while plain `check` refuses it as training does.
final class BuildCheckCLITests: XCTestCase {
    func testTheSlowOnlyDemoBuildsAndRuns() throws {
        let config = DemoWorkspace.repo.appendingPathComponent("configs/demo/slowonly_r18_demo.py").path
        let r = try ReelProcess.run(["config", "check", "--build", config])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("model: Recognizer3D, ResNet3dSlowOnly-18, base_channels 16, I3DHead"), r.stdout)
        XCTAssertTrue(r.stdout.contains("train pipeline: input [1, 1, 3, 8, 56, 56]; one step (forward, loss, backward): loss "), r.stdout)
        XCTAssertTrue(r.stdout.contains("test pipeline: input [1, 3, 8, 56, 56] (1 crop); one view [1, 3, 8, 56, 56] forwarded: 8 scores"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("slowonly_r18_demo.py: ok, builds and runs\n"), r.stdout)
    }

    func testAPretrainedURLIsAWarningForBuildAndAnErrorForCheck() throws {
        let d = try ReelProcess.tempDir(self)
        let demo = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path
        let path = d.appendingPathComponent("c.py").path
        try "_base_ = '\(demo)'\nmodel = dict(backbone=dict(pretrained='torchvision://resnet18'))\n".write(toFile: path, atomically: true, encoding: .utf8)
        let check = try ReelProcess.run(["config", "check", path], cwd: d)
        XCTAssertEqual(check.status, 2, check.stderr)
        XCTAssertTrue(check.stderr.contains("\(path):2:39: error: pretrained='torchvision://resnet18': Reel cannot download weights"), check.stderr)
        let build = try ReelProcess.run(["config", "check", "--build", path], cwd: d)
        XCTAssertEqual(build.status, 0, build.stderr)
        XCTAssertTrue(build.stderr.contains("\(path):2:39: warning: pretrained='torchvision://resnet18' cannot be downloaded by Reel; "
                                            + "built from scratch here. Before training, download the file"), build.stderr)
        XCTAssertTrue(build.stdout.contains("c.py: ok, builds and runs (1 warning)"), build.stdout)
    }

    func testAPipelineThatCannotRunOnTheClipFailsTheBuild() throws {
        let d = try ReelProcess.tempDir(self)
        let demo = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path
        let path = d.appendingPathComponent("c.py").path
        // Reads fine; but a fixed 400-pixel crop straight after decoding does not fit 340x256 frames.
        try ("_base_ = '\(demo)'\ndata = dict(train=dict(pipeline=[dict(type='SampleFrames', clip_len=1, frame_interval=1, "
             + "num_clips=8), dict(type='RawFrameDecode'), dict(type='RandomCrop', size=400), "
             + "dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs', 'label'], meta_keys=[])]))\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ReelProcess.run(["config", "check", path], cwd: d).status, 0)
        let r = try ReelProcess.run(["config", "check", "--build", path], cwd: d)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("reel: data.train.pipeline fails on a synthetic 64-frame 340x256 clip: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("RandomCrop does not fit in the video's 340x256 frames"), r.stderr)
    }

    /// Without FormatShape the frames stay H×W×C, which the model would misread: refused when the config is read,
    /// by `check` as by `train` (before, `train` crashed in the first convolution).
    func testAPipelineWithoutFormatShapeIsRefusedAtReading() throws {
        let d = try ReelProcess.tempDir(self)
        let demo = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path
        let path = d.appendingPathComponent("c.py").path
        try ("_base_ = '\(demo)'\ndata = dict(train=dict(pipeline=[dict(type='SampleFrames', clip_len=1, frame_interval=1, "
             + "num_clips=8), dict(type='RawFrameDecode'), dict(type='Collect', keys=['imgs', 'label'], meta_keys=[])]))\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        for command in [["config", "check", path], ["train", path, "--no-tui", "--work-dir", d.appendingPathComponent("w").path]] {
            let r = try ReelProcess.run(command, cwd: d)
            XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("\(path):2:33: error: Recognizer2D needs FormatShape(input_format='NCHW') in "
                                            + "data.train.pipeline (without it the frames stay H×W×C)"), r.stderr)
        }
    }

    /// A test-only config (no data.train, optimizer or total_epochs), as mmaction2's x3d facebook, data_benchmark and
    /// inference configs: `--build` builds it as `reel test` reads it — the model and one view of data.test — with a
    /// note that training needs more. Before, it failed with "config needs 'total_epochs'".
    func testATestOnlyConfigBuildsAsReelTestReadsIt() throws {
        let d = try ReelProcess.tempDir(self)
        let path = d.appendingPathComponent("t.py").path
        try """
            model = dict(type='Recognizer2D',
                         backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16, num_segments=8),
                         cls_head=dict(type='TSMHead', num_classes=8, in_channels=128, num_segments=8),
                         test_cfg=dict(average_clips='prob'))
            test_pipeline = [
                dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True),
                dict(type='RawFrameDecode'), dict(type='Resize', scale=(-1, 64)), dict(type='ThreeCrop', crop_size=64),
                dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False),
                dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', keys=['imgs'], meta_keys=[]),
                dict(type='ToTensor', keys=['imgs'])]
            data = dict(test_dataloader=dict(videos_per_gpu=1),
                        test=dict(type='RawframeDataset', ann_file='ann.txt', data_prefix='frames', pipeline=test_pipeline))

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try ReelProcess.run(["config", "check", "--build", path], cwd: d)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("  model: Recognizer2D, ResNet-18, base_channels 16, TSMHead: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("  note: a test-only config (no data.train): built as `reel test` reads it; `reel train` needs "
                                        + "data.train, an optimizer and total_epochs\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  test pipeline: input [24, 3, 64, 64] (3 crops); one view [8, 3, 64, 64] forwarded: 8 scores in "),
                      r.stdout)
        XCTAssertFalse(r.stdout.contains("train pipeline"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("t.py: ok, builds and runs (2 warnings)\n"), r.stdout)
        // Training still refuses it, at the first thing it needs.
        let train = try ReelProcess.run(["train", path, "--no-tui", "--work-dir", d.appendingPathComponent("w").path], cwd: d)
        XCTAssertEqual(train.status, 2, train.stdout + train.stderr)
        XCTAssertTrue(train.stderr.contains("config needs 'total_epochs'"), train.stderr)
    }
}
