import Foundation

/// Screen 4: the full text log. Follows the end, or stays on the line scrolled to while lines arrive; long lines
/// wrap or scroll sideways; a filter keeps the lines containing a text.
enum LogsScreen {
    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let log = state.run.log, base = state.run.logDropped, view = state.logs
        let lines = state.logLines
        var title = "log (\(log.count) lines"
        if !view.filter.isEmpty { title += ", \(lines.count) with '\(view.filter)'" }
        if let top = view.top { title += ", from line \(top + 1)" } else { title += ", following" }
        if view.wrap { title += ", wrapped" } else if view.column > 0 { title += ", from column \(view.column + 1)" }
        s.box(r, title: title + ")", style: theme.border, titleStyle: theme.title)
        var inner = r.inset(1)
        if let field = view.filterField {
            let (text, bottom) = inner.split(rows: -1)
            let x = s.put("filter: ", x: bottom.x, y: bottom.y, style: theme.accent, clip: bottom)
            field.draw(in: Rect(x: x, y: bottom.y, width: bottom.maxX - x, height: 1), on: &s, style: theme.text)
            inner = text
        }
        guard inner.height > 0, inner.width > 0 else { return }
        // The rows each kept line takes: one, or its pieces of the pane's width when wrapping.
        func rows(_ n: Int) -> [String] {
            let text = log[n - base].replacingOccurrences(of: "\t", with: "  ")
            guard view.wrap, text.count > inner.width else { return [String(text.dropFirst(view.wrap ? 0 : view.column))] }
            var out: [String] = [], rest = Substring(text)
            while !rest.isEmpty { out.append(String(rest.prefix(inner.width))); rest = rest.dropFirst(inner.width) }
            return out
        }
        var shown: [(String, Bool)] = []
        if let top = view.top {
            for n in lines where n >= top {
                let isError = log[n - base].hasPrefix("ERROR")
                for row in rows(n) { shown.append((row, isError)) }
                if shown.count >= inner.height { break }
            }
            shown = Array(shown.prefix(inner.height))
        } else {
            for n in lines.reversed() {
                let isError = log[n - base].hasPrefix("ERROR")
                shown.insert(contentsOf: rows(n).map { ($0, isError) }, at: 0)
                if shown.count >= inner.height { break }
            }
            shown = Array(shown.suffix(inner.height))
        }
        for (i, (text, isError)) in shown.enumerated() {
            s.put(text, x: inner.x, y: inner.y + i, style: isError ? theme.bad : theme.text, clip: inner)
        }
    }
}
