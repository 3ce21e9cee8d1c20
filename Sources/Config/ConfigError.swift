/// An error in a config file (or in a `--cfg-options` token). `description` is exactly what `reel` prints
/// before exiting with status 2: `FILE:LINE:COL: error: MESSAGE`, the offending line and a caret under the column.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation
    /// The offending line, so printing needs no file access. Empty when there is no line to show.
    public var sourceLine: String
    /// An optional second line, e.g. `did you mean 'interval'?` or the list of supported names.
    public var note: String?
    public var severity: Severity

    public enum Severity: String, Sendable { case error, warning }

    public init(message: String, location: SourceLocation, sourceLine: String, note: String? = nil,
                severity: Severity = .error) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.note = note
        self.severity = severity
    }

    public var description: String {
        var text = "\(Self.visible(location.file)):\(location.line):\(location.column): \(severity.rawValue): "
            + Self.visible(message)
        if !sourceLine.isEmpty {
            let (shown, caretPrefix) = Self.displayLine(sourceLine, column: location.column)
            text += "\n    \(shown)\n    \(caretPrefix)^"
        }
        if let note { text += "\n    note: \(Self.visible(note))" }
        return text
    }

    /// Scalars of the source line shown around the caret; longer lines are cut to a window with `…` at the cuts,
    /// so a 100 MB one-line file does not print 100 MB.
    static let lineWindow = 160

    /// The source line as printed (control characters escaped, long lines windowed) and the text that puts the
    /// caret under `column`: it copies tabs and is as wide as each escape, so the caret stays on the character.
    static func displayLine(_ line: String, column: Int) -> (line: String, caretPrefix: String) {
        let scalars = Array(line.unicodeScalars)
        let col = max(0, min(column - 1, scalars.count))
        var lo = 0, hi = scalars.count
        if scalars.count > lineWindow {
            lo = max(0, min(col - lineWindow / 2, scalars.count - lineWindow))
            hi = min(scalars.count, lo + lineWindow)
        }
        var shown = lo > 0 ? "…" : "", prefix = lo > 0 ? " " : ""
        for k in lo..<hi {
            let piece = escaped(scalars[k]) ?? String(scalars[k])
            shown += piece
            if k < col { prefix += scalars[k] == "\t" ? "\t" : String(repeating: " ", count: piece.unicodeScalars.count) }
        }
        if hi < scalars.count { shown += "…" }
        return (shown, prefix)
    }

    /// Text with every control character written as a visible escape, so a config cannot send terminal escape
    /// sequences through an error message. Tabs are kept.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { escaped($0) != nil }) else { return text }
        return text.unicodeScalars.map { escaped($0) ?? String($0) }.joined()
    }

    /// `\x1b` for a C0/C1 control character or DEL (not tab), nil for anything printable.
    private static func escaped(_ u: Unicode.Scalar) -> String? {
        guard u != "\t", u.value < 0x20 || (0x7F...0x9F).contains(u.value) else { return nil }
        let hex = String(u.value, radix: 16)
        return "\\x" + (hex.count < 2 ? "0" : "") + hex
    }

    /// A problem with a whole file (missing, unreadable, not UTF-8). Points at the `_base_` entry that named it when
    /// there is one, else at line 1 of the file itself.
    static func fileProblem(_ message: String, path: String, requestedBy: SourceLocation?) -> ConfigError {
        if let at = requestedBy, let file = try? String(contentsOfFile: at.file, encoding: .utf8) {
            let lines = file.split(separator: "\n", omittingEmptySubsequences: false)
            let line = at.line - 1 < lines.count ? String(lines[at.line - 1]) : ""
            return ConfigError(message: message, location: at, sourceLine: line)
        }
        return ConfigError(message: message, location: SourceLocation(file: path, line: 1, column: 1, bytes: 0..<0),
                           sourceLine: "")
    }
}
