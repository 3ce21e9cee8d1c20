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
        let xRange = (Double(info.startIter + 1), Double(run.iter))
        s.box(lossPane, title: "loss", style: theme.border, titleStyle: theme.title)
        var loss = LineChart(title: "", series: [.init(run.losses, style: theme["loss"], name: "raw"),
                                                 .init(run.smoothedLosses, style: theme["loss_smooth"], name: "smoothed (0.9)")],
                             xRange: xRange, axisStyle: theme["axis"], titleStyle: theme.dim)
        loss.xTicks = epochTicks(info); loss.xUnit = "iter"
        loss.draw(in: lossPane.inset(1), on: &s)
        s.box(lrPane, title: "lr", style: theme.border, titleStyle: theme.title)
        var lr = LineChart(title: state.lrLogScale ? "param group 0 · log scale (L: linear)" : "param group 0 · linear (L: log scale)",
                           series: [.init(run.lrs, style: theme["lr"])], xRange: xRange, axisStyle: theme["axis"], titleStyle: theme.dim)
        lr.xTicks = epochTicks(info); lr.xUnit = "iter"; lr.logScale = state.lrLogScale
        lr.draw(in: lrPane.inset(1), on: &s)
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
        s.put("  \(info.configName) · seed \(info.seed) · \(info.workDir)", x: x, y: inner.y, style: theme.dim, clip: inner)
        let half = inner.split(fraction: 0.5)
        if info.byEpoch {
            let (label, done) = epochProgress(run, info)
            ProgressBar(fraction: Double(done) / Double(max(1, info.itersPerEpoch)), label: label, right: "\(done)/\(info.itersPerEpoch)",
                        barStyle: theme["progress"], emptyStyle: theme["progress_empty"], textStyle: theme.text)
                .draw(in: Rect(x: half.0.x, y: inner.y + 1, width: half.0.width - 1, height: 1), on: &s)
        }
        ProgressBar(fraction: Double(run.iter) / Double(max(1, info.maxIters)), label: "total",
                    right: "\(run.iter)/\(info.maxIters)\(eta(run, info))",
                    barStyle: theme["progress"], emptyStyle: theme["progress_empty"], textStyle: theme.text)
            .draw(in: Rect(x: info.byEpoch ? half.1.x : inner.x, y: inner.y + 1, width: info.byEpoch ? half.1.width : inner.width, height: 1), on: &s)
    }

    /// The epoch bar's label and batches done. A run that ended on an epoch boundary shows that epoch complete
    /// (`epoch 4/4 … 30/30`), not the next one empty; a running one moves on to the next epoch.
    static func epochProgress(_ run: RunView, _ info: RunInfo) -> (String, Int) {
        if !run.status.isActive, run.innerIter == 0, run.epoch > 0, run.iter > info.startIter {
            return ("epoch \(min(run.epoch, info.maxEpochs))/\(info.maxEpochs)", info.itersPerEpoch)
        }
        return ("epoch \(min(run.epoch + 1, info.maxEpochs))/\(info.maxEpochs)", run.innerIter)
    }

    /// " eta 0:21" while the run goes on; " done" once finished; nothing for a stopped or failed run (no time is left to estimate).
    static func eta(_ run: RunView, _ info: RunInfo) -> String {
        switch run.status {
        case .running, .paused, .starting:
            return " eta \(duration((run.time > 0 ? run.time : 0) * Double(max(0, info.maxIters - run.iter))))"
        case .finished: return " done"
        default: return ""
        }
    }

    /// Where each epoch after the first starts, in iterations ("e2" at iteration itersPerEpoch …).
    static func epochTicks(_ info: RunInfo) -> [(x: Double, label: String)] {
        guard info.byEpoch, info.itersPerEpoch > 0, info.maxEpochs > 1 else { return [] }
        return (1..<info.maxEpochs).map { (x: Double($0 * info.itersPerEpoch), label: "e\($0 + 1)") }
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
        // Every epoch cell keeps a place for the best marker (so it never shifts the number), each row shows its iteration, and a
        // note says which evaluations the schedule did not make (e: manual, before training).
        let notes = run.evals.map { e -> String in
            switch e.trigger { case .manual: "manual (e)"; case .beforeTraining: "before training"; default: "" }
        }
        var columns = [Table.Column("epoch", .right), .init("iter", .right)] + keys.map { Table.Column($0, .right) }
        if notes.contains(where: { !$0.isEmpty }) { columns.append(.init("")) }
        let rows = run.evals.enumerated().map { i, e in
            ["\(e.epoch) \(i == best ? "◆" : " ")", "\(e.iter)"] + keys.map { k in e.metrics.first { $0.key == k }.map { String(format: "%.4f", $0.value) } ?? "–" }
                + [notes[i]]
        }
        var table = Table(columns: columns, rows: rows, selected: run.evals.count - 1, headerStyle: theme.title, rowStyle: theme.text,
                          selectedStyle: theme.text.with(bold: true))
        table.stretchLast = false
        let tableWidth = min(inner.width, table.naturalWidth)
        table.draw(in: Rect(x: inner.x, y: inner.y, width: tableWidth, height: inner.height), on: &s)
        // The chart sits behind a rule, so its title and y labels cannot read as another column of the table.
        let chart = Rect(x: inner.x + tableWidth + 3, y: inner.y, width: inner.maxX - inner.x - tableWidth - 3, height: inner.height)
        if chart.width >= 24, let key = last.bestKey ?? keys.first {
            for y in inner.y..<inner.maxY { s[inner.x + tableWidth + 1, y] = Cell("│", theme.border) }
            let values = run.evals.map { e in e.metrics.first { $0.key == key }?.value ?? .nan }
            LineChart(title: key, series: [.init(values, style: theme.good)], mark: best.map { ($0, String(format: "best %.4f", values[$0])) },
                      axisStyle: theme["axis"], titleStyle: theme.dim)
                .draw(in: chart, on: &s)
        }
    }

    static func drawStats(_ run: RunView, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        if !run.ranks.isEmpty { return drawRanks(run, in: r, on: &s, theme: theme) }
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

    /// A data-parallel run's throughput: the whole job's clips/s, then one bar per rank — its iteration time against
    /// the slowest rank's, its share waiting for data and its wait for the gradient all-reduce. Ranks that do not fit
    /// are summed up in the last row, naming the slowest of them.
    static func drawRanks(_ run: RunView, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "throughput · \(run.ranks.count) ranks", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        let lines = [String(format: "clips/s      %.1f (all ranks)", run.clipsPerSecond),
                     String(format: "time         %.3f s/iter (rank 0)", run.time)]
        for (i, l) in lines.enumerated() where i < inner.height { s.put(l, x: inner.x, y: inner.y + i, style: theme.text, clip: inner) }
        let slowest = run.ranks.map(\.time).max() ?? 0
        let rows = max(0, inner.height - lines.count)
        let shown = run.ranks.count <= rows ? run.ranks.count : max(0, rows - 1)
        for k in 0..<shown {
            let f = run.ranks[k]
            let right = String(format: "%.3f s · data %.0f%% · wait %.0f ms", f.time, f.time > 0 ? 100 * f.dataTime / f.time : 0,
                               f.allreduceWait * 1000)
            ProgressBar(fraction: slowest > 0 ? f.time / slowest : 0, label: "r\(k)", right: right,
                        barStyle: f.time == slowest ? theme.warning : theme.good, emptyStyle: theme["progress_empty"], textStyle: theme.dim)
                .draw(in: Rect(x: inner.x, y: inner.y + lines.count + k, width: inner.width, height: 1), on: &s)
        }
        if shown < run.ranks.count && rows > 0 {
            let rest = run.ranks.indices.dropFirst(shown)
            let worst = rest.max { run.ranks[$0].time < run.ranks[$1].time }!
            s.put(String(format: "+%d more ranks; slowest r%d %.3f s", rest.count, worst, run.ranks[worst].time),
                  x: inner.x, y: inner.y + lines.count + shown, style: theme.dim, clip: inner)
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
