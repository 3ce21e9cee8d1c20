import Config
import Foundation
import EngineCore
import EngineData

/// mmcv's `TextLoggerHook(out_dir=…, out_suffix=…, keep_local=…)`: at the end of a completed run the work dir's
/// files ending in one of `outSuffix` (recursively, hidden files skipped, as mmcv's `scandir`) are copied to
/// `out_dir/<work dir name>`, and removed from the work dir when `keep_local=False`. Local paths only (mmcv's
/// HardDiskBackend). These are the logger's only stage calls: a replay of the events never copies anything.
extension TextLoggerHook: Hook {
    /// The directory the logs are copied to (nil: no copy).
    var uploadDirectory: String? {
        guard let outDir else { return nil }
        let trimmed = workDir.count > 1 && workDir.hasSuffix("/") ? String(workDir.dropLast()) : workDir
        return (outDir as NSString).appendingPathComponent((trimmed as NSString).lastPathComponent)
    }

    public func beforeRun(_ context: any HookContext) throws {
        guard let dir = uploadDirectory else { return }
        context.log("Text logs will be saved to \(dir) by HardDiskBackend after the training process.")
    }

    public func afterRun(_ context: any HookContext) throws {
        guard let dir = uploadDirectory else { return }
        for name in Self.files(in: workDir, suffixes: outSuffix) {
            let local = (workDir as NSString).appendingPathComponent(name)
            let out = (dir as NSString).appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: local)), to: out)
            } catch {
                throw RunFailure(message: "could not copy \(local) to \(out): \(error)", iter: context.iter, cause: error)
            }
            context.log("The file \(local) has been uploaded to \(out).")
            if !keepLocal {
                try? FileManager.default.removeItem(atPath: local)
                context.log("\(local) was removed due to the `self.keep_local=False`")
            }
        }
    }

    /// Paths relative to `root` of the non-hidden files below it whose path ends in one of `suffixes`, sorted.
    static func files(in root: String, suffixes: [String]) -> [String] {
        var found: [String] = []
        func scan(_ rel: String) {
            let dir = rel.isEmpty ? root : (root as NSString).appendingPathComponent(rel)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                let path = rel.isEmpty ? name : (rel as NSString).appendingPathComponent(name)
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(path), isDirectory: &isDir) else { continue }
                if isDir.boolValue { scan(path) } else if !name.hasPrefix("."), suffixes.contains(where: { path.hasSuffix($0) }) { found.append(path) }
            }
        }
        scan("")
        return found
    }
}
