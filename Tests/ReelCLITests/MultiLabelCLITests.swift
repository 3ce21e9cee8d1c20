import Foundation
import XCTest

/// A multi-label config in the shape of mmaction2's MMiT/HVU ones (`multi_class=True` head and datasets,
/// BCELossWithLogits, mean average precision), on the demo frames with JSON annotations that give every video two
/// labels: `reel train` logs no accuracies and keeps the best mAP checkpoint, `reel test` reports both mAPs.
final class MultiLabelCLITests: XCTestCase {
    /// The demo workspace with JSON annotations giving every video two labels — its class and, as a ninth or tenth
    /// class, whether that class is even — and a multi-label TSM config over them; returns the config's path.
    func multiLabelConfig(_ ws: DemoWorkspace) throws -> String {
        for split in ["train", "val"] {
            let lines = try String(contentsOfFile: ws.path("data/demo/\(split)_list.txt"), encoding: .utf8).split(separator: "\n")
            let items = lines.map { line -> [String: Any] in
                let f = line.split(separator: " ")
                let c = Int(f[2])!
                return ["frame_dir": String(f[0]), "total_frames": Int(f[1])!, "label": [c, 8 + c % 2]]
            }
            try JSONSerialization.data(withJSONObject: items).write(to: URL(fileURLWithPath: ws.path("\(split).json")))
        }
        let base = DemoWorkspace.repo.appendingPathComponent("configs/demo/tsm_r18_demo.py").path
        let config = ws.path("multilabel.py")
        try """
            _base_ = ['\(base)']
            model = dict(cls_head=dict(num_classes=10, multi_class=True, loss_cls=dict(type='BCELossWithLogits', loss_weight=10.0)))
            data = dict(train=dict(ann_file='train.json', multi_class=True, num_classes=10),
                        val=dict(ann_file='val.json', multi_class=True, num_classes=10),
                        test=dict(ann_file='val.json', multi_class=True, num_classes=10))
            evaluation = dict(metrics=['mean_average_precision', 'mmit_mean_average_precision'])

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    func testMultiLabelConfigTrainsEvaluatesAndTests() throws {
        let ws = try DemoWorkspace(self)
        let config = try multiLabelConfig(ws)
        let check = try ws.run(["config", "check", "--build", config])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)

        let train = try ws.run(["train", config, "--no-tui", "--validate", "--work-dir", ws.path("w"), "--seed", "1",
                                "--cfg-options", "total_epochs=2", "log_config.interval=1", "checkpoint_config.interval=1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("Epoch [2][3/3]"), train.stdout)
        XCTAssertFalse(train.stdout.contains("top1_acc"), "a multi_class head logs no accuracies:\n\(train.stdout)")
        XCTAssertTrue(train.stdout.contains("mean_average_precision"), train.stdout)
        XCTAssertTrue(train.stdout.contains("mmit_mean_average_precision"), train.stdout)
        let best = try FileManager.default.contentsOfDirectory(atPath: ws.path("w")).filter { $0.hasPrefix("best_mean_average_precision_epoch_") && $0.hasSuffix(".safetensors") }
        XCTAssertEqual(best.count, 1, "save_best='auto' keeps the first metric's best: \(best)")

        let test = try ws.run(["test", config, ws.path("w/epoch_2.safetensors")])
        XCTAssertEqual(test.status, 0, test.stderr)
        XCTAssertTrue(test.stdout.contains("tested 8 videos of data.test"), test.stdout)
        let map = test.stdout.split(separator: "\n").first { $0.hasPrefix("mean_average_precision: ") }
        let value = map.flatMap { Double($0.split(separator: " ")[1]) }
        XCTAssertNotNil(value, test.stdout)
        XCTAssertTrue((0...1).contains(value ?? -1), test.stdout)
        // The accuracies are refused for label sets before any inference, naming the reason.
        let accuracy = try ws.run(["test", config, ws.path("w/epoch_2.safetensors"), "--eval", "top_k_accuracy"])
        XCTAssertEqual(accuracy.status, 2, "refused input")
        XCTAssertTrue(accuracy.stderr.contains("needs one label per video"), accuracy.stderr)
    }

    /// `reel test --launcher mpi` on two ranks: each scores its shard, the label sets travel with the scores, and
    /// the mean average precisions equal one process's.
    func testTwoRanksGatherLabelSetsToOneProcesssMetrics() throws {
        guard let mpirun = DistributedTrainTests.mpirun else { throw XCTSkip("mpirun not found: `make deps` installs openmpi-bin") }
        let ws = try DemoWorkspace(self)
        let config = try multiLabelConfig(ws)
        let train = try ws.run(["train", config, "--no-tui", "--work-dir", ws.path("w"), "--seed", "1",
                                "--cfg-options", "total_epochs=1", "checkpoint_config.interval=1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let checkpoint = ws.path("w/epoch_1.safetensors")
        let one = try ws.run(["test", config, checkpoint, "--threads", "1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try ws.start(["test", config, checkpoint, "--threads", "1", "--launcher", "mpi"], launcher: mpirun,
                               launcherArguments: DistributedTrainTests.twoRanks)
        XCTAssertEqual(two.wait(), 0, two.stderr)
        let metrics = { (out: String) in out.split(separator: "\n").filter { $0.contains("average_precision: ") }.map(String.init) }
        XCTAssertEqual(metrics(one.stdout).count, 2, one.stdout)
        XCTAssertEqual(metrics(two.stdout), metrics(one.stdout), two.stdout)
    }
}
