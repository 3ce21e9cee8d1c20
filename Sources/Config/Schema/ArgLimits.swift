/// The ranges of numeric arguments whose values outside them the engine cannot use (a negative epoch count, a
/// zero batch size, a negative learning rate), by argument name. `SchemaChecker` reports a value outside its range
/// at the value, so `reel config check` rejects it and the dashboard's editor refuses it.
public enum ArgLimits {
    public struct Range: Sendable, Equatable {
        public var min: Double
        public var max: Double?
        public var phrase: String { max.map { "between \(Self.text(min)) and \(Self.text($0))" } ?? "at least \(Self.text(min))" }
        static func text(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
    }

    public static let ranges: [String: Range] = [
        "total_epochs": Range(min: 1), "max_epochs": Range(min: 1), "max_iters": Range(min: 1),
        "lr": Range(min: 0), "weight_decay": Range(min: 0), "momentum": Range(min: 0),
        "videos_per_gpu": Range(min: 1), "workers_per_gpu": Range(min: 0),
        "clip_len": Range(min: 1), "num_clips": Range(min: 1), "frame_interval": Range(min: 1),
        "num_classes": Range(min: 1), "dropout_ratio": Range(min: 0, max: 1),
    ]

    /// Why `value` is outside the range of the argument `name`, or nil.
    public static func problem(_ name: String, _ value: ConfigValue) -> String? {
        guard let r = ranges[name], let v = value.number else { return nil }
        if v < r.min || r.max.map({ v > $0 }) == true { return "'\(name)' must be \(r.phrase), not \(value)" }
        return nil
    }
}
