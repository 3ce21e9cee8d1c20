import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Round trips, resume equivalence, corrupt files, and interoperability with Python's safetensors.
final class CheckpointTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    static let config = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=4, num_segments=2),
                     cls_head=dict(type='TSMHead', num_classes=3, in_channels=32, num_segments=2, dropout_ratio=0))
        optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
        """

    func makeRun(seed: UInt64 = 1) throws -> (Recognizer2D, Optimizer) {
        let text = Self.config
        let c = try ConfigLoader(read: { _ in text }).load("/c.py")
        let model = try ModelBuilder.build(c.root["model"]!, files: c.files, seed: seed)
        let opt = try OptimizerBuilder.build(c.root["optimizer"]!, model: model, files: c.files)
        return (model, opt)
    }

    func step(_ model: Recognizer2D, _ opt: Optimizer, _ k: Int) {
        let imgs = GradientCheck.random([2, 2, 3, 16, 16], seed: 100 + UInt64(k))
        opt.zeroGradients()
        _ = model.trainStep(imgs, labels: [k % 3, (k + 1) % 3])
        opt.step()
    }

    func testRoundTripKeepsTensorsMetadataAndResumesExactly() throws {
        let (model, opt) = try makeRun()
        for k in 0..<2 { step(model, opt, k) }
        var meta = CheckpointMetadata(epoch: 1, iter: 2, config: Self.config, seed: 7, rngState: Philox(seed: 3).state,
                                      time: "Wed Nov 25 00:00:00 2026")
        meta.hookMessages.bestScore = 0.75
        meta.hookMessages.bestCheckpoint = "best_top1_acc_epoch_1.safetensors"
        try CheckpointStore.save(model: model, optimizer: opt, metadata: meta, to: path("epoch_1.safetensors"))

        let file = try SafeTensors.read(path("epoch_1.safetensors"))
        XCTAssertEqual(try CheckpointStore.metadata(of: file), meta)
        let (restored, restoredOpt) = try makeRun(seed: 99)   // different init: everything must come from the file
        let report = CheckpointStore.loadWeights(into: restored, from: file)
        XCTAssertTrue(report.isClean, "\(report)")
        for ((n1, e1), (_, e2)) in zip(model.stateDict(), restored.stateDict()) {
            switch (e1, e2) {
            case (.parameter(let a), .parameter(let b)): XCTAssertEqual(a.value, b.value, n1)
            case (.buffer(let a), .buffer(let b)): XCTAssertEqual(a.value, b.value, n1)
            default: XCTFail(n1)
            }
        }
        try CheckpointStore.restoreOptimizer(restoredOpt, from: file, path: path("epoch_1.safetensors"))
        // The next step from the restored state equals the uninterrupted run's, bit for bit.
        step(model, opt, 2)
        step(restored, restoredOpt, 2)
        for ((n, a), (_, b)) in zip(model.namedParameters(), restored.namedParameters()) { XCTAssertEqual(a.value, b.value, n) }
        try CheckpointStore.updateLatest(in: dir.path, to: path("epoch_1.safetensors"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("latest.safetensors"))),
                       try Data(contentsOf: URL(fileURLWithPath: path("epoch_1.safetensors"))))
    }

    func testLoadReportsMismatchesLikeMmcv() throws {
        let (model, _) = try makeRun()
        let file = SafeTensors.File(tensors: [
            ("module.backbone.conv1.conv.weight", .float32(Tensor.zeros([4, 3, 7, 7]))),
            ("cls_head.fc_cls.weight", .float32(Tensor.zeros([5, 32]))),
            ("extra.thing", .float32(Tensor.zeros([1]))),
        ], metadata: [:])
        let report = CheckpointStore.loadWeights(into: model, from: file)
        XCTAssertEqual(report.shapeMismatch, ["cls_head.fc_cls.weight"])
        XCTAssertEqual(report.unexpected, ["extra.thing"])
        XCTAssertFalse(report.missing.contains { $0.hasSuffix("num_batches_tracked") })
        XCTAssertTrue(report.missing.contains("backbone.conv1.bn.weight"))
        XCTAssertEqual(model.backbone.conv1.convolution.weight.value.scalars.allSatisfy { $0 == 0 }, true, "module. is stripped")
    }

    func testCorruptFilesAreClearErrorsNamingTheFile() throws {
        let (model, opt) = try makeRun()
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 0, iter: 0), to: path("ok.safetensors"))
        let good = try Data(contentsOf: URL(fileURLWithPath: path("ok.safetensors")))
        func expectError(_ bytes: Data, _ fragment: String, line: UInt = #line) {
            let p = path("bad.safetensors")
            try? bytes.write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try SafeTensors.read(p), line: line) { e in
                let text = "\(e)"
                XCTAssertTrue(text.hasPrefix(p + ": not a valid safetensors checkpoint: "), text, line: line)
                XCTAssertTrue(text.contains(fragment), text, line: line)
            }
        }
        expectError(good.prefix(good.count / 2), "truncated")
        expectError(good.prefix(5), "shorter than the 8-byte header length")
        var hugeHeader = good; hugeHeader.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        expectError(hugeHeader, "does not fit")
        var badJSON = good; badJSON[9] = UInt8(ascii: "!")
        expectError(badJSON, "header byte 9: expected a string")
        expectError(good + Data([1, 2, 3, 4]), "bytes after the last tensor")
        XCTAssertThrowsError(try SafeTensors.read(path("missing.safetensors"))) { e in
            XCTAssertTrue("\(e)".contains("no such file"))
        }
        // Thousands of random corruptions: errors or valid files, never a crash.
        var rng = Philox(seed: 5)
        for _ in 0..<2000 {
            var b = good.prefix(4096)
            for _ in 0..<3 { b[rng.nextInt(in: 0..<b.count)] = UInt8(rng.nextInt(in: 0..<256)) }
            _ = try? SafeTensors.decode(b, path: "fuzz")
        }
    }

    /// Python's safetensors reads Reel's file and Reel reads Python's (runs when a venv with safetensors+numpy is
    /// at $REEL_PYTHON or /tmp/torchvenv; skipped otherwise).
    func testInteroperatesWithPythonSafetensors() throws {
        let python = ProcessInfo.processInfo.environment["REEL_PYTHON"] ?? "/tmp/torchvenv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no Python with safetensors") }
        let reelFile = path("reel.safetensors"), pyFile = path("py.safetensors"), modelFile = path("model.safetensors")
        let (model, opt) = try makeRun()
        step(model, opt, 0)
        try CheckpointStore.save(model: model, optimizer: opt, metadata: CheckpointMetadata(epoch: 1, iter: 1), to: modelFile)
        let stateDict = model.stateDict()
        let file = SafeTensors.File(tensors: [("a.weight", .float32(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5]))),
                                              ("a.num_batches_tracked", .int64(shape: [], values: [7]))],
                                    metadata: ["format": "pt", "reel": "{}"])
        try SafeTensors.write(file, to: reelFile)
        let script = """
            import sys
            from safetensors.numpy import load_file, save_file
            import numpy as np
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            assert t['a.weight'].dtype == np.float32 and t['a.weight'].tolist() == [[1, 2, 3], [4, 5, 6.5]], t
            assert t['a.num_batches_tracked'].dtype == np.int64 and t['a.num_batches_tracked'].shape == () and int(t['a.num_batches_tracked']) == 7
            assert safe_open(sys.argv[1], 'np').metadata() == {'format': 'pt', 'reel': '{}'}
            save_file({'x': np.arange(6, dtype=np.float32).reshape(3, 2), 'n': np.array(3, dtype=np.int64)}, sys.argv[2], metadata={'k': 'v'})
            try:
                from safetensors.torch import load_file as torch_load
                import torch
                m = torch_load(sys.argv[3])
                print(len([k for k in m if not k.startswith('optimizer.')]), m['backbone.conv1.bn.num_batches_tracked'].dtype,
                      int(m['backbone.conv1.bn.num_batches_tracked']), tuple(m['backbone.layer1.0.conv1.conv.net.weight'].shape))
            except ImportError:
                print('no torch')
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, reelFile, pyFile, modelFile]
        let err = Pipe(), out = Pipe(); p.standardError = err; p.standardOutput = out
        try p.run(); p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if message.contains("No module named") { throw XCTSkip("Python lacks safetensors/numpy") }
        XCTAssertEqual(p.terminationStatus, 0, message)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if !printed.hasPrefix("no torch") {
            // safetensors.torch.load_file reads the model checkpoint: every state-dict entry, int64 counters.
            let shape = stateDict.first { $0.0 == "backbone.layer1.0.conv1.conv.net.weight" }!.1.shape.map(String.init).joined(separator: ", ")
            XCTAssertEqual(printed, "\(stateDict.count) torch.int64 1 (\(shape))\n")
        }
        let back = try SafeTensors.read(pyFile)
        XCTAssertEqual(back["x"], .float32(Tensor(shape: [3, 2], values: [0, 1, 2, 3, 4, 5])))
        XCTAssertEqual(back["n"], .int64(shape: [], values: [3]))
        XCTAssertEqual(back.metadata, ["k": "v"])
    }
}

/// Seeded training is bit-for-bit repeatable: the parallel splits are fixed and every reduction has a fixed order.
final class DeterminismTests: XCTestCase {
    func testTwoSeededRunsGiveIdenticalWeights() throws {
        func run() throws -> [Tensor] {
            let text = """
                model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=8, num_segments=4),
                             cls_head=dict(type='TSMHead', num_classes=5, in_channels=64, num_segments=4, dropout_ratio=0.5))
                optimizer = dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4)
                """
            let c = try ConfigLoader(read: { _ in text }).load("/d.py")
            let model = try ModelBuilder.build(c.root["model"]!, files: c.files, seed: 11)
            let opt = try OptimizerBuilder.build(c.root["optimizer"]!, model: model, files: c.files)
            for k in 0..<3 {
                opt.zeroGradients()
                _ = model.trainStep(GradientCheck.random([4, 4, 3, 32, 32], seed: UInt64(k)), labels: [0, 1, 2, 3])
                opt.step()
            }
            return model.namedParameters().map(\.1.value)
        }
        XCTAssertEqual(try run(), try run())
    }
}
