import EngineCore
import EngineData
/// mmcv's `LogBuffer`: per key, the (value, count) history of the current epoch in first-update order, and an
/// `output` of averages that a logger writes and clears (SEMANTICS.md §3.8). Each logger owns one, fed from the
/// run's `.iteration` events; the runner keeps one more as the history a checkpoint carries.
public final class LogBuffer {
    private var history: [String: [(value: Double, count: Int)]] = [:]
    private var order: [String] = []
    public private(set) var output: [(key: String, value: Double)] = []
    public private(set) var ready = false

    public init() {}

    public func update(_ values: [(String, Double)], count: Int = 1) {
        for (key, value) in values {
            if history[key] == nil { order.append(key); history[key] = [] }
            history[key]!.append((value, count))
        }
    }

    /// Count-weighted averages of the last `n` entries of every key (`n == 0`: all of them), written into the
    /// output. As in mmcv, keys without history keep their output value: after a by-iteration evaluation cleared
    /// the history, the logger's averaging leaves the evaluation's metrics in place.
    public func average(_ n: Int = 0) {
        var averaged = order.map { key in
            let entries = n > 0 ? Array(history[key]!.suffix(n)) : history[key]!
            let total = entries.reduce(0) { $0 + $1.count }
            let sum = entries.reduce(0.0) { $0 + $1.value * Double($1.count) }
            return (key: key, value: total > 0 ? sum / Double(total) : .nan)
        }
        for i in output.indices {
            if let j = averaged.firstIndex(where: { $0.key == output[i].key }) { output[i].value = averaged.remove(at: j).value }
        }
        output += averaged
        ready = true
    }

    /// Puts values straight into the output (the EvalHook's metrics) and marks it ready.
    public func setOutput(_ values: [(key: String, value: Double)]) {
        for (k, v) in values {
            if let i = output.firstIndex(where: { $0.key == k }) { output[i].value = v } else { output.append((k, v)) }
        }
        ready = true
    }

    /// An iteration's entries as mmcv's hooks put them into the buffer, in its order: `data_time` (IterTimerHook,
    /// before the step), the values (the model's log variables, then `grad_norm`) weighted by the batch size, then
    /// `time` (IterTimerHook, after the step). Every logger and the runner's history append the same way.
    public func append(_ r: IterationRecord, includingTime: Bool = true) {
        update([("data_time", r.dataTime)])
        update(r.values.map { ($0.key, $0.value) }, count: r.batchSize)
        if includingTime { update([("time", r.time)]) }
    }

    public func clearOutput() { output = []; ready = false }
    public func clear() { history = [:]; order = []; clearOutput() }

    /// The history a later `average(n)` with n ≤ `window` reads: the last `window` entries of every key, keys in
    /// first-update order. A mid-epoch checkpoint keeps it, so the resumed run logs the averages the
    /// uninterrupted run logged.
    public func snapshot(window: Int) -> Snapshot {
        let n = max(1, window)
        // JSON has no inf/NaN (an infinite grad_norm that clipping survived): such an entry is kept with weight 0.
        let tails = order.map { history[$0]!.suffix(n).map { $0.value.isFinite ? $0 : (value: 0, count: 0) } }
        return Snapshot(keys: order, values: tails.map { $0.map(\.value) }, counts: tails.map { $0.map(\.count) })
    }

    /// Replaces the history by `snapshot`'s (the output stays empty until the next `average`).
    public func restore(_ snapshot: Snapshot) {
        clear()
        for (k, key) in snapshot.keys.enumerated() {
            order.append(key)
            history[key] = zip(snapshot.values[k], snapshot.counts[k]).map { ($0, $1) }
        }
    }

    /// Per key (in first-update order) its values and counts, oldest first; as stored in checkpoint metadata.
    public struct Snapshot: Codable, Equatable, Sendable {
        public var keys: [String]
        public var values: [[Double]]
        public var counts: [[Int]]
        public init(keys: [String], values: [[Double]], counts: [[Int]]) { self.keys = keys; self.values = values; self.counts = counts }
    }
}
