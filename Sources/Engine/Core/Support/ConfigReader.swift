import Config

/// Typed reads of a component dict from a config, with errors located at the offending value (ConfigError).
/// The engine's builders use it so a bad model, optimizer or hook setting prints `FILE:LINE:COL: error: …`.
public struct ConfigReader {
    public let dict: ConfigDict
    public let origin: Origin
    public let files: SourceFiles
    /// The component's name for messages (`ResNetTSM`, `checkpoint_config`).
    public let name: String

    public init(_ value: ConfigValue, name: String, files: SourceFiles) throws {
        guard case .dict(let d) = value.content else {
            throw files.error("'\(name)' must be a dict, not \(value.typeDescription)", at: value.origin)
        }
        dict = d
        origin = value.origin
        self.files = files
        self.name = name
    }

    public func error(_ message: String, key: String? = nil) -> ConfigError {
        if let key, let v = dict[key] { return files.error(message, at: v.origin) }
        return files.error(message, at: origin)
    }

    public func has(_ key: String) -> Bool { dict[key].map { !$0.isNone } ?? false }

    public func value(_ key: String) -> ConfigValue? { dict[key] }

    public func int(_ key: String, _ fallback: Int? = nil) throws -> Int {
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let i = v.int else { throw files.error("'\(key)' must be an int, not \(v.typeDescription)", at: v.origin) }
        return i
    }

    public func double(_ key: String, _ fallback: Double? = nil) throws -> Double {
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let d = v.number else { throw files.error("'\(key)' must be a number, not \(v.typeDescription)", at: v.origin) }
        return d
    }

    public func optionalDouble(_ key: String) throws -> Double? { has(key) ? try double(key) : nil }

    public func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let v = dict[key], !v.isNone else { return fallback }
        guard let b = v.bool else { throw files.error("'\(key)' must be True or False, not \(v.typeDescription)", at: v.origin) }
        return b
    }

    public func string(_ key: String, _ fallback: String? = nil) throws -> String {
        guard let v = dict[key], !v.isNone else {
            if let fallback { return fallback }
            throw error("\(name) needs '\(key)'")
        }
        guard let s = v.string else { throw files.error("'\(key)' must be a string, not \(v.typeDescription)", at: v.origin) }
        return s
    }

    public func optionalString(_ key: String) throws -> String? { has(key) ? try string(key) : nil }

    /// An int, or a list/tuple of ints.
    public func ints(_ key: String, _ fallback: [Int]) throws -> [Int] {
        guard let v = dict[key], !v.isNone else { return fallback }
        if let i = v.int { return [i] }
        guard let items = v.elements, let ints = Optional(items.compactMap(\.int)), ints.count == items.count else {
            throw files.error("'\(key)' must be an int or a list of ints, not \(v.typeDescription)", at: v.origin)
        }
        return ints
    }

    public func doubles(_ key: String, _ fallback: [Double]) throws -> [Double] {
        guard let v = dict[key], !v.isNone else { return fallback }
        if let d = v.number { return [d] }
        guard let items = v.elements, let ds = Optional(items.compactMap(\.number)), ds.count == items.count else {
            throw files.error("'\(key)' must be a number or a list of numbers, not \(v.typeDescription)", at: v.origin)
        }
        return ds
    }

    public func sub(_ key: String) throws -> ConfigReader? {
        guard let v = dict[key], !v.isNone else { return nil }
        return try ConfigReader(v, name: key, files: files)
    }

    /// Refuses a value other than the one Reel implements, naming what it supports.
    public func require(_ key: String, in allowed: [String], default fallback: String) throws -> String {
        let s = try string(key, fallback)
        guard allowed.contains(s) else {
            throw error("\(name): \(key)='\(s)' is not supported by Reel (supported: \(allowed.joined(separator: ", ")))", key: key)
        }
        return s
    }
}
