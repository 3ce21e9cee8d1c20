import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Resuming from a checkpoint someone else wrote, and saving only good state (review 2026-12-02 F7, F8, F13, F16).
final class RunnerCheckpointSafetyTests: XCTestCase {
    let fm = FileManager.default

    /// `source` with `hookMessages` (and any other `reel` metadata fields) replaced, written to `path`.
    func craft(from source: String, to path: String, _ edit: (inout [String: Any]) -> Void) throws {
        var file = try SafeTensors.read(source)
        var reel = try JSONSerialization.jsonObject(with: Data(file.metadata["reel"]!.utf8)) as! [String: Any]
        edit(&reel)
        file.metadata["reel"] = String(decoding: try JSONSerialization.data(withJSONObject: reel), as: UTF8.self)
        try SafeTensors.write(file, to: path)
    }

    /// F8: the previous best checkpoint named in a resumed file's metadata is removed only when it is a regular file
    /// with a best-checkpoint name directly in this run's directory. Outside directories and files, a symlink inside
    /// pointing out, and a directory inside with a best-checkpoint name all survive a resume + evaluate run.
    func testResumeWithEvaluationNeverDeletesWhatTheMetadataNames() throws {
        let tiny = try TinyRun()
        var validate = TrainOptions()
        validate.validate = true
        try tiny.runner(epochs: 1, options: validate).run()
        let base = tiny.dir + "/base.safetensors"
        try fm.copyItem(atPath: tiny.work + "/epoch_1.safetensors", toPath: base)
        // Its optimizer sidecar goes along (the crafted copies beside it name it).
        for f in try fm.contentsOfDirectory(atPath: tiny.work) where f.hasPrefix("epoch_1.safetensors.optimizer-") {
            try fm.copyItem(atPath: tiny.work + "/" + f, toPath: tiny.dir + "/" + f)
        }

        let victims = tiny.dir + "/victims"
        try fm.createDirectory(atPath: victims + "/dir/sub", withIntermediateDirectories: true)
        try Data("important".utf8).write(to: URL(fileURLWithPath: victims + "/dir/sub/data.txt"))
        try Data("important".utf8).write(to: URL(fileURLWithPath: victims + "/file.txt"))
        try Data("important".utf8).write(to: URL(fileURLWithPath: victims + "/best_top1_acc_epoch_1.safetensors"))
        try fm.createSymbolicLink(atPath: tiny.work + "/best_top1_acc_epoch_7.safetensors", withDestinationPath: victims + "/file.txt")
        try fm.createDirectory(atPath: tiny.work + "/best_top1_acc_epoch_8.safetensors/sub", withIntermediateDirectories: true)
        try Data("important".utf8).write(to: URL(fileURLWithPath: tiny.work + "/best_top1_acc_epoch_8.safetensors/sub/data.txt"))
        let named = [victims + "/dir", victims + "/file.txt", tiny.work + "/../victims/best_top1_acc_epoch_1.safetensors",
                     tiny.work + "/best_top1_acc_epoch_7.safetensors", tiny.work + "/best_top1_acc_epoch_8.safetensors",
                     tiny.work + "/config.py"]
        for (k, victim) in named.enumerated() {
            let evil = tiny.dir + "/evil\(k).safetensors"
            try craft(from: base, to: evil) { $0["hookMessages"] = ["bestScore": -1.0, "bestCheckpoint": victim, "bestMetric": "top1_acc"] }
            var options = validate
            options.resumeFrom = evil
            let log = EventLog()
            try tiny.runner(epochs: 2, options: options, sinks: [log]).run()
            XCTAssertTrue(log.evaluations.last?.isNewBest == true, "the evaluation beat the crafted best score")
            XCTAssertTrue(log.messages.contains("The previous best checkpoint \(victim) was left in place: "
                                                + (k == 2 ? "it is not directly inside this run's directory"
                                                   : k == 3 || k == 4 ? "it is not a regular file" : "its name is not one Reel gives its files")),
                          log.messages.filter { $0.contains("best") }.joined(separator: "\n"))
            try fm.removeItem(atPath: tiny.work + "/best_top1_acc_epoch_2.safetensors")
        }
        for f in [victims + "/dir/sub/data.txt", victims + "/file.txt", victims + "/best_top1_acc_epoch_1.safetensors",
                  tiny.work + "/best_top1_acc_epoch_8.safetensors/sub/data.txt"] {
            XCTAssertEqual(try String(contentsOfFile: f, encoding: .utf8), "important", f)
        }
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: tiny.work + "/best_top1_acc_epoch_7.safetensors"), victims + "/file.txt")
        XCTAssertTrue(fm.fileExists(atPath: tiny.work + "/config.py"))

        // The run's own previous best, a regular file in the work dir, is still replaced as in mmcv.
        let own = tiny.work + "/best_top1_acc_epoch_1.safetensors"
        XCTAssertTrue(fm.fileExists(atPath: own))
        try craft(from: base, to: tiny.dir + "/own.safetensors") { $0["hookMessages"] = ["bestScore": -1.0, "bestCheckpoint": own] }
        var options = validate
        options.resumeFrom = tiny.dir + "/own.safetensors"
        try tiny.runner(epochs: 2, options: options).run()
        XCTAssertFalse(fm.fileExists(atPath: own))
        XCTAssertTrue(fm.fileExists(atPath: tiny.work + "/best_top1_acc_epoch_2.safetensors"))
    }

    /// F7 at the runner: hostile counters are refused before the runner changes (they trapped in Loader and Runner).
    func testHostileCountersAreRefusedOnResume() throws {
        let tiny = try TinyRun()
        try tiny.runner(epochs: 1).run()
        let base = tiny.work + "/epoch_1.safetensors"
        let cases: [(String, Any, String)] = [("epoch", -1, "-1 is negative"), ("epoch", Int.min, "is negative"),
                                              ("iter", Int.max, "is more than any run's"), ("extra", ["inner_iter": "-1"], "not a non-negative integer"),
                                              ("epoch", 5, "5 completed epochs but only 2 iterations")]
        for (k, (field, value, fragment)) in cases.enumerated() {
            let evil = tiny.dir + "/evil\(k).safetensors"
            try craft(from: base, to: evil) { $0[field] = value }
            var options = TrainOptions()
            options.resumeFrom = evil
            XCTAssertThrowsError(try tiny.runner(epochs: 2, options: options)) { error in
                let e = error as? CheckpointError
                XCTAssertEqual(e?.path, evil)
                XCTAssertEqual(e?.field.map { $0.hasPrefix("__metadata__.reel.\(field)") }, true, "\(error)")
                XCTAssertTrue(e?.reason.contains(fragment) == true, "\(error)")
            }
        }
        // A checkpoint holding inf is not resumed from.
        var file = try SafeTensors.read(base)
        let i = file.tensors.firstIndex { $0.name.hasSuffix("running_var") }!
        file.tensors[i].value = .float32(Tensor(shape: file.tensors[i].value.shape, repeating: .infinity))
        try SafeTensors.write(file, to: tiny.dir + "/inf.safetensors")
        var options = TrainOptions()
        options.resumeFrom = tiny.dir + "/inf.safetensors"
        XCTAssertThrowsError(try tiny.runner(epochs: 2, options: options)) { error in
            XCTAssertEqual((error as? CheckpointError)?.field, file.tensors[i].name)
            XCTAssertEqual((error as? CheckpointError)?.reason.hasPrefix("holds inf or NaN"), true, "\(error)")
        }
    }

    /// F16: BatchNorm's running variance goes to inf while the loss is still finite. The epoch-2 state is not
    /// saved, and the failure names epoch 1 — the last checkpoint known to be finite.
    func testNonFiniteStateIsNotSavedAndTheLastGoodCheckpointIsFinite() throws {
        let tiny = try TinyRun()
        let log = EventLog()
        var runner: Runner!
        log.onIteration = { r in
            guard r.iter == 2 else { return }
            for case let (name, .buffer(b)) in runner.model.stateDict() where name.hasSuffix("layer1.0.conv1.bn.running_var") {
                b.value = .float32(Tensor(shape: b.tensor.shape, repeating: .infinity))
            }
        }
        runner = try tiny.runner(epochs: 2, sinks: [log])
        XCTAssertThrowsError(try runner.run()) { error in
            let f = error as? RunFailure
            XCTAssertEqual(f?.lastCheckpoint, tiny.work + "/epoch_1.safetensors")
            XCTAssertEqual(f?.message, "the training state went non-finite (inf or NaN in backbone.layer1.0.conv1.bn.running_var); "
                           + "epoch_2.safetensors was not saved", "\(error)")
        }
        XCTAssertTrue(log.iterations.map(\.loss).allSatisfy { $0.isFinite })
        XCTAssertFalse(fm.fileExists(atPath: tiny.work + "/epoch_2.safetensors"))
        XCTAssertEqual(try SafeTensors.read(tiny.work + "/latest.safetensors").tensors.count,
                       try SafeTensors.read(tiny.work + "/epoch_1.safetensors").tensors.count)
        XCTAssertEqual(CheckpointStore.nonFiniteTensors(in: try SafeTensors.read(tiny.work + "/latest.safetensors")), [])
    }

    /// F13: a new or resumed run removes what a killed run's atomic writes left in its work dir.
    func testRunStartRemovesStaleTempFiles() throws {
        let tiny = try TinyRun()
        let runner = try tiny.runner(epochs: 1)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        let dead = p.processIdentifier
        for name in [".epoch_1.safetensors.tmp-\(dead)-77", ".config.py.tmp-\(dead)-5", ".best.json.tmp-\(dead)-6",
                     ".other.txt.tmp-\(dead)-8"] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: tiny.work + "/" + name))
        }
        try runner.run()
        XCTAssertEqual(tiny.files().filter { $0.hasPrefix(".") }, [".other.txt.tmp-\(dead)-8"])
    }
}

extension EventLog {
    var messages: [String] { events.compactMap { if case .message(let m) = $0 { m } else { nil } } }
}
