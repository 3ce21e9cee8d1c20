import Foundation

/// Draws a whole frame: tab bar, the current screen, the status line and any overlay. Pure: the same state,
/// size and theme always give the same buffer (the clock is not read here).
public enum Renderer {
    public static func render(_ state: AppState, width: Int, height: Int, theme: Theme) -> ScreenBuffer {
        var s = ScreenBuffer(width: width, height: height, style: theme.text)
        guard width >= 40, height >= 10 else {
            s.put("Reel needs at least 40x10 (now \(width)x\(height))", x: 0, y: 0, style: theme.warning)
            return s
        }
        let (top, rest) = s.bounds.split(rows: 1)
        let (body, bottom) = rest.split(rows: -1)
        drawTabs(state, in: top, on: &s, theme: theme)
        switch state.screen {
        case .config: ConfigScreen.draw(state, in: body, on: &s, theme: theme)
        case .run: RunScreen.draw(state, in: body, on: &s, theme: theme)
        case .checkpoints: CheckpointsScreen.draw(state, in: body, on: &s, theme: theme)
        case .logs: LogsScreen.draw(state, in: body, on: &s, theme: theme)
        case .compare: CompareScreen.draw(state, in: body, on: &s, theme: theme)
        }
        drawStatus(state, in: bottom, on: &s, theme: theme)
        if state.showHelp { HelpOverlay.draw(state.screen, in: body, on: &s, theme: theme) }
        return s
    }

    static func drawTabs(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.fill(r, style: theme["status"])
        var x = s.put(" reel ", x: r.x, y: r.y, style: theme["status"].with(bold: true))
        for id in ScreenID.allCases {
            let style = id == state.screen ? theme.selection.with(bold: true) : theme["status"]
            x = s.put(" \(id.rawValue) \(id.title) ", x: x + 1, y: r.y, style: style, clip: r)
        }
        let status = state.run.status
        let name = state.document.map { ($0.path as NSString).lastPathComponent } ?? state.workDir ?? ""
        let right = "\(name)\(state.document?.isModified == true ? " [modified]" : "")  \(state.watchMode ? "watching" : "run"): \(status.label) "
        s.put(right, x: max(x + 2, r.maxX - right.count), y: r.y, style: theme["status"], clip: r)
    }

    static func drawStatus(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.fill(r, style: theme["status"])
        if let c = state.confirmation {
            s.put(" " + c.question, x: r.x, y: r.y, style: theme.warning.with(bg: theme["status"].bg, bold: true), clip: r)
        } else if let m = state.message {
            s.put(" " + m, x: r.x, y: r.y, style: theme["status"], clip: r)
        } else {
            // Watch mode cannot steer (its keys would only say so); `[ ]` only works there.
            let steering: Set<String> = ["r", "p", "s", "e", "x", "R", "E"]
            let usable = KeyMap.bindings(for: state.screen).filter { state.watchMode ? !steering.contains($0.label) : $0.label != "[ ]" }
            let hints = usable.prefix(6).map { "\($0.label) \($0.help.split(separator: " ").prefix(2).joined(separator: " "))" }
            s.put(" " + (hints + ["? help", "q quit"]).joined(separator: " · "), x: r.x, y: r.y, style: theme["status"], clip: r)
        }
    }
}

/// The `?` overlay: every binding of the current screen and the global ones, from `KeyMap`.
enum HelpOverlay {
    static func draw(_ screen: ScreenID, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let lines = [("\(screen.title) screen", "")] + KeyMap.bindings(for: screen).map { ($0.label, $0.help) }
            + [("", ""), ("Everywhere", "")] + KeyMap.global.map { ($0.label, $0.help) }
        let w = min(r.width - 4, 64), h = min(r.height - 2, lines.count + 3)
        let box = Rect(x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, width: w, height: h)
        s.fill(box, style: theme.text)
        s.box(box, title: "keys — any key closes", style: theme.border, titleStyle: theme.title)
        for (i, (k, help)) in lines.prefix(h - 3).enumerated() {
            let y = box.y + 1 + i
            if help.isEmpty { s.put(k, x: box.x + 2, y: y, style: theme.title, clip: box.inset(1)); continue }
            s.put(k, x: box.x + 3, y: y, style: theme.accent, clip: box.inset(1))
            s.put(help, x: box.x + 16, y: y, style: theme.text, clip: box.inset(1))
        }
    }
}
