import Foundation

/// `reel bench`'s per-layer table. The text columns (name, shape, algorithm) are as wide as their longest entry,
/// so long module names such as `backbone.layer1.0.conv1.conv.net` no longer push the rest of their row out of
/// line; the numbers are right-aligned under their headings.
public enum LayerTable {
    static let numberHeadings = ["fwd ms", "GFLOP/s", "bwd ms", "GFLOP/s"]

    /// The heading line and one line per row, columns separated by two spaces.
    public static func render(_ rows: [Benchmark.LayerRow]) -> [String] {
        let text = rows.map { [$0.name, $0.shape, $0.algorithm] }
        let numbers = rows.map {
            [String(format: "%.2f", $0.forward.median * 1000), String(format: "%.1f", $0.forwardGFLOPS),
             String(format: "%.2f", $0.backward.median * 1000), String(format: "%.1f", $0.backwardGFLOPS)]
        }
        return render(headings: ["layer", "shape", "algo"], text: text, numbers: numbers)
    }

    /// Left-aligned text columns followed by right-aligned number columns, each as wide as its widest cell.
    static func render(headings: [String], text: [[String]], numbers: [[String]]) -> [String] {
        let allHeadings = headings + numberHeadings
        let cells = zip(text, numbers).map { $0 + $1 }
        let widths = allHeadings.indices.map { c in max(allHeadings[c].count, cells.map { $0[c].count }.max() ?? 0) }
        func line(_ row: [String]) -> String {
            row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                return c < headings.count ? row[c] + pad : pad + row[c]
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return [line(allHeadings)] + cells.map(line)
    }
}
