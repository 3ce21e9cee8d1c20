import EngineCore
import EngineData
/// The seed a run uses and why (logged as mmaction2's "Set random seed to …" line, with the reason).
///
/// Order: `--seed` wins; a resumed run then takes the checkpoint's seed — the loader's shuffle and augmentation
/// streams are keyed by it, so any other seed would continue a different run — even over the config's `seed=`
/// (which names how the run started, and the checkpoint records the seed it actually used); then the config's
/// `seed=`; else a random one in [0, 2^31), as tools/train.py draws (SEMANTICS.md §2.8). mmcv itself reseeds a
/// resumed run with the new `--seed` or a random one and only shows the checkpoint's seed in the log header
/// (§2.6); Reel continues the run (docs/differences.md).
public struct RunSeed: Equatable, Sendable {
    public var value: UInt64
    /// Where it came from, for the log: "--seed", "the checkpoint …", "the config's seed", "drawn at random".
    public var reason: String

    public init(value: UInt64, reason: String) { self.value = value; self.reason = reason }

    /// - Parameters:
    ///   - explicit: `--seed` (or the dashboard's run options).
    ///   - config: the config's `seed=`, if any.
    ///   - checkpoint: the resumed checkpoint's path and recorded seed (nil seed: a file from before Reel kept it).
    public static func choose(explicit: UInt64?, config: UInt64?, checkpoint: (path: String, seed: UInt64?)?,
                              random: () -> UInt64 = { UInt64.random(in: 0..<(1 << 31)) }) -> RunSeed {
        if let explicit {
            var reason = "--seed"
            if let checkpoint, let saved = checkpoint.seed, saved != explicit {
                reason += "; the checkpoint's seed \(saved) is not used, so the resumed run does not continue it exactly"
            }
            return RunSeed(value: explicit, reason: reason)
        }
        if let checkpoint, let saved = checkpoint.seed {
            var reason = "the seed of \(checkpoint.path), which this run resumes"
            if let config, config != saved { reason += "; the config's seed=\(config) applies to new runs only" }
            return RunSeed(value: saved, reason: reason)
        }
        let missing = checkpoint == nil ? "" : "; the checkpoint records no seed, so the resumed run is not exact"
        if let config { return RunSeed(value: config, reason: "the config's seed" + missing) }
        return RunSeed(value: random(), reason: "drawn at random" + missing)
    }

    /// mmaction2's line, with the reason.
    public func logLine(deterministic: Bool) -> String {
        "Set random seed to \(value), deterministic: \(deterministic ? "True" : "False") (\(reason))"
    }
}
