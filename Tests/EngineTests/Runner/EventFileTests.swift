import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// TensorBoard event files: CRC-32C, protobuf encoding and TFRecord framing, read back with a small reader.
final class EventFileTests: XCTestCase {
    func testCRC32CKnownValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        let c: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
    }

    func testProtobufEncoding() {
        var w = ProtoWriter()
        w.varint(1, 300)
        XCTAssertEqual(w.data, [0x08, 0xAC, 0x02])
        var n = ProtoWriter()
        n.varint(2, UInt64(bitPattern: -1))
        XCTAssertEqual(n.data, [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        // Event{wall_time=1.5, step=7, summary{value{tag="a", simple_value=2}}}: hand-assembled wire bytes.
        let event = EventFileWriter.scalarEvent(tag: "a", value: 2, step: 7, wallTime: 1.5)
        XCTAssertEqual(event, [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,          // 1: double 1.5
                               0x10, 0x07,                                   // 2: varint 7
                               0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61,     // 5: Summary{1: Value{1: "a",
                               0x15, 0, 0, 0, 0x40])                         //   2: float 2.0}}
    }

    func testFileRoundTrip() throws {
        let dir = NSTemporaryDirectory() + "reel-tb-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try EventFileWriter(directory: dir, wallTime: 1000)
        try w.addScalar(tag: "train/loss", value: 0.25, step: 3)
        w.close()
        XCTAssertTrue((w.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents.1000."))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: w.path)))
        var records: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let lengthBytes = Array(bytes[i..<(i + 8)])
            let length = Int(lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            let crc = bytes[(i + 8)..<(i + 12)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            XCTAssertEqual(crc, CRC32C.masked(lengthBytes))
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            let dataCRC = bytes[(i + 12 + length)..<(i + 16 + length)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            XCTAssertEqual(dataCRC, CRC32C.masked(data))
            records.append(data)
            i += 16 + length
        }
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(Array(records[0].suffix(15)), [0x1A, 0x0D] + Array("brain.Event:2".utf8))
        let wallBits = records[1][1..<9].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertEqual(records[1], EventFileWriter.scalarEvent(tag: "train/loss", value: 0.25, step: 3, wallTime: Double(bitPattern: wallBits)))
    }
}
