/// A rectangle of cells: x, y from the top-left, in columns and rows.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    /// The top `rows` rows and the rest (negative: the bottom |rows| rows and the rest above them).
    public func split(rows: Int) -> (Rect, Rect) {
        let r = rows >= 0 ? min(rows, height) : max(0, height + rows)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }
    public func split(columns: Int) -> (Rect, Rect) {
        let c = columns >= 0 ? min(columns, width) : max(0, width + columns)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }
    public func split(fraction: Double, vertical: Bool = false) -> (Rect, Rect) {
        vertical ? split(rows: Int(Double(height) * fraction)) : split(columns: Int(Double(width) * fraction))
    }
}

/// One character cell.
public struct Cell: Equatable, Sendable {
    public var char: Character
    public var style: Style
    public init(_ char: Character = " ", _ style: Style = .plain) { self.char = char; self.style = style }
}

/// What a frame of the dashboard shows: a grid of cells, drawn by pure functions and diffed onto the terminal.
/// Every drawing call clips to the buffer (and to an optional rectangle), so widgets can never write outside it.
public struct ScreenBuffer: Equatable, Sendable {
    public let width: Int, height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: Cell(" ", style), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y) on one line, clipped to `clip` (default: the whole buffer). Returns the column
    /// after the last character written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, clip: Rect? = nil) -> Int {
        let c = clip ?? bounds
        guard y >= max(0, c.y) && y < min(height, c.maxY) else { return x }
        var cx = x
        for ch in text {
            if ch == "\n" { break }
            let w = Self.columns(ch)
            if cx >= c.x && cx + w <= min(width, c.maxX) {
                self[cx, y] = Cell(ch, style)
                if w == 2 { self[cx + 1, y] = Cell("\u{0}", style) }   // the wide character's second column
            }
            cx += w
            if cx >= c.maxX { break }
        }
        return cx
    }

    public mutating func fill(_ rect: Rect, style: Style, char: Character = " ") {
        for y in max(0, rect.y)..<min(height, max(rect.y, rect.maxY)) {
            for x in max(0, rect.x)..<min(width, max(rect.x, rect.maxX)) { self[x, y] = Cell(char, style) }
        }
    }

    /// A single-line box with an optional title in the top border.
    public mutating func box(_ r: Rect, title: String? = nil, style: Style, titleStyle: Style? = nil, ascii: Bool = false) {
        guard r.width >= 2 && r.height >= 2 else { return }
        let (h, v, tl, tr, bl, br): (Character, Character, Character, Character, Character, Character) =
            ascii ? ("-", "|", "+", "+", "+", "+") : ("─", "│", "┌", "┐", "└", "┘")
        for x in r.x..<r.maxX { self[x, r.y] = Cell(h, style); self[x, r.maxY - 1] = Cell(h, style) }
        for y in r.y..<r.maxY { self[r.x, y] = Cell(v, style); self[r.maxX - 1, y] = Cell(v, style) }
        self[r.x, r.y] = Cell(tl, style); self[r.maxX - 1, r.y] = Cell(tr, style)
        self[r.x, r.maxY - 1] = Cell(bl, style); self[r.maxX - 1, r.maxY - 1] = Cell(br, style)
        if let title, r.width > 4 {
            put(" \(title) ", x: r.x + 2, y: r.y, style: titleStyle ?? style, clip: Rect(x: r.x + 1, y: r.y, width: r.width - 2, height: 1))
        }
    }

    /// The characters row by row, trailing spaces trimmed: what snapshot tests compare.
    public var text: String {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where cells[y * width + x].char != "\u{0}" { line.append(cells[y * width + x].char) }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Display width of a character: 2 for East Asian wide and emoji, else 1.
    public static func columns(_ ch: Character) -> Int {
        guard let s = ch.unicodeScalars.first else { return 1 }
        let v = s.value
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }
}
