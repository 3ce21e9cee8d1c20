import Config
import Foundation

/// Safe editing: Enter refuses what the schema rejects, `w` asks before writing a config `config check` rejects,
/// `q` asks before losing edits, `u` also undoes written edits, and a shared text asks before it changes.
extension AppState {
    /// Enter in the editor: check the text, ask if its text is shared, else apply it.
    mutating func commitEdit() {
        guard let field = editing, let doc = document else { editing = nil; return }
        let key: String, valueText: String, dictPath: [String]?
        if let into = addingTo {
            guard let eq = field.string.firstIndex(of: "=") else { editError = "type name = value"; return }
            key = field.string[..<eq].trimmingCharacters(in: .whitespaces)
            valueText = field.string[field.string.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                editError = "'\(key)' is not a key name"; return
            }
            dictPath = into
        } else {
            guard let row = selectedRow else { editing = nil; return }
            key = row.path.last ?? ""
            valueText = field.string
            dictPath = nil
        }
        let path = (dictPath ?? Array(selectedRow?.path.dropLast() ?? [])) + [key]
        if let problem = EditValidation.problem(valueText, path: path, document: doc) {
            editError = problem
            message = "not accepted: \(problem)"
            return
        }
        let target = dictPath ?? path
        if let shared = SharedEdit.find(path: path, target: target, text: valueText, isNewKey: dictPath != nil, in: doc) {
            confirmation = .sharedEdit(shared)
            return
        }
        apply(path: path, text: valueText, isNewKey: dictPath != nil, override: false)
    }

    /// Makes the edit (in the defining text, or as an override in this config) and keeps it only if the schema
    /// finds no error in the text it wrote.
    mutating func apply(path: [String], text: String, isNewKey: Bool, override: Bool) {
        guard var doc = document else { return }
        let name = path.joined(separator: ".")
        do {
            let value = try SourceEdit.parseExpression(text)
            let change: SourceChange
            if override { change = try doc.override(path, to: value) }
            else if isNewKey { change = try doc.insert(key: path.last!, value: value, intoDictAt: Array(path.dropLast())) }
            else { change = try doc.set(path, to: value) }
            let span = change.replaced.lowerBound..<(change.replaced.lowerBound + change.replacement.utf8.count)
            if let bad = configCheck(doc.config).first(where: {
                $0.severity == .error && $0.location.file == change.file && span.contains($0.location.bytes.lowerBound)
            }) {
                editError = bad.message
                message = "not accepted: \(bad.message)"
                return
            }
            document = doc
            editing = nil; editError = nil; addingTo = nil
            let whereTo = override ? "  (override in \(SharedEdit.name(change.file)))" : ""
            message = "\(name) = \(text)\(whereTo)  (w writes it, u undoes)"
        } catch {
            editError = Self.words(error)
            message = "not accepted: \(Self.words(error))"
        }
    }

    /// An error's message without the scratch location of the editor's text (`<input>:1:13: error: `).
    static func words(_ error: Error) -> String {
        let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        return first.components(separatedBy: "error: ").last ?? first
    }

    /// `a`: add a key to the selected dict (or to the dict holding the selected value; top level without one).
    mutating func startAdding() {
        guard let row = selectedRow, let doc = document else { addingTo = []; editing = TextField(""); return }
        let isDict: ([String]) -> Bool = { p in p.isEmpty || doc.config.value.value(at: p)?.dictValue != nil }
        let candidates = [row.path, Array(row.path.dropLast())].filter { !$0.isEmpty || row.path.count == 1 }
        addingTo = candidates.first(where: isDict) ?? []
        editing = TextField("")
        editError = nil
    }

    /// `w`: write, unless `config check` rejects the config (then ask, naming the errors).
    mutating func writeEdits(thenQuit: Bool = false, runActive: Bool = false, force: Bool = false) -> [AppEffect] {
        guard let doc = document, doc.isModified else { message = "no changes to write"; return thenQuit ? quitEffects(runActive) : [] }
        let errors = configCheck(doc.config).filter { $0.severity == .error }
        if !errors.isEmpty && !force {
            confirmation = .writeWithErrors(errors: errors.map(Self.short), thenQuit: thenQuit, runActive: runActive)
            return []
        }
        do {
            let files = doc.edited.keys.sorted()
            try document!.write()
            message = "wrote " + files.map(SharedEdit.name).joined(separator: ", ")
            return thenQuit ? quitEffects(runActive) : []
        } catch {
            message = "cannot write: \(error)"
            return []
        }
    }

    /// `file.py:12: message` (the dialog has no room for the source line and caret).
    static func short(_ e: ConfigError) -> String { "\(SharedEdit.name(e.location.file)):\(e.location.line): \(e.message)" }

    func quitEffects(_ runActive: Bool) -> [AppEffect] { runActive ? [.send(.stop), .quit] : [.quit] }

    /// `u`: undo the last edit; one already written is written back at once, so the file is as before it.
    mutating func undoEdit() {
        guard document != nil, let change = document!.lastChange else { message = "nothing to undo"; return }
        let wasWritten = document!.edited[change.file] == nil
        document!.undo()
        guard wasWritten else { message = "undone"; return }
        do {
            try document!.write(files: [change.file])
            message = "undone; rewrote \(SharedEdit.name(change.file))"
        } catch { message = "undone, but cannot rewrite: \(error)" }
    }

    /// `q`, Ctrl-C, F10.
    mutating func requestQuit() -> [AppEffect] {
        if !watchMode, let doc = document, doc.isModified {
            confirmation = .quitUnsaved(files: doc.edited.keys.sorted(), runActive: canSteer)
            return []
        }
        if canSteer { confirmation = .quit; return [] }
        return [.quit]
    }

    /// The answer to the open dialog.
    mutating func answer(_ c: Confirmation, _ key: Key) -> [AppEffect] {
        confirmation = nil
        let yes = key == .char("y") || key == .char("Y")
        switch c {
        case .quit: if yes { return [.send(.stop), .quit] }
        case .stop: if yes { return [.send(.stop)] }
        case .delete(let p): if yes { return [.deleteCheckpoint(p)] }
        case .resume(let p): if yes { return startRun(resumeFrom: p) }
        case .quitUnsaved(_, let runActive):
            if key == .char("w") { return writeEdits(thenQuit: true, runActive: runActive) }
            if key == .char("d") { return quitEffects(runActive) }
        case .writeWithErrors(_, let thenQuit, let runActive):
            if yes { return writeEdits(thenQuit: thenQuit, runActive: runActive, force: true) }
            message = "not written (fix the errors, or w then y writes anyway)"
            return []
        case .sharedEdit(let e):
            if key == .char("o") || key == .char("e") {
                apply(path: e.path, text: e.text, isNewKey: e.isNewKey && key == .char("e"), override: key == .char("o"))
                return []
            }
            message = "not changed (the editor is still open: Esc closes it)"
            return []
        }
        message = "cancelled"
        return []
    }
}
