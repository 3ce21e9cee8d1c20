import XCTest

/// Bad data through the real binary (review 2026-12-02, row 3): no crash, every refusal names the file, and
/// `skip_broken=True` says what it skipped on the console and in the .log.
final class DataInputTests: XCTestCase {
    /// A copy of configs/demo and a small demo dataset (8 classes × 2 videos of 8 frames: 12 train, 4 val).
    func demo() throws -> URL {
        let dir = try ReelProcess.tempDir(self)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("configs/demo"), to: dir.appendingPathComponent("configs/demo"))
        let made = try ReelProcess.run(["data", "demo", "data/demo", "--videos-per-class", "2", "--frames", "8"], cwd: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        return dir
    }

    /// The first line (1-based) of an annotation list whose label is at least `k`, and that label.
    func firstLabel(atLeast k: Int, in list: URL) throws -> (line: Int, label: Int) {
        let lines = try String(contentsOf: list, encoding: .utf8).split(separator: "\n")
        for (n, line) in lines.enumerated() {
            if let label = Int(line.split(separator: " ")[2]), label >= k { return (n + 1, label) }
        }
        throw XCTSkip("no label ≥ \(k) in \(list.path)")
    }

    /// F9: `model.cls_head.num_classes=5` with labels up to 7 trapped in CrossEntropyLoss (rc 132); `reel test`
    /// exited 0. Both now refuse the list before any training or testing, naming file and line.
    func testLabelsAboveNumClassesAreRefusedByTrainAndTest() throws {
        let dir = try demo()
        let train = try firstLabel(atLeast: 5, in: dir.appendingPathComponent("data/demo/train_list.txt"))
        let r = try ReelProcess.run(["train", "configs/demo/tsm_r18_demo.py", "--no-tui", "--work-dir", "w",
                                     "--cfg-options", "total_epochs=1", "model.cls_head.num_classes=5"], cwd: dir)
        XCTAssertTrue((1..<128).contains(r.status), "status \(r.status): \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("data/demo/train_list.txt:\(train.line): error: label \(train.label) is out of range "
                                        + "for num_classes=5 (labels are 0…4)"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("w/latest.safetensors").path))

        // A real checkpoint, then `reel test` on the val list with a 5-class model.
        let ok = try ReelProcess.run(["train", "configs/demo/tsm_r18_demo.py", "--no-tui", "--work-dir", "w", "--seed", "0",
                                      "--cfg-options", "total_epochs=1", "checkpoint_config.interval=1"], cwd: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let val = try firstLabel(atLeast: 5, in: dir.appendingPathComponent("data/demo/val_list.txt"))
        let t = try ReelProcess.run(["test", "configs/demo/tsm_r18_demo.py", "w/epoch_1.safetensors",
                                     "--cfg-options", "model.cls_head.num_classes=5"], cwd: dir)
        XCTAssertTrue((1..<128).contains(t.status), "status \(t.status): \(t.stderr)")
        XCTAssertTrue(t.stderr.contains("data/demo/val_list.txt:\(val.line): error: label \(val.label) is out of range "
                                        + "for num_classes=5 (labels are 0…4)"), t.stderr)
    }

    /// F12: with `skip_broken=True` a broken frame used to be skipped silently. Now each skip is a warning on the
    /// console and in the .log; without skip_broken the run stops with the frame's path.
    func testSkipBrokenLogsWhatItSkippedAndPlainRunsNameTheFrame() throws {
        let dir = try demo()
        let first = try String(contentsOf: dir.appendingPathComponent("data/demo/train_list.txt"), encoding: .utf8)
            .split(separator: "\n")[0].split(separator: " ")[0]
        let frame = dir.appendingPathComponent("data/demo/rawframes/\(first)/img_00003.jpg")
        try Data("this is not a JPEG".utf8).write(to: frame)
        let args = ["train", "configs/demo/tsm_r18_demo.py", "--no-tui", "--work-dir", "w", "--seed", "0", "--cfg-options", "total_epochs=1"]

        let tolerant = try ReelProcess.run(args + ["data.train.skip_broken=True"], cwd: dir)
        XCTAssertEqual(tolerant.status, 0, tolerant.stderr)
        let note = "warning: skip_broken: skipped data/demo/rawframes/\(first) (data/demo/rawframes/\(first)/img_00003.jpg: "
            + "not a decodable JPEG"
        XCTAssertTrue(tolerant.stdout.contains(note), tolerant.stdout)
        let work = dir.appendingPathComponent("w")
        let logs = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasSuffix(".log") }
        XCTAssertEqual(logs.count, 1, "\(logs)")
        let log = try String(contentsOf: work.appendingPathComponent(logs[0]), encoding: .utf8)
        XCTAssertTrue(log.contains("- mmaction - INFO - " + note), log)

        let strict = try ReelProcess.run(args, cwd: dir)
        XCTAssertTrue((1..<128).contains(strict.status), "status \(strict.status): \(strict.stderr)")
        XCTAssertTrue(strict.stderr.contains("data/demo/rawframes/\(first)/img_00003.jpg: not a decodable JPEG"), strict.stderr)
    }
}
