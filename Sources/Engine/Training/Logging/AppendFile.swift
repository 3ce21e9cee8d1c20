import Config
import Foundation
#if canImport(Glibc)
import Glibc
import EngineCore
import EngineData
#endif

/// A log file opened for appending whose writes throw instead of trapping. Foundation's `FileHandle.write(_:)`
/// ends the process on the first failed write (a full disk: "No space left on device"); every log writer goes
/// through this type instead, so a write failure becomes a `FileWriteError` the run can stop on cleanly.
///
/// A failed write is undone (the file is cut back to its previous length), so a log never ends in half a line:
/// every line of a `.log.json` stays parseable even when the disk filled up in the middle of one.
public final class AppendFile {
    public let path: String
    private var fd: Int32

    /// Opens (creating if needed) `path` for appending.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close() }

    /// Appends all of `data`, or throws and leaves the file as it was.
    public func write(_ data: Data) throws {
        guard fd >= 0 else { throw FileWriteError(path: path, reason: "the file is closed") }
        let start = lseek(fd, 0, SEEK_END)
        let failure = FileWriteError.writeAll(data, to: fd)
        guard failure == 0 else {
            if start >= 0 { _ = ftruncate(fd, start) }
            throw FileWriteError(path: path, reason: String(cString: strerror(failure)))
        }
    }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    /// Flushes to the disk (fsync), which is where some file systems report a full disk.
    public func synchronize() throws {
        guard fd >= 0 else { return }
        if fsync(fd) != 0 && errno != EINVAL { throw FileWriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}
