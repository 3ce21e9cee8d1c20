/// Validates a resolved config against the `Registry` (what `reel config check` runs).
///
/// Reports, located at the offending text: an unknown component type (at the `type` value, with a did-you-mean
/// and the supported list), an unknown argument (at the key), a value of the wrong type (at the value), a missing
/// required argument (at the dict), and a warning for a known mmaction2 feature Reel does not implement.
public enum SchemaChecker {
    public static func check(_ config: ResolvedConfig) -> [ConfigError] {
        var checker = Walker(config: config)
        for entry in config.root {
            guard case .string(let key) = entry.key else { continue }
            if let reason = Registry.unsupportedTopLevel[key] {
                if !entry.value.isNone {
                    checker.warn("'\(key)' is not supported by Reel yet: \(reason)", at: entry.keyOrigin)
                }
                continue
            }
            if let arg = Registry.topLevel.first(where: { $0.name == key }) {
                checker.check(entry.value, as: arg.type, name: key)
            }
        }
        for required in Registry.topLevel where required.isRequired && config.root[required.name] == nil {
            checker.problems.append(ConfigError(
                message: "the config has no '\(required.name)' (\(required.doc))",
                location: SourceLocation(file: config.path, line: 1, column: 1, bytes: 0..<0),
                sourceLine: config.files[config.path]?.line(1) ?? "", severity: .warning))
        }
        return checker.problems.sorted { a, b in
            (a.location.file, a.location.line, a.location.column) < (b.location.file, b.location.line, b.location.column)
        }
    }

    struct Walker {
        let config: ResolvedConfig
        var problems: [ConfigError] = []

        mutating func error(_ message: String, at origin: Origin, note: String? = nil) {
            problems.append(config.error(message, at: origin, note: note))
        }
        mutating func warn(_ message: String, at origin: Origin) {
            problems.append(config.error(message, at: origin, severity: .warning))
        }

        /// True when `value` has `type`; reports the first mismatch inside containers.
        @discardableResult
        mutating func check(_ value: ConfigValue, as type: ArgType, name: String) -> Bool {
            switch (type, value.content) {
            case (.int, .int), (.float, .int), (.float, .float):
                if let problem = ArgLimits.problem(name, value) { error(problem, at: value.origin); return false }
                return true
            case (.any, _), (.bool, .bool), (.string, .string), (.none, .none), (.dict, .dict):
                return true
            case (.optional(let inner), _):
                return value.isNone || check(value, as: inner, name: name)
            case (.oneOf(let options), _):
                if let match = options.first(where: { Self.shallowMatch(value, $0) }) { return check(value, as: match, name: name) }
            case (.list(let inner), .list(let items)), (.tuple(let inner), .tuple(let items)),
                 (.sequence(let inner), .list(let items)), (.sequence(let inner), .tuple(let items)):
                for (i, item) in items.enumerated() where !check(item, as: inner, name: "\(name)[\(i)]") { return false }
                return true
            case (.choice(let options), .string(let s)):
                if options.contains(s) { return true }
                error("'\(name)' must be \(type.phrase), not '\(s)'", at: value.origin,
                      note: Suggestion.closest(to: s, in: options).map { "did you mean '\($0)'?" })
                return false
            case (.component(let kind), .dict(let d)):
                checkComponent(d, kind: kind, at: value.origin, name: name)
                return true
            case (.components(let kind), .list(let items)), (.components(let kind), .tuple(let items)):
                for (i, item) in items.enumerated() { check(item, as: .component(kind), name: "\(name)[\(i)]") }
                return true
            case (.section(let sectionName), .dict(let d)):
                if let schema = Registry.section(sectionName) { checkArgs(d, schema: schema, at: value.origin, skip: nil) }
                return true
            default:
                break
            }
            error("'\(name)' must be \(type.phrase), not \(value.typeDescription)", at: value.origin)
            return false
        }

        /// Whether the value's outer shape fits the type (to pick a `oneOf` alternative).
        static func shallowMatch(_ value: ConfigValue, _ type: ArgType) -> Bool {
            switch (type, value.content) {
            case (.any, _), (.bool, .bool), (.int, .int), (.float, .int), (.float, .float), (.string, .string),
                 (.none, .none), (.dict, .dict), (.choice, .string), (.component, .dict), (.section, .dict),
                 (.list, .list), (.tuple, .tuple), (.sequence, .list), (.sequence, .tuple),
                 (.components, .list), (.components, .tuple):
                return true
            case (.optional(let inner), _): return value.isNone || shallowMatch(value, inner)
            default: return false
            }
        }

        mutating func checkComponent(_ d: ConfigDict, kind: ComponentKind, at origin: Origin, name: String) {
            let typeKey = kind == .lrPolicy ? "policy" : "type"
            let supported = Registry.names(kind)
            guard let typeValue = d[typeKey] else {
                error("'\(name)' needs \(typeKey)=… naming a \(kind.noun)", at: origin,
                      note: "supported: \(supported.joined(separator: ", "))")
                return
            }
            guard let raw = typeValue.string else {
                error("'\(typeKey)' must be a string, not \(typeValue.typeDescription)", at: typeValue.origin)
                return
            }
            let typeName = kind == .lrPolicy ? Registry.normalisedPolicy(raw) : raw
            guard let schema = Registry.component(kind, typeName) else {
                let all = Registry.names(kind, includeUnsupported: true)
                let guess = Suggestion.closest(to: raw, in: all)
                var message = kind == .lrPolicy ? "unknown \(kind.noun) '\(raw)'" : "unknown \(kind.noun) type '\(raw)'"
                if kind == .lrPolicy, raw != typeName { message += " (mmcv looks up '\(typeName)')" }
                error(message, at: typeValue.origin,
                      note: (guess.map { "did you mean '\($0)'? " } ?? "") + "supported: \(supported.joined(separator: ", "))")
                return
            }
            if case .unsupported(let reason) = schema.support {
                warn("\(kind.noun) '\(typeName)' is not supported by Reel yet: \(reason)", at: typeValue.origin)
                return
            }
            checkArgs(d, schema: schema, at: origin, skip: typeKey)
        }

        mutating func checkArgs(_ d: ConfigDict, schema: ComponentSchema, at origin: Origin, skip: String?) {
            for entry in d {
                guard case .string(let key) = entry.key else {
                    error("'\(schema.name)' takes named arguments only, not the key \(entry.key)", at: entry.keyOrigin)
                    continue
                }
                if key == skip { continue }
                guard let arg = schema.arg(key) else {
                    if schema.acceptsExtraArgs { continue }
                    let guess = Suggestion.closest(to: key, in: schema.args.map(\.name))
                    error("unknown argument '\(key)' for \(schema.name)", at: entry.keyOrigin,
                          note: guess.map { "did you mean '\($0)'?" }
                              ?? "arguments: \(schema.args.map(\.name).joined(separator: ", "))")
                    continue
                }
                check(entry.value, as: arg.type, name: key)
            }
            for arg in schema.args where arg.isRequired && d[arg.name] == nil {
                error("\(schema.name) needs '\(arg.name)' (\(arg.doc))", at: origin)
            }
        }
    }
}
