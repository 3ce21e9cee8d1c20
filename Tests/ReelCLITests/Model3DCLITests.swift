import Foundation
import XCTest

/// The 3-D demo config (configs/demo/slowonly_r18_demo.py: Recognizer3D, ResNet3dSlowOnly, I3DHead, NCTHW clips)
/// through `reel train` and `reel test`, and a 3-D model whose pipeline formats 2-D frames refused at the step.
final class Model3DCLITests: XCTestCase {
    func testSlowOnlyDemoTrainsAndTests() throws {
        let ws = try DemoWorkspace(self)
        let config = DemoWorkspace.repo.appendingPathComponent("configs/demo/slowonly_r18_demo.py").path
        let train = try ws.run(["train", config, "--no-tui", "--validate", "--work-dir", ws.path("w"), "--seed", "1",
                                "--cfg-options", "total_epochs=1", "log_config.interval=1", "data.videos_per_gpu=12",
                                "checkpoint_config.interval=1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("Epoch [1][2/2]"), train.stdout)
        XCTAssertTrue(train.stdout.contains("top1_acc"), train.stdout)
        let verified = try ws.verify(ws.path("w/epoch_1.safetensors"))
        XCTAssertEqual(verified, "epoch 1, iter 2")
        let test = try ws.run(["test", config, ws.path("w/epoch_1.safetensors")])
        XCTAssertEqual(test.status, 0, test.stderr)
        XCTAssertTrue(test.stdout.contains("tested 8 videos of data.test"), test.stdout)
    }

    func testNCHWPipelineIsRefusedForRecognizer3D() throws {
        let ws = try DemoWorkspace(self)
        let config = DemoWorkspace.repo.appendingPathComponent("configs/demo/slowonly_r18_demo.py").path
        let r = try ws.run(["train", config, "--no-tui", "--work-dir", ws.path("w"),
                            "--cfg-options", "data.train.pipeline.5.input_format=NCHW"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("error: Recognizer3D takes input_format='NCTHW', but data.train's FormatShape makes 'NCHW'"), r.stderr)
    }
}
