import Foundation

/// The dashboard's named styles, loaded from `themes/<name>.toml` (one table per style with `fg`, `bg`, `bold`,
/// `dim`, `underline`, `reverse`).
public struct Theme: Equatable, Sendable {
    public static let keys = ["text", "dim", "border", "title", "accent", "selection", "good", "bad", "warning", "loss",
                              "loss_smooth", "lr", "progress", "progress_empty", "axis", "from_base", "from_file", "status"]
    public var name: String
    public var styles: [String: Style]

    public subscript(_ key: String) -> Style { styles[key] ?? styles["text"] ?? .plain }

    public var text: Style { self["text"] }
    public var dim: Style { self["dim"] }
    public var border: Style { self["border"] }
    public var title: Style { self["title"] }
    public var accent: Style { self["accent"] }
    public var selection: Style { self["selection"] }
    public var good: Style { self["good"] }
    public var bad: Style { self["bad"] }
    public var warning: Style { self["warning"] }

    /// Built in, used when no theme file can be read: the terminal's own colours plus bold/reverse.
    public static let fallback = Theme(name: "plain", styles: Dictionary(uniqueKeysWithValues: keys.map { k in
        (k, k == "selection" || k == "status" ? Style(reverse: true) : k == "title" || k == "accent" ? Style(bold: true)
            : k == "dim" || k == "axis" || k == "progress_empty" ? Style(dim: true) : .plain)
    }))

    /// Every style's colours reduced to what the terminal shows.
    public func degraded(to depth: ColorDepth) -> Theme {
        var t = self
        for (k, s) in styles { t.styles[k] = s.with(fg: s.fg.degraded(to: depth), bg: s.bg.degraded(to: depth)) }
        return t
    }

    /// Reads `name`.toml from the first directory that has it.
    public static func load(name: String, searchPaths: [String]) throws -> Theme {
        for dir in searchPaths {
            let path = (dir as NSString).appendingPathComponent(name + ".toml")
            if FileManager.default.fileExists(atPath: path) {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ThemeError(file: path, line: nil, message: "cannot read the file")
                }
                return try ThemeFile.parse(text, name: name, file: path)
            }
        }
        throw ThemeError(file: name + ".toml", line: nil, message: "no such theme in \(searchPaths.joined(separator: ", "))")
    }

    /// The theme directories: next to the executable's package (`themes/`), the working directory, and the user's
    /// (`ThemeSettings`: `$XDG_CONFIG_HOME/reel/themes`, else `~/.config/reel/themes`).
    public static var searchPaths: [String] { ThemeSettings(environment: ProcessInfo.processInfo.environment).searchPaths }

    /// `themes/` in the working directory and up to four levels above the executable.
    static var packagePaths: [String] {
        var paths = ["themes"]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            paths.append(dir.appendingPathComponent("themes").path)
            dir = dir.deletingLastPathComponent()
        }
        return paths
    }
}

/// A bad theme file: names the file, line and key.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): error: \(message)" }
}
