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

    /// component → key → what Reel does with a key it accepts and does not use (`ConfigReader.accepts`).
    public private(set) var decisions: [String: [String: Unused]] = [:]
    /// The one-line warnings of the reading (a setting that has no effect in Reel, a deprecated key), in order.
    public private(set) var notes: [ConfigError] = []

    /// What a `pretrained=` URL does: `.refused` (training: Reel cannot download weights) or `.noted` (`config check
    /// --build`: a warning saying where to put the file, and the backbone starts from scratch).
    public enum PretrainedURLs: Sendable { case refused, noted }
    public var pretrainedURLs = PretrainedURLs.refused

    public init(pretrainedURLs: PretrainedURLs = .refused) { self.pretrainedURLs = pretrainedURLs }

    /// Adds a warning once: a section read for several splits (the loader settings) warns once.
    func note(_ warning: ConfigError) { if !notes.contains(warning) { notes.append(warning) } }

    func decide(_ component: String, _ key: String, _ decision: Unused) { decisions[component, default: [:]][key] = decision }

    func record(_ component: String, _ key: String, _ fallback: Default) {
        if entries[component]?.contains(where: { $0.key == key }) == true { return }
        entries[component, default: []].append((key, fallback))
    }
}

/// What Reel does with a config key it accepts and does not use. A key whose value would change what mmcv does is
/// either honoured or refused by its reader; the rest are one of these.
public enum Unused: Equatable {
    /// No value can change what Reel computes (the reason says why, e.g. the model has no deformable convolutions):
    /// accepted without a note.
    case inert(String)
    /// Reel does not do what a value other than `default` asks (a GPU or storage option): such a value is accepted
    /// with a one-line warning that ends with `why`.
    case noted(default: ConfigValue.Content, why: String)

    /// Equal as config values, numbers by value (`0` and `0.0`), lists and tuples alike.
    static func same(_ a: ConfigValue.Content, _ b: ConfigValue.Content) -> Bool {
        let x = ConfigValue(a), y = ConfigValue(b)
        if x.bool == nil, y.bool == nil, let m = x.number, let n = y.number { return m == n }
        if let xs = x.elements, let ys = y.elements { return xs.count == ys.count && zip(xs, ys).allSatisfy { same($0.content, $1.content) } }
        return a == b
    }
}
