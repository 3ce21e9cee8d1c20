import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a crash never leaves a half-written file where a good one was: the data goes to a temp
/// file in the same directory, is fsync'ed, renamed over the target, and the directory is fsync'ed.
public enum AtomicFile {
    public typealias WriteError = FileWriteError

    /// The temp file's name for `name`: `.<name>.tmp-<pid>-<random>` (what `parseTempName` recognises).
    public static func tempName(for name: String) -> String {
        ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The target name and writer's pid of a temp file name made by `tempName(for:)`; nil for any other name.
    /// A kill -9 between creating and renaming leaves such a file behind; whoever owns the directory removes it
    /// once that pid is gone (`OwnedFiles.removeStaleTempFiles`).
    public static func parseTempName(_ name: String) -> (target: String, pid: Int32)? {
        guard name.hasPrefix("."), let r = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let target = String(name[name.index(after: name.startIndex)..<r.lowerBound])
        let parts = name[r.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard !target.isEmpty, parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let pid = Int32(parts[0]), UInt32(parts[1]) != nil else { return nil }
        return (target, pid)
    }

    /// Writes `data` to `path` through a fresh temp file. The temp file is created exclusively and never through a
    /// symlink; the rename replaces the directory entry `path` (a symlink there is replaced, never written through).
    public static func write(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir.isEmpty ? "." : dir) + "/" + tempName(for: (path as NSString).lastPathComponent)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var failure = FileWriteError.writeAll(data, to: fd)
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else { unlink(tmp); throw WriteError(path: path, reason: String(cString: strerror(failure))) }
        guard rename(tmp, path) == 0 else {
            let r = String(cString: strerror(errno))
            unlink(tmp)
            throw WriteError(path: path, reason: r)
        }
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
