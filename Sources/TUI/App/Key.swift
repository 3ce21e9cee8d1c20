/// A key press, decoded from ncurses (or sent by tests).
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, enter, escape, backspace, delete, tab, backTab, home, end, pageUp, pageDown
    case ctrl(Character)
}
