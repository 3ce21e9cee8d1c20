import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

extension AppState {
    /// Applies a key press; returns what the loop must do outside the state (start a run, send a command, …).
    public mutating func handle(_ key: Key) -> [AppEffect] {
        message = nil
        if let c = confirmation {
            confirmation = nil
            guard key == .char("y") || key == .char("Y") else { message = "cancelled"; return [] }
            switch c {
            case .quit: return [.send(.stop), .quit]
            case .stop: return [.send(.stop)]
            case .delete(let p): return [.deleteCheckpoint(p)]
            case .resume(let p): return startRun(resumeFrom: p)
            }
        }
        if showHelp { showHelp = false; return [] }
        if editing != nil { return handleEditing(key) }
        if search != nil { handleSearch(key); return [] }
        if logs.filterField != nil { handleLogFilter(key); return [] }
        let screens = ScreenID.allCases.count
        switch key {
        case .tab: screen = ScreenID(rawValue: screen.rawValue % screens + 1)!; return []
        case .backTab: screen = ScreenID(rawValue: (screen.rawValue + screens - 2) % screens + 1)!; return []
        case .char(let c) where c.isASCII && c.wholeNumberValue.map { (1...screens).contains($0) } == true: screen = ScreenID(rawValue: Int(String(c))!)!; return []
        case .char("?"): showHelp = true; return []
        case .char("t"): return [.cycleTheme]
        case .char("q"), .ctrl("c"):
            if canSteer { confirmation = .quit; return [] }
            return [.quit]
        default: break
        }
        switch screen {
        case .config: return handleConfig(key)
        case .run: return handleRun(key)
        case .checkpoints: return handleCheckpoints(key)
        case .logs: handleLogs(key); return []
        case .compare: return handleCompare(key)
        }
    }

    mutating func handleConfig(_ key: Key) -> [AppEffect] {
        let rows = self.rows
        switch key {
        case .up, .char("k"): selected = max(0, selected - 1)
        case .down, .char("j"): selected = min(max(0, rows.count - 1), selected + 1)
        case .pageUp: selected = max(0, selected - 10)
        case .pageDown: selected = min(max(0, rows.count - 1), selected + 10)
        case .home: selected = 0
        case .end: selected = max(0, rows.count - 1)
        case .right, .char("l"), .char(" "), .left, .char("h"):
            guard let row = selectedRow else { break }
            let open = key == .right || key == .char("l") || (key == .char(" ") && !row.isExpanded)
            if row.isContainer {
                if open { expanded.insert(row.path) } else { expanded.remove(row.path) }
            } else if !open, row.path.count > 1, let parent = rows.firstIndex(where: { $0.path == Array(row.path.dropLast()) }) {
                selected = parent
            }
        case .enter:
            guard let row = selectedRow else { break }
            if row.isContainer { if row.isExpanded { expanded.remove(row.path) } else { expanded.insert(row.path) } }
            else if watchMode { message = "watch mode: this is the watched run's config (read-only)" }
            else { editing = TextField(row.value); editError = nil }
        case .char("/"): search = TextField("")
        case .char("u"):
            if document?.undo() == true { message = "undone" } else { message = "nothing to undo" }
        case .char("w"):
            guard !watchMode else { message = "watch mode: this is the watched run's config (read-only)"; break }
            guard document?.isModified == true else { message = "no changes to write"; break }
            do {
                let files = document!.edited.keys.sorted()
                try document!.write()
                message = "wrote " + files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            } catch { message = "cannot write: \(error)" }
        case .char("r"): return startRun()
        default: break
        }
        return []
    }

    mutating func handleEditing(_ key: Key) -> [AppEffect] {
        guard var field = editing, let row = selectedRow else { editing = nil; return [] }
        switch key {
        case .escape: editing = nil; editError = nil; return []
        case .enter:
            do {
                try document?.set(row.path, expression: field.string)
                editing = nil; editError = nil
                message = "\(row.path.joined(separator: ".")) = \(field.string)  (w writes it, u undoes)"
            } catch {
                editError = "\(error)"
            }
            return []
        case .left: field.left()
        case .right: field.right()
        case .home, .ctrl("a"): field.home()
        case .end, .ctrl("e"): field.end()
        case .backspace: field.backspace()
        case .delete: field.delete()
        case .ctrl("u"): field.clear()
        case .char(let c): field.insert(c)
        default: break
        }
        editing = field
        editError = EditValidation.problem(field.string, path: row.path, document: document)
        return []
    }

    mutating func handleSearch(_ key: Key) {
        guard var field = search else { return }
        switch key {
        case .escape: search = nil; return
        case .enter:
            search = nil
            findNext(field.string)
            return
        case .backspace: field.backspace()
        case .char(let c): field.insert(c)
        default: break
        }
        search = field
        findNext(field.string, from: selected)
    }

    /// Selects the next row whose dotted path contains `text`, expanding the tree as needed.
    mutating func findNext(_ text: String, from start: Int? = nil) {
        guard !text.isEmpty, let d = document else { return }
        let lower = text.lowercased()
        // Expand everything to search, then keep only the path to the match open.
        let all = ConfigTree.rows(d.config.root, expanded: Set(Self.allPaths(d.config.root)))
        let current = selectedRow?.path
        let begin = (current.flatMap { p in all.firstIndex { $0.path == p } } ?? -1) + (start == nil ? 1 : 0)
        let order = Array(all.indices.dropFirst(max(0, begin))) + Array(all.indices.prefix(max(0, begin)))
        guard let hit = order.first(where: { all[$0].path.joined(separator: ".").lowercased().contains(lower) }) else {
            message = "no key matches '\(text)'"
            return
        }
        let path = all[hit].path
        for n in 1..<path.count { expanded.insert(Array(path.prefix(n))) }
        selected = rows.firstIndex { $0.path == path } ?? selected
    }

    static func allPaths(_ root: ConfigDict) -> [[String]] {
        var out: [[String]] = []
        func visit(_ v: ConfigValue, _ path: [String]) {
            switch v.content {
            case .dict(let d): out.append(path); for e in d { visit(e.value, path + [e.key.description]) }
            case .list(let items), .tuple(let items): out.append(path); for (i, x) in items.enumerated() { visit(x, path + [String(i)]) }
            default: break
            }
        }
        for e in root { visit(e.value, [e.key.description]) }
        return out
    }

    mutating func startRun(resumeFrom: String? = nil) -> [AppEffect] {
        guard !watchMode else { message = "watch mode: runs are started elsewhere"; return [] }
        guard !run.status.isActive else { message = "a run is already active"; return [] }
        if document?.isModified == true { message = "unsaved edits are used for this run (w writes them)" }
        screen = .run
        return [.startRun(resumeFrom: resumeFrom)]
    }

    mutating func handleRun(_ key: Key) -> [AppEffect] {
        switch key {
        case .char("r"): return startRun()
        case .char("p"), .char("s"), .char("e"), .char("x"):
            guard !watchMode else { message = "watch mode: steering keys are disabled"; return [] }
            guard run.status.isActive else { message = "no active run (r starts one)"; return [] }
            switch key {
            case .char("p"): return [.send(run.status == .paused ? .resume : .pause)]
            case .char("s"): message = "saving a checkpoint…"; return [.send(.saveCheckpoint)]
            case .char("e"): message = "evaluating…"; return [.send(.evaluate)]
            default: confirmation = .stop; return []
            }
        case .char("L"):
            lrLogScale.toggle()
            message = lrLogScale ? "lr chart: log scale" : "lr chart: linear scale"
            return []
        case .char("c"): screen = .compare; return []
        case .char("["), .char("]"):
            guard watchMode else { message = "[ and ] switch between the runs of a watched work dir (reel tui --watch DIR)"; return [] }
            return [.showRun(step: key == .char("[") ? -1 : 1)]
        default: return []
        }
    }
}

/// Validation as you type: the text must parse as a config expression of the type the field expects.
enum EditValidation {
    static func problem(_ text: String, path: [String], document: ConfigDocument?) -> String? {
        let value: ConfigValue
        do { value = try SourceEdit.parseExpression(text) } catch {
            // The parser's message without its location in the scratch text.
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return "not a value: " + (first.components(separatedBy: "error: ").last ?? first)
        }
        guard let d = document, let help = Registry.help(at: path, in: d.config.root) else { return nil }
        if let choices = help.expected.choices, let s = value.string, !choices.contains(s) {
            return "choose one of: \(choices.joined(separator: ", "))"
        }
        return help.expected.accepts(value) ? nil : "expected \(help.expected.phrase)"
    }
}
