/// A terminal colour: the terminal's default, one of the 256 xterm colours, or 24-bit RGB.
public enum Color: Hashable, Sendable {
    case `default`
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    /// The nearest colour a terminal of `depth` can show (truecolor → 256 → 16 → none).
    public func degraded(to depth: ColorDepth) -> Color {
        switch (self, depth) {
        case (.default, _), (_, .trueColor): return self
        case (_, .mono): return .default
        case (.indexed(let i), .xterm256): return .indexed(i)
        case (.indexed(let i), .ansi16): return i < 16 ? self : .indexed(Self.nearest16(Self.rgbOf(i)))
        case (.rgb(let r, let g, let b), .xterm256): return .indexed(Self.cube(r, g, b))
        case (.rgb(let r, let g, let b), .ansi16): return .indexed(Self.nearest16((r, g, b)))
        }
    }

    /// The nearest of the 256 xterm colours: the 6×6×6 cube or, for greys and near-greys, the 24-step grey ramp
    /// (the cube has only 6 greys, so a grey like #6c7380 would otherwise become teal #5f8787).
    static func cube(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let c = UInt8(16 + 36 * level(r) + 6 * level(g) + level(b))
        let mean = (Int(r) + Int(g) + Int(b)) / 3
        let grey = UInt8(232 + min(23, max(0, (mean - 3) / 10)))
        func distance(_ i: UInt8) -> Int {
            let (x, y, z) = rgbOf(i)
            return (Int(x) - Int(r)) * (Int(x) - Int(r)) + (Int(y) - Int(g)) * (Int(y) - Int(g)) + (Int(z) - Int(b)) * (Int(z) - Int(b))
        }
        return distance(grey) < distance(c) ? grey : c
    }

    static let ansi: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
        (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
        (0, 255, 255), (255, 255, 255)]

    static func rgbOf(_ i: UInt8) -> (UInt8, UInt8, UInt8) {
        if i < 16 { return ansi[Int(i)] }
        if i >= 232 { let v = UInt8(8 + 10 * (Int(i) - 232)); return (v, v, v) }
        let n = Int(i) - 16, steps: [UInt8] = [0, 95, 135, 175, 215, 255]
        return (steps[n / 36], steps[n / 6 % 6], steps[n % 6])
    }

    static func nearest16(_ c: (UInt8, UInt8, UInt8)) -> UInt8 {
        var best = 0, bestD = Int.max
        for (i, a) in ansi.enumerated() {
            let d = (Int(a.0) - Int(c.0)) * (Int(a.0) - Int(c.0)) + (Int(a.1) - Int(c.1)) * (Int(a.1) - Int(c.1))
                + (Int(a.2) - Int(c.2)) * (Int(a.2) - Int(c.2))
            if d < bestD { best = i; bestD = d }
        }
        return UInt8(best)
    }
}

/// How many colours the terminal shows.
public enum ColorDepth: Sendable { case mono, ansi16, xterm256, trueColor }

/// Foreground, background and attributes of a cell.
public struct Style: Hashable, Sendable {
    public var fg: Color = .default
    public var bg: Color = .default
    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false
    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false, underline: Bool = false,
                reverse: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.dim = dim; self.underline = underline; self.reverse = reverse
    }
    public static let plain = Style()
    public func with(fg: Color? = nil, bg: Color? = nil, bold: Bool? = nil, reverse: Bool? = nil, underline: Bool? = nil) -> Style {
        var s = self
        if let underline { s.underline = underline }
        if let fg { s.fg = fg }
        if let bg { s.bg = bg }
        if let bold { s.bold = bold }
        if let reverse { s.reverse = reverse }
        return s
    }
}
