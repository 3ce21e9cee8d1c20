import Config
import Foundation

/// Where the dashboard keeps what the user chose: `$XDG_CONFIG_HOME/reel/` (else `~/.config/reel/`), with the
/// theme picked by `t` in `theme` and the user's own themes in `themes/NAME.toml`.
public struct ThemeSettings: Sendable {
    public var directory: String

    public init(environment: [String: String]) {
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let home = environment["HOME"] ?? NSHomeDirectory()
        directory = ((xdg ?? home + "/.config") as NSString).appendingPathComponent("reel")
    }

    var file: String { (directory as NSString).appendingPathComponent("theme") }

    /// The themes' directories: the working directory's and the package's `themes/`, then the user's.
    public var searchPaths: [String] {
        Theme.packagePaths + [(directory as NSString).appendingPathComponent("themes")]
    }

    /// The theme chosen last time, if any.
    public func saved() -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty || name.contains("/") ? nil : name
    }

    public func save(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data((name + "\n").utf8), to: file)
    }
}

extension Theme {
    /// The shipped themes, in the order `t` cycles through them (user themes follow, by name).
    public static let builtIn = ["default", "light", "high-contrast"]

    /// Every theme name found in `searchPaths`: the built-in ones first, then the others sorted.
    public static func available(in searchPaths: [String]) -> [String] {
        var names = Set<String>()
        for dir in searchPaths {
            for n in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where n.hasSuffix(".toml") {
                names.insert(String(n.dropLast(5)))
            }
        }
        return builtIn.filter(names.contains) + names.subtracting(builtIn).sorted()
    }

    /// The first theme after `current` in `names` that loads; the broken ones passed over are named with their
    /// error, so one bad file does not stop `t` from reaching the others.
    public static func next(after current: String, in names: [String], searchPaths: [String]) -> (theme: Theme?, skipped: [String]) {
        guard !names.isEmpty else { return (nil, []) }
        let start = names.firstIndex(of: current) ?? -1
        var skipped: [String] = []
        for step in 1...names.count {
            let name = names[(start + step + names.count) % names.count]
            do { return (try load(name: name, searchPaths: searchPaths), skipped) } catch { skipped.append("\(error)") }
        }
        return (nil, skipped)
    }
}
