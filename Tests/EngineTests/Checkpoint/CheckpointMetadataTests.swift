import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Hostile metadata values (review 2026-12-02 F7): each is a `CheckpointError` naming the file and the field, never
/// a trap in the loader or runner and never raw `DecodingError` text.
final class CheckpointMetadataTests: XCTestCase {
    let path = "/x/meta.safetensors"

    func expectRefused(_ body: () throws -> Void, field: String, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            guard let e = error as? CheckpointError else { return XCTFail("not a CheckpointError: \(error)", line: line) }
            XCTAssertEqual(e.path, path, line: line)
            XCTAssertEqual(e.field, field, "\(e)", line: line)
            XCTAssertTrue(e.reason.contains(fragment), "\(e)", line: line)
            XCTAssertFalse("\(e)".contains("DecodingError"), "\(e)", line: line)
        }
    }

    /// The JSON Reel writes, with `edit` applied to the decoded object.
    func reel(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let data = try JSONEncoder().encode(CheckpointMetadata(epoch: 1, iter: 8, extra: ["inner_iter": "2"]))
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        edit(&object)
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func decode(_ edit: @escaping (inout [String: Any]) -> Void) -> () throws -> Void {
        { _ = try CheckpointMetadata.decode(try self.reel(edit), path: self.path) }
    }

    func testHostileCountersAreRefusedWithTheirField() throws {
        XCTAssertEqual(try CheckpointMetadata.decode(try reel { _ in }, path: path).iter, 8)
        expectRefused(decode { $0["epoch"] = -1 }, field: "__metadata__.reel.epoch", "-1 is negative")
        expectRefused(decode { $0["epoch"] = Int.min }, field: "__metadata__.reel.epoch", "is negative")
        expectRefused(decode { $0["iter"] = Int.max }, field: "__metadata__.reel.iter", "is more than any run's")
        expectRefused(decode { $0["iter"] = -5 }, field: "__metadata__.reel.iter", "is negative")
        expectRefused(decode { $0["epoch"] = 9 }, field: "__metadata__.reel.epoch", "9 completed epochs but only 8 iterations")
        expectRefused(decode { $0["extra"] = ["inner_iter": "-1"] }, field: "__metadata__.reel.extra.inner_iter", "not a non-negative integer")
        expectRefused(decode { $0["extra"] = ["inner_iter": "99999999999999999999"] }, field: "__metadata__.reel.extra.inner_iter", "not a non-negative integer")
        expectRefused(decode { $0["extra"] = ["inner_iter": "9"] }, field: "__metadata__.reel.extra.inner_iter", "only 8 iterations")
    }

    func testWrongTypesNameTheFieldInsteadOfDecodingErrorText() {
        expectRefused(decode { $0["epoch"] = "1" }, field: "__metadata__.reel.epoch", "expected an integer")
        expectRefused(decode { $0["iter"] = 1.5 }, field: "__metadata__.reel.iter", "invalid value")
        expectRefused(decode { $0["iter"] = 18446744073709551615 as UInt64 }, field: "__metadata__.reel.iter", "invalid value")
        expectRefused(decode { $0.removeValue(forKey: "time") }, field: "__metadata__.reel.time", "missing")
        expectRefused(decode { $0["hookMessages"] = ["bestScore": "x"] }, field: "__metadata__.reel.hookMessages.bestScore", "expected a number")
        expectRefused(decode { $0["extra"] = [1] }, field: "__metadata__.reel.extra", "expected an object of strings")
        expectRefused(decode { $0["extra"] = ["inner_iter": 3] }, field: "__metadata__.reel.extra.inner_iter", "expected a string")
        expectRefused(decode { $0["hookMessages"] = ["bestCheckpoint": "\u{1B}]0;owned\u{7}"] },
                      field: "__metadata__.reel.hookMessages.bestCheckpoint", "control characters")
        expectRefused({ _ = try CheckpointMetadata.decode("{not json", path: self.path) }, field: "__metadata__.reel", "is not valid JSON")
    }

    func testCountersMustFitTheResumingRun() throws {
        let meta = try CheckpointMetadata.decode(try reel { _ in }, path: path)   // epoch 1, iter 8, batch 2 done
        XCTAssertNoThrow(try meta.validate(byEpoch: true, maxEpochs: 2, maxIters: 0, batchesPerEpoch: 4, path: path))
        expectRefused({ try meta.validate(byEpoch: true, maxEpochs: 1, maxIters: 0, batchesPerEpoch: 4, path: self.path) },
                      field: "__metadata__.reel.extra.inner_iter", "inside epoch 2 of a 1-epoch run")
        expectRefused({ try meta.validate(byEpoch: true, maxEpochs: 5, maxIters: 0, batchesPerEpoch: 2, path: self.path) },
                      field: "__metadata__.reel.extra.inner_iter", "batch 2 of an epoch that has 2 batches")
        var done = meta
        done.extra = [:]; done.epoch = 3
        expectRefused({ try done.validate(byEpoch: true, maxEpochs: 2, maxIters: 0, batchesPerEpoch: 4, path: self.path) },
                      field: "__metadata__.reel.epoch", "completed 3 epochs, more than this run's total_epochs=2")
        expectRefused({ try meta.validate(byEpoch: false, maxEpochs: 0, maxIters: 7, batchesPerEpoch: 4, path: self.path) },
                      field: "__metadata__.reel.iter", "completed 8 iterations, more than this run's max_iters=7")
    }

    /// The exact-resume fields (random streams, log history, thread count, seed) are checked like the counters:
    /// a hostile value is refused naming its field, never handed to `Philox(state:)` or the log buffer.
    func testHostileResumeStateIsRefusedWithItsField() throws {
        let stream = Philox(seed: 7).state
        let log: [String: Any] = ["keys": ["loss", "time"], "values": [[2.5, 2.4], [0.1, 0.2]], "counts": [[8, 8], [1, 1]]]
        let good = try CheckpointMetadata.decode(try reel { $0["rngState"] = stream; $0["logBuffer"] = log; $0["threads"] = 2 }, path: path)
        XCTAssertEqual(good.rngState, stream)
        XCTAssertEqual(good.logBuffer, LogBuffer.Snapshot(keys: ["loss", "time"], values: [[2.5, 2.4], [0.1, 0.2]], counts: [[8, 8], [1, 1]]))
        XCTAssertEqual(good.threads, 2)
        XCTAssertNil(try CheckpointMetadata.decode(try reel { _ in }, path: path).logBuffer, "older checkpoints have none")

        expectRefused(decode { $0["rngState"] = Array(stream.prefix(7)) }, field: "__metadata__.reel.rngState", "7 words: expected 8 per random stream")
        expectRefused(decode { $0["rngState"] = [UInt64](repeating: 0, count: 8 * 65) }, field: "__metadata__.reel.rngState", "at most 64 streams")
        var wide = stream; wide[2] = 1 << 32
        expectRefused(decode { $0["rngState"] = wide }, field: "__metadata__.reel.rngState[0...7]", "word 2 (4294967296) does not fit 32 bits")
        var past = stream; past[6] = 5
        expectRefused(decode { $0["rngState"] = stream + past }, field: "__metadata__.reel.rngState[8...15]", "is not in 0...4")
        var nan = stream; nan[7] = 1 << 32 | UInt64(Float.nan.bitPattern)
        expectRefused(decode { $0["rngState"] = nan }, field: "__metadata__.reel.rngState[0...7]", "neither 0 nor a pending finite normal")
        expectRefused(decode { $0["rngState"] = [-1, 0, 0, 0, 0, 0, 4, 0] }, field: "__metadata__.reel.rngState[0]", "invalid value")

        func withLog(_ edit: @escaping (inout [String: Any]) -> Void) -> () throws -> Void {
            decode { var l = log; edit(&l); $0["logBuffer"] = l }
        }
        expectRefused(withLog { $0["counts"] = [[8, 8]] }, field: "__metadata__.reel.logBuffer", "2 keys but 2 value lists and 1 count lists")
        expectRefused(withLog { $0["values"] = [[2.5], [0.1, 0.2]] }, field: "__metadata__.reel.logBuffer.values[0]", "1 values and 2 counts")
        expectRefused(withLog { $0["keys"] = ["loss", "loss"] }, field: "__metadata__.reel.logBuffer.keys[1]", "repeated")
        expectRefused(withLog { $0["keys"] = ["loss", "\u{1B}[2J"] }, field: "__metadata__.reel.logBuffer.keys[1]", "control characters")
        expectRefused(withLog { $0["counts"] = [[8, -1], [1, 1]] }, field: "__metadata__.reel.logBuffer.counts[0]", "-1 is outside 0...")
        expectRefused(withLog { $0["counts"] = [[8, 1.5], [1, 1]] }, field: "__metadata__.reel.logBuffer.counts[0][1]", "invalid value")
        expectRefused(withLog { $0["values"] = [["x", 2.4], [0.1, 0.2]] }, field: "__metadata__.reel.logBuffer.values[0][0]", "expected a number")
        expectRefused(decode { $0["threads"] = 0 }, field: "__metadata__.reel.threads", "0 is outside 1...65536")
        expectRefused(decode { $0["seed"] = UInt64.max }, field: "__metadata__.reel.seed", "more than 2^63 - 1")
    }

    // MARK: - Optimizer state

    static let config = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=4, num_segments=2),
                     cls_head=dict(type='TSMHead', num_classes=3, in_channels=32, num_segments=2, dropout_ratio=0))
        sgd = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
        adam = dict(type='Adam', lr=0.001)
        """

    /// A saved checkpoint's file after one step of `optimizer` (`sgd` or `adam`), and a fresh optimizer to restore into.
    func saved(_ optimizer: String) throws -> (SafeTensors.File, Optimizer) {
        let c = try ConfigLoader(read: { _ in Self.config }).load("/c.py")
        func make() throws -> (Recognizer2D, Optimizer) {
            let model = try ModelBuilder.build(c.root["model"]!, files: c.files, seed: 1)
            return (model, try OptimizerBuilder.build(c.root[optimizer]!, model: model, files: c.files))
        }
        let (model, opt) = try make()
        opt.zeroGradients()
        _ = model.trainStep(GradientCheck.random([2, 2, 3, 16, 16], seed: 1), labels: [0, 1])
        opt.step()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-meta-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 0, iter: 1), to: dir + "/c.safetensors")
        // The older layout (optimizer state inside the checkpoint), which Reel still reads: the state is checked by
        // the same code whichever file holds it, and the hostile edits below are easier on one file.
        var file = try SafeTensors.read(dir + "/c.safetensors")
        let ref = try XCTUnwrap(OptimizerSidecar.reference(in: file, path: dir + "/c.safetensors"))
        let sidecar = try OptimizerSidecar.read(ref, checkpointPath: dir + "/c.safetensors")
        file.tensors += sidecar.tensors
        file.metadata["optimizer"] = sidecar.metadata["optimizer"]
        file.metadata["optimizer_file"] = nil
        return (file, try make().1)
    }

    func editGroup(_ file: SafeTensors.File, _ edit: (inout [String: Any]) -> Void) throws -> SafeTensors.File {
        var record = try JSONSerialization.jsonObject(with: Data(file.metadata["optimizer"]!.utf8)) as! [String: Any]
        var groups = record["groups"] as! [[String: Any]]
        edit(&groups[0])
        record["groups"] = groups
        var f = file
        f.metadata["optimizer"] = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        return f
    }

    func testHostileOptimizerRecordsAreRefusedBeforeAnythingChanges() throws {
        let (file, fresh) = try saved("sgd")
        let lr = fresh.groups[0].lr
        func restore(_ f: SafeTensors.File) -> () throws -> Void { { try CheckpointStore.restoreOptimizer(fresh, from: f, path: self.path, maxStep: 1) } }
        let g = "__metadata__.optimizer.groups[0]"
        expectRefused(restore(try editGroup(file) { $0["betas"] = [Double]() }), field: g + ".betas", "expected two numbers, found 0")
        expectRefused(restore(try editGroup(file) { $0["betas"] = [0.9] }), field: g + ".betas", "expected two numbers, found 1")
        expectRefused(restore(try editGroup(file) { $0["betas"] = [0.9, 1.5] }), field: g + ".betas[1]", "outside [0, 1)")
        expectRefused(restore(try editGroup(file) { $0["lr"] = -1 }), field: g + ".lr", "not a finite non-negative number")
        expectRefused(restore(try editGroup(file) { $0["eps"] = -1e-8 }), field: g + ".eps", "not a finite non-negative number")
        expectRefused(restore(try editGroup(file) { $0["nesterov"] = "yes" }), field: g + ".nesterov", "expected true or false")
        expectRefused(restore(try editGroup(file) { $0.removeValue(forKey: "momentum") }), field: g + ".momentum", "missing")
        XCTAssertEqual(fresh.groups[0].lr, lr, "nothing applied from a refused file")
        XCTAssertNil(fresh.state(for: fresh.orderedParameters[0].parameter))
        XCTAssertNoThrow(try restore(file)())
        XCTAssertEqual(fresh.state(for: fresh.orderedParameters[0].parameter)?.step, 1)
    }

    func testHostileOptimizerStateTensorsAreRefused() throws {
        let (file, fresh) = try saved("sgd")
        func restore(_ f: SafeTensors.File, maxStep: Int = 1) -> () throws -> Void {
            { try CheckpointStore.restoreOptimizer(fresh, from: f, path: self.path, maxStep: maxStep) }
        }
        func replacing(_ name: String, with value: SafeTensors.Value?) -> SafeTensors.File {
            var f = file
            if let i = f.tensors.firstIndex(where: { $0.name == name }) {
                if let value { f.tensors[i].value = value } else { f.tensors.remove(at: i) }
            } else if let value { f.tensors.append((name, value)) }
            return f
        }
        expectRefused(restore(file, maxStep: 0), field: "optimizer.state.0.step", "1 is outside 0...0")
        expectRefused(restore(replacing("optimizer.state.0.step", with: .int64(shape: [], values: [Int64.max]))),
                      field: "optimizer.state.0.step", "outside 0...1")
        expectRefused(restore(replacing("optimizer.state.0.step", with: .float32(Tensor(shape: [], values: [1])))),
                      field: "optimizer.state.0.step", "expected an int64 scalar")
        expectRefused(restore(replacing("optimizer.state.0.momentum_buffer", with: .float32(Tensor.zeros([3])))),
                      field: "optimizer.state.0.momentum_buffer", "expected a float tensor of shape")
        expectRefused(restore(replacing("optimizer.state.0.step", with: nil)), field: "optimizer.state.0.momentum_buffer",
                      "state without its optimizer.state.0.step")
        expectRefused(restore(replacing("optimizer.state.999.step", with: .int64(shape: [], values: [1]))),
                      field: "optimizer.state.999.step", "not a state entry of this run's")

        let (adamFile, adam) = try saved("adam")
        var oneMoment = adamFile
        oneMoment.tensors.removeAll { $0.name == "optimizer.state.0.exp_avg_sq" }
        expectRefused({ try CheckpointStore.restoreOptimizer(adam, from: oneMoment, path: self.path, maxStep: 1) },
                      field: "optimizer.state.0.exp_avg_sq", "missing while its counterpart is present")
    }
}
