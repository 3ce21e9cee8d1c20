import XCTest
import Config
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// The Run screen on a buffer (tracker issue 14, review dashboard-2026-12-02 B14, B16, B17, B18).
final class RunScreenTests: XCTestCase {
    static func theme() throws -> Theme { try Theme.load(name: "default", searchPaths: [WidgetTests.repo + "/themes"]) }

    /// A 4-epoch run of 30 iterations an epoch, played through `RunView.apply` up to `iterations`.
    static func run(iterations: Int = 120, ending: RunSummary.Ending? = .completed, evals: [EvalRecord] = []) -> AppState {
        var state = AppState()
        state.screen = .run
        state.run.apply(.started(RunInfo(workDir: "wd", configName: "c.py", byEpoch: true, maxEpochs: 4, maxIters: 120, itersPerEpoch: 30,
                                         startEpoch: 0, startIter: 0, seed: 1, hookOrder: [])))
        for i in 0..<iterations {
            state.run.apply(.iteration(IterationRecord(epoch: i / 30, iter: i, innerIter: i % 30, lr: 0.01, loss: 2 - Double(i) / 100,
                                                       batchSize: 8, time: 0.5)))
            if i % 30 == 29 { state.run.apply(.epochFinished(epoch: i / 30 + 1, iter: i + 1)) }
        }
        for e in evals { state.run.apply(.evaluated(e)) }
        if let ending { state.run.apply(.finished(RunSummary(ending: ending, epoch: iterations / 30, iter: iterations, seconds: 60, bestKey: nil, bestScore: nil))) }
        return state
    }

    func lines(_ state: AppState, width: Int = 120, height: Int = 40) throws -> [String] {
        Renderer.render(state, width: width, height: height, theme: try Self.theme()).text.components(separatedBy: "\n")
    }

    /// B14: a finished run showed `epoch 4/4 ░░░ 0/30`; a stopped one kept `eta 0:21`.
    func testAFinishedRunShowsItsLastEpochCompleteAndAStoppedOneNoETA() throws {
        let finished = try lines(Self.run()).first { $0.contains("epoch 4/4") } ?? ""
        XCTAssertTrue(finished.contains("███ 30/30"), finished)
        XCTAssertTrue(finished.contains("120/120 done"), finished)
        XCTAssertFalse(finished.contains("░ 0/30") || finished.contains("eta"), finished)
        let stopped = try lines(Self.run(iterations: 78, ending: .stopped)).first { $0.contains("total") } ?? ""
        XCTAssertTrue(stopped.contains("epoch 3/4") && stopped.contains(" 18/30") && stopped.hasSuffix("78/120│"), stopped)
        XCTAssertFalse(stopped.contains("eta"), stopped)
        let running = try lines(Self.run(iterations: 78, ending: nil)).first { $0.contains("total") } ?? ""
        XCTAssertTrue(running.contains("78/120 eta 0:21"), running)   // 42 iterations left at 0.5 s
    }

    /// A data-parallel run (issue 18), followed in watch mode: the throughput pane counts every rank's clips and
    /// shows a bar per rank, the slowest full; ranks that do not fit are summed up naming the slowest.
    func testADataParallelRunShowsEveryRanksFigures() throws {
        var state = Self.run(iterations: 10, ending: nil)
        var r = IterationRecord(epoch: 0, iter: 10, innerIter: 10, lr: 0.01, loss: 1.5, batchSize: 8, time: 0.5)
        r.ranks = [RankFigures(time: 0.5, dataTime: 0.05, allreduceWait: 0.02), RankFigures(time: 0.4, dataTime: 0, allreduceWait: 0.11)]
        state.run.apply(.iteration(r))
        let text = try lines(state).joined(separator: "\n")
        XCTAssertTrue(text.contains("throughput · 2 ranks"), text)
        XCTAssertTrue(text.contains("r0 ") && text.contains("0.500 s · data 10% · wait 20 ms"), text)
        XCTAssertTrue(text.contains("r1 ") && text.contains("0.400 s · data 0% · wait 110 ms"), text)
        r.ranks = (0..<9).map { RankFigures(time: $0 == 7 ? 0.9 : 0.5, dataTime: 0, allreduceWait: 0) }
        state.run.apply(.iteration(r))
        let many = try lines(state).joined(separator: "\n")
        XCTAssertTrue(many.contains("throughput · 9 ranks"), many)
        XCTAssertTrue(many.contains("more ranks; slowest r7 0.900 s"), many)
    }

    /// B16: the legend said `raw ⠒ smoothed (0.9)` all in the dim colour.
    func testTheLossLegendShowsEachSeriesInItsColour() throws {
        let theme = try Self.theme()
        let buffer = Renderer.render(Self.run(), width: 120, height: 40, theme: theme)
        let rows = buffer.text.components(separatedBy: "\n")
        let y = try XCTUnwrap(rows.firstIndex { $0.contains("━━ raw  ━━ smoothed (0.9)") })
        let x = Array(rows[y]).firstIndex(of: "━")!
        XCTAssertEqual(buffer[x, y].style, theme["loss"])
        let smoothX = Array(rows[y]).lastIndex(of: "━")!
        XCTAssertEqual(buffer[smoothX, y].style, theme["loss_smooth"])
        XCTAssertNotEqual(theme["loss"], theme["loss_smooth"])
    }

    /// B17: labels `2.09 ┤ / 2.08 ┤ / 2.08 ┤`; a flat series printed one value three times.
    func testYLabelsAreDistinctAtOnePrecision() {
        XCTAssertEqual(LineChart.axisLabels([2.09, 2.085, 2.08]), ["2.090", "2.085", "2.080"])
        XCTAssertEqual(LineChart.axisLabels([2.8, 2.45, 2.1]), ["2.8", "2.5", "2.1"])   // one precision (was `2.8  ┤`)
        XCTAssertEqual(LineChart.axisLabels([39, 19.5, 0]), ["39", "20", "0"])
        XCTAssertEqual(LineChart.axisLabels([1e-3, 5.5e-4, 1e-4]), ["1.0e-03", "5.5e-04", "1.0e-04"])
        XCTAssertEqual(LineChart.axisLabels([8.5e-3, 8.5e-3, 8.5e-3]), ["8.5e-03"])
        var s = ScreenBuffer(width: 30, height: 8)
        LineChart(title: "lr", series: [.init([Double](repeating: 8.5e-3, count: 20), style: .plain)]).draw(in: s.bounds, on: &s)
        XCTAssertEqual(s.text.components(separatedBy: "8.5e-03").count, 2, s.text)   // the flat value once
        XCTAssertEqual(s.text.filter { $0 == "┤" }.count, 1, s.text)
    }

    /// B17: the x axis read `1 … 120`, with no epochs and no unit.
    func testTheXAxisMarksEpochsAndNamesItsUnit() throws {
        let rows = try lines(Self.run(), width: 160)
        let axis = try XCTUnwrap(rows.first { $0.contains(" e2 ") })
        for text in ["1 ", " e2 ", " e3 ", " e4 ", "120 iter"] { XCTAssertTrue(axis.contains(text), "'\(text)' in \(axis)") }
    }

    /// B17: on a linear axis a step from 1e-3 to 1e-4 was invisible; `L` switches the lr chart to a log scale.
    func testLogScaleSeparatesLearningRateDecades() {
        let values = [Double](repeating: 1e-2, count: 40) + [Double](repeating: 1e-3, count: 40) + [Double](repeating: 1e-4, count: 40)
        func rowOf(third: Int, log: Bool) -> Int? {
            var s = ScreenBuffer(width: 60, height: 6)
            var chart = LineChart(title: "", series: [.init(values, style: .plain)])
            chart.logScale = log
            chart.draw(in: s.bounds, on: &s)
            let x = 10 + (60 - 10) * (2 * third + 1) / 6
            return (1..<5).first { s[x, $0].char.unicodeScalars.first!.value >= 0x2801 && s[x, $0].char.unicodeScalars.first!.value <= 0x28FF }
        }
        XCTAssertEqual(rowOf(third: 1, log: false), rowOf(third: 2, log: false))   // 1e-3 and 1e-4 share the bottom row
        let (a, b, c) = (rowOf(third: 0, log: true)!, rowOf(third: 1, log: true)!, rowOf(third: 2, log: true)!)
        XCTAssertTrue(a < b && b < c, "\(a) \(b) \(c)")
        XCTAssertLessThanOrEqual(abs(2 * b - (a + c)), 1)   // decades evenly spaced
        var state = Self.run()
        _ = state.handle(.char("L"))
        XCTAssertTrue(state.lrLogScale)
        XCTAssertTrue(try lines(state).contains { $0.contains("param group 0 · log scale") })
    }

    /// B18: `◆` shifted the epoch two columns, the chart's labels read as a fifth column, a wide pane pushed the last
    /// metric 40 columns right, and `e` gave a second row `2` with nothing to tell it apart.
    func testTheEvaluationTableStaysAlignedAndMarksManualEvaluations() throws {
        func eval(_ epoch: Int, _ iter: Int, _ acc: Double, best: Bool, _ trigger: EvalRecord.Trigger = .epoch) -> EvalRecord {
            EvalRecord(epoch: epoch, iter: iter, metrics: [("top1_acc", acc), ("top5_acc", 0.66), ("mean_class_accuracy", acc)],
                       bestKey: "top1_acc", bestScore: acc, isNewBest: best, trigger: trigger)
        }
        let state = Self.run(evals: [eval(1, 30, 0.25, best: true), eval(2, 60, 0.125, best: false), eval(2, 63, 0.125, best: false, .manual),
                                     eval(3, 90, 0.125, best: false)])
        for width in [160, 250] {
            let rows = try lines(state, width: width, height: 50)
            let header = try XCTUnwrap(rows.first { $0.contains("epoch  iter  top1_acc") }, "width \(width)")
            let body = rows.filter { $0.range(of: #"^│ +\d [◆ ] +\d+ +0\."#, options: .regularExpression) != nil }
            XCTAssertEqual(body.count, 4, rows.joined(separator: "\n"))
            // The epoch digit sits in one column on every row, the best marker beside it.
            XCTAssertEqual(Set(body.map { Array($0).firstIndex { $0.isNumber }! }).count, 1, body.joined(separator: "\n"))
            XCTAssertTrue(body[0].contains("1 ◆    30"), body[0])
            XCTAssertTrue(body[2].contains("2      63") && body[2].contains("manual (e)"), body[2])
            XCTAssertFalse(body[1].contains("manual"), body[1])
            // mean_class_accuracy ends where its values end, at the same column at both widths.
            let end = header.range(of: "mean_class_accuracy")!.upperBound.utf16Offset(in: header)
            XCTAssertEqual(end, 53, header)   // │ + epoch 5, iter 4, two metrics of 8, 19, with 2-column gaps
            // The chart is behind a rule: its title comes after a │ that follows the table (and its note column).
            let afterTable = String(header.dropFirst(end))
            XCTAssertNotNil(afterTable.range(of: #"^ {13}│ top1_acc"#, options: .regularExpression), afterTable)
        }
    }
}
