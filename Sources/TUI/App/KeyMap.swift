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
        KeyBinding(keys: [.char("1"), .char("2"), .char("3"), .char("4")], label: "1-4", help: "Config, Run, Checkpoints, Logs"),
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
        KeyBinding(keys: [.char("["), .char("]")], label: "[ ]", help: "other runs of the watched work dir: previous / next (watch mode)"),
    ]
    public static let checkpoints: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "move"),
        KeyBinding(keys: [.enter], label: "Enter", help: "details: metadata and config diff"),
        KeyBinding(keys: [.char("R")], label: "R", help: "resume training from it"),
        KeyBinding(keys: [.char("E")], label: "E", help: "evaluate it on the val split"),
        KeyBinding(keys: [.char("D")], label: "D", help: "delete it (asks)"),
    ]
    public static let logs: [KeyBinding] = [
        KeyBinding(keys: [.up, .down, .char("k"), .char("j")], label: "↑↓ j k", help: "scroll"),
        KeyBinding(keys: [.pageUp, .pageDown], label: "PgUp PgDn", help: "scroll a page"),
        KeyBinding(keys: [.end, .char("G")], label: "End G", help: "follow the end"),
    ]

    public static func bindings(for screen: ScreenID) -> [KeyBinding] {
        switch screen { case .config: config; case .run: run; case .checkpoints: checkpoints; case .logs: logs }
    }
}
