import Foundation
import EngineCore
import EngineData

extension Runner {
    /// A run id for `RunInfo.runID`: the start time (UTC, sortable) and 24 random bits, so two runs started in one
    /// work dir within the same second are still told apart.
    static func makeRunID(start: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd'T'HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: start) + "-" + String(format: "%06x", UInt32.random(in: 0..<(1 << 24)))
    }

    /// The metric `evaluation.save_best` tracks, when evaluation is configured: the key a resumed run already
    /// tracked for 'auto', else the configured name ('auto' until the first evaluation picks one).
    var saveBestKey: String? {
        guard let key = evaluator?.saveBest else { return nil }
        return key == "auto" ? hookMessages.bestMetric ?? key : key
    }
}
