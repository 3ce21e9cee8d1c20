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
        var text = "\(location.file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
        if !sourceLine.isEmpty {
            // Tabs in the line would misplace the caret; the caret copies them so it stays under the column.
            let prefix = sourceLine.unicodeScalars.prefix(max(0, location.column - 1))
                .map { $0 == "\t" ? "\t" : " " }.joined()
            text += "\n    \(sourceLine)\n    \(prefix)^"
        }
        if let note { text += "\n    note: \(note)" }
        return text
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
