import XCTest

/// Hostile checkpoint files given to `reel test`: a clear message naming the file, never a crash (review 2026-12-02
/// F6 and row 2c: these trapped with SIGILL, exit 132).
final class CheckpointCommandTests: XCTestCase {
    /// The repository's demo config (reading the checkpoint comes before any data is needed).
    let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs/demo/tsm_r18_demo.py").path

    func write(_ header: String, data: Int = 0, to url: URL) throws {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        try (bytes + Data(header.utf8) + Data(count: data)).write(to: url)
    }

    func testOverflowingShapesAreRefusedNamingTheFile() throws {
        let d = try ReelProcess.tempDir(self)
        let cases = [("[4611686018427387904]", "F32", "[0,0]", 0), ("[2305843009213693952]", "I64", "[0,8]", 8),
                     ("[4294967296,1073741824]", "F32", "[0,0]", 0)]
        for (k, (shape, dtype, offsets, data)) in cases.enumerated() {
            let file = d.appendingPathComponent("ovf\(k).safetensors")
            try write("{\"a\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}", data: data, to: file)
            let r = try ReelProcess.run(["test", config, file.path])
            XCTAssertTrue(r.status > 0 && r.status < 128, "status \(r.status): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(file.path): not a valid safetensors checkpoint: a.shape: shape \(shape.replacingOccurrences(of: ",", with: ", ")) of \(dtype) needs more than 2^63 bytes"),
                          r.stderr)
        }
    }

    func testLenientValuesAreRefusedNamingTheFileAndField() throws {
        let d = try ReelProcess.tempDir(self)
        let cases = [("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551624]}}", "a.data_offsets: header byte 58: number too large"),
                     ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.7],\"data_offsets\":[0,4]}}", "a.shape: header byte 37: expected an integer, found a fraction or exponent"),
                     ("{\"a\":{\"dtype\":\"F32\",\"shape\":[true,true],\"data_offsets\":[0,4]}}", "a.shape: header byte 37: expected a non-negative integer"),
                     ("\u{FEFF}{}", "header byte 8: the header does not start with '{'")]
        for (k, (header, message)) in cases.enumerated() {
            let file = d.appendingPathComponent("lenient\(k).safetensors")
            try write(header, data: 4, to: file)
            let r = try ReelProcess.run(["test", config, file.path])
            XCTAssertTrue(r.status > 0 && r.status < 128, "status \(r.status): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(file.path): not a valid safetensors checkpoint: \(message)"), r.stderr)
        }
    }
}
