import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output and error without ever ending the process: Foundation's `FileHandle.write(_:)` traps
/// when a write fails, and after a hangup (closed terminal, ssh drop) every write to the terminal fails with EIO
/// while the run is still saving its checkpoint. Lost console text is harmless; a lost checkpoint is not.
enum Console {
    static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
