/// An editable line: text, cursor and the usual editing operations as pure mutations; draws with horizontal
/// scrolling so the cursor is always visible.
public struct TextField: Equatable, Sendable {
    public private(set) var text: [Character]
    public private(set) var cursor: Int

    public init(_ text: String) { self.text = Array(text); cursor = self.text.count }

    public var string: String { String(text) }
    public mutating func insert(_ c: Character) { text.insert(c, at: cursor); cursor += 1 }
    public mutating func backspace() { if cursor > 0 { text.remove(at: cursor - 1); cursor -= 1 } }
    public mutating func delete() { if cursor < text.count { text.remove(at: cursor) } }
    public mutating func left() { cursor = max(0, cursor - 1) }
    public mutating func right() { cursor = min(text.count, cursor + 1) }
    public mutating func home() { cursor = 0 }
    public mutating func end() { cursor = text.count }
    public mutating func clear() { text = []; cursor = 0 }

    /// Draws the visible window of the text; the cursor cell in reverse video.
    public func draw(in r: Rect, on s: inout ScreenBuffer, style: Style) {
        guard r.width > 1 else { return }
        let start = max(0, cursor - r.width + 1)
        s.fill(Rect(x: r.x, y: r.y, width: r.width, height: 1), style: style)
        for (i, ch) in text.dropFirst(start).prefix(r.width).enumerated() { s[r.x + i, r.y] = Cell(ch, style) }
        let cx = r.x + cursor - start
        let under = cursor < text.count ? text[cursor] : " "
        s[cx, r.y] = Cell(under, style.with(reverse: !style.reverse))
    }
}
