import Foundation

/// An editable config: the resolved tree plus edits of its files that are not written yet, with undo.
///
/// Each edit is applied to the in-memory text of the file that defines the value, the config is loaded again
/// from those texts, and the edit is kept only if the reloaded tree has the requested value at the path. This is
/// what the dashboard's Config screen drives; `write()` saves the edited files atomically.
public struct ConfigDocument: Sendable {
    public let path: String
    public let cfgOptions: [String]
    public private(set) var config: ResolvedConfig
    /// Edited file texts by path (only files that differ from disk).
    public private(set) var edited: [String: String] = [:]
    private var history: [(edited: [String: String], change: SourceChange)] = []
    private let diskReader: ConfigLoader.Reader

    public init(path: String, cfgOptions: [String] = [], reader: @escaping ConfigLoader.Reader = ConfigLoader.diskReader)
        throws
    {
        self.path = path
        self.cfgOptions = cfgOptions
        self.diskReader = reader
        self.config = try ConfigLoader(read: reader).load(path, cfgOptions: cfgOptions)
    }

    public var isModified: Bool { !edited.isEmpty }
    /// The changes made so far, oldest first.
    public var changes: [SourceChange] { history.map(\.change) }

    @discardableResult
    public mutating func set(_ keyPath: [String], to value: ConfigValue) throws -> SourceChange {
        try apply(SourceEdit.set(keyPath, to: value, in: config)) { reloaded in
            guard let now = reloaded.value.value(at: keyPath) else { return "the value disappeared" }
            return now == value ? nil : "the file would then give \(now), not \(value)"
        }
    }

    @discardableResult
    public mutating func set(_ keyPath: [String], expression: String) throws -> SourceChange {
        try set(keyPath, to: try SourceEdit.parseExpression(expression))
    }

    @discardableResult
    public mutating func insert(key: String, value: ConfigValue, intoDictAt dictPath: [String]) throws -> SourceChange {
        try apply(SourceEdit.insert(key: key, value: value, intoDictAt: dictPath, in: config)) { reloaded in
            reloaded.value.value(at: dictPath + [key]) == value ? nil : "the new key did not take effect"
        }
    }

    @discardableResult
    public mutating func delete(_ keyPath: [String]) throws -> SourceChange {
        try apply(SourceEdit.delete(keyPath, in: config)) { reloaded in
            guard let still = reloaded.value.value(at: keyPath) else { return nil }
            return "'\(keyPath.joined(separator: "."))' is also defined at \(still.origin.shortDescription)"
        }
    }

    /// Reverts the last edit. Returns false when there is nothing to undo.
    @discardableResult
    public mutating func undo() -> Bool {
        guard let last = history.popLast() else { return false }
        edited = last.edited
        if let reloaded = try? load(edited) { config = reloaded }
        return true
    }

    /// Writes every edited file (temp file, fsync, rename) and forgets the edits.
    public mutating func write() throws {
        for (file, text) in edited.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(Data(text.utf8), to: file)
        }
        edited = [:]
        history = []
    }

    private func load(_ overlay: [String: String]) throws -> ResolvedConfig {
        let disk = diskReader
        return try ConfigLoader(read: { overlay[$0] ?? disk($0) }).load(path, cfgOptions: cfgOptions)
    }

    private mutating func apply(_ change: SourceChange, verify: (ResolvedConfig) -> String?) throws -> SourceChange {
        var overlay = edited
        overlay[change.file] = change.newText
        let reloaded: ResolvedConfig
        do { reloaded = try load(overlay) } catch let e as ConfigError {
            throw SourceEdit.Refusal("the edited file would not load: \(e.message)")
        }
        if let problem = verify(reloaded) { throw SourceEdit.Refusal(problem) }
        history.append((edited, change))
        edited = overlay
        config = reloaded
        return change
    }
}
