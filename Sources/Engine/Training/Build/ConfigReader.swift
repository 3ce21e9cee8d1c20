import Config
import EngineCore
import EngineData

/// Typed reads of a component dict from a config, with errors located at the offending value (ConfigError).
/// The spec readers in Build/ use it so a bad model, optimizer or hook setting prints `FILE:LINE:COL: error: …`;
/// nothing outside Build/ reads config values.
///
/// With a `ReadLog`, every key read is recorded under `component` with the default the reader falls back to: the
/// drift test compares that record with the schema (`Registry`), so the two cannot disagree unnoticed.
public struct ConfigReader {
    public let dict: ConfigDict
    public let origin: Origin
    public let files: SourceFiles
    /// The component's name for messages (`ResNetTSM`, `checkpoint_config`).
    public let name: String
    /// The schema component or section the keys belong to (`CenterCrop`, `checkpoint_config`); `name` by default.
    public var component: String
    /// Where reads are recorded (the drift test); nil in normal use.
    public let log: ReadLog?

    public init(_ value: ConfigValue, name: String, files: SourceFiles, component: String? = nil, log: ReadLog? = nil) throws {
        guard case .dict(let d) = value.content else {
            throw files.error("'\(name)' must be a dict, not \(value.typeDescription)", at: value.origin)
        }
        dict = d
        origin = value.origin
        self.files = files
        self.name = name
        self.component = component ?? name
        self.log = log
    }

    /// A reader of another dict of the same config, sharing the files and the log.
    public func reader(_ value: ConfigValue, name: String, component: String? = nil) throws -> ConfigReader {
        try ConfigReader(value, name: name, files: files, component: component, log: log)
    }

    /// The same dict read as another schema component (once its `type` is known).
    public func `as`(_ component: String) -> ConfigReader {
        var r = self
        r.component = component
        return r
    }

    /// Declares keys Reel accepts and does not use, with the decision (`Unused`): they are part of what the reader
    /// accepts, so the schema must list them too. A `.noted` key whose value is not its default gets a one-line
    /// warning in `log.notes` (what `config check` prints and the run logs): nothing is dropped silently.
    public func accepts(_ keys: String..., as decision: Unused) {
        for k in keys {
            switch decision {
            case .inert: log?.record(component, k, .read)
            case .noted(let fallback, _): log?.record(component, k, .value(fallback))
            }
            log?.decide(component, k, decision)
            guard case .noted(let fallback, let why) = decision, let v = dict[k], !Unused.same(v.content, fallback) else { continue }
            // Named by section (`checkpoint_config.filename_tmpl`) or step type (`SampleFrames.start_index`).
            let owner = component == "config" ? "" : (name.contains(" ") ? component : name) + "."
            log?.note(files.error("\(owner)\(k)=\(PythonText.repr(v)) is ignored: \(why)", at: v.origin, severity: .warning))
        }
    }

    /// A one-line warning at `key`'s value (or the dict): a setting Reel honours differently or only notes.
    public func warn(_ message: String, key: String? = nil) {
        let at = key.flatMap { dict[$0]?.origin } ?? origin
        log?.note(files.error(message, at: at, severity: .warning))
    }

    func note(_ key: String, _ fallback: ReadLog.Default) { log?.record(component, key, fallback) }

    public func error(_ message: String, key: String? = nil) -> ConfigError {
        if let key, let v = dict[key] { return files.error(message, at: v.origin) }
        return files.error(message, at: origin)
    }

    public func has(_ key: String) -> Bool { note(key, .read); return dict[key].map { !$0.isNone } ?? false }

    public func value(_ key: String) -> ConfigValue? { note(key, .read); return dict[key] }

    public func int(_ key: String, _ fallback: Int? = nil) throws -> Int {
        note(key, fallback.map { .value(.int($0)) } ?? .required)
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let i = v.int else { throw files.error("'\(key)' must be an int, not \(v.typeDescription)", at: v.origin) }
        return i
    }

    public func double(_ key: String, _ fallback: Double? = nil) throws -> Double {
        note(key, fallback.map { .value(.float($0)) } ?? .required)
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let d = v.number else { throw files.error("'\(key)' must be a number, not \(v.typeDescription)", at: v.origin) }
        return d
    }

    public func optionalDouble(_ key: String) throws -> Double? {
        note(key, .value(.none))
        return dict[key].map { !$0.isNone } ?? false ? try double(key) : nil
    }

    public func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        note(key, .value(.bool(fallback)))
        guard let v = dict[key], !v.isNone else { return fallback }
        guard let b = v.bool else { throw files.error("'\(key)' must be True or False, not \(v.typeDescription)", at: v.origin) }
        return b
    }

    public func string(_ key: String, _ fallback: String? = nil) throws -> String {
        note(key, fallback.map { .value(.string($0)) } ?? .required)
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let s = v.string else { throw files.error("'\(key)' must be a string, not \(v.typeDescription)", at: v.origin) }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        note(key, .value(.none))
        return dict[key].map { !$0.isNone } ?? false ? try string(key) : nil
    }

    /// An int, or a list/tuple of ints.
    public func ints(_ key: String, _ fallback: [Int]) throws -> [Int] {
        note(key, fallback.isEmpty ? .required : .value(.tuple(fallback.map { ConfigValue(.int($0)) })))
        guard let v = dict[key], !v.isNone else { return fallback }
        if let i = v.int { return [i] }
        guard let items = v.elements, let ints = Optional(items.compactMap(\.int)), ints.count == items.count else {
            throw files.error("'\(key)' must be an int or a list of ints, not \(v.typeDescription)", at: v.origin)
        }
        return ints
    }

    public func doubles(_ key: String, _ fallback: [Double]) throws -> [Double] {
        note(key, fallback.isEmpty ? .required : .value(.tuple(fallback.map { ConfigValue(.float($0)) })))
        guard let v = dict[key], !v.isNone else { return fallback }
        if let d = v.number { return [d] }
        guard let items = v.elements, let ds = Optional(items.compactMap(\.number)), ds.count == items.count else {
            throw files.error("'\(key)' must be a number or a list of numbers, not \(v.typeDescription)", at: v.origin)
        }
        return ds
    }

    public func sub(_ key: String) throws -> ConfigReader? {
        note(key, .read)
        guard let v = dict[key], !v.isNone else { return nil }
        return try ConfigReader(v, name: key, files: files, log: log)
    }

    /// Refuses a value other than the one Reel implements, naming what it supports.
    /// An empty `fallback` makes the key required (recorded so; the message names the empty value, as before).
    public func require(_ key: String, in allowed: [String], default fallback: String) throws -> String {
        note(key, fallback.isEmpty ? .required : .value(.string(fallback)))
        let s = try string(key, fallback)
        guard allowed.contains(s) else {
            throw error("\(name): \(key)='\(s)' is not supported by Reel (supported: \(allowed.joined(separator: ", ")))", key: key)
        }
        return s
    }
}
