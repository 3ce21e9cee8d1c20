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
}
