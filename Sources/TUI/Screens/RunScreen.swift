import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Screen 2: the run — state, epoch and run progress with ETA, loss (raw and smoothed) and LR curves, the eval
/// metrics table and curve with the best marked, throughput, data_time vs time, memory, and a log tail.
enum RunScreen {
    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let run = state.run
        let (header, rest) = r.split(rows: 4)
        drawHeader(state, in: header, on: &s, theme: theme)
        guard let info = run.info else {
            let idle = state.watchMode ? state.watchNote ?? "Waiting for the watched run's first event."
                : "No run yet: press r to train \(state.document.map { ($0.path as NSString).lastPathComponent } ?? "the config")."
            for (i, line) in wrap(run.status == .idle ? idle : "starting…", width: rest.width - 4).prefix(3).enumerated() {
                s.put(line, x: rest.x + 2, y: rest.y + 1 + i, style: theme.dim, clip: rest)
            }
            if case .failed(let m) = run.status { s.put(m, x: rest.x + 2, y: rest.y + 3, style: theme.bad, clip: rest) }
            drawLogTail(run.log, in: Rect(x: rest.x, y: rest.y + 5, width: rest.width, height: rest.height - 5), on: &s, theme: theme)
            return
        }
        let logHeight = max(3, rest.height / 5)
        let (charts, lower) = rest.split(rows: rest.height - logHeight - (rest.height >= 24 ? 8 : 6))
        let (lossPane, lrPane) = charts.split(fraction: 0.6)
        s.box(lossPane, title: "loss", style: theme.border, titleStyle: theme.title)
        LineChart(title: "raw ⠒ smoothed (0.9)", series: [.init(run.losses, style: theme["loss"]), .init(run.smoothedLosses, style: theme["loss_smooth"])],
                  xRange: (Double(info.startIter + 1), Double(run.iter)), axisStyle: theme["axis"], titleStyle: theme.dim)
            .draw(in: lossPane.inset(1), on: &s)
        s.box(lrPane, title: "lr", style: theme.border, titleStyle: theme.title)
        LineChart(title: "param group 0", series: [.init(run.lrs, style: theme["lr"])], xRange: (Double(info.startIter + 1), Double(run.iter)),
                  axisStyle: theme["axis"], titleStyle: theme.dim)
            .draw(in: lrPane.inset(1), on: &s)
        let (evalRow, logPane) = lower.split(rows: lower.height - logHeight)
        let (evalPane, statsPane) = evalRow.split(fraction: 0.6)
        drawEvals(run, in: evalPane, on: &s, theme: theme)
        drawStats(run, in: statsPane, on: &s, theme: theme)
        drawLogTail(run.log, in: logPane, on: &s, theme: theme)
    }

    static func drawHeader(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let run = state.run
        s.box(r, title: "run", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        let statusStyle: Style = {
            switch run.status {
            case .running: theme.good
            case .paused, .stopping: theme.warning
            case .failed: theme.bad
            default: theme.accent
            }
        }()
        var x = s.put("● \(run.status.label.uppercased())", x: inner.x, y: inner.y, style: statusStyle.with(bold: true), clip: inner)
        if let reason = run.endReason, !run.status.isActive {
            x = s.put("  \(reason)", x: x, y: inner.y, style: statusStyle, clip: inner)
        }
        if state.watchMode {
            let which = state.watchedRun.map { "run \($0.index) of \($0.count) in " } ?? ""
            x = s.put("  (watching \(which)\(state.workDir ?? ""); steering disabled)", x: x, y: inner.y, style: theme.dim, clip: inner)
        }
        guard let info = run.info else { return }
        let perIter = run.time > 0 ? run.time : 0
        let eta = perIter * Double(max(0, info.maxIters - run.iter))
        s.put("  \(info.configName) · seed \(info.seed) · \(info.workDir)", x: x, y: inner.y, style: theme.dim, clip: inner)
        let half = inner.split(fraction: 0.5)
        if info.byEpoch {
            ProgressBar(fraction: Double(run.innerIter) / Double(max(1, info.itersPerEpoch)),
                        label: "epoch \(min(run.epoch + 1, info.maxEpochs))/\(info.maxEpochs)", right: "\(run.innerIter)/\(info.itersPerEpoch)",
                        barStyle: theme["progress"], emptyStyle: theme["progress_empty"], textStyle: theme.text)
                .draw(in: Rect(x: half.0.x, y: inner.y + 1, width: half.0.width - 1, height: 1), on: &s)
        }
        ProgressBar(fraction: Double(run.iter) / Double(max(1, info.maxIters)), label: "total",
                    right: "\(run.iter)/\(info.maxIters) eta \(duration(eta))",
                    barStyle: theme["progress"], emptyStyle: theme["progress_empty"], textStyle: theme.text)
            .draw(in: Rect(x: info.byEpoch ? half.1.x : inner.x, y: inner.y + 1, width: info.byEpoch ? half.1.width : inner.width, height: 1), on: &s)
    }

    static func drawEvals(_ run: RunView, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "evaluation", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        guard let last = run.evals.last else {
            s.put("no evaluation yet (train with --validate / e to evaluate now)", x: inner.x, y: inner.y, style: theme.dim, clip: inner)
            return
        }
        let keys = last.metrics.map(\.key)
        let best = run.bestEval?.index
        let (table, chart) = inner.split(fraction: inner.width >= 70 ? 0.55 : 1)
        Table(columns: [.init("epoch", .right)] + keys.map { .init($0, .right) },
              rows: run.evals.enumerated().map { i, e in ["\(e.epoch)\(i == best ? " ◆" : "")"] + e.metrics.map { String(format: "%.4f", $0.value) } },
              selected: run.evals.count - 1, headerStyle: theme.title, rowStyle: theme.text, selectedStyle: theme.text.with(bold: true))
            .draw(in: table, on: &s)
        if chart.width >= 16, let key = last.bestKey ?? keys.first {
            let values = run.evals.map { e in e.metrics.first { $0.key == key }?.value ?? .nan }
            LineChart(title: key, series: [.init(values, style: theme.good)], mark: best.map { ($0, String(format: "best %.4f", values[$0])) },
                      axisStyle: theme["axis"], titleStyle: theme.dim)
                .draw(in: Rect(x: chart.x + 1, y: chart.y, width: chart.width - 1, height: chart.height), on: &s)
        }
    }

    static func drawStats(_ run: RunView, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "throughput", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        let lines = [
            String(format: "clips/s      %.1f", run.clipsPerSecond),
            String(format: "time         %.3f s/iter", run.time),
            String(format: "data_time    %.3f s (%.0f%%)", run.dataTime, run.time > 0 ? 100 * run.dataTime / run.time : 0),
            "memory       \(run.memory.map { "\($0) MiB" } ?? "–")",
            "checkpoints  \(run.checkpoints.count)" + (run.checkpoints.last.map { " (last \(($0.path as NSString).lastPathComponent))" } ?? ""),
        ]
        for (i, l) in lines.enumerated() where i < inner.height { s.put(l, x: inner.x, y: inner.y + i, style: theme.text, clip: inner) }
        if inner.height > lines.count, run.time > 0 {
            ProgressBar(fraction: run.dataTime / run.time, label: "data", right: "", barStyle: theme.warning, emptyStyle: theme["progress_empty"], textStyle: theme.dim)
                .draw(in: Rect(x: inner.x, y: inner.y + lines.count, width: inner.width, height: 1), on: &s)
        }
    }

    static func drawLogTail(_ log: [String], in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        guard r.height >= 3 else { return }
        s.box(r, title: "log", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        for (i, line) in log.suffix(inner.height).enumerated() {
            s.put(line.replacingOccurrences(of: "\t", with: "  "), x: inner.x, y: inner.y + i,
                  style: line.hasPrefix("ERROR") ? theme.bad : theme.dim, clip: inner)
        }
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line.isEmpty ? lines : lines + [line]
    }

    static func duration(_ seconds: Double) -> String {
        let t = Int(seconds.isFinite ? seconds : 0)
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t % 3600 / 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}

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
            let mark = c.isBest ? "★ " : c.isLatest ? "→ " : "  "
            guard let m = c.metadata else { return [mark + c.name, "", "", String(format: "%.1f MB", Double(c.bytes) / 1e6), f.string(from: c.modified), c.error.map { "CORRUPT: \($0)" } ?? "no metadata"] }
            let score = m.hookMessages.bestScore.map { String(format: "%@ %.4f", m.hookMessages.bestMetric ?? "best", $0) } ?? ""
            return [mark + c.name, "\(m.epoch)", "\(m.iter)", String(format: "%.1f MB", Double(c.bytes) / 1e6), f.string(from: c.modified), score]
        }
        Table(columns: [.init("file"), .init("epoch", .right), .init("iter", .right), .init("size", .right), .init("saved"), .init("best so far")],
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
            lines.append(("epoch \(m.epoch), iter \(m.iter), saved \(m.time), Reel \(m.reelVersion), seed \(m.seed.map(String.init) ?? "?")", theme.text))
            if let b = m.hookMessages.bestScore { lines.append(("best \(m.hookMessages.bestMetric ?? "?") \(b) (\(m.hookMessages.bestCheckpoint ?? ""))", theme.good)) }
            if let inner = m.extra["inner_iter"] { lines.append(("saved mid-epoch after \(inner) batches (resume continues there)", theme.dim)) }
            if let text = m.config, let doc = state.document {
                let diff = ConfigDiff.lines(old: text, new: PrettyTextBridge.render(doc))
                lines.append((diff.isEmpty ? "config: same as the current config" : "config diff (checkpoint → current):", theme.accent))
                lines += diff.map { ($0, $0.hasPrefix("+") ? theme.good : theme.bad) }
            }
        }
        for (i, (t, st)) in lines.prefix(inner.height).enumerated() { s.put(t, x: inner.x, y: inner.y + i, style: st, clip: inner) }
    }
}

/// Screen 4: the full text log, scrollable (follows the end unless scrolled up).
enum LogsScreen {
    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let log = state.run.log
        s.box(r, title: "log (\(log.count) lines\(state.logScroll > 0 ? ", scrolled" : ", following"))", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        let end = max(0, log.count - state.logScroll)
        for (i, line) in log[max(0, end - inner.height)..<end].enumerated() {
            s.put(line.replacingOccurrences(of: "\t", with: "  "), x: inner.x, y: inner.y + i, style: line.hasPrefix("ERROR") ? theme.bad : theme.text, clip: inner)
        }
    }
}
