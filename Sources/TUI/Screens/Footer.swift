/// The status line: the last message (if any), then as many key hints as fit — whole phrases, the least important
/// dropped first, in the order of the `?` overlay. A message no longer hides the hints.
enum Footer {
    /// Steering keys, hidden in watch mode (they would only say so).
    static let steering: Set<String> = ["r", "p", "s", "e", "x", "R", "E"]

    static func hints(_ state: AppState) -> [(text: String, priority: Int)] {
        if let c = state.confirmation { return [(Dialog.content(c).keysLine, 0)] }
        if state.editing != nil { return [("Enter accept", 0), ("Esc cancel", 0), ("Ctrl-U clear", 2)] }
        if state.search != nil { return [("Enter keep this match", 0), ("↓↑ next/previous", 1), ("Esc close", 0)] }
        let usable = KeyMap.bindings(for: state.screen).filter {
            state.watchMode ? !steering.contains($0.label) : $0.label != "[ ]"
        }
        return (usable + KeyMap.footerGlobal).map { ("\($0.label) \($0.footer)", $0.priority) }
    }

    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.fill(r, style: theme["status"])
        var x = r.x
        if let m = state.message {
            x = s.put(" " + m + " ", x: x, y: r.y, style: theme["status"].with(bold: true), clip: r)
            guard x < r.maxX - 12 else { return }
            x = s.put("│", x: x, y: r.y, style: theme["status"], clip: r)
        }
        let line = fit(hints(state), width: r.maxX - x - 1)
        s.put(" " + line, x: x, y: r.y, style: theme["status"], clip: r)
    }

    /// The hints that fit in `width` columns joined by " · ": the most important first, shown in their order.
    static func fit(_ hints: [(text: String, priority: Int)], width: Int) -> String {
        var keep = Set<Int>(), used = 0
        for i in hints.indices.sorted(by: { (hints[$0].priority, $0) < (hints[$1].priority, $1) }) {
            let w = hints[i].text.count + (keep.isEmpty ? 0 : 3)
            if used + w <= width { keep.insert(i); used += w }
        }
        return hints.indices.filter(keep.contains).map { hints[$0].text }.joined(separator: " · ")
    }
}
