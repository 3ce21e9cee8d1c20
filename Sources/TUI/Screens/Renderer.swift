import Foundation

/// Draws a whole frame: tab bar, the current screen, the status line and any overlay. Pure: the same state,
/// size and theme always give the same buffer (the clock is not read here).
public enum Renderer {
    static let minWidth = 40, minHeight = 10

    public static func render(_ state: AppState, width: Int, height: Int, theme: Theme) -> ScreenBuffer {
        var s = ScreenBuffer(width: width, height: height, style: theme.text)
        guard width >= minWidth, height >= minHeight else {
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
        Footer.draw(state, in: bottom, on: &s, theme: theme)
        if state.showHelp { HelpOverlay.draw(state, in: body, on: &s, theme: theme) }
        if let c = state.confirmation { Dialog.draw(c, in: body, on: &s, theme: theme) }
        return s
    }

    /// Where the tab bar puts each tab, and the run status on the right (always shown: the tabs shrink first —
    /// the " reel " label goes, then the file name, then the titles are shortened).
    struct TabLayout {
        var brand: Bool
        var tabs: [(id: ScreenID, label: String, x: Range<Int>)]
        var right: String
    }

    static func tabLayout(_ state: AppState, width: Int) -> TabLayout {
        let status = state.run.status
        let name = state.document.map { ($0.path as NSString).lastPathComponent } ?? state.workDir ?? ""
        let modified = state.document?.isModified == true ? "[modified]" : ""
        let run = "\(state.watchMode ? "watching" : "run"): \(status.label) "
        let fullRight = [name, modified].filter { !$0.isEmpty }.joined(separator: " ") + "  " + run
        let shortRight = (modified.isEmpty ? "" : modified + "  ") + run
        let full: (ScreenID) -> String = { " \($0.rawValue) \($0.title) " }
        let abbreviated: (ScreenID) -> String = { " \($0.rawValue) \($0.shortTitle) " }
        let digit: (ScreenID) -> String = { " \($0.rawValue) " }
        let candidates: [(Bool, (ScreenID) -> String, String)] = [
            (true, full, fullRight), (false, full, fullRight), (false, full, shortRight),
            (false, abbreviated, fullRight), (false, abbreviated, shortRight), (false, digit, shortRight),
        ]
        for (brand, label, right) in candidates {
            let used = (brand ? 6 : 0) + ScreenID.allCases.reduce(0) { $0 + label($1).count + 1 }
            if used + right.count + 1 <= width || label(.config) == digit(.config) {
                var x = brand ? 6 : 0
                var tabs: [(id: ScreenID, label: String, x: Range<Int>)] = []
                for id in ScreenID.allCases {
                    x += 1
                    tabs.append((id, label(id), x..<(x + label(id).count)))
                    x += label(id).count
                }
                return TabLayout(brand: brand, tabs: tabs, right: right)
            }
        }
        return TabLayout(brand: false, tabs: [], right: shortRight)
    }

    static func drawTabs(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.fill(r, style: theme["status"])
        let layout = tabLayout(state, width: r.width)
        if layout.brand { s.put(" reel ", x: r.x, y: r.y, style: theme["status"].with(bold: true)) }
        var end = r.x
        for tab in layout.tabs {
            let style = tab.id == state.screen ? theme.selection.with(bold: true) : theme["status"]
            end = s.put(tab.label, x: r.x + tab.x.lowerBound, y: r.y, style: style, clip: r)
        }
        s.put(layout.right, x: max(end + 1, r.maxX - layout.right.count), y: r.y, style: theme["status"], clip: r)
    }
}
