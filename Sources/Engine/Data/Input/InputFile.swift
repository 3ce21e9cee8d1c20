import Foundation
import EngineCore

/// Reads a whole data file (an annotation list or a frame) with the checks a mistaken or hostile path needs: only
/// regular files are read (a FIFO would block forever and `/dev/zero` never ends, so both are refused before any
/// read), and at most `maxBytes` bytes, so a file cannot make Reel allocate without bound.
enum InputFile {
    /// Why a file could not be read; callers turn it into their own typed error naming the file.
    enum Failure: Error, Equatable {
        case missing
        case directory
        case notRegular
        case tooLarge(bytes: Int, limit: Int)
        case unreadable(String)
    }

    /// Reads `path` into `buffer` (grown when needed, reused across calls) and returns the number of bytes read.
    static func read(_ path: String, maxBytes: Int, into buffer: inout [UInt8]) -> Result<Int, Failure> {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat can refuse it.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(Self.errorText(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(Self.errorText(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.directory)
        default: return .failure(.notRegular)
        }
        let size = Int(st.st_size)
        guard size <= maxBytes else { return .failure(.tooLarge(bytes: size, limit: maxBytes)) }
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
        let got = buffer.withUnsafeMutableBytes { buf -> Int in
            var total = 0
            while total < size {
                let n = Foundation.read(fd, buf.baseAddress! + total, size - total)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 ? -1 : total }
                total += n
            }
            return total
        }
        guard got >= 0 else { return .failure(.unreadable(Self.errorText(errno))) }
        return .success(got)
    }

    /// Reads a whole file into a fresh array.
    static func read(_ path: String, maxBytes: Int) -> Result<[UInt8], Failure> {
        var buffer: [UInt8] = []
        return read(path, maxBytes: maxBytes, into: &buffer).map { Array(buffer.prefix($0)) }
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
