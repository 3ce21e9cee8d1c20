/// A one-row progress bar with eighth-block precision: `label ████▌░░░ right`.
public struct ProgressBar: Sendable {
    public var fraction: Double
    public var label: String
    public var right: String
    public var barStyle: Style
    public var emptyStyle: Style
    public var textStyle: Style

    public init(fraction: Double, label: String = "", right: String = "", barStyle: Style = .plain,
                emptyStyle: Style = .plain, textStyle: Style = .plain) {
        self.fraction = fraction; self.label = label; self.right = right
        self.barStyle = barStyle; self.emptyStyle = emptyStyle; self.textStyle = textStyle
    }

    public func draw(in r: Rect, on s: inout ScreenBuffer) {
        guard r.height > 0 else { return }
        var x = r.x
        if !label.isEmpty { x = s.put(label + " ", x: x, y: r.y, style: textStyle, clip: r) }
        let rightText = right.isEmpty ? "" : " " + right
        let width = r.maxX - x - rightText.count
        guard width > 0 else { return }
        let f = min(1, max(0, fraction.isFinite ? fraction : 0))
        let eighths = Int((f * Double(width) * 8).rounded(.down))
        let partial: [Character] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"].map { $0.first ?? " " }
        for i in 0..<width {
            let e = eighths - i * 8
            if e >= 8 { s[x + i, r.y] = Cell("█", barStyle) }
            else if e > 0 { s[x + i, r.y] = Cell(partial[e], barStyle) }
            else { s[x + i, r.y] = Cell("░", emptyStyle) }
        }
        s.put(rightText, x: x + width, y: r.y, style: textStyle, clip: r)
    }
}
