import Foundation

/// How the Logs screen shows the run's log: following the end, or held at a line; wrapped or scrolled sideways;
/// filtered to the lines that contain a text.
public struct LogView: Equatable, Sendable {
    /// The first line shown, as its number since the log began (`RunView.logDropped` + index), so a scrolled view
    /// stays on the line being read while new lines arrive; nil follows the end.
    public var top: Int?
    /// Long lines broken over several rows (`w`), or cut at the pane's edge and scrolled sideways (← →).
    public var wrap = false
    /// Columns scrolled to the right when not wrapping.
    public var column = 0
    /// Only lines containing this (any case) are shown (`/`).
    public var filter = ""
    public var filterField: TextField?
    /// Rows of text the screen shows, set by the app from the terminal size: the page for PgUp/PgDn and the
    /// point where scrolling down returns to following.
    public var page = 20
    public init() {}
}

extension AppState {
    /// The line numbers (since the log began) of the lines the filter keeps, in order.
    public var logLines: [Int] {
        let base = run.logDropped
        guard !logs.filter.isEmpty else { return Array(base..<(base + run.log.count)) }
        return run.log.indices.filter { run.log[$0].range(of: logs.filter, options: .caseInsensitive) != nil }.map { $0 + base }
    }

    /// Moves the view `lines` kept lines down (negative: up); reaching the last page follows the end again.
    /// `toTop` goes to the first line instead.
    mutating func scrollLogs(by delta: Int, toTop: Bool = false) {
        let lines = logLines
        let page = max(1, logs.page)
        // The place of the top line among the kept lines; following shows the last page.
        let current = logs.top.map { t in lines.firstIndex { $0 >= t } ?? lines.count } ?? max(0, lines.count - page)
        let p = max(0, toTop ? 0 : current + delta)
        logs.top = p >= lines.count - page ? nil : lines[p]
    }

    mutating func handleLogs(_ key: Key) {
        let page = max(1, logs.page)
        switch key {
        case .up, .char("k"): scrollLogs(by: -1)
        case .down, .char("j"): scrollLogs(by: 1)
        case .pageUp: scrollLogs(by: -page)
        case .pageDown: scrollLogs(by: page)
        case .home, .char("g"): scrollLogs(by: 0, toTop: true)
        case .end, .char("G"): logs.top = nil
        case .left, .char("h"): logs.column = max(0, logs.column - 20)
        case .right, .char("l"): if !logs.wrap { logs.column += 20 }
        case .char("w"):
            logs.wrap.toggle(); logs.column = 0
            message = logs.wrap ? "long lines wrap" : "long lines are cut (← → scroll sideways)"
        case .char("/"): logs.filterField = TextField(logs.filter)
        default: break
        }
    }

    /// Typing a filter: the view narrows as you type; Enter keeps it, Esc drops it.
    mutating func handleLogFilter(_ key: Key) {
        guard var field = logs.filterField else { return }
        switch key {
        case .escape: logs.filterField = nil; logs.filter = ""; logs.top = nil; return
        case .enter: logs.filterField = nil; return
        case .backspace: field.backspace()
        case .left: field.left()
        case .right: field.right()
        case .ctrl("u"): field.clear()
        case .char(let c): field.insert(c)
        default: break
        }
        logs.filterField = field
        logs.filter = field.string
        logs.top = nil
    }
}
