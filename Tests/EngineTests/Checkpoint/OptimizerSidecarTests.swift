import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Checkpoints hold only the model's state dict (so they load strictly into the mmaction2 model) and their optimizer
/// state lives in a sidecar named by content hash: written first, checked on resume, deleted with its checkpoint.
final class OptimizerSidecarTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-sidecar-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }
    func path(_ name: String) -> String { dir + "/" + name }
    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func build(_ configText: String, optimizer: Bool) throws -> (Recognizer2D, Optimizer?) {
        let text = configText + (optimizer ? "\noptimizer = dict(type='SGD', lr=0.1, momentum=0.9)\n" : "")
        let c = try ConfigLoader(read: { _ in text }).load("/c.py")
        let model = try ModelBuilder.build(c.root["model"]!, files: c.files, seed: 1)
        return (model, optimizer ? try OptimizerBuilder.build(c.root["optimizer"]!, model: model, files: c.files) : nil)
    }

    func stepped(_ model: Recognizer2D, _ opt: Optimizer, seed: UInt64) {
        opt.zeroGradients()
        _ = model.trainStep(GradientCheck.random([2, 2, 3, 16, 16], seed: seed), labels: [0, 1])
        opt.step()
    }

    static let small = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=4, num_segments=2),
                     cls_head=dict(type='TSMHead', num_classes=3, in_channels=32, num_segments=2, dropout_ratio=0))
        """

    /// mmaction2 0.24.1's own state dicts (Fixtures/mmaction2_state_dicts.json, recorded by
    /// scripts/make-pth-fixtures.py --mmaction2): a Reel checkpoint of the same config holds exactly those names,
    /// shapes and dtypes, so `load_state_dict(load_file(f))` is strict. Before the sidecar, the optimizer's
    /// `optimizer.state.<i>.*` entries were unexpected keys.
    func testCheckpointsHoldExactlyMmaction2sStateDict() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mmaction2_state_dicts.json")
        let models = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: [String: Any]]
        XCTAssertEqual(models.keys.sorted(), ["tsm_r18", "tsm_r50", "tsn_r50"])
        for (name, entry) in models.sorted(by: { $0.key < $1.key }) {
            let (model, opt) = try build(entry["config"] as! String, optimizer: name == "tsm_r18")
            if let opt {   // momentum buffers exist after a step: they must not end up in the checkpoint
                opt.zeroGradients()
                _ = model.trainStep(GradientCheck.random([1, 8, 3, 32, 32], seed: 1), labels: [0])
                opt.step()
            }
            try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 1, iter: 1), to: path("\(name).safetensors"))
            let file = try SafeTensors.read(path("\(name).safetensors"))
            let keys = entry["keys"] as! [[Any]]
            XCTAssertEqual(file.tensors.count, keys.count, name)
            for k in keys {
                let key = k[0] as! String, shape = k[1] as! [Int], dtype = k[2] as! String
                guard let v = file[key] else { XCTFail("\(name): \(key) missing"); continue }
                XCTAssertEqual(v.shape, shape, "\(name): \(key)")
                if case .int64 = v { XCTAssertEqual(dtype, "int64", key) } else { XCTAssertEqual(dtype, "float32", key) }
            }
            try FileManager.default.removeItem(atPath: path("\(name).safetensors"))
        }
        XCTAssertEqual(names().filter { $0.hasPrefix("tsm_r18.safetensors.optimizer-") }.count, 1)
    }

    func testSidecarIsNamedByHashCheckedAndRestoresExactly() throws {
        let (model, opt) = try build(Self.small, optimizer: true)
        stepped(model, opt!, seed: 1)
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 1, iter: 1), to: path("epoch_1.safetensors"))
        let file = try SafeTensors.read(path("epoch_1.safetensors"))
        let ref = try XCTUnwrap(OptimizerSidecar.reference(in: file, path: path("epoch_1.safetensors")))
        XCTAssertEqual(names(), ["epoch_1.safetensors", ref.file])
        let sidecarData = try Data(contentsOf: URL(fileURLWithPath: path(ref.file)))
        XCTAssertEqual(ref.sha256, sidecarData.withUnsafeBytes { SHA256.hex($0) })
        XCTAssertEqual(ref.file, "epoch_1.safetensors.optimizer-" + ref.sha256.prefix(16))
        XCTAssertFalse(file.tensors.contains { $0.name.hasPrefix("optimizer") })

        let (_, fresh) = try build(Self.small, optimizer: true)
        try CheckpointStore.restoreOptimizer(fresh!, from: file, path: path("epoch_1.safetensors"), maxStep: 1)
        for ((_, p), (_, q)) in zip(opt!.orderedParameters, fresh!.orderedParameters) {
            XCTAssertEqual(opt!.state(for: p)?.momentumBuffer, fresh!.state(for: q)?.momentumBuffer)
        }
        // Another save's state under the right name, and a missing sidecar: refused, naming the files.
        var other = sidecarData
        other[other.count - 1] ^= 1
        try other.write(to: URL(fileURLWithPath: path(ref.file)))
        XCTAssertThrowsError(try CheckpointStore.restoreOptimizer(fresh!, from: file, path: path("epoch_1.safetensors"))) {
            XCTAssertTrue("\($0)".contains("\(self.path(ref.file)): not a valid safetensors checkpoint: its SHA-256 is not the one"), "\($0)")
        }
        unlink(path(ref.file))
        XCTAssertThrowsError(try CheckpointStore.restoreOptimizer(fresh!, from: file, path: path("epoch_1.safetensors"))) {
            XCTAssertTrue("\($0)".contains("its optimizer state \(self.path(ref.file)) is missing"), "\($0)")
        }
    }

    /// Saving a name again keeps the sidecar `latest` (still the old file) names until `latest` moves on; then only
    /// the new pair is left, and `latest` restores.
    func testResavingANameNeverOrphansLatest() throws {
        let (model, opt) = try build(Self.small, optimizer: true)
        stepped(model, opt!, seed: 1)
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 0, iter: 1), to: path("iter_1.safetensors"))
        try CheckpointStore.updateLatest(in: dir, to: path("iter_1.safetensors"))
        let first = OptimizerSidecar.referenced(by: path("latest.safetensors"))
        stepped(model, opt!, seed: 2)
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 0, iter: 2), to: path("iter_1.safetensors"))
        let second = OptimizerSidecar.referenced(by: path("iter_1.safetensors"))
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(Set(names()), Set(["iter_1.safetensors", "latest.safetensors"]).union(first).union(second))
        let (_, fresh) = try build(Self.small, optimizer: true)
        XCTAssertNoThrow(try CheckpointStore.restoreOptimizer(fresh!, from: try SafeTensors.read(path("latest.safetensors")), path: path("latest.safetensors"), maxStep: 2))
        try CheckpointStore.updateLatest(in: dir, to: path("iter_1.safetensors"))
        XCTAssertEqual(Set(names()), Set(["iter_1.safetensors", "latest.safetensors"]).union(second))
        XCTAssertNoThrow(try CheckpointStore.restoreOptimizer(fresh!, from: try SafeTensors.read(path("latest.safetensors")), path: path("latest.safetensors"), maxStep: 2))
    }

    /// max_keep_ckpts and a replaced best checkpoint take the sidecars with them; only Reel's names go.
    func testRemovingACheckpointRemovesItsSidecarsOnly() throws {
        let (model, opt) = try build(Self.small, optimizer: true)
        stepped(model, opt!, seed: 1)
        for name in ["epoch_1.safetensors", "epoch_2.safetensors", "best_top1_acc_epoch_1.safetensors"] {
            try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 1, iter: 1), to: path(name))
        }
        let foreign = ["epoch_1.safetensors.optimizer-notmine", "epoch_1.safetensors.optimizer-0123456789ABCDEF", "notes.txt"]
        for f in foreign { FileManager.default.createFile(atPath: path(f), contents: Data("x".utf8)) }
        try CheckpointStore.remove(checkpoint: path("epoch_1.safetensors"), inDirectory: dir, isOwnName: OwnedFiles.isCheckpointName)
        try CheckpointStore.remove(checkpoint: path("best_top1_acc_epoch_1.safetensors"), inDirectory: dir, isOwnName: OwnedFiles.isBestCheckpointName)
        let kept = names()
        XCTAssertEqual(kept.compactMap(OptimizerSidecar.checkpointName(ofSidecar:)), ["epoch_2.safetensors"])
        XCTAssertTrue(Set(foreign).isSubset(of: Set(kept)))
        XCTAssertFalse(kept.contains("epoch_1.safetensors"))
        XCTAssertFalse(kept.contains { $0.hasPrefix("best_") })
        XCTAssertEqual(OptimizerSidecar.checkpointName(ofSidecar: "../epoch_1.safetensors.optimizer-0123456789abcdef"), nil)

        // Deleting the checkpoint `latest` links to (the dashboard's delete) leaves the sidecar `latest` names.
        try CheckpointStore.updateLatest(in: dir, to: path("epoch_2.safetensors"))
        try CheckpointStore.remove(checkpoint: path("epoch_2.safetensors"), inDirectory: dir, isOwnName: OwnedFiles.isCheckpointName)
        let (_, fresh) = try build(Self.small, optimizer: true)
        XCTAssertNoThrow(try CheckpointStore.restoreOptimizer(fresh!, from: try SafeTensors.read(path("latest.safetensors")), path: path("latest.safetensors")))
    }

    /// A sidecar written just before a kill (its checkpoint never renamed into place) is removed by the next run.
    func testOrphanSidecarsAreRemoved() throws {
        let (model, opt) = try build(Self.small, optimizer: true)
        stepped(model, opt!, seed: 1)
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 1, iter: 1), to: path("epoch_1.safetensors"))
        let orphan = "epoch_2.safetensors.optimizer-0123456789abcdef"
        FileManager.default.createFile(atPath: path(orphan), contents: Data("x".utf8))
        XCTAssertEqual(OptimizerSidecar.removeOrphans(in: dir), [orphan])
        XCTAssertEqual(names().count, 2)
        XCTAssertEqual(OptimizerSidecar.removeOrphans(in: dir), [])
    }

    func testSHA256KnownAnswers() {
        XCTAssertEqual(Array("".utf8).withUnsafeBytes { SHA256.hex($0) }, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Array("abc".utf8).withUnsafeBytes { SHA256.hex($0) }, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8).withUnsafeBytes { SHA256.hex($0) },
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
