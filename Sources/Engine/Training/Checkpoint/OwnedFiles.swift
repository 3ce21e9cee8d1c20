import Config
import Foundation
#if canImport(Glibc)
import Glibc
import EngineCore
import EngineData
#endif

/// The only way Reel deletes files: by Reel's own names, directly inside a run's own directory, regular files only.
///
/// Paths that reach a deletion may come from a checkpoint's metadata (the previous best checkpoint), which anyone can
/// write, so a path is never trusted: the file must be a regular file (not a directory, not a symlink) whose parent
/// directory *is* the run's directory (same device and inode, whatever the spelling or symlinks of the path) and
/// whose name matches one of the names Reel gives its files. Removal goes through a descriptor of that directory
/// (`unlinkat` without `AT_REMOVEDIR`), so a name swapped for a directory or symlink at the last moment is at worst a
/// link removed inside the run's directory, never a tree and never a file outside it.
public enum OwnedFiles {
    /// Why a file was left in place.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notInDirectory, foreignName, notRegularFile, missing
        case failed(String)
        public var description: String {
            switch self {
            case .notInDirectory: "it is not directly inside this run's directory"
            case .foreignName: "its name is not one Reel gives its files"
            case .notRegularFile: "it is not a regular file"
            case .missing: "it does not exist"
            case .failed(let reason): reason
            }
        }
    }

    /// `epoch_N.safetensors`, `iter_N.safetensors` (also manual stops), `latest.safetensors`.
    public static func isCheckpointName(_ name: String) -> Bool {
        if name == "latest.safetensors" { return true }
        guard name.hasSuffix(".safetensors") else { return false }
        let stem = name.dropLast(".safetensors".count)
        for prefix in ["epoch_", "iter_"] where stem.hasPrefix(prefix) { return isNumber(stem.dropFirst(prefix.count)) }
        return isBestCheckpointName(name)
    }

    /// `best_<metric>_epoch_N.safetensors` / `best_<metric>_iter_N.safetensors` (EvalHook's names).
    public static func isBestCheckpointName(_ name: String) -> Bool {
        guard name.hasPrefix("best_"), name.hasSuffix(".safetensors") else { return false }
        let stem = name.dropFirst(5).dropLast(".safetensors".count)
        for unit in ["_epoch_", "_iter_"] {
            guard let r = stem.range(of: unit, options: .backwards) else { continue }
            let metric = stem[..<r.lowerBound], number = stem[r.upperBound...]
            if !metric.isEmpty, metric.allSatisfy(isMetricCharacter), isNumber(number) { return true }
        }
        return false
    }

    /// Removes `path` when it passes every check above; `isOwnName` says which names may go (e.g. best checkpoints).
    /// Throws a `Refusal` otherwise and leaves the file alone.
    public static func remove(_ path: String, inDirectory directory: String, isOwnName: (String) -> Bool) throws {
        let name = (path as NSString).lastPathComponent
        guard isOwnName(name), name != ".", name != ".." else { throw Refusal.foreignName }
        let parent = (path as NSString).deletingLastPathComponent
        var dirStat = stat(), parentStat = stat()
        guard stat(directory, &dirStat) == 0, stat(parent.isEmpty ? "." : parent, &parentStat) == 0 else { throw Refusal.missing }
        let dfd = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw Refusal.missing }
        defer { close(dfd) }
        // Compare what the descriptor actually opened, not the path (which may have changed since `stat`).
        var openedStat = stat()
        guard fstat(dfd, &openedStat) == 0, openedStat.st_dev == dirStat.st_dev, openedStat.st_ino == dirStat.st_ino else {
            throw Refusal.notInDirectory
        }
        var fileStat = stat()
        guard fstatat(dfd, name, &fileStat, AT_SYMLINK_NOFOLLOW) == 0 else { throw Refusal.missing }
        guard (fileStat.st_mode & S_IFMT) == S_IFREG else { throw Refusal.notRegularFile }
        guard unlinkat(dfd, name, 0) == 0 else { throw Refusal.failed(String(cString: strerror(errno))) }
    }

    /// Removes temp files that an interrupted write of Reel's left in `directory` (`AtomicFile`'s
    /// `.<name>.tmp-<pid>-<random>`), for names `isOwnName` accepts, when process `<pid>` is no longer running (a live
    /// one may be writing it right now). Returns the names removed.
    @discardableResult
    public static func removeStaleTempFiles(in directory: String, isOwnName: (String) -> Bool) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names.sorted() {
            guard let (target, pid) = AtomicFile.parseTempName(name), isOwnName(target), !isRunning(pid) else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            if (try? remove(path, inDirectory: directory, isOwnName: { _ in true })) != nil { removed.append(name) }
        }
        return removed
    }

    /// Whether a process with this id exists (EPERM: it exists but belongs to someone else).
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private static func isNumber(_ s: Substring) -> Bool {
        !s.isEmpty && s.count <= 18 && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Metric keys are identifiers such as `top1_acc`, `mean_class_accuracy`, `AR@AN`, `auc`.
    private static func isMetricCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "@" || c == "-" || c == ".")
    }
}
