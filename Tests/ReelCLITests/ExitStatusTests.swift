import Foundation
import XCTest

/// The exit-status rule, end to end: 0 success, 1 the run failed at run time, 2 refused input (whatever file it
/// was found in, at start or mid-run). Before, checkpoint and data errors exited 1.
final class ExitStatusTests: XCTestCase {
    func testHelpDocumentsTheRule() throws {
        let r = try ReelProcess.run(["--help"])
        XCTAssertEqual(r.status, 0)
        let text = r.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        XCTAssertTrue(text.contains("Exit status: 0 success; 1 the run failed at run time (non-finite loss, a failed write such as a full disk, an internal error); 2 refused input (config, command line, checkpoint, annotation or frame file); 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM after saving a checkpoint"), r.stdout)
        let train = try ReelProcess.run(["train", "--help"])
        XCTAssertTrue(train.stdout.contains("exits with 130, 130, 143 or 129"), train.stdout)
    }

    func testRefusedInputExits2NamingTheFile() throws {
        let ws = try DemoWorkspace(self)
        let usage = try ws.run(["train", ws.config, "--no-tui", "--bogus"])
        XCTAssertEqual(usage.status, 2, usage.stderr)

        let ann = try ws.run(ws.train(workDir: ws.path("w0"), epochs: 1, options: ["data.train.ann_file=/nonexistent/list.txt"]))
        XCTAssertEqual(ann.status, 2, ann.stderr)
        XCTAssertTrue(ann.stderr.contains("/nonexistent/list.txt"), ann.stderr)

        let good = try ws.run(ws.train(workDir: ws.path("w1"), epochs: 1))
        XCTAssertEqual(good.status, 0, good.stderr)
        let checkpoint = ws.path("w1/epoch_1.safetensors")
        let truncated = ws.path("truncated.safetensors")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        for args in [["test", ws.config, truncated], ws.train(workDir: ws.path("w2"), epochs: 2, flags: ["--resume-from", truncated]),
                     ["checkpoint", "verify", truncated], ["test", ws.config, ws.path("missing.safetensors")]] {
            let r = try ws.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(args.contains(truncated) ? truncated : ws.path("missing.safetensors")), r.stderr)
        }
    }

    /// A corrupt frame met in the middle of the first epoch: the run fails (RunFailure) but the cause is the
    /// user's file, so the status is 2.
    func testACorruptFrameFoundMidRunExits2() throws {
        let ws = try DemoWorkspace(self)
        let list = try String(contentsOfFile: ws.path("data/demo/train_list.txt"), encoding: .utf8)
        let video = try XCTUnwrap(list.split(separator: "\n").last?.split(separator: " ").first.map(String.init))
        let frame = ws.path("data/demo/rawframes/\(video)/img_00003.jpg")
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: frame))
        let r = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1))
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("reel: training failed: data/demo/rawframes/\(video)/img_00003.jpg: not a decodable JPEG"),
                      r.stderr)
    }

    func testNonFiniteLossExits1() throws {
        let ws = try DemoWorkspace(self)
        let r = try ws.run(ws.train(workDir: ws.path("w"), epochs: 3, options: ["optimizer.lr=1e30", "optimizer_config.grad_clip=None"]))
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("reel: training failed: "), r.stderr)
    }
}
