import CNcursesw
import Foundation

/// The only ncurses caller: sets the terminal up (wide characters, colours, raw keys), diffs each frame against
/// the last and writes only changed cells, decodes keys, and restores the terminal on every exit path.
public final class Terminal {
    public private(set) var width = 0, height = 0
    public let depth: ColorDepth
    private var last: ScreenBuffer?
    private var pairs: [ColorPairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32

    struct ColorPairKey: Hashable { var fg: Color, bg: Color }

    /// Set once the screen is initialised, so signal handlers know to restore it.
    nonisolated(unsafe) static var active = false

    public init() {
        setlocale(LC_ALL, "")
        initscr()
        Terminal.active = true
        raw(); noecho(); keypad(stdscr, true); curs_set(0)
        timeout(50)
        set_escdelay(25)
        var d = ColorDepth.mono
        if has_colors() {
            start_color()
            use_default_colors()
            d = COLORS >= 0x100_0000 ? .trueColor : COLORS >= 256 ? .xterm256 : COLORS >= 16 ? .ansi16 : COLORS >= 8 ? .ansi16 : .mono
        }
        if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { d = .mono }
        depth = d
        maxPairs = has_colors() ? Int32(COLOR_PAIRS) : 0
        Terminal.installCrashHandlers()
        refreshSize()
    }

    deinit { restore() }

    /// Leaves curses mode (idempotent).
    public func restore() {
        guard Terminal.active else { return }
        Terminal.active = false
        endwin()
    }

    public func refreshSize() {
        width = Int(getmaxx(stdscr)); height = Int(getmaxy(stdscr))
        last = nil
    }

    /// Waits up to the input timeout for a key; nil when none came. A resize is handled here and reported as nil.
    public func readKey() -> Key? {
        var ch: wint_t = 0
        let r = get_wch(&ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
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
            case KEY_RESIZE: refreshSize(); return nil
            default: return nil
            }
        }
        switch ch {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(ch + 96)!))
        default: return Unicode.Scalar(ch).map { .char(Character($0)) }
        }
    }

    /// Writes the cells that changed since the last frame and flushes once.
    public func draw(_ buffer: ScreenBuffer) {
        if buffer.width != width || buffer.height != height { return }
        let full = last == nil || last!.width != buffer.width || last!.height != buffer.height
        if full { erase() }
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if !full && last![x, y] == cell { continue }
                if cell.char == "\u{0}" { continue }   // second column of a wide character
                put(cell, x: x, y: y)
            }
        }
        last = buffer
        refresh()
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var attrs: attr_t = 0
        if cell.style.bold { attrs |= attr_t(1) << 21 }      // A_BOLD
        if cell.style.dim { attrs |= attr_t(1) << 20 }       // A_DIM
        if cell.style.underline { attrs |= attr_t(1) << 17 } // A_UNDERLINE
        if cell.style.reverse { attrs |= attr_t(1) << 18 }   // A_REVERSE
        var pair = self.pair(cell.style.fg.degraded(to: depth), cell.style.bg.degraded(to: depth))
        var wide = Array(String(cell.char).unicodeScalars.map { wchar_t(bitPattern: $0.value) }.prefix(4)) + [0]
        var cc = cchar_t()
        _ = setcchar(&cc, &wide, attrs, Int16(clamping: pair), &pair)
        mvadd_wch(Int32(y), Int32(x), &cc)
    }

    /// The colour pair for (fg, bg), allocated on first use (extended pairs, so direct colour works).
    private func pair(_ fg: Color, _ bg: Color) -> Int32 {
        if fg == .default && bg == .default || maxPairs == 0 { return 0 }
        let key = ColorPairKey(fg: fg, bg: bg)
        if let p = pairs[key] { return p }
        guard nextPair < maxPairs else { return 0 }
        let p = nextPair
        nextPair += 1
        init_extended_pair(p, number(fg), number(bg))
        pairs[key] = p
        return p
    }

    private func number(_ c: Color) -> Int32 {
        switch c {
        case .default: -1
        case .indexed(let i): Int32(i)
        case .rgb(let r, let g, let b): Int32(r) << 16 | Int32(g) << 8 | Int32(b)
        }
    }

    /// Leaves curses mode from a thread other than the UI's (a second stop signal, quitting at once): the process
    /// exits right after, so racing the UI thread's drawing matters less than leaving the terminal in raw mode.
    public static func restoreFromAnyThread() {
        if Terminal.active { Terminal.active = false; endwin() }
    }

    /// A crash in any thread (trap, segfault, abort) still leaves the terminal usable.
    static func installCrashHandlers() {
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(sig) { s in
                if Terminal.active { endwin() }
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}
