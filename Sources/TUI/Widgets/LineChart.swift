import Foundation

/// A line chart in braille dots (2×4 per cell) with a y axis (max, mid, min labels), an x range label, a title
/// and an optional marked point (e.g. the best evaluation). Series share the axes; NaNs are gaps.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var values: [Double]
        public var style: Style
        public init(_ values: [Double], style: Style) { self.values = values; self.style = style }
    }
    public var title: String
    public var series: [Series]
    /// x of the first value and of the last (e.g. iteration numbers), for the x label.
    public var xRange: (Double, Double)?
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

    public func draw(in r: Rect, on s: inout ScreenBuffer) {
        guard r.height >= 3, r.width >= 12 else { return }
        s.put(title, x: r.x, y: r.y, style: titleStyle, clip: r)
        let values = series.flatMap(\.values).filter { $0.isFinite && (!logScale || $0 > 0) }
        let plotTop = r.y + 1, plotHeight = r.height - 2
        guard let lo0 = values.min(), let hi0 = values.max(), plotHeight > 0 else {
            s.put("no data yet", x: r.x + 2, y: r.y + 1, style: axisStyle, clip: r)
            return
        }
        let t = { (v: Double) in logScale ? log10(v) : v }
        var lo = t(lo0), hi = t(hi0)
        if hi - lo < 1e-12 { lo -= 0.5 * max(abs(lo), 1e-9); hi += 0.5 * max(abs(hi), 1e-9) }
        let labels = [hi0, (logScale ? pow(10, (lo + hi) / 2) : (lo0 + hi0) / 2), lo0].map(Self.label)
        let labelWidth = (labels.map(\.count).max() ?? 1) + 1
        let plot = Rect(x: r.x + labelWidth + 1, y: plotTop, width: r.width - labelWidth - 1, height: plotHeight)
        for (i, y) in [plot.y, plot.y + plot.height / 2, plot.maxY - 1].enumerated() {
            s.put(labels[i].padding(toLength: labelWidth, withPad: " ", startingAt: 0), x: r.x, y: y, style: axisStyle, clip: r)
        }
        for y in plot.y..<plot.maxY { s[plot.x - 1, y] = Cell("┤", axisStyle) }
        let dotsW = plot.width * 2, dotsH = plot.height * 4
        for sr in series where !sr.values.isEmpty {
            var grid = [UInt8](repeating: 0, count: plot.width * plot.height)
            let n = sr.values.count
            var previous: (Int, Int)?
            for dx in 0..<dotsW {
                // Each dot column shows the mean of its share of the values.
                let a = dx * n / dotsW
                let b = max(a + 1, (dx + 1) * n / dotsW)
                let slice = sr.values[min(a, n - 1)..<min(b, n)].filter { $0.isFinite && (!logScale || $0 > 0) }
                guard !slice.isEmpty else { previous = nil; continue }
                let v = t(slice.reduce(0, +) / Double(slice.count))
                let dy = Int(((hi - v) / (hi - lo) * Double(dotsH - 1)).rounded())
                let y0 = min(dotsH - 1, max(0, dy))
                // Join to the previous column so steep changes stay connected.
                let (from, to) = previous.map { (min($0.1, y0), max($0.1, y0)) } ?? (y0, y0)
                for y in from...to { Self.setDot(&grid, width: plot.width, x: dx, y: y) }
                previous = (dx, y0)
            }
            for cy in 0..<plot.height {
                for cx in 0..<plot.width where grid[cy * plot.width + cx] != 0 {
                    let ch = Character(Unicode.Scalar(0x2800 + UInt32(grid[cy * plot.width + cx]))!)
                    s[plot.x + cx, plot.y + cy] = Cell(ch, sr.style)
                }
            }
        }
        var bottom = ""
        if let (a, b) = xRange { bottom = "\(Self.label(a)) … \(Self.label(b))" }
        if let mark, let first = series.first, mark.index < first.values.count {
            let v = first.values[mark.index]
            let col = plot.x + min(plot.width - 1, mark.index * plot.width / max(1, first.values.count))
            let row = plot.y + min(plot.height - 1, max(0, Int(((hi - t(v)) / (hi - lo) * Double(plot.height - 1)).rounded())))
            s[col, row] = Cell("◆", titleStyle)
            bottom += (bottom.isEmpty ? "" : "   ") + "◆ \(mark.label)"
        }
        s.put(bottom, x: plot.x, y: r.maxY - 1, style: axisStyle, clip: r)
    }

    /// Braille dot (x, y) in dot coordinates: bits 0-2 and 6 are the left column, 3-5 and 7 the right.
    static func setDot(_ grid: inout [UInt8], width: Int, x: Int, y: Int) {
        let bits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        grid[(y / 4) * width + x / 2] |= bits[y % 4][x % 2]
    }
}
