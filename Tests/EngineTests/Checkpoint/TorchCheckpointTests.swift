import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The `.pth` reader against files torch itself wrote (Fixtures/, made by scripts/make-pth-fixtures.py), the writer
/// against the reader, and hostile files: every one a `CheckpointError` naming the file, never a trap.
final class TorchCheckpointTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    func fixture(_ name: String) -> String { Self.fixtures + "/" + name }

    /// `pth_expected.json`: what torch reads from each fixture (names without `module.`, shapes, values).
    func expected(_ name: String) throws -> [String: [String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("pth_expected.json")))) as! [String: Any]
        return (json[name] as! [String: Any])["tensors"] as! [String: [String: Any]]
    }

    func assertMatchesTorch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let read = try CheckpointFile.read(fixture(name))
        let want = try expected(name)
        XCTAssertEqual(Set(read.tensors.map(\.name)), Set(want.keys), file: file, line: line)
        for (tensorName, value) in read.tensors {
            let w = try XCTUnwrap(want[tensorName], file: file, line: line)
            XCTAssertEqual(value.shape, w["shape"] as! [Int], tensorName, file: file, line: line)
            let numbers = (w["values"] as! [NSNumber])
            switch value {
            case .float32(let t): XCTAssertEqual(t.scalars, numbers.map(\.floatValue), tensorName, file: file, line: line)
            case .int64(_, let v): XCTAssertEqual(v, numbers.map(\.int64Value), tensorName, file: file, line: line)
            }
            let isInt = ["int64", "int32"].contains(w["dtype"] as! String)
            if case .int64 = value { XCTAssertTrue(isInt, tensorName) } else { XCTAssertFalse(isInt, tensorName) }
        }
    }

    func testReadsMmcvCheckpointsAsTorchDoes() throws {
        // module. removed; float16, bfloat16, float64 as float32; a transposed view and two views of one storage
        // gathered; int64 num_batches_tracked kept; an empty tensor; the optimizer ignored.
        try assertMatchesTorch("mmcv_layout.pth")
        let file = try CheckpointFile.read(fixture("mmcv_layout.pth"))
        XCTAssertEqual(file["transposed"], .float32(Tensor(shape: [4, 3], values: [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11].map { Float($0) / 8 - 0.5 })))
        XCTAssertEqual(file["backbone.conv1.bn.num_batches_tracked"], .int64(shape: [], values: [7]))
        XCTAssertFalse(file.tensors.contains { $0.name.contains("momentum") })
        let meta = try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(file.metadata["mmcv_meta"]).utf8)) as! [String: Any]
        XCTAssertEqual(meta["epoch"] as? Int, 3)
        XCTAssertEqual((meta["hook_msgs"] as? [String: Any])?["best_score"] as? Double, 0.625)
        XCTAssertEqual(meta["CLASSES"] as? [String], ["a", "b"])
    }

    func testReadsBareStateDictsInTheZipAndTheLegacyFormat() throws {
        try assertMatchesTorch("bare_state_dict.pth")
        try assertMatchesTorch("legacy.pth")
        let zip = try CheckpointFile.read(fixture("bare_state_dict.pth")), legacy = try CheckpointFile.read(fixture("legacy.pth"))
        XCTAssertEqual(zip.tensors.map(\.name), ["conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                                                 "bn.num_batches_tracked", "fc.weight", "fc.bias"])
        XCTAssertEqual(zip.tensors.map(\.value), legacy.tensors.map(\.value))
    }

    func testAHostilePickleIsRefusedAndNothingRuns() throws {
        let marker = "/tmp/reel-pth-pwned"
        unlink(marker)
        XCTAssertThrowsError(try CheckpointFile.read(fixture("hostile_reduce.pth"))) { error in
            let e = error as? CheckpointError
            XCTAssertEqual(e?.path, self.fixture("hostile_reduce.pth"))
            XCTAssertEqual(e?.format, "PyTorch .pth")
            XCTAssertTrue("\(error)".contains("the global 'posix.system'"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testWrittenPthReadsBackExactlyWithItsMetadata() throws {
        var file = try CheckpointFile.read(fixture("mmcv_layout.pth"))
        file.metadata = ["format": "pt", "reel": "{\"epoch\":1}"]
        let data = try TorchCheckpoint.encode(file, path: "x.pth")
        let back = try TorchCheckpoint.decode(data, path: "x.pth")
        XCTAssertEqual(back.tensors.map(\.name), file.tensors.map(\.name))
        XCTAssertEqual(back.tensors.map(\.value), file.tensors.map(\.value))
        XCTAssertEqual(back.metadata["reel"], "{\"epoch\":1}")
        // torch.load's mmap path wants every storage 64-byte aligned, as torch.save aligns them.
        let archive = try data.withUnsafeBytes { try ZipArchive($0, path: "x.pth") }
        for e in archive.entries where e.name.hasPrefix("archive/data/") { XCTAssertEqual(e.range.lowerBound % 64, 0, e.name) }
    }

    /// Every truncation of a real file, and many damaged copies, are errors naming the file.
    func testTruncatedAndDamagedFilesAreErrorsNeverTraps() throws {
        for name in ["mmcv_layout.pth", "legacy.pth"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
            for n in 0..<data.count {
                XCTAssertThrowsError(try CheckpointFile.decode(data.prefix(n), path: name), "\(name) cut at \(n)")
            }
            var random = SystemRandomNumberGenerator()
            for _ in 0..<2000 {
                var d = data
                for _ in 0..<Int.random(in: 1...4, using: &random) { d[Int.random(in: 0..<d.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
                do { _ = try CheckpointFile.decode(d, path: name) } catch let e as CheckpointError { XCTAssertEqual(e.path, name) }
            }
        }
    }

    /// Crafted pickles inside a valid archive: each limit named.
    func testHostilePicklesAreRefusedWithTheirReason() throws {
        func archive(_ pickle: [UInt8], storage: [UInt8] = []) throws -> Data {
            try TorchCheckpoint.zipStored([("a/data.pkl", Data(pickle)), ("a/data/0", Data(storage))], path: "h.pth")
        }
        func refused(_ pickle: [UInt8], storage: [UInt8] = [], _ reason: String, line: UInt = #line) {
            XCTAssertThrowsError(try TorchCheckpoint.decode(try archive(pickle, storage: storage), path: "h.pth"), line: line) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error)", line: line)
            }
        }
        let x: (String) -> [UInt8] = { s in [0x58] + withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian, Array.init) + Array(s.utf8) }
        let storage = [0x28] + x("storage") + Array("ctorch\nFloatStorage\n".utf8) + x("0") + x("cpu") + [0x4B, 2, 0x74, 0x51]
        let rebuild = Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8)
        func tensor(shape: [UInt8], stride: [UInt8], offset: UInt8 = 0) -> [UInt8] {
            rebuild + [0x28] + storage + [0x4B, offset, 0x28] + shape.flatMap { [0x4B, $0] } + [0x74, 0x28] + stride.flatMap { [0x4B, $0] } + [0x74, 0x74, 0x52]
        }
        let two = [UInt8](repeating: 0, count: 8)
        // A view reaching past its 2-element storage, and a stride-0 view of 200 elements.
        refused([0x80, 2, 0x7D] + x("w") + tensor(shape: [3], stride: [1]) + [0x73, 0x2E], storage: two, "reaches past its 2-element storage")
        refused([0x80, 2, 0x7D] + x("w") + tensor(shape: [200], stride: [0]) + [0x73, 0x2E], storage: two, "views a storage of 2")
        // Storage bytes shorter than declared; an integer beyond 64 bits; an unknown opcode; NEWOBJ; a deep nesting.
        refused([0x80, 2, 0x7D] + x("w") + tensor(shape: [2], stride: [1]) + [0x73, 0x2E], storage: [0, 0, 0], "holds 3 bytes")
        refused([0x80, 2, 0x8A, 9] + [UInt8](repeating: 1, count: 9) + [0x2E], "more than 64 bits")
        refused([0x80, 2, 0xFF, 0x2E], "opcode 0xff")
        refused([0x80, 2, 0x81, 0x2E], "NEWOBJ")
        refused([0x80, 2, 0x4B, 1] + [UInt8](repeating: 0x85, count: 1_000_000) + [0x2E], "not a dict")
        refused([0x80, 2, 0x5D] + [UInt8](repeating: 0x32, count: 100_000) + [0x61, 0x2E], "stops with")
        refused(Array("cbuiltins\neval\n".utf8) + [0x2E], "the global 'builtins.eval'")
    }

    func testCompressedEntriesAreRefusedClearly() throws {
        var data = try TorchCheckpoint.zipStored([("a/data.pkl", Data([0x80, 2, 0x7D, 0x2E]))], path: "c.pth")
        // Method field of the local header (offset 8) and the central directory entry (offset 10) set to deflate.
        let cd = data.count - 22 - 46 - 10
        data[8] = 8; data[cd + 10] = 8
        XCTAssertThrowsError(try CheckpointFile.decode(data, path: "c.pth")) { XCTAssertTrue("\($0)".contains("is compressed (method 8)"), "\($0)") }
    }
}
