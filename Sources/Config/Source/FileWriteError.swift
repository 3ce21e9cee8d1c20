import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A write that failed: the file and the system's reason ("No space left on device"). Thrown by `AtomicFile` and
/// the engine's log writers; `reel` exits 1 on it (the run failed, the input was fine).
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "cannot write \(path): \(reason)" }

    /// Writes all of `data` to `fd`, retrying short and interrupted writes; returns 0 or the failing call's errno.
    public static func writeAll(_ data: Data, to fd: Int32) -> Int32 {
        data.withUnsafeBytes { raw -> Int32 in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
    }
}
