import Foundation
import EngineCore

/// `dataset.evaluate` metrics (SEMANTICS.md §7), with mmaction2's result keys: top-k and mean class accuracy for
/// single-label datasets, the two mean average precisions for multi-label (`multi_class=True`) ones.
public enum Metrics {
    /// The metric names Reel evaluates.
    public static let supported = ["top_k_accuracy", "mean_class_accuracy", "mean_average_precision", "mmit_mean_average_precision"]
    /// The metrics that need one class per video.
    public static let singleLabel: Set = ["top_k_accuracy", "mean_class_accuracy"]

    /// Every metric a dataset's targets admit (what the dashboard shows for a checkpoint): the accuracies for one
    /// class per video, the mean average precisions for label sets.
    public static func all(multiLabel: Bool) -> [String] {
        multiLabel ? ["mean_average_precision", "mmit_mean_average_precision"] : ["top_k_accuracy", "mean_class_accuracy"]
    }

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

    /// mmaction2's `binary_precision_recall_curve` summed into an average precision: the scores ranked from the
    /// highest, one threshold per distinct score, AP = Σ (recall_j − recall_{j−1})·precision_j up to full recall.
    /// NaN when `positives` is empty (NumPy's 0/0 recall), as in mmaction2.
    public static func averagePrecision(scores: [Float], positives: Set<Int>) -> Double {
        guard !positives.isEmpty else { return .nan }
        // NumPy's argsort(kind='mergesort')[::-1]: descending, ties with the higher index first (only the grouping
        // of ties matters below).
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 > $1 }
        let total = Double(positives.count)
        var tp = 0.0, ap = 0.0, recalled = 0.0
        for (rank, i) in order.enumerated() {
            if positives.contains(i) { tp += 1 }
            // A threshold sits at the last item of each run of equal scores.
            if rank + 1 < order.count && scores[order[rank + 1]] == scores[i] { continue }
            let recall = tp / total
            ap += (recall - recalled) * (tp / Double(rank + 1))
            recalled = recall
            if tp == total { break }
        }
        return ap
    }

    /// `mean_average_precision`: the AP of each class over the videos, averaged over the classes whose AP is a
    /// number (classes no video has are left out); NaN when none is.
    public static func meanAveragePrecision(scores: [[Float]], labelSets: [[Int]]) -> Double {
        let k = scores.first?.count ?? 0
        // Each class's videos, in one pass over the label sets.
        var positives = [Set<Int>](repeating: [], count: k)
        for (video, set) in labelSets.enumerated() { for c in set where c < k { positives[c].insert(video) } }
        let aps = (0..<k).map { c in averagePrecision(scores: scores.map { $0[c] }, positives: positives[c]) }.filter { !$0.isNaN }
        return aps.isEmpty ? .nan : aps.reduce(0, +) / Double(aps.count)
    }

    /// `mmit_mean_average_precision`: the AP of each video over the classes, averaged over the videos (NaN if a
    /// video has no label, as NumPy's mean of a NaN is).
    public static func mmitMeanAveragePrecision(scores: [[Float]], labelSets: [[Int]]) -> Double {
        guard !scores.isEmpty else { return .nan }
        let aps = zip(scores, labelSets).map { averagePrecision(scores: $0, positives: Set($1)) }
        return aps.reduce(0, +) / Double(aps.count)
    }

    /// Evaluates `metrics` in the given order and returns the results in mmaction2's key order. The accuracies
    /// need class-index targets (a multi_class dataset's label sets are refused with an error naming the metric).
    public static func evaluate(scores: [[Float]], targets: Targets, metrics: [String], topk: [Int] = [1, 5]) throws
        -> [(key: String, value: Double)]
    {
        guard scores.count == targets.count else {
            throw PipelineError(message: "evaluate: \(scores.count) results for \(targets.count) videos")
        }
        var out: [(key: String, value: Double)] = []
        for metric in metrics {
            if singleLabel.contains(metric), case .labelSets = targets {
                throw PipelineError(message: "metric '\(metric)' needs one label per video; a multi_class dataset is evaluated with "
                                    + "mean_average_precision or mmit_mean_average_precision")
            }
            switch (metric, targets) {
            case ("top_k_accuracy", .classes(let labels)): out += topKAccuracy(scores: scores, labels: labels, topk: topk)
            case ("mean_class_accuracy", .classes(let labels)):
                out.append(("mean_class_accuracy", meanClassAccuracy(scores: scores, labels: labels)))
            case ("mean_average_precision", _):
                out.append((metric, meanAveragePrecision(scores: scores, labelSets: targets.sets)))
            case ("mmit_mean_average_precision", _):
                out.append((metric, mmitMeanAveragePrecision(scores: scores, labelSets: targets.sets)))
            default: throw PipelineError(message: "metric '\(metric)' is not supported (supported: \(supported.joined(separator: ", ")))")
            }
        }
        return out
    }

    /// Single-label evaluation (`evaluate` on class-index targets).
    public static func evaluate(scores: [[Float]], labels: [Int], metrics: [String], topk: [Int] = [1, 5]) throws
        -> [(key: String, value: Double)]
    {
        try evaluate(scores: scores, targets: .classes(labels), metrics: metrics, topk: topk)
    }
}
