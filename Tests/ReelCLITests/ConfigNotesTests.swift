import XCTest

/// Issue 13, one verdict: settings training used to drop silently are now refused by `config check` as by `train`
/// (exit 2, located), honoured, or accepted with a one-line located warning that `config check` prints (exit 0) and
/// the run logs.
final class ConfigNotesTests: XCTestCase {
    static let demo = ConfigCheckVerdictTests.demo

    func child(_ extra: String) throws -> (dir: URL, path: String) {
        let d = try ReelProcess.tempDir(self)
        let path = d.appendingPathComponent("c.py").path
        try "_base_ = '\(Self.demo)'\n\(extra)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (d, path)
    }

    /// mmcv stops with a KeyError at the first evaluation; Reel refuses the config before training.
    func testSaveBestNamingAKeyNoMetricGivesIsRefusedByCheckAsByTrain() throws {
        try ConfigCheckVerdictTests(name: "refusal", testClosure: { _ in }).assertSameRefusal("evaluation = dict(save_best='mAP')", line: 2, column: 29,
            message: "save_best='mAP' is not a key the configured metrics produce (they give: top1_acc, top5_acc, mean_class_accuracy)")
        try ConfigCheckVerdictTests(name: "refusal", testClosure: { _ in }).assertSameRefusal("evaluation = dict(save_best='loss')", line: 2, column: 29,
            message: "save_best='loss' is not a key the configured metrics produce")
    }

    func testAValPhaseBeforeTheTrainPhaseIsRefusedByCheckAsByTrain() throws {
        try ConfigCheckVerdictTests(name: "refusal", testClosure: { _ in }).assertSameRefusal("workflow = [('val', 1), ('train', 1)]", line: 2, column: 14,
            message: "workflow phase 1 must be 'train', not 'val'")
    }

    func testCudnnBenchmarkIsAcceptedWithALocatedNote() throws {
        let c = try child("cudnn_benchmark = True")
        let r = try ReelProcess.run(["config", "check", c.path], cwd: c.dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "\(c.path): ok (1 warning)\n")
        XCTAssertTrue(r.stderr.hasPrefix("\(c.path):2:19: warning: cudnn_benchmark=True is ignored: a cuDNN (GPU) setting; it has no effect on a CPU\n"), r.stderr)
    }

    func testSampleFramesStartIndexWarnsAsMmaction2Does() throws {
        let c = try child("")
        let r = try ReelProcess.run(["config", "check", c.path, "--cfg-options", "data.train.pipeline.0.start_index=0"], cwd: c.dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains(": warning: SampleFrames.start_index=0 is ignored: no longer supported in SampleFrames"), r.stderr)
    }

    /// A one-epoch run with the val phase: the header prints the config's workflow, the .log.json has the val
    /// record (losses, mode 'val'), and the logs are copied to out_dir/<work dir name> and removed locally.
    func testTheValWorkflowRunsAndTheLogsGoToOutDir() throws {
        let ws = try DemoWorkspace(self)
        let path = ws.path("c.py")
        try """
            _base_ = '\(Self.demo)'
            total_epochs = 1
            workflow = [('train', 1), ('val', 1)]
            log_config = dict(interval=10, hooks=[dict(type='TextLoggerHook', out_dir='logs', keep_local=False)])

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let work = ws.path("w")
        let r = try ws.run(["train", path, "--no-tui", "--seed", "0", "--work-dir", work])
        XCTAssertEqual(r.status, 0, r.stderr)
        let console = r.stdout + r.stderr
        XCTAssertTrue(console.contains(" - workflow: [('train', 1), ('val', 1)], max: 1 epochs\n"), console)
        XCTAssertTrue(console.contains(" - Epoch(val) [1]["), console)
        let out = ws.path("logs/w")
        let copied = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(copied.filter { $0.hasSuffix(".log.json") }.count, 1, "\(copied)")
        XCTAssertEqual(copied.filter { $0.hasSuffix(".log") }.count, 1, "\(copied)")
        XCTAssertTrue(copied.contains("c.py"), "\(copied)")
        let local = try FileManager.default.contentsOfDirectory(atPath: work)
        XCTAssertFalse(local.contains { $0.hasSuffix(".log") || $0.hasSuffix(".log.json") || $0 == "c.py" }, "\(local)")
        let json = try String(contentsOfFile: out + "/" + copied.first { $0.hasSuffix(".log.json") }!, encoding: .utf8)
        let val = json.split(separator: "\n").filter { $0.hasPrefix("{\"mode\": \"val\", \"epoch\": 1, \"iter\": ") }
        XCTAssertEqual(val.count, 1, json)
        XCTAssertTrue(val.first?.contains("\"loss_cls\": ") == true && val.first?.contains("\"time\": ") == true, json)
    }
}
