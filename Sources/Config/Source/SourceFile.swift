import Foundation

/// The text of one config file, with the line index that turns byte offsets into 1-based lines and columns.
///
/// Offsets are UTF-8 byte offsets into `bytes`; columns count Unicode scalars from the line start, so a caret
/// printed under `line(n)` lands on the right character.
public final class SourceFile: Sendable {
    /// The path as the user (or the `_base_` entry that named it) spelled it, made absolute and standardised.
    public let path: String
    /// The text (kept only as bytes, decoded on demand: a 100 MB config should not be held twice).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public let bytes: [UInt8]
    /// Byte offset of the first byte of every line.
    private let lineStarts: [Int]
    /// Unicode scalars before each 64-byte block: a column is found by counting at most 63 bytes, so locating every
    /// value of a 100,000-key one-line dict stays linear.
    private let scalarsBeforeBlock: [Int]
    private static let blockShift = 6

    public init(path: String, text: String) {
        self.path = path
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        var blocks: [Int] = []
        blocks.reserveCapacity(bytes.count >> Self.blockShift + 1)
        var scalars = 0
        for (i, b) in bytes.enumerated() {
            if i & ((1 << Self.blockShift) - 1) == 0 { blocks.append(scalars) }
            if b & 0xC0 != 0x80 { scalars += 1 }
            if b == UInt8(ascii: "\n") { starts.append(i + 1) }
        }
        blocks.append(scalars)
        self.lineStarts = starts
        self.scalarsBeforeBlock = blocks
    }

    /// Reads a file from disk. Throws `ConfigError.unreadable` naming the file when it is missing or not UTF-8.
    public static func read(path: String, requestedBy: SourceLocation? = nil) throws -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let what = FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file"
            throw ConfigError.fileProblem("\(what): \(path)", path: path, requestedBy: requestedBy)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.fileProblem("not UTF-8 text: \(path)", path: path, requestedBy: requestedBy)
        }
        return SourceFile(path: path, text: text)
    }

    public var lineCount: Int { lineStarts.count }

    /// 1-based line and column of a byte offset (clamped into the file).
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let offset = max(0, min(offset, bytes.count))
        // Binary search for the last line start <= offset.
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, 1 + scalarsBefore(offset) - scalarsBefore(lineStarts[lo]))
    }

    /// Unicode scalars that start before byte `offset` (every byte that is not a UTF-8 continuation byte).
    private func scalarsBefore(_ offset: Int) -> Int {
        let block = offset >> Self.blockShift
        var n = scalarsBeforeBlock[block]
        var i = block << Self.blockShift
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { n += 1 }
            i += 1
        }
        return n
    }

    /// The text of a 1-based line, without its newline.
    public func line(_ n: Int) -> String {
        guard n >= 1, n <= lineStarts.count else { return "" }
        let start = lineStarts[n - 1]
        var end = n < lineStarts.count ? lineStarts[n] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// Byte offset where a 1-based line starts.
    public func lineStart(_ n: Int) -> Int { lineStarts[max(0, min(n - 1, lineStarts.count - 1))] }

    public func location(_ bytes: Range<Int>) -> SourceLocation {
        let (line, column) = lineColumn(of: bytes.lowerBound)
        return SourceLocation(file: path, line: line, column: column, bytes: bytes)
    }

    public func error(_ message: String, at bytes: Range<Int>) -> ConfigError {
        let loc = location(bytes)
        return ConfigError(message: message, location: loc, sourceLine: line(loc.line))
    }

    /// The source text of a byte range.
    public func slice(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound)..<min(bytes.count, range.upperBound)], as: UTF8.self)
    }
}
