import Curses
import Foundation

/// The dashboard's terminal: sets it up through `CursesScreen` (the only ncurses caller), diffs each frame against
/// the last and writes only changed cells, maps colours to the terminal's depth and ncurses' keys to `Key`, and
/// restores the terminal on every exit path.
public final class Terminal {
    public private(set) var width = 0, height = 0
    public let depth: ColorDepth
    private let screen: CursesScreen
    private var last: ScreenBuffer?
    private var pairs: [ColorPairKey: Int32] = [:]
    private var nextPair: Int32 = 1

    struct ColorPairKey: Hashable { var fg: Color, bg: Color }

    public init() {
        screen = CursesScreen()
        let colors = screen.colors
        var d: ColorDepth = colors >= 0x100_0000 ? .trueColor : colors >= 256 ? .xterm256 : colors >= 8 ? .ansi16 : .mono
        if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { d = .mono }
        depth = d
        refreshSize()
    }

    deinit { restore() }

    /// Leaves curses mode (idempotent).
    public func restore() { screen.end() }

    public func refreshSize() {
        (width, height) = screen.size
        last = nil
    }

    /// Waits up to the input timeout for a key; nil when none came. A resize is handled here and reported as nil.
    public func readKey() -> Key? {
        guard let key = screen.readKey() else { return nil }
        switch key {
        case .up: return .up
        case .down: return .down
        case .left: return .left
        case .right: return .right
        case .enter: return .enter
        case .backspace: return .backspace
        case .delete: return .delete
        case .home: return .home
        case .end: return .end
        case .pageUp: return .pageUp
        case .pageDown: return .pageDown
        case .backTab: return .backTab
        case .resize: refreshSize(); return nil
        case .function(let n): return .function(n)
        case .mouse(let x, let y, let buttons): return Self.mouseKey(x: x, y: y, buttons: buttons)
        case .scalar(let ch):
            switch ch {
            case 10, 13: return .enter
            case 9: return .tab
            case 27: return .escape
            case 127, 8: return .backspace
            case 1...26: return .ctrl(Character(Unicode.Scalar(ch + 96)!))
            default: return Unicode.Scalar(ch).map { .char(Character($0)) }
            }
        }
    }

    /// A mouse report as a key: the wheel, or a press of the first button; nil for anything else.
    static func mouseKey(x: Int, y: Int, buttons: UInt32) -> Key? {
        if buttons & CursesScreen.wheelUp != 0 { return .mouse(MouseEvent(.wheelUp, x: x, y: y)) }
        if buttons & CursesScreen.wheelDown != 0 { return .mouse(MouseEvent(.wheelDown, x: x, y: y)) }
        if buttons & CursesScreen.button1Pressed != 0 { return .mouse(MouseEvent(.press, x: x, y: y)) }
        return nil
    }

    /// Writes the cells that changed since the last frame and flushes once.
    public func draw(_ buffer: ScreenBuffer) {
        if buffer.width != width || buffer.height != height { return }
        let previous = last.flatMap { $0.width == buffer.width && $0.height == buffer.height ? $0 : nil }
        if previous == nil { screen.erase() }
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if let previous, previous[x, y] == cell { continue }
                if cell.char == "\u{0}" { continue }   // second column of a wide character
                put(cell, x: x, y: y)
            }
        }
        last = buffer
        screen.refresh()
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var attributes: CursesScreen.Attributes = []
        if cell.style.bold { attributes.insert(.bold) }
        if cell.style.dim { attributes.insert(.dim) }
        if cell.style.underline { attributes.insert(.underline) }
        if cell.style.reverse { attributes.insert(.reverse) }
        let pair = self.pair(cell.style.fg.degraded(to: depth), cell.style.bg.degraded(to: depth))
        screen.put(String(cell.char).unicodeScalars.map(\.value), x: x, y: y, attributes: attributes, pair: pair)
    }

    /// The colour pair for (fg, bg), allocated on first use.
    private func pair(_ fg: Color, _ bg: Color) -> Int32 {
        if fg == .default && bg == .default || screen.pairLimit == 0 { return 0 }
        let key = ColorPairKey(fg: fg, bg: bg)
        if let p = pairs[key] { return p }
        guard nextPair < Int32(clamping: screen.pairLimit) else { return 0 }
        let p = nextPair
        nextPair += 1
        screen.definePair(p, foreground: number(fg), background: number(bg))
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

    /// Leaves curses mode from a thread other than the UI's (see `CursesScreen.endFromAnyThread`).
    public static func restoreFromAnyThread() { CursesScreen.endFromAnyThread() }
}
