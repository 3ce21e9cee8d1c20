import Config
import Foundation
import EngineCore
import EngineData

/// Where a checkpoint's optimizer state lives: a safetensors file of its own beside the checkpoint, so that the
/// checkpoint itself holds only the model's state dict and loads strictly into the mmaction2 model
/// (`model.load_state_dict(safetensors.torch.load_file(f))`, no unexpected `optimizer.*` keys).
///
/// Name: `<checkpoint name>.optimizer-<first 16 hex digits of its SHA-256>` (`epoch_3.safetensors.optimizer-9f86d0…`),
/// deliberately not ending in `.safetensors`, so that a glob for checkpoints never picks it up. Content: the tensors
/// `optimizer.state.<i>.<key>` and the param-group record under `__metadata__["optimizer"]` (the layout older
/// checkpoints kept inside the main file, which Reel still reads). The checkpoint's `__metadata__["optimizer_file"]`
/// names it with its size and full SHA-256, so a checkpoint is never paired with another save's state.
///
/// Atomicity: the sidecar is written (temp file, fsync, rename) before the checkpoint, under a name that depends on
/// its content, so a crash at any point leaves every checkpoint with the sidecar it names; sidecars nothing names any
/// more are removed once a newer checkpoint of that name (and `latest`) no longer refer to them.
public enum OptimizerSidecar {
    /// `__metadata__["optimizer_file"]` of a checkpoint.
    public struct Reference: Codable, Equatable, Sendable {
        public var file: String
        public var bytes: Int
        public var sha256: String
    }

    static let marker = ".optimizer-"

    /// The sidecar name for checkpoint `checkpointName` and content digest `sha256`.
    public static func name(for checkpointName: String, sha256: String) -> String {
        checkpointName + marker + sha256.prefix(16)
    }

    /// The checkpoint name a sidecar name belongs to, when it is one of the names Reel gives the sidecars of its
    /// own checkpoints (a Reel checkpoint name, the marker, 16 lowercase hex digits): the only sidecars Reel deletes.
    public static func checkpointName(ofSidecar name: String) -> String? {
        guard let base = baseName(ofSidecar: name), OwnedFiles.isCheckpointName(base), base != "latest.safetensors" else { return nil }
        return base
    }

    /// The checkpoint name of any sidecar name `save` makes (also for a checkpoint saved under another name, e.g.
    /// by `CheckpointStore.save` to `model.safetensors`): `<name>.safetensors` + marker + 16 lowercase hex digits, a
    /// plain file name (no `/`, not hidden).
    static func baseName(ofSidecar name: String) -> String? {
        guard let r = name.range(of: marker, options: .backwards) else { return nil }
        let base = String(name[..<r.lowerBound]), digest = name[r.upperBound...]
        guard digest.count == 16, digest.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), base.hasSuffix(".safetensors"),
              !base.hasPrefix("."), !base.contains("/"), !base.contains("\0") else { return nil }
        return base
    }

    /// Writes `file` as the sidecar of the checkpoint at `checkpointPath`; returns the reference to store.
    static func write(_ file: SafeTensors.File, besides checkpointPath: String) throws -> Reference {
        let data = SafeTensors.encode(file)
        let digest = data.withUnsafeBytes { SHA256.hex($0) }
        let name = name(for: (checkpointPath as NSString).lastPathComponent, sha256: digest)
        try AtomicFile.write(data, to: sibling(of: checkpointPath, named: name))
        return Reference(file: name, bytes: data.count, sha256: digest)
    }

    /// The reference a checkpoint's metadata holds, checked (nil for a checkpoint without one).
    public static func reference(in file: SafeTensors.File, path: String) throws -> Reference? {
        guard let json = file.metadata["optimizer_file"] else { return nil }
        let field = "__metadata__.optimizer_file"
        guard let ref = try? JSONDecoder().decode(Reference.self, from: Data(json.utf8)) else {
            throw CheckpointError(path: path, field: field, reason: "expected {\"file\", \"bytes\", \"sha256\"}")
        }
        guard baseName(ofSidecar: ref.file) != nil else {
            throw CheckpointError(path: path, field: field + ".file", reason: "'\(ref.file.prefix(80))' is not a name Reel gives optimizer files")
        }
        guard ref.sha256.count == 64, ref.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), ref.sha256.hasPrefix(ref.file.suffix(16)) else {
            throw CheckpointError(path: path, field: field + ".sha256", reason: "not the 64-digit SHA-256 its file name starts")
        }
        guard ref.bytes >= 8 else { throw CheckpointError(path: path, field: field + ".bytes", reason: "\(ref.bytes) is too small") }
        return ref
    }

    /// Reads the sidecar a checkpoint names (beside `path`) and checks its size and digest.
    public static func read(_ ref: Reference, checkpointPath path: String) throws -> SafeTensors.File {
        let sidecar = sibling(of: path, named: ref.file)
        var st = stat()
        guard stat(sidecar, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(path: path, field: "__metadata__.optimizer_file",
                                  reason: "its optimizer state \(sidecar) is missing (copy it along with the checkpoint)")
        }
        guard Int(st.st_size) == ref.bytes else {
            throw CheckpointError(path: sidecar, reason: "it is \(st.st_size) bytes, but \(path) names one of \(ref.bytes) bytes")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: sidecar), options: .mappedIfSafe) } catch {
            throw CheckpointError(path: sidecar, reason: "cannot read it")
        }
        guard data.withUnsafeBytes({ SHA256.hex($0) }) == ref.sha256 else {
            throw CheckpointError(path: sidecar, reason: "its SHA-256 is not the one \(path) names (a different save's state)")
        }
        return try SafeTensors.decode(data, path: sidecar)
    }

    /// Removes the sidecars of checkpoint `checkpointName` in `directory` except those named in `keep`.
    static func removeSidecars(of checkpoint: String, in directory: String, keep: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where !keep.contains(name) && checkpointName(ofSidecar: name) == checkpoint {
            try? OwnedFiles.remove(sibling(of: directory + "/x", named: name), inDirectory: directory,
                                   isOwnName: { checkpointName(ofSidecar: $0) != nil })
        }
    }

    /// The sidecar names the checkpoint at `path` refers to, from its header alone (empty when it has none or
    /// cannot be read).
    static func referenced(by path: String) -> Set<String> {
        guard let meta = try? SafeTensors.readMetadata(path), let json = meta["optimizer_file"],
              let ref = try? JSONDecoder().decode(Reference.self, from: Data(json.utf8)) else { return [] }
        return [ref.file]
    }

    /// Removes sidecars in `directory` that no checkpoint there names (left by a run killed between writing a
    /// sidecar and its checkpoint). Leaves everything when a checkpoint's header cannot be read. Returns the names.
    @discardableResult
    public static func removeOrphans(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let sidecars = names.filter { checkpointName(ofSidecar: $0) != nil }
        guard !sidecars.isEmpty else { return [] }
        var named: Set<String> = []
        for name in names where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
            guard let meta = try? SafeTensors.readMetadata(sibling(of: directory + "/x", named: name)) else { return [] }
            if let json = meta["optimizer_file"], let ref = try? JSONDecoder().decode(Reference.self, from: Data(json.utf8)) {
                named.insert(ref.file)
            }
        }
        var removed: [String] = []
        for name in sidecars.sorted() where !named.contains(name) {
            if (try? OwnedFiles.remove(sibling(of: directory + "/x", named: name), inDirectory: directory,
                                       isOwnName: { checkpointName(ofSidecar: $0) != nil })) != nil {
                removed.append(name)
            }
        }
        return removed
    }

    static func sibling(of path: String, named name: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
    }
}
