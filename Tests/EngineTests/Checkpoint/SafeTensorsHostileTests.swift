import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Hand-made hostile safetensors files (bytes written here, no Python): each is a `CheckpointError` naming the file
/// and saying what is wrong — never a trap, never a lenient accept (review 2026-12-02 F6 and row 2c).
final class SafeTensorsHostileTests: XCTestCase {
    /// An 8-byte little-endian length (the real one unless `length` is given), the header, then `data`.
    func craft(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        craft(bytes: Array(header.utf8), data: data, length: length)
    }

    func craft(bytes header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + Data(header) + Data(data)
    }

    func expectRefused(_ bytes: Data, _ fragment: String, field: String? = nil, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(bytes, path: "/x/evil.safetensors"), line: line) { error in
            guard let e = error as? CheckpointError else { return XCTFail("not a CheckpointError: \(error)", line: line) }
            XCTAssertEqual(e.path, "/x/evil.safetensors", line: line)
            XCTAssertTrue("\(e)".hasPrefix("/x/evil.safetensors: not a valid safetensors checkpoint: "), "\(e)", line: line)
            XCTAssertTrue(e.reason.contains(fragment), "\(e)", line: line)
            if let field { XCTAssertEqual(e.field, field, line: line) }
        }
    }

    func tensor(_ dtype: String, _ shape: String, _ offsets: String) -> String {
        "{\"a\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
    }

    /// F6: the element count fits in an Int but count × item size does not (these trapped at SafeTensors.swift:134).
    func testShapesWhoseByteSizeOverflowsAreRefused() {
        expectRefused(craft(tensor("F32", "[4611686018427387904]", "[0,0]")), "needs more than 2^63 bytes", field: "a.shape")
        expectRefused(craft(tensor("I64", "[2305843009213693952]", "[0,8]"), data: Array(repeating: 0, count: 8)),
                      "needs more than 2^63 bytes", field: "a.shape")
        expectRefused(craft(tensor("F32", "[4294967296,1073741824]", "[0,0]")), "needs more than 2^63 bytes", field: "a.shape")
        expectRefused(craft(tensor("F32", "[4294967296,4294967296,4]", "[0,0]")), "needs more than 2^63 bytes", field: "a.shape")
    }

    /// Values JSONSerialization let through: 2^64+8 as an offset, 2.7 and true as dimensions, a BOM, negatives.
    func testNumbersMustBeNonNegativeIntegersThatFit() {
        let four = [UInt8](repeating: 0, count: 4)
        expectRefused(craft(tensor("F32", "[1]", "[0,18446744073709551624]"), data: four), "number too large", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "[2.7]", "[0,4]"), data: four), "fraction or exponent", field: "a.shape")
        expectRefused(craft(tensor("F32", "[1e0]", "[0,4]"), data: four), "fraction or exponent", field: "a.shape")
        expectRefused(craft(tensor("F32", "[true,true]", "[0,4]"), data: four), "expected a non-negative integer", field: "a.shape")
        expectRefused(craft(tensor("F32", "[-1]", "[0,4]"), data: four), "negative number", field: "a.shape")
        expectRefused(craft(tensor("F32", "[1]", "[-4,0]"), data: four), "negative number", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "[01]", "[0,4]"), data: four), "leading zero", field: "a.shape")
        expectRefused(craft(tensor("F32", "[1]", "[0,4,8]"), data: four), "found 3 numbers", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "1", "[0,4]"), data: four), "expected an array", field: "a.shape")
        expectRefused(craft(bytes: [0xEF, 0xBB, 0xBF] + Array(tensor("F32", "[1]", "[0,4]").utf8), data: four),
                      "does not start with '{'")
        expectRefused(craft(" " + tensor("F32", "[1]", "[0,4]"), data: four), "does not start with '{'")
    }

    /// The reference implementation's coverage rule: sorted by offset, each tensor starts where the previous ended,
    /// end − begin = count × item size, and the last one ends at the end of the file.
    func testOffsetsMustTileTheDataBufferExactly() {
        let twelve = [UInt8](repeating: 0, count: 12)
        expectRefused(craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                            data: twelve), "overlaps", field: "b.data_offsets")
        expectRefused(craft(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                            data: twelve), "a gap of 4 bytes", field: "b.data_offsets")
        expectRefused(craft(tensor("F32", "[1]", "[8,4]"), data: twelve), "not inside", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "[1]", "[8,16]"), data: twelve), "not inside", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "[2]", "[0,4]"), data: twelve), "needs 8", field: "a.data_offsets")
        expectRefused(craft(tensor("F32", "[1]", "[0,4]"), data: twelve), "8 bytes after the last tensor")
        // Zero-size tensors may share an offset (the reference accepts them).
        let ok = craft(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"c":{"dtype":"F32","shape":[3,0],"data_offsets":[8,8]}}"#,
                       data: [7, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try SafeTensors.decode(ok, path: "ok")["b"], .int64(shape: [1], values: [7]))
        XCTAssertEqual(try SafeTensors.decode(ok, path: "ok")["c"]?.shape, [3, 0])
    }

    func testDuplicateAndUnknownKeysAndDtypesAreRefused() {
        let four = [UInt8](repeating: 0, count: 4)
        expectRefused(craft(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                            data: four), "duplicate tensor name", field: "a")
        expectRefused(craft(#"{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four), "duplicate key", field: "a.dtype")
        expectRefused(craft(#"{"__metadata__":{"k":"v","k":"w"}}"#), "duplicate key", field: "__metadata__.k")
        expectRefused(craft(#"{"__metadata__":{},"__metadata__":{}}"#), "duplicate key", field: "__metadata__")
        expectRefused(craft(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#, data: four), "unknown key", field: "a.extra")
        expectRefused(craft(#"{"a":{"dtype":"F32","shape":[1]}}"#, data: four), "lacks data_offsets", field: "a")
        expectRefused(craft(tensor("Q7", "[1]", "[0,4]"), data: four), "unknown dtype 'Q7'", field: "a.dtype")
        expectRefused(craft(tensor("F64", "[1]", "[0,8]"), data: four + four), "F64 is not supported by Reel", field: "a.dtype")
        expectRefused(craft(#"{"__metadata__":{"k":1}}"#), "not a string", field: "__metadata__.k")
        expectRefused(craft(#"{"a":5}"#), "expected an object", field: "a")
    }

    func testHeaderLengthAndGrammar() {
        expectRefused(Data(), "shorter than the 8-byte header length")
        expectRefused(Data([1, 2, 3, 4, 5, 6, 7]), "shorter than the 8-byte header length")
        expectRefused(craft("{}", length: 1000), "does not fit in the 10-byte file")
        expectRefused(craft("{}", length: UInt64.max), "over the format's limit of 100000000 bytes")
        expectRefused(craft("{}", length: 100_000_001), "over the format's limit")
        expectRefused(craft("{} x"), "unexpected content after the header object")
        expectRefused(craft("{"), "unexpected end of the header")
        expectRefused(craft("[]"), "does not start with '{'")
        expectRefused(craft("{\"a\u{0}\":1}"), "control character")
        expectRefused(craft(bytes: Array("{\"".utf8) + [0xC3, 0x28] + Array("\":1}".utf8)), "invalid UTF-8")
        expectRefused(craft(#"{"\ud800":1}"#), "unpaired surrogate")
        expectRefused(craft(#"{"\q":1}"#), "invalid escape")
        // Deep nesting is not recursed into: the scanner expects an object of known keys and stops at once.
        expectRefused(craft("{\"a\":" + String(repeating: "[", count: 1_000_000) + "}"), "expected an object", field: "a")
        // Valid: escapes decode, padding and a null __metadata__ are accepted.
        let file = try? SafeTensors.decode(craft(#"{"__metadata__":null,"\u00e9\ud83d\ude00\n":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}   "#,
                                                 data: [0x80, 0x3F]), path: "ok")
        XCTAssertEqual(file?.tensors.first?.name, "é😀\n")
        XCTAssertEqual(file?["é😀\n"], .float32(Tensor(shape: [], values: [1])))
    }

    /// Only regular files are read: a directory, a FIFO and a device are refused before any read.
    func testOnlyRegularFilesAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try SafeTensors.read(dir)) { XCTAssertTrue("\($0)".hasSuffix("it is a directory"), "\($0)") }
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        XCTAssertThrowsError(try SafeTensors.read(dir + "/fifo")) { XCTAssertTrue("\($0)".hasSuffix("it is not a regular file"), "\($0)") }
        XCTAssertThrowsError(try SafeTensors.read("/dev/zero")) { XCTAssertEqual("\($0)", "/dev/zero: not a valid safetensors checkpoint: it is not a regular file") }
    }
}
