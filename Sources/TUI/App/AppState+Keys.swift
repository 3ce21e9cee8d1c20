import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

extension AppState {
    /// Applies a key press; returns what the loop must do outside the state (start a run, send a command, …).
    public mutating func handle(_ key: Key) -> [AppEffect] {
        message = nil
        if let c = confirmation { return answer(c, key) }
        if showHelp { handleHelp(key); return [] }
        if case .mouse(let m) = key { return handleMouse(m) }
        if editing != nil { return handleEditing(key) }
        if search != nil { handleSearch(key); return [] }
        if logs.filterField != nil { handleLogFilter(key); return [] }
        // g / G: top / bottom on every screen (as Home / End).
        let key = key == .char("g") ? Key.home : key == .char("G") ? Key.end : key
        let screens = ScreenID.allCases.count
        switch key {
        case .tab: show(ScreenID(rawValue: screen.rawValue % screens + 1)!); return []
        case .backTab: show(ScreenID(rawValue: (screen.rawValue + screens - 2) % screens + 1)!); return []
        case .char(let c) where c.isASCII && c.wholeNumberValue.map({ (1...screens).contains($0) }) == true:
            show(ScreenID(rawValue: Int(String(c))!)!); return []
        case .char("?"), .function(1): showHelp = true; helpScroll = 0; return []
        case .char("t"): return [.cycleTheme]
        case .char("q"), .ctrl("c"), .function(10): return requestQuit()
        case .escape where !(screen == .checkpoints && showCheckpointDetail):
            // Esc goes back to the screen shown before (btop, k9s); on the first screen it does nothing.
            if let p = previousScreen, p != screen { show(p) }
            return []
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

    mutating func show(_ id: ScreenID) {
        if id != screen { previousScreen = screen }
        screen = id
    }

    /// Keys while the `?` overlay is open: scrolling keys scroll it, any other key closes it (and is not used).
    mutating func handleHelp(_ key: Key) {
        switch key {
        case .down, .char("j"): helpScroll += 1
        case .up, .char("k"): helpScroll = max(0, helpScroll - 1)
        case .pageDown, .char(" "): helpScroll += 10
        case .pageUp: helpScroll = max(0, helpScroll - 10)
        case .home, .char("g"): helpScroll = 0
        case .end, .char("G"): helpScroll = Int.max / 2
        case .mouse(let m) where m.kind == .wheelUp: helpScroll = max(0, helpScroll - 1)
        case .mouse(let m) where m.kind == .wheelDown: helpScroll += 1
        default: showHelp = false
        }
        helpScroll = min(helpScroll, max(0, HelpOverlay.lineCount(self) - 1))
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
            else { editing = TextField(row.value); editError = nil; addingTo = nil }
        case .char("a"):
            if watchMode { message = "watch mode: this is the watched run's config (read-only)" } else if document != nil { startAdding() }
        case .char("/"): search = TextField(lastSearch); searchIsRecalled = !lastSearch.isEmpty
        case .char("n"), .char("N"):
            guard !lastSearch.isEmpty else { message = "no search yet (/ searches)"; break }
            findNext(lastSearch, backwards: key == .char("N"))
        case .char("u"): undoEdit()
        case .char("w"):
            guard !watchMode else { message = "watch mode: this is the watched run's config (read-only)"; break }
            return writeEdits()
        case .char("r"): return startRun()
        default: break
        }
        return []
    }

    mutating func handleEditing(_ key: Key) -> [AppEffect] {
        guard var field = editing, addingTo != nil || selectedRow != nil else { editing = nil; return [] }
        switch key {
        case .escape: editing = nil; editError = nil; addingTo = nil; return []
        case .enter: commitEdit(); return []
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
        if let into = addingTo {
            let parts = field.string.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            editError = parts.count < 2 || parts[1].isEmpty ? nil
                : EditValidation.problem(parts[1], path: into + [parts[0]], document: document)
        } else if let row = selectedRow {
            editError = EditValidation.problem(field.string, path: row.path, document: document)
        }
        return []
    }

    /// Incremental search: typing selects the first match from the current row on; Enter keeps that match and
    /// closes the box; `n` / `N` (also while the box is open, with Ctrl-N / Ctrl-P) go to the next / previous one.
    mutating func handleSearch(_ key: Key) {
        guard var field = search else { return }
        switch key {
        case .escape: search = nil; return
        case .enter:
            search = nil
            lastSearch = field.string
            return
        case .ctrl("n"), .down: findNext(field.string); return
        case .ctrl("p"), .up: findNext(field.string, backwards: true); return
        case .backspace: field.backspace()
        case .ctrl("u"): field.clear()
        case .char(let c):
            if searchIsRecalled { field.clear() }
            field.insert(c)
        default: break
        }
        searchIsRecalled = false
        search = field
        lastSearch = field.string
        findNext(field.string, from: selected)
    }

    /// The full paths of every key matching `text` (case-insensitive, dotted path), in tree order.
    func searchMatches(_ text: String) -> [[String]] {
        guard !text.isEmpty, let d = document else { return [] }
        let lower = text.lowercased()
        return ConfigTree.rows(d.config.root, expanded: Set(Self.allPaths(d.config.root)))
            .map(\.path).filter { $0.joined(separator: ".").lowercased().contains(lower) }
    }

    /// The match count and the selected row's place among the matches (1-based), for the search box.
    public var searchPosition: (index: Int?, count: Int) {
        let m = searchMatches(search?.string ?? lastSearch)
        return (selectedRow.flatMap { r in m.firstIndex(of: r.path) }.map { $0 + 1 }, m.count)
    }

    /// Selects the next (or previous) row whose dotted path contains `text`, expanding the tree as needed;
    /// with `start`, the current row itself counts.
    mutating func findNext(_ text: String, from start: Int? = nil, backwards: Bool = false) {
        guard !text.isEmpty, let d = document else { return }
        let lower = text.lowercased()
        // Expand everything to search, then keep only the path to the match open.
        let all = ConfigTree.rows(d.config.root, expanded: Set(Self.allPaths(d.config.root)))
        let current = selectedRow?.path
        let here = current.flatMap { p in all.firstIndex { $0.path == p } } ?? -1
        let order: [Int]
        if backwards {
            let h = here < 0 ? all.count : here
            order = Array(all.indices.prefix(h).reversed()) + Array(all.indices.dropFirst(h).reversed())
        } else {
            let begin = here + (start == nil ? 1 : 0)
            order = Array(all.indices.dropFirst(max(0, begin))) + Array(all.indices.prefix(max(0, begin)))
        }
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
        case .char("c"): show(.compare); return []
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
        guard help.expected.accepts(value) else { return "expected \(help.expected.phrase)" }
        return help.arg.flatMap { ArgLimits.problem($0.name, value) }
    }
}
