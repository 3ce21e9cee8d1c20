/// Where a value or token sits in a config file: 1-based line and column (in characters), plus the byte range
/// that a lossless edit replaces.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var bytes: Range<Int>

    public init(file: String, line: Int, column: Int, bytes: Range<Int>) {
        self.file = file
        self.line = line
        self.column = column
        self.bytes = bytes
    }

    /// `file:line:col`, as compilers print it.
    public var description: String { "\(file):\(line):\(column)" }
}
