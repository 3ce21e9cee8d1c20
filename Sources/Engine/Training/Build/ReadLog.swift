import Config
import EngineCore
import EngineData

/// A record of what the spec readers read: for each schema component or section, the keys and the default each
/// falls back to. Only the drift test makes one (pass it to `ConfigReader`); the first read of a key wins, so a
/// `has(key)` before a typed read leaves the default unrecorded (`.read`).
public final class ReadLog {
    public enum Default: Equatable, CustomStringConvertible {
        /// Read without a default the log can see (`has`, `value`, a sub-dict, or declared with `accepts`).
        case read
        /// The reader refuses the dict without it.
        case required
        /// What the reader uses when the key is absent or None.
        case value(ConfigValue.Content)

        public var description: String {
            switch self {
            case .read: return "(read)"
            case .required: return "(required)"
            case .value(let c): return PythonText.repr(ConfigValue(c))
            }
        }
    }

    /// component → key → default, keys in first-read order.
    public private(set) var entries: [String: [(key: String, default: Default)]] = [:]

    public init() {}

    func record(_ component: String, _ key: String, _ fallback: Default) {
        if entries[component]?.contains(where: { $0.key == key }) == true { return }
        entries[component, default: []].append((key, fallback))
    }
}
