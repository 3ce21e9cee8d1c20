import Foundation

/// A line chart in braille dots (2×4 per cell) with a y axis (max, mid, min labels at one precision, never two alike),
/// an x axis (first and last x, a unit, and ticks such as epoch starts), a title with a colour legend, and an optional
/// marked point (e.g. the best evaluation). Series share the axes; NaNs are gaps.
///
/// A series without `xs` spreads its values over the whole width (value i of n at i/n); with `xs` (ascending) and
/// the chart's `xRange`, each value sits at its own x, so runs of different lengths overlay on one axis (Compare).
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var values: [Double]
        public var style: Style
        /// The x of each value (ascending), when values do not fill the chart's x range evenly.
        public var xs: [Double]?
        /// Shown in the legend with a swatch in `style`.
        public var name: String?
        public init(_ values: [Double], style: Style, xs: [Double]? = nil, name: String? = nil) {
            self.values = values; self.style = style; self.xs = xs; self.name = name
        }
    }
    public var title: String
    public var series: [Series]
    /// x of the first value and of the last (e.g. iteration numbers), for the x axis.
    public var xRange: (Double, Double)?
    /// Marks on the x axis (e.g. where each epoch starts), in x units; thinned out when they would touch.
    public var xTicks: [(x: Double, label: String)] = []
    /// What x counts ("iter"), after the last x label.
    public var xUnit: String?
    public var mark: (index: Int, label: String)?
    public var logScale = false
    public var axisStyle: Style
    public var titleStyle: Style

    public init(title: String, series: [Series], xRange: (Double, Double)? = nil, mark: (Int, String)? = nil,
                axisStyle: Style = .plain, titleStyle: Style = .plain) {
        self.title = title; self.series = series; self.xRange = xRange
        self.mark = mark.map { (index: $0.0, label: $0.1) }; self.axisStyle = axisStyle; self.titleStyle = titleStyle
    }

    /// Compact number labels: 1.2e-03, 0.45, 120, 3.4k.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 10_000 { return String(format: "%.1fk", v / 1000) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 0.1 { return String(format: "%.3g", v) }
        return String(format: "%.1e", v)
    }

    /// Labels for `values` (top to bottom) in one notation and precision, with the fewest digits that tell them apart
    /// (`2.090 2.085 2.080`, never `2.09 2.08 2.08`). Equal values give a single label.
    public static func axisLabels(_ values: [Double], exponent: Bool = false) -> [String] {
        guard let first = values.first else { return [] }
        if values.allSatisfy({ $0 == first }) { return [label(first)] }
        let m = values.map(abs).max() ?? 0
        let formats: [(Double) -> String]
        if exponent || m < 0.1 {
            formats = (1...5).map { d in { String(format: "%.\(d)e", $0) } }
        } else if m >= 10_000 {
            formats = (1...4).map { d in { String(format: "%.\(d)fk", $0 / 1000) } }
        } else {
            formats = ((m >= 10 ? 0 : 1)...6).map { d in { String(format: "%.\(d)f", $0) } }
        }
        for f in formats {
            let l = values.map(f)
            if Set(l).count == l.count { return l }
        }
        return values.map(formats.last!)
    }

    public func draw(in r: Rect, on s: inout ScreenBuffer) {
        guard r.height >= 3, r.width >= 12 else { return }
        drawTitle(in: r, on: &s)
        let keep = { (v: Double) in v.isFinite && (!logScale || v > 0) }
        var lo0 = Double.infinity, hi0 = -Double.infinity
        for sr in series { for v in sr.values where keep(v) { lo0 = min(lo0, v); hi0 = max(hi0, v) } }
        let plotTop = r.y + 1, plotHeight = r.height - 2
        guard lo0 <= hi0, plotHeight > 0 else {
            s.put("no data yet", x: r.x + 2, y: r.y + 1, style: axisStyle, clip: r)
            return
        }
        let t = { (v: Double) in logScale ? log10(v) : v }
        var lo = t(lo0), hi = t(hi0)
        let flat = hi - lo < 1e-12
        if flat { lo -= 0.5 * max(abs(lo), 1e-9); hi += 0.5 * max(abs(hi), 1e-9) }
        let labels = flat ? Self.axisLabels([hi0]) : Self.axisLabels([hi0, logScale ? pow(10, (lo + hi) / 2) : (lo0 + hi0) / 2, lo0], exponent: logScale)
        let labelWidth = (labels.map(\.count).max() ?? 1) + 1
        let plot = Rect(x: r.x + labelWidth + 1, y: plotTop, width: r.width - labelWidth - 1, height: plotHeight)
        guard plot.width > 0 else { return }
        let labelRows = flat ? [plot.y + plot.height / 2] : [plot.y, plot.y + plot.height / 2, plot.maxY - 1]
        for y in plot.y..<plot.maxY { s[plot.x - 1, y] = Cell(labelRows.contains(y) ? "┤" : "│", axisStyle) }
        for (i, y) in labelRows.enumerated() {
            s.put(labels[i].padding(toLength: labelWidth, withPad: " ", startingAt: 0), x: r.x, y: y, style: axisStyle, clip: r)
        }
        let ticks = placedTicks(width: plot.width)
        let dotsW = plot.width * 2, dotsH = plot.height * 4
        let row = { (v: Double) in min(dotsH - 1, max(0, Int(((hi - t(v)) / (hi - lo) * Double(dotsH - 1)).rounded()))) }
        for sr in series where !sr.values.isEmpty {
            var grid = [UInt8](repeating: 0, count: plot.width * plot.height)
            let means = columnMeans(sr, columns: dotsW, keep: keep)
            // Values at their own x leave columns without a sample between them: the line goes on across those.
            // Evenly spread values have a sample in every column, so an empty one there is a NaN: a gap.
            let bridge = sr.xs != nil && xRange != nil
            var previous: (column: Int, row: Int)?
            for dx in 0..<dotsW {
                guard let v = means[dx] else { if !bridge { previous = nil }; continue }
                let y0 = row(v)
                guard let (px, py) = previous else { Self.setDot(&grid, width: plot.width, x: dx, y: y0); previous = (dx, y0); continue }
                // Join to the previous point so steep changes stay connected.
                var last = py
                for c in (px + 1)...dx {
                    let yc = py + Int((Double(y0 - py) * Double(c - px) / Double(dx - px)).rounded())
                    for y in min(last, yc)...max(last, yc) { Self.setDot(&grid, width: plot.width, x: c, y: y) }
                    last = yc
                }
                previous = (dx, y0)
            }
            for cy in 0..<plot.height {
                for cx in 0..<plot.width where grid[cy * plot.width + cx] != 0 {
                    let ch = Character(Unicode.Scalar(0x2800 + UInt32(grid[cy * plot.width + cx]))!)
                    s[plot.x + cx, plot.y + cy] = Cell(ch, sr.style)
                }
            }
        }
        // Tick guides in the empty cells of the plot, so an epoch boundary can be followed up to the curve.
        for tick in ticks {
            for y in plot.y..<plot.maxY where s[plot.x + tick.column, y].char == " " { s[plot.x + tick.column, y] = Cell("┊", axisStyle) }
        }
        var markLabel: String?
        if let mark, let first = series.first, mark.index < first.values.count {
            let v = first.values[mark.index]
            let col = plot.x + min(plot.width - 1, mark.index * plot.width / max(1, first.values.count))
            s[col, plot.y + row(v) / 4] = Cell("◆", titleStyle)
            markLabel = "◆ \(mark.label)"
        }
        drawXAxis(ticks: ticks, markLabel: markLabel, plot: plot, y: r.maxY - 1, on: &s)
    }

    private func drawTitle(in r: Rect, on s: inout ScreenBuffer) {
        var x = s.put(title, x: r.x, y: r.y, style: titleStyle, clip: r)
        for sr in series {
            guard let name = sr.name else { continue }
            x = s.put(x == r.x ? "" : "  ", x: x, y: r.y, style: titleStyle, clip: r)
            x = s.put("━━", x: x, y: r.y, style: sr.style, clip: r)
            x = s.put(" " + name, x: x, y: r.y, style: titleStyle, clip: r)
        }
    }

    /// The mean of the finite values falling in each dot column (nil: none).
    private func columnMeans(_ sr: Series, columns: Int, keep: (Double) -> Bool) -> [Double?] {
        var sum = [Double](repeating: 0, count: columns), count = [Int](repeating: 0, count: columns)
        let n = sr.values.count
        if let xs = sr.xs, let (x0, x1) = xRange, xs.count == n {
            let span = max(x1 - x0, 1e-12)
            for i in 0..<n where keep(sr.values[i]) && xs[i] >= x0 - 1e-9 && xs[i] <= x1 + 1e-9 {
                let c = min(columns - 1, max(0, Int(((xs[i] - x0) / span * Double(columns - 1)).rounded())))
                sum[c] += sr.values[i]; count[c] += 1
            }
        } else {
            // Each dot column shows the mean of its share of the values.
            for dx in 0..<columns {
                let a = dx * n / columns, b = max(a + 1, (dx + 1) * n / columns)
                for i in min(a, n - 1)..<min(b, n) where keep(sr.values[i]) { sum[dx] += sr.values[i]; count[dx] += 1 }
            }
        }
        return (0..<columns).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : nil }
    }

    /// The ticks that fit: each at its column, kept only if it does not touch the previous one or the end labels.
    private func placedTicks(width: Int) -> [(column: Int, label: String)] {
        guard let (x0, x1) = xRange, x1 > x0, !xTicks.isEmpty else { return [] }
        let leftWidth = Self.label(x0).count + 1, rightWidth = Self.label(x1).count + (xUnit.map { $0.count + 1 } ?? 0) + 1
        var out: [(Int, String)] = [], nextFree = leftWidth
        for tick in xTicks where tick.x > x0 && tick.x <= x1 {
            let col = Int(((tick.x - x0) / (x1 - x0) * Double(width - 1)).rounded())
            guard col >= nextFree, col + tick.label.count <= width - rightWidth else { continue }
            out.append((col, tick.label))
            nextFree = col + tick.label.count + 1
        }
        return out
    }

    /// The bottom row: first x, the ticks under their columns, last x and the unit at the right (or the marked point's label).
    private func drawXAxis(ticks: [(column: Int, label: String)], markLabel: String?, plot: Rect, y: Int, on s: inout ScreenBuffer) {
        guard let (x0, x1) = xRange else {
            if let markLabel { s.put(markLabel, x: plot.x, y: y, style: axisStyle, clip: plot.with(y: y)) }
            return
        }
        s.put(Self.label(x0), x: plot.x, y: y, style: axisStyle, clip: plot.with(y: y))
        for tick in ticks { s.put(tick.label, x: plot.x + tick.column, y: y, style: axisStyle, clip: plot.with(y: y)) }
        let right = Self.label(x1) + (xUnit.map { " " + $0 } ?? "")
        s.put(right, x: max(plot.x, plot.maxX - right.count), y: y, style: axisStyle, clip: plot.with(y: y))
        if let markLabel { s.put(markLabel, x: max(plot.x, plot.maxX - markLabel.count), y: plot.y - 1, style: axisStyle, clip: plot.with(y: plot.y - 1)) }
    }

    private static let dotBits: [UInt8] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]

    /// Braille dot (x, y) in dot coordinates: bits 0-2 and 6 are the left column, 3-5 and 7 the right.
    static func setDot(_ grid: inout [UInt8], width: Int, x: Int, y: Int) {
        grid[(y / 4) * width + x / 2] |= dotBits[(y % 4) * 2 + x % 2]
    }
}

extension Rect {
    /// The same columns, one row at `y`.
    func with(y: Int) -> Rect { Rect(x: x, y: y, width: width, height: 1) }
}
