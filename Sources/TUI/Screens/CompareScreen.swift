import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Screen 5: several runs side by side — the runs found (Space picks which are shown, each in its own colour), the
/// differences between their configs, their loss, lr and evaluation curves on shared axes, and a table of final and
/// best figures. Every figure comes from the runs' event records (`events.jsonl`).
enum CompareScreen {
    static func palette(_ theme: Theme) -> [Style] {
        [theme["loss"], theme["lr"], theme.good, theme.accent, theme.warning, theme["loss_smooth"]]
    }

    static func draw(_ state: AppState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let c = state.compare
        guard !c.runs.isEmpty else {
            s.box(r, title: "compare runs", style: theme.border, titleStyle: theme.title)
            let text = c.note ?? "No runs to compare: open with reel tui --compare DIR [DIR...], or train runs into work dirs beside this one."
            for (i, line) in RunScreen.wrap(text, width: r.width - 4).prefix(r.height - 2).enumerated() {
                s.put(line, x: r.x + 2, y: r.y + 1 + i, style: theme.dim, clip: r.inset(1))
            }
            return
        }
        let shown = c.shown
        let colours = palette(theme)
        let colour = { (id: String) in colours[(c.chosen.firstIndex(of: id) ?? 0) % colours.count] }
        let listHeight = min(c.runs.count, max(3, r.height / 5)) + 2
        let tableHeight = min(shown.count, max(1, r.height / 5)) + 3
        let (top, rest) = r.split(rows: listHeight)
        let (charts, table) = rest.split(rows: rest.height - tableHeight)
        let (listPane, diffPane) = top.split(fraction: 0.45)
        drawList(c, in: listPane, colour: colour, on: &s, theme: theme)
        drawDifferences(c, in: diffPane, on: &s, theme: theme)
        drawCharts(state, shown, in: charts, colour: colour, on: &s, theme: theme)
        drawTable(c, shown, in: table, colour: colour, on: &s, theme: theme)
    }

    static func drawList(_ c: CompareState, in r: Rect, colour: (String) -> Style, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "runs (Space shows/hides)", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        let top = max(0, min(c.cursor - inner.height / 2, c.runs.count - inner.height))
        for (i, run) in c.runs.enumerated().dropFirst(top).prefix(inner.height) {
            let y = inner.y + i - top
            let on = c.chosen.contains(run.id)
            let base = i == c.cursor ? theme.selection : theme.text
            if i == c.cursor { s.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
            var x = s.put(on ? "[x] " : "[ ] ", x: inner.x, y: y, style: base, clip: inner)
            x = s.put(on ? "━━" : "  ", x: x, y: y, style: i == c.cursor ? base : colour(run.id), clip: inner)
            let v = run.view
            let progress = v.info.map { "\(v.iter)/\($0.maxIters)" } ?? ""
            s.put(" \(run.label)  \(v.status.label)  \(progress)", x: x, y: y, style: base, clip: inner)
        }
    }

    static func drawDifferences(_ c: CompareState, in r: Rect, on s: inout ScreenBuffer, theme: Theme) {
        let diffs = c.differences
        let shown = c.shown
        s.box(r, title: shown.count < 2 ? "config differences" : "config differences (\(diffs.count))", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        guard shown.count > 1 else {
            s.put("show two runs or more to compare their configs", x: inner.x, y: inner.y, style: theme.dim, clip: inner)
            return
        }
        guard !diffs.isEmpty else {
            s.put("the shown runs' configs are the same (apart from work_dir)", x: inner.x, y: inner.y, style: theme.dim, clip: inner)
            return
        }
        let more = diffs.count > inner.height - 1 ? 1 : 0
        Table(columns: [.init("key")] + shown.map { .init($0.label) }, rows: diffs.prefix(inner.height - 1 - more).map { [$0.key] + $0.values },
              headerStyle: theme.title, rowStyle: theme.text).draw(in: inner, on: &s)
        if more > 0 { s.put("… \(diffs.count - (inner.height - 2)) more", x: inner.x, y: inner.maxY - 1, style: theme.dim, clip: inner) }
    }

    static func drawCharts(_ state: AppState, _ shown: [CompareRun], in r: Rect, colour: (String) -> Style, on s: inout ScreenBuffer, theme: Theme) {
        guard r.height >= 5 else { return }
        let (lossPane, rest) = r.split(fraction: 0.4)
        let (lrPane, evalPane) = rest.split(fraction: 0.5)
        let infos = shown.compactMap(\.view.info)
        let x0 = Double((infos.map(\.startIter).min() ?? 0) + 1)
        let x1 = Double(max(Int(x0), shown.map(\.view.iter).max() ?? 0))
        func iterXs(_ run: CompareRun, _ n: Int) -> [Double] {
            let start = Double((run.view.info?.startIter ?? 0) + 1)
            return (0..<n).map { start + Double($0) }
        }
        let ticks = infos.first.map(RunScreen.epochTicks) ?? []
        s.box(lossPane, title: "loss (smoothed)", style: theme.border, titleStyle: theme.title)
        var loss = LineChart(title: "", series: shown.map { .init($0.view.smoothedLosses, style: colour($0.id), xs: iterXs($0, $0.view.losses.count)) },
                             xRange: (x0, x1), axisStyle: theme["axis"], titleStyle: theme.dim)
        loss.xTicks = ticks; loss.xUnit = "iter"
        loss.draw(in: lossPane.inset(1), on: &s)
        s.box(lrPane, title: "lr", style: theme.border, titleStyle: theme.title)
        var lr = LineChart(title: state.lrLogScale ? "log scale (L: linear)" : "linear (L: log scale)",
                           series: shown.map { .init($0.view.lrs, style: colour($0.id), xs: iterXs($0, $0.view.lrs.count)) },
                           xRange: (x0, x1), axisStyle: theme["axis"], titleStyle: theme.dim)
        lr.xTicks = ticks; lr.xUnit = "iter"; lr.logScale = state.lrLogScale
        lr.draw(in: lrPane.inset(1), on: &s)
        let key = state.compare.metricKey
        s.box(evalPane, title: key.map { "\($0) (m: next metric)" } ?? "evaluation", style: theme.border, titleStyle: theme.title)
        guard let key else {
            s.put("no evaluation in the shown runs", x: evalPane.x + 2, y: evalPane.y + 1, style: theme.dim, clip: evalPane.inset(1))
            return
        }
        var eval = LineChart(title: "", series: shown.map { run in
            let evals = run.view.evals.filter { e in e.metrics.contains { $0.key == key } }
            return .init(evals.map { e in e.metrics.first { $0.key == key }!.value }, style: colour(run.id), xs: evals.map { Double($0.iter) })
        }, xRange: (x0, x1), axisStyle: theme["axis"], titleStyle: theme.dim)
        eval.xTicks = ticks; eval.xUnit = "iter"
        eval.draw(in: evalPane.inset(1), on: &s)
    }

    static func drawTable(_ c: CompareState, _ shown: [CompareRun], in r: Rect, colour: (String) -> Style, on s: inout ScreenBuffer, theme: Theme) {
        s.box(r, title: "final and best", style: theme.border, titleStyle: theme.title)
        let inner = r.inset(1)
        guard !shown.isEmpty else {
            s.put("no run shown: Space on a run above shows it", x: inner.x, y: inner.y, style: theme.dim, clip: inner)
            return
        }
        let key = c.metricKey
        let f = { (v: Double?) in v.map { String(format: "%.4f", $0) } ?? "–" }
        let rows = shown.map { run -> [String] in
            let v = run.view
            let best = key.flatMap { run.best($0) }
            let last = key.flatMap { k in v.evals.last?.metrics.first { $0.key == k }?.value }
            return ["   " + run.label, v.status.label, v.info.map { "\(v.iter)/\($0.maxIters)" } ?? "\(v.iter)", f(v.losses.last),
                    f(best?.value), best.map { "\($0.epoch)" } ?? "–", f(last), v.info.map { "\($0.seed)" } ?? "–"]
        }
        let metric = key ?? "metric"
        var table = Table(columns: [.init("run"), .init("status"), .init("iters", .right), .init("final loss", .right),
                                    .init("best \(metric)", .right), .init("at epoch", .right), .init("final \(metric)", .right), .init("seed", .right)],
                          rows: rows, headerStyle: theme.title, rowStyle: theme.text)
        table.stretchLast = false
        table.draw(in: inner, on: &s)
        for (i, run) in shown.enumerated() where i + 1 < inner.height {
            s.put("━━", x: inner.x, y: inner.y + 1 + i, style: colour(run.id), clip: inner)
        }
    }
}
