import Config
import Foundation

/// Reel's exit statuses and the one place that prints fatal errors.
enum ExitStatus {
    /// A config or command-line error.
    static let usage: Int32 = 2
    static let interrupted: Int32 = 130
    static let terminated: Int32 = 143

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func fail(with error: ConfigError) -> Never {
        printError(error.description)
        exit(usage)
    }

    static func fail(with errors: ConfigErrors) -> Never {
        printError(errors.description)
        exit(usage)
    }
}

/// Several config problems reported together (`reel config check` lists every one, not just the first).
struct ConfigErrors: Error, CustomStringConvertible {
    var errors: [ConfigError]
    var description: String {
        let n = errors.filter { $0.severity == .error }.count
        return errors.map(\.description).joined(separator: "\n") + "\n\(n) error\(n == 1 ? "" : "s") found"
    }
}
