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
        let (left, right) = r.split(fraction: r.width >= 100 ? 0.55 : 0.5)
        drawTree(state, doc: doc, in: left, on: &s, theme: theme)
        drawSide(state, doc: doc, in: right, on: &s, theme: theme)
    }

    static func drawTree(_ state: AppState, doc: ConfigDocument, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: (doc.path as NSString).lastPathComponent, style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        var list = inner
        if state.editing != nil || state.search != nil { list.height -= 2 }
        let rows = state.rows
        let top = max(0, min(state.selected - list.height / 2, rows.count - list.height))
        for (i, row) in rows.enumerated().dropFirst(top).prefix(list.height) {
            let y = list.y + i - top
            let isSel = i == state.selected
            let base = isSel ? theme.selection : theme.text
            if isSel { s.fill(Rect(x: list.x, y: y, width: list.width, height: 1), style: base) }
            let marker = row.isContainer ? (row.isExpanded ? "▾ " : "▸ ") : "  "
            var x = s.put(String(repeating: "  ", count: row.depth) + marker, x: list.x, y: y, style: base, clip: list)
            x = s.put(row.key, x: x, y: y, style: isSel ? base : theme.accent, clip: list)
            x = s.put(" = ", x: x, y: y, style: isSel ? base : theme.dim, clip: list)
            let origin = row.origin.map { " " + $0 } ?? ""
            let valueWidth = max(4, list.maxX - x - origin.count - 1)
            let value = row.value.count > valueWidth ? String(row.value.prefix(valueWidth - 1)) + "…" : row.value
            s.put(value, x: x, y: y, style: base, clip: list)
            if !origin.isEmpty {
                s.put(origin, x: list.maxX - origin.count, y: y, style: isSel ? base : (row.fromBase ? theme["from_base"] : theme["from_file"]), clip: list)
            }
        }
        if let field = state.editing {
            let y = inner.maxY - 2
            s.put("edit: ", x: inner.x, y: y, style: theme.title, clip: inner)
            field.draw(in: Rect(x: inner.x + 6, y: y, width: inner.width - 6, height: 1), on: &s, style: theme.text.with(underline: true))
            let note = state.editError ?? "Enter saves · Esc cancels"
            s.put(note, x: inner.x, y: y + 1, style: state.editError == nil ? theme.dim : theme.bad, clip: inner)
        } else if let field = state.search {
            let y = inner.maxY - 2
            s.put("search: ", x: inner.x, y: y, style: theme.title, clip: inner)
            field.draw(in: Rect(x: inner.x + 8, y: y, width: inner.width - 8, height: 1), on: &s, style: theme.text)
            s.put("Enter: next match · Esc: close", x: inner.x, y: y + 1, style: theme.dim, clip: inner)
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
                s.put(message, x: previewRect.x, y: previewRect.y, style: theme.bad, clip: previewRect)
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

    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 4 else { return [text] }
        var out: [String] = [], line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if line.count + word.count + 1 > width && !line.isEmpty { out.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}
