import Foundation

/// A confirmation as a centred modal box: a title that says what is asked, the target in bold, the consequences,
/// and one line per answer. Drawn in the theme's text colours (not the status bar's), so it is as readable as the
/// text itself in every theme (`ThemeContrastTests`).
enum Dialog {
    enum Kind { case plain, target, warning }
    struct Content {
        var title: String
        var lines: [(String, Kind)]
        var choices: [(key: String, text: String)]
        /// The answers in one line, for the status bar.
        var keysLine: String { choices.map { "\($0.key) \($0.text)" }.joined(separator: " · ") }
    }

    static func content(_ c: Confirmation) -> Content {
        let cancel = (key: "any other key", text: "cancel")
        switch c {
        case .quit:
            return Content(title: "Quit while a run is active?", lines: [
                ("The run is stopped first; it saves a checkpoint.", .plain)],
                choices: [("y", "stop the run and quit"), cancel])
        case .stop:
            return Content(title: "Stop the run?", lines: [("A checkpoint is saved first.", .plain)],
                           choices: [("y", "stop the run"), cancel])
        case .resume(let p):
            return Content(title: "Resume training from a checkpoint?", lines: [
                ((p as NSString).lastPathComponent, .target), ("Training continues from its epoch and iteration.", .plain)],
                choices: [("y", "resume from it"), cancel])
        case .delete(let p):
            return Content(title: "Delete a checkpoint?", lines: [
                ((p as NSString).lastPathComponent, .target), ("The file is removed from disk.", .warning)],
                choices: [("y", "delete it"), cancel])
        case .quitUnsaved(let files, let runActive):
            let names = files.map(SharedEdit.name).joined(separator: ", ")
            var lines: [(String, Kind)] = [("Edits not written yet, to:", .plain), (names, .target)]
            if runActive { lines.append(("The active run is stopped first (it saves a checkpoint).", .plain)) }
            return Content(title: "Quit with unsaved edits?", lines: lines,
                           choices: [("w", "write \(names) and quit"), ("d", "discard the edits and quit"), ("Esc", "cancel")])
        case .writeWithErrors(let errors, let thenQuit, _):
            var lines: [(String, Kind)] = [("reel config check rejects the edited config (reel train would refuse it):", .plain)]
            lines += errors.prefix(6).map { ($0, .warning) }
            if errors.count > 6 { lines.append(("… and \(errors.count - 6) more", .plain)) }
            return Content(title: "Write a config with errors?", lines: lines,
                           choices: [("y", thenQuit ? "write it anyway and quit" : "write it anyway"), ("any other key", "do not write")])
        case .sharedEdit(let e):
            let name = e.path.joined(separator: ".")
            var lines: [(String, Kind)] = [("\(e.isNewKey ? "The new key goes into" : "\(name) is written at") \(e.location)", .target)]
            if let base = e.baseFile {
                lines.append(("\(SharedEdit.name(base)) is a _base_ file: " + (e.otherConfigs.isEmpty
                    ? "other configs may use it too." : "also used by \(e.otherConfigs.joined(separator: ", ")).") , .warning))
            }
            if !e.alsoSets.isEmpty {
                lines.append(("The same text also sets: \(e.alsoSets.joined(separator: ", "))", .warning))
            }
            return Content(title: "Change shared text?", lines: lines, choices: [
                ("o", "override \(name) in \(SharedEdit.name(e.configFile)) only"),
                ("e", "edit \(e.location) (changes all of the above)"), ("Esc", "cancel")])
        }
    }

    static func draw(_ c: Confirmation, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let content = content(c)
        let w = min(r.width - 2, 76), textWidth = w - 4
        var body: [(String, Style)] = []
        for (line, kind) in content.lines {
            let style = kind == .target ? theme.accent.with(bold: true) : kind == .warning ? theme.warning : theme.text
            body += ConfigScreen.wrap(line, width: textWidth).map { ($0, style) }
        }
        body.append(("", theme.text))
        // Keys in a column as wide as the short ones ("any other key" takes its own width).
        let keyWidth = content.choices.map(\.key.count).filter { $0 <= 3 }.max() ?? 1
        var keyCells: [Int] = []
        for choice in content.choices {
            let width = max(keyWidth, choice.key.count)
            let parts = ConfigScreen.wrap(choice.text, width: textWidth - width - 2)
            for (i, part) in parts.enumerated() {
                let key = i == 0 ? choice.key.padding(toLength: width, withPad: " ", startingAt: 0) : String(repeating: " ", count: width)
                body.append(("\u{1}" + key + "  " + part, theme.text))
                keyCells.append(width)
            }
        }
        var answer = 0
        let h = min(r.height, body.count + 2)
        let box = Rect(x: r.x + (r.width - w) / 2, y: r.y + max(0, (r.height - h) / 2), width: w, height: h)
        s.fill(box, style: theme.text)
        s.box(box, title: content.title, style: theme.title, titleStyle: theme.title)
        let inner = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        for (i, (line, style)) in body.prefix(inner.height).enumerated() {
            let y = inner.y + i
            if line.hasPrefix("\u{1}") {
                // An answer: the key in the title colour, bold; its meaning in text.
                let text = String(line.dropFirst()), width = keyCells[answer]
                answer += 1
                s.put(String(text.prefix(width)), x: inner.x, y: y, style: theme.title.with(bold: true), clip: inner)
                s.put(String(text.dropFirst(width)), x: inner.x + width, y: y, style: style, clip: inner)
            } else {
                s.put(line, x: inner.x, y: y, style: style, clip: inner)
            }
        }
    }
}
