import Config
import Foundation

/// An edit whose text is not this config's alone: the value is written in a `_base_` file (which other configs
/// may use), or its text also sets other keys (`test_pipeline = val_pipeline`, `**img_norm_cfg`). The dashboard
/// says so before changing it and offers an override in the config being edited instead.
public struct SharedEdit: Equatable, Sendable {
    /// The key path that is set, and the text typed for it.
    public var path: [String]
    public var text: String
    /// Adding a new key (`a`) rather than changing a value.
    public var isNewKey: Bool
    /// `file.py:line` of the shared text.
    public var location: String
    /// Other key paths the same text sets.
    public var alsoSets: [String]
    /// The base file (if the text is in one) and the other configs found next to it that use it.
    public var baseFile: String?
    public var otherConfigs: [String]
    /// The config an override would go into.
    public var configFile: String

    /// The sharing of the value (or dict, for a new key) at `target`, or nil when only this config's own text
    /// for that one key would change.
    static func find(path: [String], target: [String], text: String, isNewKey: Bool, in doc: ConfigDocument) -> SharedEdit? {
        guard let value = doc.config.value.value(at: target), let loc = value.origin.location else { return nil }
        let also = sameText(as: target, in: doc)
        let isBase = loc.file != doc.path
        guard isBase || !also.isEmpty else { return nil }
        return SharedEdit(path: path, text: text, isNewKey: isNewKey, location: "\(name(loc.file)):\(loc.line)",
                          alsoSets: also, baseFile: isBase ? loc.file : nil,
                          otherConfigs: isBase ? users(of: loc.file, besides: doc.path) : [], configFile: doc.path)
    }

    /// The other key paths whose value is the very text of the value at `path` (not a copy with the same content).
    static func sameText(as path: [String], in doc: ConfigDocument) -> [String] {
        guard let value = doc.config.value.value(at: path), let loc = value.origin.location, !value.origin.isDerived else { return [] }
        var also: [String] = []
        func visit(_ v: ConfigValue, _ p: [String]) {
            if p != path, let l = v.origin.location, l.file == loc.file, l.bytes == loc.bytes, !v.origin.isDerived {
                also.append(p.joined(separator: "."))
            }
            switch v.content {
            case .dict(let d): for e in d { visit(e.value, p + [e.key.description]) }
            case .list(let items), .tuple(let items): for (i, x) in items.enumerated() { visit(x, p + [String(i)]) }
            default: break
            }
        }
        for e in doc.config.root { visit(e.value, [e.key.description]) }
        return also
    }

    /// The `.py` files next to `base` (and next to `config`) that name it, other than `config`: the configs an edit
    /// of `base` also changes. A text search, so it may list a file that only mentions the name.
    static func users(of base: String, besides config: String) -> [String] {
        let fm = FileManager.default
        // Absolute, so a relative config path (`reel tui configs/x.py`) and the loader's absolute base path compare.
        let absolute = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.path }
        let (basePath, configPath) = (absolute(base), absolute(config))
        let baseName = name(base)
        var seen: Set<String> = [basePath, configPath], out: [String] = []
        for dir in [(basePath as NSString).deletingLastPathComponent, (configPath as NSString).deletingLastPathComponent] {
            for n in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted().prefix(500) where n.hasSuffix(".py") {
                let p = (dir as NSString).appendingPathComponent(n)
                guard !seen.contains(p) else { continue }
                seen.insert(p)
                if let t = try? String(contentsOfFile: p, encoding: .utf8), t.contains("_base_"), t.contains(baseName) { out.append(n) }
            }
        }
        return out
    }

    static func name(_ path: String) -> String { (path as NSString).lastPathComponent }
}
