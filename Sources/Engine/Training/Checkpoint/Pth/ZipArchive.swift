import Foundation
import EngineCore
import EngineData

/// The entries of a zip archive as PyTorch writes its checkpoints (`torch.save` since 1.6): stored, uncompressed
/// entries, with zip64 records where sizes or offsets need them. Only what torch writes is read: a deflated entry,
/// an encrypted one or a multi-disk archive is a clear `CheckpointError`, not a guess.
///
/// Every offset and size comes from the file, so each is checked against the file's length before use, and the
/// entry count against the central directory's size: a hostile archive can make the reader refuse, never trap or
/// allocate beyond the file.
struct ZipArchive {
    struct Entry {
        var name: String
        /// Byte range of the entry's data in the archive.
        var range: Range<Int>
        var crc32: UInt32
    }

    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    subscript(name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The first four bytes of every zip archive that starts with a local file header.
    static func hasSignature(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.count >= 4 && raw.loadUnaligned(as: UInt32.self) == UInt32(0x0403_4b50).littleEndian
    }

    init(_ raw: UnsafeRawBufferPointer, path: String) throws {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason, format: "PyTorch .pth") }
        let n = raw.count
        func u16(_ at: Int) -> Int { Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))) }
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u64(_ at: Int) throws -> Int {
            let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            guard v <= UInt64(Int.max) else { throw fail("a zip64 size or offset of \(v) bytes") }
            return Int(v)
        }
        // End of central directory: 22 bytes plus a comment of up to 65535, at the end of the file.
        guard n >= 22 else { throw fail("the file is \(n) bytes, too short for a zip archive (truncated?)") }
        var eocd = -1
        var at = n - 22
        while at >= max(0, n - 22 - 65535) {
            if u32(at) == 0x0605_4b50 && at + 22 + u16(at + 20) == n { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw fail("no zip end-of-central-directory record (truncated?)") }
        guard u16(eocd + 4) == 0 || u16(eocd + 4) == 0xFFFF, u16(eocd + 6) == 0 || u16(eocd + 6) == 0xFFFF else {
            throw fail("a multi-disk zip archive")
        }
        var count = u16(eocd + 10), cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16)
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // Zip64: a locator just before the end record points at the zip64 end record.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4b50 else { throw fail("a zip64 archive without its zip64 locator") }
            let record = try u64(locator + 8)
            guard record <= n - 56, u32(record) == 0x0606_4b50 else { throw fail("the zip64 end record is not where its locator says") }
            count = try u64(record + 32); cdSize = try u64(record + 40); cdOffset = try u64(record + 48)
        }
        guard cdOffset <= n, cdSize <= n - cdOffset else { throw fail("the zip central directory lies outside the \(n)-byte file (truncated?)") }
        guard count <= cdSize / 46 else { throw fail("\(count) zip entries cannot fit in a \(cdSize)-byte central directory") }
        entries.reserveCapacity(count)
        var p = cdOffset
        let cdEnd = cdOffset + cdSize
        for k in 0..<count {
            guard p <= cdEnd - 46, u32(p) == 0x0201_4b50 else { throw fail("zip central directory entry \(k) is corrupt") }
            let flags = u16(p + 8), method = u16(p + 10), crc = UInt32(u32(p + 16))
            var compressed = u32(p + 20), size = u32(p + 24)
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            var local = u32(p + 42)
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= cdEnd else { throw fail("zip central directory entry \(k) runs past the directory") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
            // Zip64 extended information: the 8-byte fields present are those whose 32-bit field is all ones.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(e), len = u16(e + 2)
                guard e + 4 + len <= extraEnd else { throw fail("zip entry '\(name)' has a corrupt extra field") }
                if id == 0x0001 {
                    var q = e + 4
                    for field in [0, 1, 2] {
                        let needed = field == 0 ? size == 0xFFFF_FFFF : field == 1 ? compressed == 0xFFFF_FFFF : local == 0xFFFF_FFFF
                        guard needed else { continue }
                        guard q + 8 <= e + 4 + len else { throw fail("zip entry '\(name)' has a short zip64 field") }
                        let v = try u64(q)
                        if field == 0 { size = v } else if field == 1 { compressed = v } else { local = v }
                        q += 8
                    }
                }
                e += 4 + len
            }
            guard flags & 1 == 0 else { throw fail("zip entry '\(name)' is encrypted") }
            guard method == 0 else {
                throw fail("zip entry '\(name)' is compressed (method \(method)); torch.save writes stored entries, "
                           + "so re-save it with torch.save or unzip and re-zip it with `zip -0`")
            }
            guard compressed == size else { throw fail("zip entry '\(name)' is stored with two different sizes") }
            guard local <= n - 30, u32(local) == 0x0403_4b50 else { throw fail("zip entry '\(name)' has no local header where the directory says") }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start <= n, size <= n - start else { throw fail("zip entry '\(name)' runs past the end of the file (truncated?)") }
            guard index[name] == nil else { throw fail("zip entry '\(name)' appears twice") }
            index[name] = entries.count
            entries.append(Entry(name: name, range: start..<(start + size), crc32: crc))
            p = next
        }
    }
}

/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), the checksum of zip entries.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
