import XCTest

/// Issue 13, "Weights that load anywhere", through the built binary: a `.pth` given to `--resume-from`,
/// `--load-from` or `reel test` used to fail with "cannot read header length 85966670672"; now it is read (weights
/// only, nothing executed), converts both ways with `reel convert`, and a hostile one is refused naming the file.
final class PthCLITests: XCTestCase {
    static let fixtures = DemoWorkspace.repo.appendingPathComponent("Tests/EngineTests/Checkpoint/Fixtures").path

    func testPthWeightsTestLoadAndResumeLikeTheirSafetensors() throws {
        let ws = try DemoWorkspace(self)
        let trained = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1))
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let converted = try ws.run(["convert", ws.path("w/epoch_1.safetensors"), ws.path("model.pth")])
        XCTAssertEqual(converted.status, 0, converted.stderr)
        XCTAssertTrue(converted.stdout.hasPrefix("wrote \(ws.path("model.pth")): "), converted.stdout)
        let back = try ws.run(["convert", ws.path("model.pth"), ws.path("back.safetensors")])
        XCTAssertEqual(back.status, 0, back.stderr)
        let (differing, total) = try TensorBytes.differing(ws.path("back.safetensors"), ws.path("w/epoch_1.safetensors"))
        XCTAssertEqual(differing.filter { !$0.hasPrefix("optimizer.") }, [], "of \(total)")

        // reel test: the same metrics from either file.
        let fromSafetensors = try ws.run(["test", ws.config, ws.path("w/epoch_1.safetensors"), "--split", "val"])
        let fromPth = try ws.run(["test", ws.config, ws.path("model.pth"), "--split", "val"])
        XCTAssertEqual(fromPth.status, 0, fromPth.stderr)
        func metrics(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.contains("acc") } }
        XCTAssertFalse(metrics(fromPth.stdout).isEmpty, fromPth.stdout)
        XCTAssertEqual(metrics(fromPth.stdout), metrics(fromSafetensors.stdout))

        // --load-from: every key found (no missing/unexpected report).
        let loaded = try ws.run(ws.train(workDir: ws.path("l"), epochs: 1, flags: ["--load-from", ws.path("model.pth")]))
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        XCTAssertTrue(loaded.stdout.contains("load checkpoint from \(ws.path("model.pth"))\n"), loaded.stdout)

        // --resume-from a .pth: read, and refused for what it lacks (Reel's optimizer state), not as garbage.
        let resumed = try ws.run(ws.train(workDir: ws.path("r"), epochs: 2, flags: ["--resume-from", ws.path("model.pth")]))
        XCTAssertEqual(resumed.status, 2, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("\(ws.path("model.pth")): not a valid safetensors checkpoint: it has no optimizer state"), resumed.stderr)
        XCTAssertFalse(resumed.stderr.contains("header length"), resumed.stderr)
    }

    func testHostilePthIsRefusedNamingTheFileAndTheGlobal() throws {
        let ws = try DemoWorkspace(self)
        let hostile = Self.fixtures + "/hostile_reduce.pth"
        for arguments in [["test", ws.config, hostile], ws.train(workDir: ws.path("w"), epochs: 1, flags: ["--load-from", hostile]),
                          ["convert", hostile, ws.path("out.safetensors")]] {
            let r = try ws.run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(hostile): not a valid PyTorch .pth checkpoint: data.pkl: it names the global 'posix.system'"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/reel-pth-pwned"))
    }

    /// `checkpoint verify` checks the optimizer sidecar a checkpoint names.
    func testVerifyChecksTheOptimizerSidecar() throws {
        let ws = try DemoWorkspace(self)
        XCTAssertEqual(try ws.run(ws.train(workDir: ws.path("w"), epochs: 1)).status, 0)
        let ok = try ws.run(["checkpoint", "verify", ws.path("w/epoch_1.safetensors")])
        XCTAssertTrue(ok.stdout.contains("(122 tensors, epoch 1, iter 3) with its optimizer state, 124 tensors in epoch_1.safetensors.optimizer-"), ok.stdout)
        let names = try FileManager.default.contentsOfDirectory(atPath: ws.path("w")).filter { $0.hasPrefix("epoch_1.safetensors.optimizer-") }
        XCTAssertEqual(names.count, 1)
        try FileManager.default.removeItem(atPath: ws.path("w/" + names[0]))
        let missing = try ws.run(["checkpoint", "verify", ws.path("w/epoch_1.safetensors")])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("its optimizer state \(ws.path("w/" + names[0])) is missing"), missing.stderr)
    }
}
