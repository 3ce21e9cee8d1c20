/// Every source text a resolved config was built from, by path: the config, its bases and, under the pseudo-path
/// `--cfg-options`, the command-line options. Turns an `Origin` into a printable `ConfigError`.
public struct SourceFiles: Sendable {
    public static let cfgOptionsPath = "--cfg-options"
    public private(set) var byPath: [String: SourceFile] = [:]
    /// Paths in the order they were first read (the config first, then its bases depth-first).
    public private(set) var order: [String] = []

    public init() {}

    public mutating func add(_ file: SourceFile) {
        if byPath[file.path] == nil { order.append(file.path) }
        byPath[file.path] = file
    }

    public subscript(path: String) -> SourceFile? { byPath[path] }

    /// An error (or warning) pointing at `origin`, with its source line when the text is known.
    public func error(_ message: String, at origin: Origin, note: String? = nil,
                      severity: ConfigError.Severity = .error) -> ConfigError {
        guard let loc = origin.location else {
            return ConfigError(message: message, location: SourceLocation(file: "<config>", line: 1, column: 1,
                                                                           bytes: 0..<0),
                               sourceLine: "", note: note, severity: severity)
        }
        let line = byPath[loc.file]?.line(loc.line) ?? ""
        return ConfigError(message: message, location: loc, sourceLine: line, note: note, severity: severity)
    }
}
