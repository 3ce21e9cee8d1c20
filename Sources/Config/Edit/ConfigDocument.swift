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
    /// The wanted text of every file an edit touched (equal to `disk` once written).
    private var texts: [String: String] = [:]
    /// What each touched file holds on disk (its text when first edited, then what `write` wrote). Undo compares
    /// against it, so an edit that was already written can be undone too (and must then be written again).
    private var disk: [String: String] = [:]
    private var history: [(texts: [String: String], change: SourceChange)] = []
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

    /// Sets `keyPath` to `value` with an override written into this config's own file instead of the file (or
    /// span) the value comes from: see `SourceEdit.override`.
    @discardableResult
    public mutating func override(_ keyPath: [String], to value: ConfigValue) throws -> SourceChange {
        try apply(SourceEdit.override(keyPath, to: value, in: config)) { reloaded in
            guard let now = reloaded.value.value(at: keyPath) else { return "the override did not take effect" }
            return now == value ? nil : "the override would give \(now), not \(value)"
        }
    }

    @discardableResult
    public mutating func delete(_ keyPath: [String]) throws -> SourceChange {
        try apply(SourceEdit.delete(keyPath, in: config)) { reloaded in
            guard let still = reloaded.value.value(at: keyPath) else { return nil }
            return "'\(keyPath.joined(separator: "."))' is also defined at \(still.origin.shortDescription)"
        }
    }

    /// The last edit, the one `undo` reverts.
    public var lastChange: SourceChange? { history.last?.change }

    /// Reverts the last edit, written or not (a written one makes its file differ from disk again, so `write`
    /// puts the old text back). Returns false when there is nothing to undo.
    @discardableResult
    public mutating func undo() -> Bool {
        guard let last = history.popLast() else { return false }
        texts = last.texts
        updateEdited()
        if let reloaded = try? load(texts) { config = reloaded }
        return true
    }

    /// Writes the edited files (all of them, or those of `files`) with temp file, fsync and rename. The undo
    /// history is kept: undoing a written edit and writing again restores the old text.
    public mutating func write(files: [String]? = nil) throws {
        for (file, text) in edited.sorted(by: { $0.key < $1.key }) where files?.contains(file) ?? true {
            try AtomicFile.write(Data(text.utf8), to: file)
            disk[file] = text
        }
        updateEdited()
    }

    private mutating func updateEdited() {
        edited = texts.filter { disk[$0.key] != $0.value }
    }

    private func load(_ overlay: [String: String]) throws -> ResolvedConfig {
        let disk = diskReader
        return try ConfigLoader(read: { overlay[$0] ?? disk($0) }).load(path, cfgOptions: cfgOptions)
    }

    private mutating func apply(_ change: SourceChange, verify: (ResolvedConfig) -> String?) throws -> SourceChange {
        var overlay = texts
        overlay[change.file] = change.newText
        let reloaded: ResolvedConfig
        do { reloaded = try load(overlay) } catch let e as ConfigError {
            throw SourceEdit.Refusal("the edited file would not load: \(e.message)")
        }
        if let problem = verify(reloaded) { throw SourceEdit.Refusal(problem) }
        // An untouched file is read from disk, so the change's old text is what the disk holds.
        if disk[change.file] == nil { disk[change.file] = change.oldText }
        var before = texts
        before[change.file] = before[change.file] ?? change.oldText
        history.append((before, change))
        texts = overlay
        updateEdited()
        config = reloaded
        return change
    }
}
