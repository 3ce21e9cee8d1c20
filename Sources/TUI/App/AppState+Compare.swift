import Foundation

extension AppState {
    mutating func handleCompare(_ key: Key) -> [AppEffect] {
        let runs = compare.runs
        switch key {
        case .up, .char("k"): compare.cursor = max(0, compare.cursor - 1)
        case .down, .char("j"): compare.cursor = min(max(0, runs.count - 1), compare.cursor + 1)
        case .char(" "), .enter:
            guard runs.indices.contains(compare.cursor) else { break }
            let id = runs[compare.cursor].id
            if let i = compare.chosen.firstIndex(of: id) { compare.chosen.remove(at: i) } else { compare.chosen.append(id) }
        case .char("m"):
            // The next evaluation metric any shown run has.
            var keys: [String] = []
            for r in compare.shown { for k in r.metricKeys where !keys.contains(k) { keys.append(k) } }
            guard !keys.isEmpty else { message = "no evaluation metrics in the shown runs"; break }
            let i = compare.metricKey.flatMap { keys.firstIndex(of: $0) } ?? -1
            compare.metric = keys[(i + 1) % keys.count]
            message = "metric: \(compare.metric!)"
        case .char("L"):
            lrLogScale.toggle()
            message = lrLogScale ? "lr chart: log scale" : "lr chart: linear scale"
        case .ctrl("r"):
            message = "looking for runs again"
            return [.rescanRuns]
        default: break
        }
        return []
    }
}
