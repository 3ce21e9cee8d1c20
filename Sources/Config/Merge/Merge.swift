/// mmcv 1.7.2's `Config._merge_a_into_b`, applied to origin-carrying values (SEMANTICS.md §1.4).
///
/// For each key of the child, in the child's order: a child dict merges recursively into a base dict unless it says
/// `_delete_=True`; a child dict whose base value is not a dict is an error (use `_delete_`); every other child value
/// replaces the base value whole (lists are never merged element-wise). An overriding key keeps the base's position.
enum Merge {
    static let deleteKey: ConfigKey = "_delete_"

    /// Merges `child` into `base`. `path` names the position for error messages; `location` is where the child's
    /// definition of that key is (errors point there).
    static func merge(_ child: ConfigDict, into base: ConfigDict, path: [String] = [],
                      files: SourceFiles) throws -> ConfigDict {
        var result = base
        for entry in child {
            let keyPath = path + [entry.key.description]
            if case .dict(var childDict) = entry.value.content, let existing = base.entry(entry.key) {
                let deleteRequested = childDict[deleteKey]?.isTruthy ?? false
                childDict.remove(deleteKey)
                if deleteRequested {
                    result.set(entry.key, ConfigValue(.dict(childDict), origin: entry.value.origin),
                               keyOrigin: entry.keyOrigin)
                    continue
                }
                guard case .dict(let baseDict) = existing.value.content else {
                    throw typeError(keyPath, child: entry, base: existing.value, files: files)
                }
                let merged = try merge(childDict, into: baseDict, path: keyPath, files: files)
                // The merged dict's own origin is the child's literal: new keys are inserted there by the editor.
                result.set(entry.key, ConfigValue(.dict(merged), origin: entry.value.origin), keyOrigin: entry.keyOrigin)
            } else {
                result.set(entry.key, entry.value, keyOrigin: entry.keyOrigin)
            }
        }
        return result
    }

    private static func typeError(_ path: [String], child: ConfigDict.Entry, base: ConfigValue,
                                  files: SourceFiles) -> ConfigError {
        let message = "'\(path.joined(separator: "."))' is a dict here but \(base.typeDescription) in the base config; "
            + "add _delete_=True to this dict to replace the base value"
        return files.error(message, at: child.keyOrigin)
    }

    /// Removes every `_delete_` key left in the tree. mmcv keeps the key when the dict it sits in is new to the base
    /// (a plain bug; see docs/differences.md): Reel never lets it reach a resolved config. Only dicts that hold one
    /// (or contain one that does) are rebuilt; the rest of the tree is shared, not copied.
    static func stripDeleteKeys(_ d: ConfigDict) -> ConfigDict {
        stripped(d) ?? d
    }

    static func stripDeleteKeys(_ v: ConfigValue) -> ConfigValue {
        stripped(v) ?? v
    }

    /// The dict without `_delete_` keys anywhere, or nil when there is none.
    private static func stripped(_ d: ConfigDict) -> ConfigDict? {
        var out: ConfigDict? = d.contains(deleteKey) ? ConfigDict() : nil
        for (k, e) in d.entries.enumerated() where e.key != deleteKey {
            let inner = stripped(e.value)
            if inner != nil, out == nil {
                out = ConfigDict()
                for earlier in d.entries[..<k] where earlier.key != deleteKey {
                    out!.set(earlier.key, earlier.value, keyOrigin: earlier.keyOrigin)
                }
            }
            out?.set(e.key, inner ?? e.value, keyOrigin: e.keyOrigin)
        }
        return out
    }

    private static func stripped(_ v: ConfigValue) -> ConfigValue? {
        switch v.content {
        case .dict(let d):
            guard let s = stripped(d) else { return nil }
            var v = v; v.content = .dict(s); return v
        case .list(let a), .tuple(let a):
            var changed: [ConfigValue]? = nil
            for (k, item) in a.enumerated() {
                guard let s = stripped(item) else { continue }
                if changed == nil { changed = a }
                changed![k] = s
            }
            guard let changed else { return nil }
            var v = v
            if case .list = v.content { v.content = .list(changed) } else { v.content = .tuple(changed) }
            return v
        default:
            return nil
        }
    }
}
