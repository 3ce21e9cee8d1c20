import Config
import Foundation
import EngineCore
import EngineData

/// A TensorBoard event file writer (`events.out.tfevents.<time>.<host>`, as torch's SummaryWriter names them):
/// TFRecord frames (length, masked CRC-32C of the length, data, masked CRC-32C of the data) around serialized
/// `tensorflow.Event` protobufs holding scalar `Summary` values.
///
/// The protobuf encoding is written by hand (`ProtoWriter`): two small messages need a varint, a double, a float
/// and length-delimited fields, which is far less than swift-protobuf's runtime and code generator would add.
///
/// Every write throws `FileWriteError` on failure (a full disk), leaving whole records only.
public final class EventFileWriter {
    public let path: String
    private let file: AppendFile

    public init(directory: String, wallTime: Double = Date().timeIntervalSince1970) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName
        path = (directory as NSString).appendingPathComponent("events.out.tfevents.\(Int(wallTime)).\(host)")
        file = try AppendFile(path: path)
        var event = ProtoWriter()
        event.double(1, wallTime)
        event.bytes(3, Array("brain.Event:2".utf8))
        try write(record: event.data)
    }

    /// One scalar at a global step (TensorBoard's `add_scalar`).
    public func addScalar(tag: String, value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(record: Self.scalarEvent(tag: tag, value: value, step: step, wallTime: wallTime))
    }

    static func scalarEvent(tag: String, value: Double, step: Int, wallTime: Double) -> [UInt8] {
        var summaryValue = ProtoWriter()
        summaryValue.bytes(1, Array(tag.utf8))
        summaryValue.float(2, Float(value))
        var summary = ProtoWriter()
        summary.bytes(1, summaryValue.data)
        var event = ProtoWriter()
        event.double(1, wallTime)
        event.varint(2, UInt64(bitPattern: Int64(step)))
        event.bytes(5, summary.data)
        return event.data
    }

    /// TFRecord framing of one record.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        var out = length
        out += withUnsafeBytes(of: CRC32C.masked(length).littleEndian, Array.init)
        out += data
        out += withUnsafeBytes(of: CRC32C.masked(data).littleEndian, Array.init)
        return out
    }

    private func write(record: [UInt8]) throws { try file.write(Data(Self.frame(record))) }

    public func flush() throws { try file.synchronize() }
    public func close() { file.close() }
}

/// Minimal protobuf wire-format encoder: varint (type 0), 64-bit (1), length-delimited (2), 32-bit (5).
struct ProtoWriter {
    private(set) var data: [UInt8] = []

    mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { data.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        data.append(UInt8(v))
    }
    mutating func key(_ field: Int, _ wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }
    mutating func varint(_ field: Int, _ v: UInt64) { key(field, 0); rawVarint(v) }
    mutating func double(_ field: Int, _ v: Double) {
        key(field, 1); data += withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init)
    }
    mutating func float(_ field: Int, _ v: Float) {
        key(field, 5); data += withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init)
    }
    mutating func bytes(_ field: Int, _ v: [UInt8]) { key(field, 2); rawVarint(UInt64(v.count)); data += v }
}
