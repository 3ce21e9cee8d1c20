import XCTest

/// Every view of a run tells the same story, through the real binary (seed-note audit 2026-12-02, fp16 row).
final class RunLogCLITests: XCTestCase {
    /// The `fp16` warning reached the terminal (stderr) but never the `.log`. It is now the run's first log line:
    /// printed once with the others on the console, and in the `.log` and `events.jsonl`.
    func testConfigWarningsAreLoggedOnceToTheConsoleAndTheLog() throws {
        let ws = try DemoWorkspace(self)
        let r = try ws.run(ws.train(workDir: "w", epochs: 1, options: ["fp16.loss_scale=512."]))
        XCTAssertEqual(r.status, 0, r.stderr)
        let warning = "warning: 'fp16' is not supported by Reel yet: CPU mixed precision is planned after the first milestone; "
            + "training runs in float32"
        XCTAssertEqual(r.stdout.components(separatedBy: warning).count - 1, 1, r.stdout)
        XCTAssertFalse(r.stderr.contains(warning), r.stderr)
        let work = ws.path("w")
        let logs = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasSuffix(".log") }
        XCTAssertEqual(logs.count, 1, "\(logs)")
        let log = try String(contentsOfFile: work + "/" + logs[0], encoding: .utf8)
        let first = try XCTUnwrap(log.split(separator: "\n").first)
        XCTAssertTrue(first.contains(" - mmaction - INFO - ") && first.hasSuffix(warning), String(first))
        let events = try String(contentsOfFile: work + "/events.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(events[0].contains(#""type":"started""#))
        XCTAssertTrue(events[1].contains(#""type":"message""#) && events[1].contains(warning), String(events[1]))
    }

    /// `reel test` with `skip_broken=True` skipped broken videos without a word; each skip is now a warning on
    /// standard error, and the metrics follow.
    func testReelTestPrintsWhatSkipBrokenSkipped() throws {
        let ws = try DemoWorkspace(self)
        let trained = try ws.run(ws.train(workDir: "w", epochs: 1))
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let video = try XCTUnwrap(String(contentsOfFile: ws.path("data/demo/val_list.txt"), encoding: .utf8).split(separator: " ").first)
        for t in 1...8 {
            try Data("not a JPEG".utf8).write(to: URL(fileURLWithPath: ws.path(String(format: "data/demo/rawframes/\(video)/img_%05d.jpg", t))))
        }
        let r = try ws.run(["test", ws.config, "w/epoch_1.safetensors", "--split", "val", "--cfg-options", "data.val.skip_broken=True"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: skip_broken: skipped data/demo/rawframes/\(video) (data/demo/rawframes/\(video)/img_0000"),
                      r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("tested 8 videos of data.val in "), r.stdout)
        XCTAssertTrue(r.stdout.contains("\ntop1_acc: "), r.stdout)
    }
}
