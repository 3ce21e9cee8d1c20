/// Rows under a header, columns sized to fit, the selected row highlighted and the view scrolled to keep it.
public struct Table: Sendable {
    public enum Alignment: Sendable { case left, right }
    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, _ alignment: Alignment = .left) { self.title = title; self.alignment = alignment }
    }
    public var columns: [Column]
    public var rows: [[String]]
    public var selected: Int?
    public var headerStyle: Style, rowStyle: Style, selectedStyle: Style
    /// The last column takes the width that remains (a list); false keeps every column at its content's width, so
    /// right-aligned numbers do not drift to the far edge of a wide pane (a table beside a chart).
    public var stretchLast = true

    public init(columns: [Column], rows: [[String]], selected: Int? = nil, headerStyle: Style = .plain,
                rowStyle: Style = .plain, selectedStyle: Style = Style(reverse: true)) {
        self.columns = columns; self.rows = rows; self.selected = selected
        self.headerStyle = headerStyle; self.rowStyle = rowStyle; self.selectedStyle = selectedStyle
    }

    /// Column widths: each column's widest cell, the last one taking what remains (and clipped if too long).
    public func widths(total: Int) -> [Int] {
        var w = columns.indices.map { c in max(columns[c].title.count, rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0) }
        let sum = w.reduce(0, +) + 2 * (w.count - 1)
        if stretchLast, let last = w.indices.last { w[last] = max(1, w[last] + total - sum) }
        return w
    }

    /// Columns at their content's width with their gaps.
    public var naturalWidth: Int {
        var t = self
        t.stretchLast = false
        let w = t.widths(total: 0)
        return w.reduce(0, +) + 2 * max(0, w.count - 1)
    }

    public func draw(in r: Rect, on s: inout ScreenBuffer) {
        guard r.height > 0 else { return }
        let w = widths(total: r.width)
        func line(_ cells: [String], y: Int, style: Style) {
            s.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: style)
            var x = r.x
            for (c, width) in w.enumerated() {
                let text = c < cells.count ? String(cells[c].prefix(width)) : ""
                let pad = String(repeating: " ", count: max(0, width - text.count))
                s.put(columns[c].alignment == .left ? text + pad : pad + text, x: x, y: y, style: style, clip: r)
                x += width + 2
            }
        }
        line(columns.map(\.title), y: r.y, style: headerStyle)
        let visible = r.height - 1
        let top = selected.map { max(0, min($0 - visible / 2, rows.count - visible)) } ?? 0
        for (i, row) in rows.enumerated().dropFirst(top).prefix(visible) {
            line(row, y: r.y + 1 + i - top, style: i == selected ? selectedStyle : rowStyle)
        }
    }
}
