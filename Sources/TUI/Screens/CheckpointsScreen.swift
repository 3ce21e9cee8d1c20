import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Screen 3: the work dir's checkpoints (newest first; best and latest marked; unreadable ones flagged).
enum CheckpointsScreen {
    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let showDetail = state.showCheckpointDetail && state.checkpoints.indices.contains(state.checkpointSelected)
        let (listPane, detailPane) = showDetail ? r.split(fraction: 0.5, vertical: true) : (r, Rect(x: 0, y: 0, width: 0, height: 0))
        s.box(listPane, title: "checkpoints in \(state.workDir ?? "?")", style: theme.border, titleStyle: theme.title)
        let inner = listPane.inset(1)
        guard !state.checkpoints.isEmpty else {
            s.put("no checkpoints yet", x: inner.x, y: inner.y, style: theme.dim, clip: inner)
            return
        }
        let f = DateFormatter()
        f.dateFormat = "MM-dd HH:mm:ss"
        let rows = state.checkpoints.map { c -> [String] in
            // ★ only on the file best.json names (older best files of earlier runs stay unmarked); → latest.
            let mark = c.name == state.bestCheckpointName ? "★ " : c.isLatest ? "→ " : "  "
            let evaluated = state.checkpointEvaluations[c.path]?.text ?? ""
            guard let m = c.metadata else {
                return [mark + c.name, "", "", String(format: "%.1f MB", Double(c.bytes) / 1e6), f.string(from: c.modified),
                        c.error.map { "CORRUPT: \($0)" } ?? "no metadata", evaluated]
            }
            let score = m.hookMessages.bestScore.map { String(format: "%@ %.4f", m.hookMessages.bestMetric ?? "best", $0) } ?? ""
            return [mark + c.name, c.epochLabel, "\(m.iter)", String(format: "%.1f MB", Double(c.bytes) / 1e6), f.string(from: c.modified), score, evaluated]
        }
        Table(columns: [.init("file"), .init("epoch", .right), .init("iter", .right), .init("size", .right), .init("saved"), .init("best so far"),
                        .init("E on val")],
              rows: rows, selected: state.checkpointSelected, headerStyle: theme.title, rowStyle: theme.text, selectedStyle: theme.selection)
            .draw(in: inner, on: &s)
        if showDetail { drawDetail(state, state.checkpoints[state.checkpointSelected], in: detailPane, on: &s, theme: theme) }
    }

    static func drawDetail(_ state: AppState, _ c: CheckpointEntry, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: c.name, style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        var lines: [(String, Style)] = []
        if let e = c.error { lines.append(("unreadable: \(e)", theme.bad)) }
        if let m = c.metadata {
            lines.append(("epoch \(c.epochLabel), iter \(m.iter), saved \(m.time), Reel \(m.reelVersion), seed \(m.seed.map(String.init) ?? "?")", theme.text))
            if c.name == state.bestCheckpointName { lines.append(("the run's best checkpoint (best.json)", theme.good)) }
            if let e = state.checkpointEvaluations[c.path] { lines.append(("E on val: \(e.text)", theme.accent)) }
            if let b = m.hookMessages.bestScore { lines.append(("best \(m.hookMessages.bestMetric ?? "?") \(b) (\(m.hookMessages.bestCheckpoint ?? ""))", theme.good)) }
            if let inner = c.batchesDone { lines.append(("saved in epoch \(m.epoch + 1) after \(inner) batches (resume continues with batch \(inner + 1))", theme.dim)) }
            if let text = m.config, let doc = state.document {
                let diff = ConfigDiff.lines(old: text, new: PrettyTextBridge.render(doc))
                lines.append((diff.isEmpty ? "config: same as the current config" : "config diff (checkpoint → current):", theme.accent))
                lines += diff.map { ($0, $0.hasPrefix("+") ? theme.good : theme.bad) }
            }
        }
        for (i, (t, st)) in lines.prefix(inner.height).enumerated() { s.put(t, x: inner.x, y: inner.y + i, style: st, clip: inner) }
    }
}
