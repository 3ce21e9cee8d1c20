import Foundation
import EngineCore

/// `dataset.evaluate` metrics for single-label recognition (SEMANTICS.md §7), with mmaction2's result keys.
public enum Metrics {
    /// The metric names Reel evaluates.
    public static let supported = ["top_k_accuracy", "mean_class_accuracy"]

    /// The keys `evaluate` returns for these metrics, in its order (what `save_best` may name).
    public static func keys(metrics: [String], topk: [Int]) -> [String] {
        metrics.flatMap { $0 == "top_k_accuracy" ? topk.map { "top\($0)_acc" } : [$0] }
    }

    /// `top{k}_acc` per k (ties: the higher class index ranks first), as float64 fractions.
    public static func topKAccuracy(scores: [[Float]], labels: [Int], topk: [Int]) -> [(key: String, value: Double)] {
        var hits = [Int](repeating: 0, count: topk.count)
        for (row, label) in zip(scores, labels) {
            let order = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 > $1 }
            for (t, k) in topk.enumerated() where order.prefix(k).contains(label) { hits[t] += 1 }
        }
        return zip(topk, hits).map { ("top\($0)_acc", labels.isEmpty ? 0 : Double($1) / Double(labels.count)) }
    }

    /// mmaction2's `mean_class_accuracy`: argmax predictions (the lowest index wins ties); the mean, over the union
    /// of true and predicted classes, of hits / true count — a class only ever predicted counts as 0.
    public static func meanClassAccuracy(scores: [[Float]], labels: [Int]) -> Double {
        var total: [Int: Int] = [:], hits: [Int: Int] = [:]
        var classes = Set<Int>()
        for (row, label) in zip(scores, labels) {
            var best = 0
            for i in row.indices where row[i] > row[best] { best = i }
            classes.insert(best); classes.insert(label)
            total[label, default: 0] += 1
            if best == label { hits[label, default: 0] += 1 }
        }
        guard !classes.isEmpty else { return 0 }
        let sum = classes.reduce(0.0) { acc, c in
            acc + (total[c].map { Double(hits[c] ?? 0) / Double($0) } ?? 0)
        }
        return sum / Double(classes.count)
    }

    /// Evaluates `metrics` in the given order and returns the results in mmaction2's key order.
    public static func evaluate(scores: [[Float]], labels: [Int], metrics: [String], topk: [Int] = [1, 5]) throws
        -> [(key: String, value: Double)]
    {
        guard scores.count == labels.count else {
            throw PipelineError(message: "evaluate: \(scores.count) results for \(labels.count) videos")
        }
        var out: [(key: String, value: Double)] = []
        for metric in metrics {
            switch metric {
            case "top_k_accuracy": out += topKAccuracy(scores: scores, labels: labels, topk: topk)
            case "mean_class_accuracy": out.append(("mean_class_accuracy", meanClassAccuracy(scores: scores, labels: labels)))
            default: throw PipelineError(message: "metric '\(metric)' is not supported (supported: \(supported.joined(separator: ", ")))")
            }
        }
        return out
    }
}
