import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Screen 1: the resolved config as a tree (origin of every value), the editor, and a side pane with the field's
/// help and a live preview (LR schedule, frame sampling).
enum ConfigScreen {
    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        guard let doc = state.document else {
            s.box(r, title: "config", style: theme.border, titleStyle: theme.title)
            s.put(state.loadError ?? "no config loaded (reel tui FILE)", x: r.x + 2, y: r.y + 2, style: theme.bad, clip: r.inset(1))
            return
        }
        let (tree, side) = panes(in: r)
        drawTree(state, doc: doc, in: tree, on: &s, theme: theme)
        drawSide(state, doc: doc, in: side, on: &s, theme: theme)
    }

    /// The tree and help panes: side by side from 100 columns, else the help below the tree.
    static func panes(in r: Rect) -> (Rect, Rect) {
        if r.width >= 100 { return r.split(fraction: 0.55) }
        return r.split(rows: max(5, r.height - max(6, r.height * 2 / 5)))
    }

    /// The rows' area of the tree and the first row shown (for drawing and for mouse clicks).
    static func treeList(_ state: AppState, in body: Rect) -> (rect: Rect, top: Int)? {
        guard state.document != nil else { return nil }
        var list = panes(in: body).0.inset(1)
        if state.editing != nil || state.search != nil { list.height -= 2 }
        let count = state.rows.count
        return (list, max(0, min(state.selected - list.height / 2, count - list.height)))
    }

    static func drawTree(_ state: AppState, doc: ConfigDocument, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: (doc.path as NSString).lastPathComponent, style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        var list = inner
        if state.editing != nil || state.search != nil { list.height -= 2 }
        let rows = state.rows
        let top = max(0, min(state.selected - list.height / 2, rows.count - list.height))
        // The origin column needs room: under 60 columns the help pane's "from file:line" says it instead.
        let showOrigin = list.width >= 60
        for (i, row) in rows.enumerated().dropFirst(top).prefix(list.height) {
            let y = list.y + i - top
            let isSel = i == state.selected
            let base = isSel ? theme.selection : theme.text
            if isSel { s.fill(Rect(x: list.x, y: y, width: list.width, height: 1), style: base) }
            let marker = row.isContainer ? (row.isExpanded ? "▾ " : "▸ ") : "  "
            var x = s.put(String(repeating: "  ", count: row.depth) + marker, x: list.x, y: y, style: base, clip: list)
            x = s.put(row.key, x: x, y: y, style: isSel ? base : theme.accent, clip: list)
            x = s.put(" = ", x: x, y: y, style: isSel ? base : theme.dim, clip: list)
            let origin = showOrigin ? row.origin.map { " " + $0 } ?? "" : ""
            let valueWidth = max(4, list.maxX - x - origin.count - 1)
            let value = row.value.count > valueWidth ? String(row.value.prefix(valueWidth - 1)) + "…" : row.value
            s.put(value, x: x, y: y, style: base, clip: list)
            if !origin.isEmpty {
                s.put(origin, x: list.maxX - origin.count, y: y, style: isSel ? base : (row.fromBase ? theme["from_base"] : theme["from_file"]), clip: list)
            }
        }
        if let field = state.editing {
            let y = inner.maxY - 2
            let label = state.addingTo.map { "add to \($0.isEmpty ? "the top level" : $0.joined(separator: ".")): " } ?? "edit: "
            let x = s.put(label, x: inner.x, y: y, style: theme.title, clip: inner)
            field.draw(in: Rect(x: x, y: y, width: inner.maxX - x, height: 1), on: &s, style: theme.text.with(underline: true))
            let hint = state.addingTo != nil ? "name = value · Enter adds · Esc cancels" : "Enter accepts · Esc cancels"
            let note = state.editError ?? hint
            s.put(note, x: inner.x, y: y + 1, style: state.editError == nil ? theme.dim : theme.bad, clip: inner)
        } else if let field = state.search {
            let y = inner.maxY - 2
            let (index, count) = state.searchPosition
            let counter = field.string.isEmpty ? "" : count == 0 ? " no match" : " \(index.map(String.init) ?? "–")/\(count)"
            s.put("search: ", x: inner.x, y: y, style: theme.title, clip: inner)
            let fieldWidth = max(2, inner.width - 8 - counter.count)
            field.draw(in: Rect(x: inner.x + 8, y: y, width: fieldWidth, height: 1), on: &s, style: state.searchIsRecalled ? theme.dim : theme.text)
            s.put(counter, x: inner.x + 8 + fieldWidth, y: y, style: count == 0 ? theme.bad : theme.accent, clip: inner)
            s.put("Enter keeps this match · ↓↑ next/previous · then n N · Esc closes", x: inner.x, y: y + 1, style: theme.dim, clip: inner)
        }
    }

    static func drawSide(_ state: AppState, doc: ConfigDocument, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "help", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        guard let row = state.selectedRow else { return }
        var lines: [(String, Style)] = [(row.path.joined(separator: "."), theme.accent)]
        if let origin = row.origin { lines.append(("from \(origin)\(row.fromBase ? " (a base file)" : "")", theme.dim)) }
        if let help = Registry.help(at: row.path, in: doc.config.root) {
            if let c = help.component { lines.append(("\(c.name): \(c.doc)", theme.text)) }
            if let a = help.arg {
                lines.append(("\(a.name): \(a.doc)", theme.text))
                lines.append(("expects \(a.type.phrase)" + (a.defaultText.map { ", default \($0)" } ?? ", required"), theme.dim))
            }
            for tip in help.component?.tips ?? [] { lines.append(("tip: " + tip, theme.good)) }
        } else if row.path.count == 1 {
            // A variable of the config file (dataset_type, img_norm_cfg, …): Reel reads it where it is used.
            var uses = SharedEdit.sameText(as: row.path, in: doc)
            if uses.isEmpty, let d = doc.config.root[row.key]?.dictValue {
                // A dict unpacked with ** shares its entries, not itself: name the dicts they went into.
                for e in d { for u in SharedEdit.sameText(as: row.path + [e.key.description], in: doc) {
                    let parent = u.split(separator: ".").dropLast().joined(separator: ".")
                    if !uses.contains(parent) { uses.append(parent) }
                } }
            }
            lines.append(("A variable of the config file: Reel does not read '\(row.key)' itself"
                + (uses.isEmpty ? "; nothing else uses its value." : ", only where its value is used: \(uses.joined(separator: ", "))."), theme.text))
        }
        var y = inner.y
        for (text, style) in lines {
            for part in wrap(text, width: inner.width) where y < inner.maxY {
                s.put(part, x: inner.x, y: y, style: style, clip: inner)
                y += 1
            }
        }
        y += 1
        let previewRect = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
        guard previewRect.height >= 4 else { return }
        if let fp = state.framePreview, fp.key == FramePreview.key(for: row.path, in: doc.config) {
            drawFramePreview(fp, in: previewRect, on: &s, theme: theme)
            return
        }
        if let p = preview(for: row.path, doc: doc, itersPerEpoch: state.itersPerEpoch) {
            switch p {
            case .lr(let plan):
                LineChart(title: "LR schedule (\(state.itersPerEpoch) iters/epoch)", series: [.init(plan.values, style: theme["lr"])],
                          xRange: (0, Double(max(0, plan.values.count - 1))), axisStyle: theme["axis"], titleStyle: theme.title)
                    .draw(in: previewRect, on: &s)
            case .frames(let lines):
                for (i, line) in lines.enumerated() where previewRect.y + i < previewRect.maxY {
                    s.put(line, x: previewRect.x, y: previewRect.y + i, style: i == 0 ? theme.title : theme.text, clip: previewRect)
                }
            case .error(let message):
                for (i, line) in wrap(message, width: previewRect.width).enumerated() where previewRect.y + i < previewRect.maxY {
                    s.put(line, x: previewRect.x, y: previewRect.y + i, style: theme.bad, clip: previewRect)
                }
            }
        }
    }

    /// Item 0's first frame before the step, its crop boxes outlined, and after it, side by side.
    static func drawFramePreview(_ fp: FramePreview, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        if let problem = fp.problem {
            for (i, line) in wrap("no preview: " + problem, width: r.width).enumerated() where r.y + i < r.maxY {
                s.put(line, x: r.x, y: r.y + i, style: theme.bad, clip: r)
            }
            return
        }
        let crops = fp.boxes.isEmpty ? "" : " crop " + fp.boxes.map(\.description).joined(separator: " ")
        s.put("\(fp.stepName) on item 0, frame 1:\(crops)\(fp.flipped ? " flipped" : "")", x: r.x, y: r.y, style: theme.title, clip: r)
        let half = (r.width - 2) / 2
        let area = Rect(x: r.x, y: r.y + 2, width: half, height: r.height - 2)
        guard area.height >= 2, half >= 4 else { return }
        let before = HalfBlockImage(frame: fp.before, boxes: fp.boxes)
        let after = HalfBlockImage(frame: fp.after)
        s.put("before \(fp.before.width)x\(fp.before.height)", x: area.x, y: r.y + 1, style: theme.dim, clip: r)
        s.put("after \(fp.after.width)x\(fp.after.height)", x: area.x + half + 2, y: r.y + 1, style: theme.dim, clip: r)
        before.draw(in: area, on: &s)
        after.draw(in: Rect(x: area.x + half + 2, y: area.y, width: half, height: area.height), on: &s)
    }

    enum Preview { case lr(LRPlan), frames([String]), error(String) }

    /// The preview that fits the field: the LR schedule for lr_config / optimizer.lr / the run length, the frame
    /// timeline for a sampler step.
    static func preview(for path: [String], doc: ConfigDocument, itersPerEpoch: Int) -> Preview? {
        let first = path.first ?? ""
        if first == "lr_config" || path == ["optimizer", "lr"] || first == "total_epochs" || first == "runner" {
            do { return .lr(try LRPlan(config: doc.config, itersPerEpoch: itersPerEpoch)) } catch { return .error("\(error)") }
        }
        // A pipeline step (or one of its arguments): find the step dict.
        for n in stride(from: path.count, through: 1, by: -1) {
            let prefix = Array(path.prefix(n))
            guard let v = doc.config.value.value(at: prefix), case .dict(let d) = v.content,
                  let type = d["type"]?.string, type == "SampleFrames" || type == "DenseSampleFrames" else { continue }
            do {
                let sampler = try SampleFrames(config: v, files: doc.config.files)
                return .frames(timeline(sampler))
            } catch { return .error("\(error)") }
        }
        return nil
    }

    static func timeline(_ sampler: SampleFrames) -> [String] {
        var lines = ["frames taken from a 64-frame video (\(sampler.testMode ? "test mode" : "train mode, 3 draws"))"]
        var rng = Philox(seed: 0)
        for draw in 0..<(sampler.testMode ? 1 : 3) {
            let inds = sampler.indices(totalFrames: 64, startIndex: 0, rng: &rng)
            var row = [Character](repeating: "·", count: 64)
            for i in inds where (0..<64).contains(i) { row[i] = "█" }
            lines.append((sampler.testMode ? "" : "#\(draw + 1) ") + String(row))
        }
        lines.append("\(sampler.numClips) clip(s) × \(sampler.clipLen) frame(s), interval \(sampler.frameInterval)")
        return lines
    }

    /// Word-wraps `text` to `width` columns; a word longer than a line (a path) is cut into pieces.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 4 else { return [text] }
        var out: [String] = [], line = ""
        for var word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if line.count + word.count + 1 > width && !line.isEmpty { out.append(line); line = "" }
            while word.count > width { out.append(String(word.prefix(width))); word = String(word.dropFirst(width)) }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}
