import Foundation
import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Reads TensorBoard scalars back from an event file: TFRecord frames (both CRCs checked), then the few protobuf
/// fields `EventFileWriter` writes (Event.step = 2, Event.summary = 5 → Summary.value = 1 → Value.tag = 1,
/// Value.simple_value = 2). Independent of the writer's code, so a test reads what TensorBoard would.
struct TensorboardScalars {
    struct Scalar: Equatable { var tag: String; var step: Int; var value: Float }
    var scalars: [Scalar] = []
    /// Every frame, the file-version header included.
    var records = 0

    /// The single event file in `directory`.
    init(directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(names.count, 1, "\(names)", file: file, line: line)
        try self.init(path: directory + "/" + (names.first ?? ""))
    }

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var i = 0
        func le<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(bytes[at + $1]) << (8 * $1) }
        }
        while i < bytes.count {
            let length = Int(le(i, UInt64.self))
            XCTAssertEqual(le(i + 8, UInt32.self), CRC32C.masked(Array(bytes[i..<(i + 8)])), "length CRC at \(i)")
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            XCTAssertEqual(le(i + 12 + length, UInt32.self), CRC32C.masked(data), "data CRC at \(i)")
            records += 1
            var step = 0
            var summaries: [[UInt8]] = []
            for (field, value) in Self.fields(data) {
                if field == 2, case .varint(let v) = value { step = Int(Int64(bitPattern: v)) }
                if field == 5, case .bytes(let b) = value { summaries.append(b) }
            }
            for summary in summaries {
                for (field, value) in Self.fields(summary) where field == 1 {
                    guard case .bytes(let v) = value else { continue }
                    var tag = "", number: Float?
                    for (f, x) in Self.fields(v) {
                        if f == 1, case .bytes(let t) = x { tag = String(decoding: t, as: UTF8.self) }
                        if f == 2, case .fixed32(let bits) = x { number = Float(bitPattern: bits) }
                    }
                    if let number { scalars.append(Scalar(tag: tag, step: step, value: number)) }
                }
            }
            i += 16 + length
        }
    }

    /// The (step, value) pairs of one tag, in file order.
    func series(_ tag: String) -> [(step: Int, value: Float)] {
        scalars.filter { $0.tag == tag }.map { ($0.step, $0.value) }
    }
    func steps(_ tag: String) -> [Int] { series(tag).map(\.step) }

    enum Field { case varint(UInt64), fixed64(UInt64), bytes([UInt8]), fixed32(UInt32) }

    static func fields(_ d: [UInt8]) -> [(Int, Field)] {
        var out: [(Int, Field)] = []
        var i = 0
        func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while i < d.count { let b = d[i]; i += 1; v |= UInt64(b & 0x7F) << shift; shift += 7; if b < 0x80 { break } }
            return v
        }
        while i < d.count {
            let key = varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((field, .varint(varint())))
            case 1: out.append((field, .fixed64((0..<8).reduce(UInt64(0)) { $0 | UInt64(d[i + $1]) << (8 * UInt64($1)) }))); i += 8
            case 2: let n = Int(varint()); out.append((field, .bytes(Array(d[i..<(i + n)])))); i += n
            case 5: out.append((field, .fixed32((0..<4).reduce(UInt32(0)) { $0 | UInt32(d[i + $1]) << (8 * UInt32($1)) }))); i += 4
            default: return out
            }
        }
        return out
    }
}
