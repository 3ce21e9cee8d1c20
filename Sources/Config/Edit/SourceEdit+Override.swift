extension SourceEdit {
    /// Sets `path` to `value` by adding an override to the loaded config file itself (`config.path`) instead of
    /// editing the text the current value comes from — for a value written in a `_base_` file that other configs
    /// use, or in a span several keys share (`test_pipeline = val_pipeline`, `**img_norm_cfg`).
    ///
    /// Dicts merge with the bases' (mmcv's `_merge_a_into_b`), so only the dicts leading to the value are written:
    /// into the deepest dict this file already writes, else as a new top-level assignment at the end of the file.
    /// A list on the way does not merge, so it is written whole, with the one element changed.
    public static func override(_ path: [String], to value: ConfigValue, in config: ResolvedConfig) throws -> SourceChange {
        guard let first = path.first else { throw Refusal("nothing to override") }
        guard let file = config.files[config.path] else { throw Refusal("the config file is not loaded") }
        // Where the written value starts: at the first list on the way (written whole), else at the value itself.
        var k = path.count
        for i in 1..<path.count where k == path.count && config.value.value(at: Array(path.prefix(i)))?.elements != nil {
            k = i
        }
        var leaf = value
        if k < path.count {
            guard let container = config.value.value(at: Array(path.prefix(k))) else {
                throw Refusal("there is no value at '\(path.prefix(k).joined(separator: "."))'")
            }
            leaf = try replacing(in: container, at: Array(path.dropFirst(k)), with: value)
        }
        // The deepest dict on the way that this file writes as a literal: add the key there.
        for j in stride(from: k - 1, through: 1, by: -1) {
            let dictPath = Array(path.prefix(j))
            guard let d = config.value.value(at: dictPath), case .dict(let dict) = d.content,
                  d.origin.location?.file == config.path, !d.origin.isDerived else { continue }
            if let entry = dict.entry(.string(path[j])), entry.keyOrigin.location?.file == config.path {
                throw Refusal("'\(path.prefix(j + 1).joined(separator: "."))' is already set in \(file.path); edit it there")
            }
            return try insert(key: path[j], value: nest(Array(path[(j + 1)..<k]), leaf), intoDictAt: dictPath, in: config,
                              replacingBaseKey: true)
        }
        guard PythonText.isIdentifier(first) else { throw Refusal("'\(first)' is not a valid Python name") }
        let written = nest(Array(path[1..<k]), leaf)
        let line = first + " = " + PrettyText.format(written, indent: 0, used: first.count + 3) + "\n"
        let prefix = file.text.isEmpty || file.text.hasSuffix("\n") ? "" : "\n"
        return change(file, file.bytes.count..<file.bytes.count, prefix + line)
    }

    /// `dict(a=dict(b=leaf))` for keys `[a, b]`; `leaf` itself for no keys.
    static func nest(_ keys: [String], _ leaf: ConfigValue) -> ConfigValue {
        keys.reversed().reduce(leaf) { inner, key in
            var d = ConfigDict()
            d.set(.string(key), inner)
            return ConfigValue(.dict(d))
        }
    }

    /// A copy of `container` with the value at the relative `path` replaced.
    static func replacing(in container: ConfigValue, at path: [String], with value: ConfigValue) throws -> ConfigValue {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        var copy = container
        switch container.content {
        case .list(var items), .tuple(var items):
            guard let i = Int(head), items.indices.contains(i) else { throw Refusal("there is no item \(head)") }
            items[i] = try replacing(in: items[i], at: rest, with: value)
            if case .list = container.content { copy.content = .list(items) } else { copy.content = .tuple(items) }
        case .dict(var d):
            let key: ConfigKey = d.contains(.string(head)) ? .string(head) : Int(head).map { .int($0) } ?? .string(head)
            guard let inner = d[key] else { throw Refusal("there is no key '\(head)'") }
            d.set(key, try replacing(in: inner, at: rest, with: value))
            copy.content = .dict(d)
        default:
            throw Refusal("'\(head)' is inside a \(container.typeName), not a container")
        }
        return copy
    }
}
