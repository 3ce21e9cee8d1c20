/// A key press, decoded from ncurses (or sent by tests).
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, enter, escape, backspace, delete, tab, backTab, home, end, pageUp, pageDown
    case ctrl(Character)
    /// A function key: F1 is `.function(1)`.
    case function(Int)
    /// A mouse button press or a wheel step, at a cell (0-based).
    case mouse(MouseEvent)
}

/// What the mouse did, where.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(_ kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}
