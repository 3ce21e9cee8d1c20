import Foundation

/// A config after loading: the merged value tree, every source text it came from, and load warnings.
public struct ResolvedConfig: Sendable {
    /// The file the user named (absolute, standardised).
    public var path: String
    public var root: ConfigDict
    public var files: SourceFiles
    /// Non-fatal notes from loading (e.g. `_deprecation_`).
    public var warnings: [ConfigError]

    public var value: ConfigValue { ConfigValue(.dict(root)) }

    /// The value at a dotted key path (`"data.train.pipeline.0.clip_len"`).
    public subscript(dotted path: String) -> ConfigValue? {
        value.value(at: path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    public func error(_ message: String, at origin: Origin, note: String? = nil,
                      severity: ConfigError.Severity = .error) -> ConfigError {
        files.error(message, at: origin, note: note, severity: severity)
    }
}

/// Loads mm-style Python configs as mmcv 1.7.2's `Config.fromfile` resolves them (SEMANTICS.md §1): `_base_`
/// (a string or list, paths relative to the naming file), sibling bases combined (a key in two siblings is an
/// error), the child merged into them, `{{ _base_.x }}` references and the predefined `{{ fileDirname }}` … text.
/// Nothing is executed. Throws `ConfigError` at the exact location of the first problem.
public struct ConfigLoader {
    /// Reads a file's text; nil when it does not exist. Tests pass an in-memory table.
    public typealias Reader = @Sendable (String) -> String?

    public let read: Reader

    /// Reads UTF-8 files from disk.
    public static let diskReader: Reader = { path in
        FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
    }

    public init(read: @escaping Reader = ConfigLoader.diskReader) {
        self.read = read
    }

    /// Loads `path` and applies `cfgOptions` (`KEY=VALUE` tokens, mmcv DictAction rules).
    public static func load(_ path: String, cfgOptions: [String] = []) throws -> ResolvedConfig {
        try ConfigLoader().load(path, cfgOptions: cfgOptions)
    }

    public func load(_ path: String, cfgOptions: [String] = []) throws -> ResolvedConfig {
        let absolute = Self.absolute(path)
        var files = SourceFiles()
        var warnings: [ConfigError] = []
        var root = try loadFile(absolute, chain: [], requestedBy: nil, isRoot: true, files: &files,
                                warnings: &warnings)
        root = Merge.stripDeleteKeys(root)
        var config = ResolvedConfig(path: absolute, root: root, files: files, warnings: warnings)
        if !cfgOptions.isEmpty { try CfgOptions.apply(cfgOptions, to: &config) }
        return config
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// mmcv's predefined placeholders for one file.
    static func predefined(for path: String) -> [String: String] {
        let url = URL(fileURLWithPath: path)
        let base = url.lastPathComponent
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        return [
            "fileDirname": url.deletingLastPathComponent().path,
            "fileBasename": base,
            "fileBasenameNoExtension": ext.isEmpty ? base : String(base.dropLast(ext.count)),
            "fileExtname": ext,
        ]
    }

    private func loadFile(_ path: String, chain: [String], requestedBy: (Origin, SourceFiles)?, isRoot: Bool,
                          files: inout SourceFiles, warnings: inout [ConfigError]) throws -> ConfigDict {
        func fail(_ message: String) -> ConfigError {
            if let (origin, known) = requestedBy { return known.error(message, at: origin) }
            return ConfigError(message: message, location: SourceLocation(file: path, line: 1, column: 1, bytes: 0..<0),
                               sourceLine: "")
        }
        guard path.hasSuffix(".py") else {
            throw fail("only Python (.py) configs are supported: \(path)")
        }
        guard let text = read(path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw fail(exists ? "cannot read \(path) (permissions, or not UTF-8 text)" : "no such config file: \(path)")
        }
        let file = SourceFile(path: path, text: text)
        files.add(file)
        let statements = try Parser.parse(file, predefined: Self.predefined(for: path))
        let source: Origin.Source = isRoot ? .file : .base

        // `_base_` first: its bases must be loaded before `{{ _base_.x }}` references can be evaluated.
        var baseDict: ConfigDict? = nil
        if let baseStatement = statements.first(where: { s in
            if case .assign(let targets, _) = s.kind { return targets.contains { $0.name == "_base_" && $0.subscripts.isEmpty } }
            return false
        }), case .assign(_, let valueExpr) = baseStatement.kind {
            var scratch = Evaluator(file: file, source: source, baseDict: nil)
            let value: ConfigValue
            do { value = try scratch.eval(valueExpr) } catch let e as ConfigError {
                throw ConfigError(message: "_base_ must be a string or a list of strings written in the file ("
                                  + e.message + ")", location: e.location, sourceLine: e.sourceLine)
            }
            let entries: [ConfigValue]
            switch value.content {
            case .string: entries = [value]
            case .list(let a), .tuple(let a): entries = a
            default: throw files.error("_base_ must be a string or a list of strings, not \(value.typeName)",
                                       at: value.origin)
            }
            var combined = ConfigDict()
            var definedIn: [ConfigKey: String] = [:]
            let dir = (path as NSString).deletingLastPathComponent
            for entry in entries {
                guard let rel = entry.string else {
                    throw files.error("_base_ entries must be strings, not \(entry.typeName)", at: entry.origin)
                }
                let basePath = URL(fileURLWithPath: (dir as NSString).appendingPathComponent(
                    (rel as NSString).expandingTildeInPath)).standardizedFileURL.path
                if basePath == path || chain.contains(basePath) {
                    let cycle = (chain + [path, basePath]).map { ($0 as NSString).lastPathComponent }
                    throw files.error("circular _base_: \(cycle.joined(separator: " → "))", at: entry.origin)
                }
                let baseRoot = try loadFile(basePath, chain: chain + [path], requestedBy: (entry.origin, files),
                                            isRoot: false, files: &files, warnings: &warnings)
                for e in baseRoot {
                    if let first = definedIn[e.key] {
                        throw files.error("key '\(e.key)' is defined in two bases: \(first) and \(rel) "
                                          + "(mmcv refuses duplicate keys among sibling bases)", at: entry.origin)
                    }
                    definedIn[e.key] = rel
                    combined.set(e.key, e.value, keyOrigin: e.keyOrigin)
                }
            }
            baseDict = combined
        }

        var evaluator = Evaluator(file: file, source: source, baseDict: baseDict)
        var own = try evaluator.run(statements)
        own.remove("_base_")
        if let dep = own.entry("_deprecation_") {
            own.remove("_deprecation_")
            warnings.append(files.error("this config is marked deprecated (_deprecation_)", at: dep.keyOrigin,
                                        severity: .warning))
        }
        for reserved in ["filename", "text", "pretty_text"] {
            if let e = own.entry(.string(reserved)) {
                throw files.error("'\(reserved)' is reserved by mmcv's Config and cannot be a config key",
                                  at: e.keyOrigin)
            }
        }
        guard let base = baseDict else { return own }
        return try Merge.merge(own, into: base, files: files)
    }
}
