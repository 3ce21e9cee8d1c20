/// The `?` overlay: every binding of the current screen and the global ones, from `KeyMap`, and the themes `t`
/// cycles through. Long help wraps under its key; on a small terminal the box scrolls (j/k, PgUp/PgDn, wheel).
enum HelpOverlay {
    /// The box for a body of `r` (the whole width up to 72 columns).
    static func box(in r: Rect) -> Rect {
        let w = min(r.width - 2, 72)
        return Rect(x: r.x + (r.width - w) / 2, y: r.y, width: w, height: r.height)
    }

    enum Kind { case heading, labelled, label, plain }

    /// The overlay's lines for a box `width` wide; a `labelled` line has its key in the first 12 columns.
    static func lines(_ state: AppState, width: Int) -> [(String, Kind)] {
        let inner = width - 4
        let labelWidth = inner >= 40 ? 12 : 0
        var out: [(String, Kind)] = [("\(state.screen.title) screen", .heading)]
        func add(_ b: KeyBinding) {
            if labelWidth == 0 {
                out.append((b.label, .label))
                out += ConfigScreen.wrap(b.help, width: inner - 2).map { ("  " + $0, .plain) }
            } else {
                for (i, part) in ConfigScreen.wrap(b.help, width: inner - labelWidth).enumerated() {
                    let label = i == 0 ? b.label : ""
                    out.append((label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + part, .labelled))
                }
            }
        }
        KeyMap.bindings(for: state.screen).forEach(add)
        out += [("", .plain), ("Everywhere", .heading)]
        KeyMap.global.forEach(add)
        if !state.themeNames.isEmpty {
            out += [("", .plain), ("Themes (t)", .heading)]
            out += ConfigScreen.wrap(state.themeNames.map { $0 == state.themeName ? "[\($0)]" : $0 }.joined(separator: ", "), width: inner)
                .map { ($0, .plain) }
        }
        return out
    }

    static func lineCount(_ state: AppState) -> Int {
        let body = Rect(x: 0, y: 1, width: state.viewSize.width, height: max(0, state.viewSize.height - 2))
        let b = box(in: body)
        return max(0, lines(state, width: b.width).count - (b.height - 3))
    }

    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let all = lines(state, width: box(in: r).width)
        var b = box(in: r)
        b.height = min(r.height, all.count + 3)
        b.y = r.y + (r.height - b.height) / 2
        let visible = b.height - 3
        let top = max(0, min(state.helpScroll, all.count - visible))
        let more = all.count > visible ? " \(top + 1)-\(top + visible) of \(all.count), j k scroll" : ""
        s.fill(b, style: theme.text)
        s.box(b, title: "keys — any key closes" + more, style: theme.border, titleStyle: theme.title)
        let inner = b.inset(1)
        for (i, (text, kind)) in all.dropFirst(top).prefix(visible).enumerated() {
            let y = inner.y + i
            if kind == .heading { s.put(text, x: inner.x + 1, y: y, style: theme.title, clip: inner); continue }
            let split = kind == .labelled ? min(12, text.count) : kind == .label ? text.count : 0
            s.put(String(text.prefix(split)), x: inner.x + 1, y: y, style: theme.accent, clip: inner)
            s.put(String(text.dropFirst(split)), x: inner.x + 1 + split, y: y, style: theme.text, clip: inner)
        }
    }
}
