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
        var filesRead = 0
        var root = try loadFile(absolute, chain: [], requestedBy: nil, isRoot: true, files: &files,
                                warnings: &warnings, filesRead: &filesRead)
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
                          files: inout SourceFiles, warnings: inout [ConfigError],
                          filesRead: inout Int) throws -> ConfigDict {
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
        let predefined = Self.predefined(for: path)
        // Pass 1 checks the syntax of the whole file (as Python compiles it before running anything) and keeps only
        // the `_base_` statement; pass 2 parses again and evaluates one statement at a time. Neither holds the
        // whole file's tokens or syntax tree, so a 100 MB config needs memory for its values only.
        // (A file of up to 2 MB keeps its statements from pass 1 instead of parsing twice.)
        var baseStatement: Statement? = nil
        var kept: [Statement]? = file.bytes.count <= 2 << 20 ? [] : nil
        var scan = try Parser(file: file, predefined: predefined)
        while let s = try scan.nextStatement() {
            kept?.append(s)
            if baseStatement == nil, case .assign(let targets, _) = s.kind,
               targets.contains(where: { $0.name == "_base_" && $0.subscripts.isEmpty }) {
                baseStatement = s
            }
        }
        let source: Origin.Source = isRoot ? .file : .base

        // `_base_` first: its bases must be loaded before `{{ _base_.x }}` references can be evaluated.
        var baseDict: ConfigDict? = nil
        if let baseStatement, case .assign(_, let valueExpr) = baseStatement.kind {
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
                let basePath = Self.basePath(rel, inDirectory: dir)
                if basePath == path || chain.contains(basePath) {
                    let cycle = (chain + [path, basePath]).map { ($0 as NSString).lastPathComponent }
                    throw files.error("circular _base_: \(cycle.joined(separator: " → "))", at: entry.origin)
                }
                guard chain.count < ConfigLimits.baseChain else {
                    throw files.error(ConfigLimits.exceeded("this _base_ chain (a base of a base of …)",
                                                            ConfigLimits.baseChain, unit: "files"), at: entry.origin)
                }
                filesRead += 1
                guard filesRead < ConfigLimits.filesPerLoad else {
                    throw files.error(ConfigLimits.exceeded("loading this config reads its bases too many times: it",
                                                            ConfigLimits.filesPerLoad, unit: "files"),
                                      at: entry.origin)
                }
                let baseRoot = try loadFile(basePath, chain: chain + [path], requestedBy: (entry.origin, files),
                                            isRoot: false, files: &files, warnings: &warnings, filesRead: &filesRead)
                for e in baseRoot {
                    if let first = definedIn[e.key] {
                        throw files.error("key '\(e.key)' is defined in two bases: \(first) and \(rel) "
                                          + "(mmcv refuses duplicate keys among sibling bases)", at: entry.origin)
                    }
                    definedIn[e.key] = rel
                    combined.set(e.key, e.value, keyOrigin: e.keyOrigin)
                }
                try Self.checkTotal(combined, at: entry.origin, files: files)
            }
            baseDict = combined
        }

        var evaluator = Evaluator(file: file, source: source, baseDict: baseDict)
        if let kept {
            for s in kept { try evaluator.execute(s) }
        } else {
            var parser = try Parser(file: file, predefined: predefined)
            while let s = try parser.nextStatement() { try evaluator.execute(s) }
        }
        var own = evaluator.collected()
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
        guard let base = baseDict, let baseStatement else { return own }
        let merged = try Merge.merge(own, into: base, files: files)
        try Self.checkTotal(merged, at: Origin(location: file.location(baseStatement.span), source: source),
                            files: files)
        return merged
    }

    /// Where a `_base_` entry points: `os.path.join(dir, entry)` as mmcv does, so an absolute entry (also one made
    /// absolute by `{{ fileDirname }}`) stays as written; standardised, so `..` and `.` are resolved.
    static func basePath(_ entry: String, inDirectory dir: String) -> String {
        let expanded = (entry as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : (dir as NSString).appendingPathComponent(expanded)
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// Bases combined or merged must stay within the same total size as one file's values.
    private static func checkTotal(_ d: ConfigDict, at origin: Origin, files: SourceFiles) throws {
        guard d.nodeSum > ConfigLimits.values || d.textSum > ConfigLimits.stringBytes else { return }
        throw files.error(ConfigLimits.exceeded("the config with its bases is too large: it", ConfigLimits.values,
                                                unit: "values")
                          + " or \(ConfigLimits.grouped(ConfigLimits.stringBytes)) bytes of strings in total", at: origin)
    }
}
