/// One key binding: shown in the `?` overlay and matched by `AppState.handle`, so the help cannot drift.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var label: String
    public var help: String
    /// The footer's phrase (whole words; `help` when nil) and its importance there (0 first; the footer drops
    /// the highest numbers first when the line is too narrow).
    public var footer: String
    public var priority: Int
    public init(keys: [Key], label: String, help: String, footer: String? = nil, priority: Int = 5) {
        self.keys = keys; self.label = label; self.help = help; self.footer = footer ?? help; self.priority = priority
    }
}

/// The bindings of each screen, and the global ones.
public enum KeyMap {
    public static let global: [KeyBinding] = [
        KeyBinding(keys: [.tab, .backTab], label: "Tab S-Tab", help: "next / previous screen"),
        KeyBinding(keys: [.char("1"), .char("2"), .char("3"), .char("4"), .char("5")], label: "1-5", help: "Config, Run, Checkpoints, Logs, Compare"),
        KeyBinding(keys: [.escape], label: "Esc", help: "back to the previous screen (closes a box first)"),
        KeyBinding(keys: [.char("g"), .char("G"), .home, .end], label: "g G", help: "top / bottom (also Home / End)"),
        KeyBinding(keys: [.char("?"), .function(1)], label: "? F1", help: "this help (j k scroll it)"),
        KeyBinding(keys: [.char("t")], label: "t", help: "next theme (saved for next time)"),
        KeyBinding(keys: [.char("q"), .function(10)], label: "q F10", help: "quit (asks if there are unsaved edits or an active run)"),
        KeyBinding(keys: [], label: "mouse", help: "click a tab or a row; the wheel scrolls"),
    ]
    /// The global hints the footer shows.
    static let footerGlobal: [KeyBinding] = [
        KeyBinding(keys: [.char("?")], label: "?", help: "help", priority: 0),
        KeyBinding(keys: [.char("q")], label: "q", help: "quit", priority: 0),
    ]
    public static let config: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move", priority: 6),
        KeyBinding(keys: [.right, .left, .char("l"), .char("h"), .char(" ")], label: "→← Space", help: "expand / collapse",
                   footer: "open/close", priority: 5),
        KeyBinding(keys: [.enter], label: "Enter", help: "edit the value (Enter accepts it if valid, Esc cancels)",
                   footer: "edit", priority: 1),
        KeyBinding(keys: [.char("a")], label: "a", help: "add a key to this dict (name = value)", footer: "add key", priority: 4),
        KeyBinding(keys: [.char("/")], label: "/", help: "search keys (Enter keeps the match)", footer: "search", priority: 2),
        KeyBinding(keys: [.char("n"), .char("N")], label: "n N", help: "next / previous match of the last search",
                   footer: "next/prev match", priority: 5),
        KeyBinding(keys: [.char("w")], label: "w", help: "write edits back into the config file(s)", footer: "write", priority: 2),
        KeyBinding(keys: [.char("u")], label: "u", help: "undo the last edit (a written one is rewritten)", footer: "undo", priority: 3),
        KeyBinding(keys: [.char("r")], label: "r", help: "start training this config (switches to Run)", footer: "train", priority: 1),
    ]
    public static let run: [KeyBinding] = [
        KeyBinding(keys: [.char("r")], label: "r", help: "start training", footer: "train", priority: 1),
        KeyBinding(keys: [.char("p")], label: "p", help: "pause / resume", footer: "pause/resume", priority: 1),
        KeyBinding(keys: [.char("s")], label: "s", help: "save a checkpoint now", footer: "save checkpoint", priority: 2),
        KeyBinding(keys: [.char("e")], label: "e", help: "evaluate now (needs evaluation in the config)", footer: "evaluate", priority: 2),
        KeyBinding(keys: [.char("x")], label: "x", help: "stop (asks; saves first)", footer: "stop", priority: 1),
        KeyBinding(keys: [.char("L")], label: "L", help: "lr chart: log / linear scale", footer: "log lr", priority: 4),
        KeyBinding(keys: [.char("c")], label: "c", help: "compare this run with others (Compare screen)", footer: "compare", priority: 3),
        KeyBinding(keys: [.char("["), .char("]")], label: "[ ]", help: "other runs of the watched work dir: previous / next (watch mode)",
                   footer: "previous/next run", priority: 1),
    ]
    public static let checkpoints: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move", priority: 6),
        KeyBinding(keys: [.enter], label: "Enter", help: "details: metadata and config diff", footer: "details", priority: 2),
        KeyBinding(keys: [.char("R")], label: "R", help: "resume training from it (asks)", footer: "resume", priority: 1),
        KeyBinding(keys: [.char("E")], label: "E", help: "evaluate it on the val split (result in the list)", footer: "evaluate", priority: 2),
        KeyBinding(keys: [.char("D")], label: "D", help: "delete it (asks)", footer: "delete", priority: 3),
        KeyBinding(keys: [.ctrl("r")], label: "^R", help: "read the directory again (it is also watched)", footer: "rescan", priority: 5),
        KeyBinding(keys: [.home, .end, .pageUp, .pageDown], label: "Home End PgUp PgDn", help: "first, last, a page", priority: 7),
    ]
    public static let logs: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "scroll (the view stays put as lines arrive)",
                   footer: "scroll", priority: 3),
        KeyBinding(keys: [.pageUp, .pageDown], label: "PgUp PgDn", help: "scroll a page", footer: "page", priority: 4),
        KeyBinding(keys: [.home, .char("g")], label: "Home g", help: "the first line", footer: "top", priority: 5),
        KeyBinding(keys: [.end, .char("G")], label: "End G", help: "follow the end", footer: "follow", priority: 2),
        KeyBinding(keys: [.char("/")], label: "/", help: "filter: only lines containing a text (Enter keeps, Esc clears)", footer: "filter", priority: 2),
        KeyBinding(keys: [.char("w")], label: "w", help: "wrap long lines on / off", footer: "wrap", priority: 3),
        KeyBinding(keys: [.left, .right, .char("h"), .char("l")], label: "← → h l", help: "scroll sideways (when not wrapping)", priority: 6),
    ]
    public static let compare: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move", priority: 6),
        KeyBinding(keys: [.char(" "), .enter], label: "Space", help: "show / hide the run", footer: "show/hide run", priority: 1),
        KeyBinding(keys: [.char("m")], label: "m", help: "next evaluation metric", footer: "next metric", priority: 2),
        KeyBinding(keys: [.char("L")], label: "L", help: "lr chart: log / linear scale", footer: "log lr", priority: 3),
        KeyBinding(keys: [.ctrl("r")], label: "^R", help: "look for runs again", footer: "rescan", priority: 4),
    ]

    public static func bindings(for screen: ScreenID) -> [KeyBinding] {
        switch screen { case .config: config; case .run: run; case .checkpoints: checkpoints; case .logs: logs; case .compare: compare }
    }
}
