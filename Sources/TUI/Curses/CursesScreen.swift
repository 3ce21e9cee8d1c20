import CNcursesw
import Foundation

/// Every ncurses call the dashboard makes, behind a small Swift API. ncurses keeps its state in C globals (`stdscr`,
/// `COLORS`, `COLOR_PAIRS`), which Swift 6's strict concurrency checking rejects, so this one file is its own target
/// in the Swift 5 language mode and the rest of the TUI (`Terminal` and up) is Swift 6. Used from the UI thread only,
/// except `endFromAnyThread`.
public final class CursesScreen {
    /// A key as ncurses decodes it: a character (its Unicode scalar, control characters included) or a named key.
    public enum Key: Equatable, Sendable {
        case scalar(UInt32)
        case up, down, left, right, enter, backspace, delete, home, end, pageUp, pageDown, backTab
        /// The terminal changed size (`size` has the new one).
        case resize
        /// F1…F12.
        case function(Int)
        /// A mouse report: the cell and ncurses' button state bits (`Terminal` names them).
        case mouse(x: Int, y: Int, buttons: UInt32)
    }

    /// The mouse reports asked for: button 1 pressed, and the wheel (buttons 4 and 5 pressed), as ncurses'
    /// mouse version 2 numbers them (`NCURSES_MOUSE_MASK(b, m)` = m << ((b - 1) * 5); the C macros are not
    /// visible to Swift).
    public static let button1Pressed: UInt32 = 0x2, wheelUp: UInt32 = 0x2 << 15, wheelDown: UInt32 = 0x2 << 20

    /// Cell attributes (ncurses' A_BOLD, A_DIM, A_UNDERLINE, A_REVERSE).
    public struct Attributes: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let bold = Attributes(rawValue: 1), dim = Attributes(rawValue: 2)
        public static let underline = Attributes(rawValue: 4), reverse = Attributes(rawValue: 8)
    }

    /// Colours the terminal has (0 without colour support) and how many colour pairs it can define.
    public let colors: Int
    public let pairLimit: Int

    /// Set while curses mode is on, so signal handlers know to leave it.
    nonisolated(unsafe) private static var active = false

    /// Enters curses mode: wide characters, raw keys without echo, hidden cursor, keys polled every `timeoutMs`.
    public init(timeoutMs: Int32 = 50) {
        setlocale(LC_ALL, "")
        initscr()
        CursesScreen.active = true
        raw(); noecho(); keypad(stdscr, true); curs_set(0)
        timeout(timeoutMs)
        set_escdelay(25)
        // Clicks and the wheel (btop, lazygit); without a delay, so a click is reported when pressed.
        mouseinterval(0)
        _ = mousemask(mmask_t(CursesScreen.button1Pressed | CursesScreen.wheelUp | CursesScreen.wheelDown), nil)
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(COLORS)
            pairLimit = Int(COLOR_PAIRS)
        } else {
            colors = 0
            pairLimit = 0
        }
        CursesScreen.installCrashHandlers()
    }

    deinit { end() }

    /// Leaves curses mode (idempotent).
    public func end() {
        guard CursesScreen.active else { return }
        CursesScreen.active = false
        endwin()
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(stdscr)), Int(getmaxy(stdscr))) }

    /// Waits up to the input timeout for a key; nil when none came (or one ncurses names that Reel does not use).
    public func readKey() -> Key? {
        var ch: wint_t = 0
        let r = get_wch(&ch)
        if r == ERR { return nil }
        guard r == KEY_CODE_YES else { return .scalar(UInt32(ch)) }
        switch Int32(ch) {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            return .mouse(x: Int(event.x), y: Int(event.y), buttons: UInt32(truncatingIfNeeded: event.bstate))
        case (KEY_F0 + 1)...(KEY_F0 + 12): return .function(Int(Int32(ch) - KEY_F0))
        default: return nil
        }
    }

    public func erase() { CNcursesw.erase() }
    public func refresh() { CNcursesw.refresh() }

    /// Writes one cell: up to 4 scalars (a character and its combining marks) with `attributes` in colour `pair`.
    public func put(_ scalars: [UInt32], x: Int, y: Int, attributes: Attributes, pair: Int32) {
        var attrs: attr_t = 0
        if attributes.contains(.bold) { attrs |= attr_t(1) << 21 }
        if attributes.contains(.dim) { attrs |= attr_t(1) << 20 }
        if attributes.contains(.underline) { attrs |= attr_t(1) << 17 }
        if attributes.contains(.reverse) { attrs |= attr_t(1) << 18 }
        var pair = pair
        var wide = scalars.prefix(4).map { wchar_t(bitPattern: $0) } + [0]
        var cc = cchar_t()
        _ = setcchar(&cc, &wide, attrs, Int16(clamping: pair), &pair)
        mvadd_wch(Int32(y), Int32(x), &cc)
    }

    /// Defines colour pair `pair` (extended pairs, so 24-bit colours work); -1 is the terminal's default colour.
    public func definePair(_ pair: Int32, foreground: Int32, background: Int32) {
        init_extended_pair(pair, foreground, background)
    }

    /// Leaves curses mode from a thread other than the UI's (a second stop signal, quitting at once): the process
    /// exits right after, so racing the UI thread's drawing matters less than leaving the terminal in raw mode.
    public static func endFromAnyThread() {
        if active { active = false; endwin() }
    }

    /// A crash in any thread (trap, segfault, abort) still leaves the terminal usable.
    private static func installCrashHandlers() {
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(sig) { s in
                if CursesScreen.active { endwin() }
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}
