import Foundation

/// A plain terminal chart of an LR curve for `reel inspect lr`: one column per group of iterations (its mean),
/// block glyphs for the level, the y range on the left and epochs along the bottom.
enum LRChart {
    static func render(_ values: [Double], itersPerEpoch: Int, width: Int, height: Int) -> String {
        guard let lo = values.min(), let hi = values.max(), !values.isEmpty else { return "(no iterations)" }
        let label = 10
        let cols = max(10, min(values.count, width - label - 2))
        let per = Double(values.count) / Double(cols)
        let column = (0..<cols).map { c -> Double in
            let a = Int(Double(c) * per), b = max(a + 1, Int(Double(c + 1) * per))
            let slice = values[a..<min(b, values.count)]
            return slice.reduce(0, +) / Double(slice.count)
        }
        let span = hi - lo
        let glyphs: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        var lines: [String] = []
        for row in (0..<height).reversed() {
            var line = ""
            for v in column {
                let level = span > 0 ? (v - lo) / span * Double(height) : Double(height) / 2
                let fill = level - Double(row)
                line.append(fill >= 1 ? "█" : fill <= 0 ? (row == 0 && fill > -0.01 ? "▁" : " ") : glyphs[Int(fill * 8)])
            }
            let axis = row == height - 1 ? String(format: "%.2e", hi) : row == 0 ? String(format: "%.2e", lo) : ""
            lines.append(axis.padding(toLength: label, withPad: " ", startingAt: 0) + "│" + line)
        }
        lines.append(String(repeating: " ", count: label) + "└" + String(repeating: "─", count: cols))
        let epochs = values.count / max(1, itersPerEpoch)
        lines.append(String(repeating: " ", count: label + 1) + "iteration 0 … \(values.count - 1)" + (epochs > 0 ? " (\(epochs) epochs of \(itersPerEpoch))" : ""))
        return lines.joined(separator: "\n")
    }
}
