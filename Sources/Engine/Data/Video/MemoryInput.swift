import CFFmpeg
import Foundation

/// A video held in memory, given to libavformat as a custom reader (read and seek over the bytes): the fuzz target
/// feeds mutated files to the demuxer and decoder this way, without writing them to disk.
final class MemoryInput {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let size: Int32 = 1 << 14
        let buffer = av_malloc(Int(size))
        context = avio_alloc_context(buffer?.assumingMemoryBound(to: UInt8.self), size, 0, Unmanaged.passUnretained(self).toOpaque(),
                                     { opaque, out, count in MemoryInput.from(opaque).read(out, Int(count)) }, nil,
                                     { opaque, offset, whence in MemoryInput.from(opaque).seek(offset, whence) })
    }

    deinit {
        if let context { av_freep(&context.pointee.buffer) }
        avio_context_free(&context)
    }

    private static func from(_ opaque: UnsafeMutableRawPointer?) -> MemoryInput {
        Unmanaged<MemoryInput>.fromOpaque(opaque!).takeUnretainedValue()
    }

    private func read(_ out: UnsafeMutablePointer<UInt8>?, _ count: Int) -> Int32 {
        let n = min(count, bytes.count - position)
        guard n > 0, let out else { return reel_averror_eof() }
        bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + position, count: n) }
        position += n
        return Int32(n)
    }

    private func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 { return Int64(bytes.count) }
        let base: Int
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = bytes.count
        default: return -1
        }
        let target = Int64(base) + offset
        guard target >= 0, target <= Int64(bytes.count) else { return -1 }
        position = Int(target)
        return target
    }
}
