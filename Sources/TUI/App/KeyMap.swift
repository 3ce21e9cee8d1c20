/// One key binding: shown in the `?` overlay and matched by `AppState.handle`, so the help cannot drift.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var label: String
    public var help: String
}

/// The bindings of each screen, and the global ones.
public enum KeyMap {
    public static let global: [KeyBinding] = [
        KeyBinding(keys: [.tab], label: "Tab", help: "next screen"),
        KeyBinding(keys: [.char("1"), .char("2"), .char("3"), .char("4"), .char("5")], label: "1-5", help: "Config, Run, Checkpoints, Logs, Compare"),
        KeyBinding(keys: [.char("?")], label: "?", help: "this help"),
        KeyBinding(keys: [.char("t")], label: "t", help: "next theme"),
        KeyBinding(keys: [.char("q")], label: "q", help: "quit (asks if a run is active)"),
    ]
    public static let config: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move"),
        KeyBinding(keys: [.right, .left, .char("l"), .char("h"), .char(" ")], label: "→← Space", help: "expand / collapse"),
        KeyBinding(keys: [.enter], label: "Enter", help: "edit the value (Enter saves, Esc cancels)"),
        KeyBinding(keys: [.char("/")], label: "/", help: "search keys (Enter: next match)"),
        KeyBinding(keys: [.char("w")], label: "w", help: "write edits back into the config file(s)"),
        KeyBinding(keys: [.char("u")], label: "u", help: "undo the last edit"),
        KeyBinding(keys: [.char("r")], label: "r", help: "start training this config (switches to Run)"),
    ]
    public static let run: [KeyBinding] = [
        KeyBinding(keys: [.char("r")], label: "r", help: "start training"),
        KeyBinding(keys: [.char("p")], label: "p", help: "pause / resume"),
        KeyBinding(keys: [.char("s")], label: "s", help: "save a checkpoint now"),
        KeyBinding(keys: [.char("e")], label: "e", help: "evaluate now (needs evaluation in the config)"),
        KeyBinding(keys: [.char("x")], label: "x", help: "stop (asks; saves first)"),
        KeyBinding(keys: [.char("L")], label: "L", help: "lr chart: log / linear scale"),
        KeyBinding(keys: [.char("c")], label: "c", help: "compare this run with others (Compare screen)"),
        KeyBinding(keys: [.char("["), .char("]")], label: "[ ]", help: "other runs of the watched work dir: previous / next (watch mode)"),
    ]
    public static let checkpoints: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move"),
        KeyBinding(keys: [.enter], label: "Enter", help: "details: metadata and config diff"),
        KeyBinding(keys: [.char("R")], label: "R", help: "resume training from it (asks)"),
        KeyBinding(keys: [.char("E")], label: "E", help: "evaluate it on the val split (result in the list)"),
        KeyBinding(keys: [.char("D")], label: "D", help: "delete it (asks)"),
        KeyBinding(keys: [.ctrl("r")], label: "^R", help: "read the directory again (it is also watched)"),
        KeyBinding(keys: [.home, .end, .pageUp, .pageDown], label: "Home End PgUp PgDn", help: "first, last, a page"),
    ]
    public static let logs: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "scroll (the view stays put as lines arrive)"),
        KeyBinding(keys: [.pageUp, .pageDown], label: "PgUp PgDn", help: "scroll a page"),
        KeyBinding(keys: [.home, .char("g")], label: "Home g", help: "the first line"),
        KeyBinding(keys: [.end, .char("G")], label: "End G", help: "follow the end"),
        KeyBinding(keys: [.char("/")], label: "/", help: "filter: only lines containing a text (Enter keeps, Esc clears)"),
        KeyBinding(keys: [.char("w")], label: "w", help: "wrap long lines on / off"),
        KeyBinding(keys: [.left, .right, .char("h"), .char("l")], label: "← → h l", help: "scroll sideways (when not wrapping)"),
    ]
    public static let compare: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move"),
        KeyBinding(keys: [.char(" "), .enter], label: "Space", help: "show / hide the run"),
        KeyBinding(keys: [.char("m")], label: "m", help: "next evaluation metric"),
        KeyBinding(keys: [.char("L")], label: "L", help: "lr chart: log / linear scale"),
        KeyBinding(keys: [.ctrl("r")], label: "^R", help: "look for runs again"),
    ]

    public static func bindings(for screen: ScreenID) -> [KeyBinding] {
        switch screen { case .config: config; case .run: run; case .checkpoints: checkpoints; case .logs: logs; case .compare: compare }
    }
}
