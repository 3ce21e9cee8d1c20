import Foundation
import EngineCore
import EngineData

/// Reading `CheckpointMetadata` from a file someone else may have written: every field is decoded with its type
/// checked, then range-checked, and any problem is a `CheckpointError` naming the file and the field
/// (`__metadata__.reel.hookMessages.bestScore`), never raw `DecodingError` text and never a trap later on.
extension CheckpointMetadata {
    /// Decodes and checks `__metadata__["reel"]` (what holds whatever run uses it; see `validate(forRun…)` for the rest).
    public static func decode(_ json: String, path: String) throws -> CheckpointMetadata {
        let meta: CheckpointMetadata
        do { meta = try JSONDecoder().decode(CheckpointMetadata.self, from: Data(json.utf8)) } catch {
            throw CheckpointError(decoding: error, json: json, integerKeys: ["epoch", "iter", "seed", "rngState", "counts", "threads"],
                                  in: "__metadata__.reel", path: path)
        }
        func fail(_ field: String, _ reason: String) -> CheckpointError {
            CheckpointError(path: path, field: "__metadata__.reel.\(field)", reason: reason)
        }
        guard meta.epoch >= 0 else { throw fail("epoch", "\(meta.epoch) is negative") }
        guard meta.iter >= 0 else { throw fail("iter", "\(meta.iter) is negative") }
        guard meta.iter <= maxIter else { throw fail("iter", "\(meta.iter) is more than any run's \(maxIter) iterations") }
        guard meta.epoch <= meta.iter || meta.iter == 0 && meta.epoch <= maxIter else {
            throw fail("epoch", "\(meta.epoch) completed epochs but only \(meta.iter) iterations")
        }
        if let inner = meta.extra["inner_iter"] {
            guard !inner.isEmpty, inner.count <= 18, inner.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(inner) else {
                throw fail("extra.inner_iter", "'\(inner.prefix(40))' is not a non-negative integer")
            }
            guard n <= meta.iter else { throw fail("extra.inner_iter", "\(n) batches of the epoch done but only \(meta.iter) iterations") }
        }
        if let score = meta.hookMessages.bestScore, !score.isFinite { throw fail("hookMessages.bestScore", "\(score) is not finite") }
        // The seed goes into the .log.json header as a signed integer (mmcv draws seeds below 2^31).
        if let seed = meta.seed, seed > UInt64(Int64.max) { throw fail("seed", "\(seed) is more than 2^63 - 1") }
        if let words = meta.rngState {
            guard words.count % 8 == 0, words.count <= 8 * maxRandomStreams else {
                throw fail("rngState", "\(words.count) words: expected 8 per random stream, at most \(maxRandomStreams) streams")
            }
            for k in stride(from: 0, to: words.count, by: 8) {
                if let problem = Philox.stateProblem(Array(words[k..<k + 8])) { throw fail("rngState[\(k)...\(k + 7)]", problem) }
            }
        }
        if let log = meta.logBuffer { try checkLogBuffer(log, fail: fail) }
        if let threads = meta.threads, !(1...maxThreads).contains(threads) { throw fail("threads", "\(threads) is outside 1...\(maxThreads)") }
        // Strings that end up on the terminal or in log files: no control characters (escape sequences).
        let printed: [(String, String?)] = [
            ("hookMessages.lastCheckpoint", meta.hookMessages.lastCheckpoint), ("hookMessages.bestCheckpoint", meta.hookMessages.bestCheckpoint),
            ("hookMessages.bestMetric", meta.hookMessages.bestMetric), ("configName", meta.configName), ("workDir", meta.workDir),
            ("reelVersion", meta.reelVersion), ("time", meta.time),
        ]
        for (field, value) in printed {
            if let value, value.unicodeScalars.contains(where: isControl) { throw fail(field, "contains control characters") }
        }
        if let config = meta.config, config.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) {
            throw fail("config", "contains control characters")
        }
        return meta
    }

    /// Checks the counters against the run that resumes from them: an epoch-based run cannot resume past its
    /// `total_epochs` or into a batch its epochs do not have; an iteration-based one not past `max_iters`.
    public func validate(byEpoch: Bool, maxEpochs: Int, maxIters: Int, batchesPerEpoch: Int, path: String) throws {
        func fail(_ field: String, _ reason: String) -> CheckpointError {
            CheckpointError(path: path, field: "__metadata__.reel.\(field)", reason: reason)
        }
        let inner = Int(extra["inner_iter"] ?? "") ?? 0
        if byEpoch {
            guard epoch <= maxEpochs else {
                throw fail("epoch", "the checkpoint has completed \(epoch) epochs, more than this run's total_epochs=\(maxEpochs)")
            }
            if inner > 0 {
                guard epoch < maxEpochs else { throw fail("extra.inner_iter", "a position inside epoch \(epoch + 1) of a \(maxEpochs)-epoch run") }
                guard inner < batchesPerEpoch else {
                    throw fail("extra.inner_iter", "batch \(inner) of an epoch that has \(batchesPerEpoch) batches in this run")
                }
            }
        } else {
            guard iter <= maxIters else {
                throw fail("iter", "the checkpoint has completed \(iter) iterations, more than this run's max_iters=\(maxIters)")
            }
            guard inner < max(1, batchesPerEpoch) else {
                throw fail("extra.inner_iter", "batch \(inner) of a loader pass that has \(batchesPerEpoch) batches in this run")
            }
        }
    }

    /// Shape, sizes and values of a saved log buffer: one list of values and one of counts per key, as long as
    /// each other; keys unique and printable (they become log fields); values finite, counts in 0...maxIter.
    private static func checkLogBuffer(_ log: LogBuffer.Snapshot, fail: (String, String) -> CheckpointError) throws {
        guard log.keys.count <= maxLogKeys else { throw fail("logBuffer.keys", "\(log.keys.count) keys, more than \(maxLogKeys)") }
        guard log.values.count == log.keys.count, log.counts.count == log.keys.count else {
            throw fail("logBuffer", "\(log.keys.count) keys but \(log.values.count) value lists and \(log.counts.count) count lists")
        }
        var seen: Set<String> = []
        for (k, key) in log.keys.enumerated() {
            guard !key.isEmpty, key.count <= 100, !key.unicodeScalars.contains(where: isControl), seen.insert(key).inserted else {
                throw fail("logBuffer.keys[\(k)]", "'\(key.prefix(40).unicodeScalars.filter { !isControl($0) })' is empty, "
                           + "longer than 100 characters, repeated or contains control characters")
            }
            guard log.values[k].count == log.counts[k].count, log.values[k].count <= maxLogEntries else {
                throw fail("logBuffer.values[\(k)]", "\(log.values[k].count) values and \(log.counts[k].count) counts "
                           + "(they must pair up, at most \(maxLogEntries))")
            }
            if let v = log.values[k].first(where: { !$0.isFinite }) { throw fail("logBuffer.values[\(k)]", "\(v) is not finite") }
            if let c = log.counts[k].first(where: { !(0...maxIter).contains($0) }) {
                throw fail("logBuffer.counts[\(k)]", "\(c) is outside 0...\(maxIter)")
            }
        }
    }

    /// Bounds on what a checkpoint's metadata may hold; Reel writes one random stream, a handful of log keys and
    /// `log_config.interval` entries per key.
    public static let maxRandomStreams = 64
    static let maxLogKeys = 256
    static let maxLogEntries = 100_000
    static let maxThreads = 1 << 16

    /// No run gets near this many iterations (2^40 ≈ 1.1e12); anything above is a corrupt counter, and staying far
    /// below Int.max keeps every `iter + 1` and ETA computation exact.
    public static let maxIter = 1 << 40

    private static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }
}

extension CheckpointError {
    /// Names the field a `DecodingError` is about, under `prefix`, and says what was wrong in plain words.
    /// Foundation reports a number that does not fit its field (1.5 or 2^64 for an Int) as "not valid JSON" with no
    /// path, so for valid JSON the number is located here by walking the document (`integerKeys`: Int-typed keys).
    init(decoding error: Error, json: String, integerKeys: Set<String>, in prefix: String, path: String) {
        if case .dataCorrupted(let context)? = error as? DecodingError, context.codingPath.isEmpty,
           let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) {
            let field = Self.badNumber(in: object, at: prefix, integerKeys: integerKeys, integerHere: false)
            self.init(path: path, field: field ?? prefix,
                      reason: field == nil ? "does not have the expected layout" : "invalid value (out of range or not an integer)")
            return
        }
        self.init(decoding: error, in: prefix, path: path)
    }

    private static func badNumber(in value: Any, at path: String, integerKeys: Set<String>, integerHere: Bool) -> String? {
        switch value {
        case let d as [String: Any]:
            for (k, v) in d.sorted(by: { $0.key < $1.key }) {
                if let f = badNumber(in: v, at: "\(path).\(k)", integerKeys: integerKeys, integerHere: integerKeys.contains(k)) { return f }
            }
        case let a as [Any]:
            for (i, v) in a.enumerated() {
                if let f = badNumber(in: v, at: "\(path)[\(i)]", integerKeys: integerKeys, integerHere: integerHere) { return f }
            }
        case let n as NSNumber:   // true/false are 1/0 here: integral, never flagged
            let d = n.doubleValue
            if !d.isFinite { return path }
            // Int64's range, or UInt64's for the seed and RNG state.
            let unsigned = path.contains(".seed") || path.contains(".rngState")
            if integerHere && (d != d.rounded() || d < (unsigned ? 0 : -9.223372036854775808e18)
                               || d >= (unsigned ? 1.8446744073709551616e19 : 9.223372036854775808e18)) { return path }
        default: break
        }
        return nil
    }

    init(decoding error: Error, in prefix: String, path: String) {
        guard let error = error as? DecodingError else {
            self.init(path: path, field: prefix, reason: "cannot be read")
            return
        }
        func field(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).reduce(prefix) { text, key in
                key.intValue.map { "\(text)[\($0)]" } ?? "\(text).\(key.stringValue)"
            }
        }
        func typeName(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is UInt64.Type: "an integer"
            case is Double.Type: "a number"
            case is String.Type: "a string"
            case is Bool.Type: "true or false"
            case _ where String(describing: type).hasPrefix("Dictionary"): "an object of strings"
            default: type is any Collection.Type ? "a list" : "an object"
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: path, field: field(context), reason: "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(path: path, field: field(context), reason: "missing (expected \(typeName(type)))")
        case .keyNotFound(let key, let context):
            self.init(path: path, field: field(context, key), reason: "missing")
        case .dataCorrupted(let context):
            self.init(path: path, field: field(context),
                      reason: context.codingPath.isEmpty ? "is not valid JSON" : "invalid value (out of range or malformed)")
        @unknown default:
            self.init(path: path, field: prefix, reason: "cannot be read")
        }
    }
}
