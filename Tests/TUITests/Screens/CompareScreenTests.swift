import XCTest
import Config
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// Compare (tracker issue 14, "beyond the anchors"): runs read from their event records through
/// `EventRecordReader` and folded by `RunView.apply`, overlaid curves, final/best table, config differences.
final class CompareScreenTests: XCTestCase {
    /// A work dir whose events.jsonl holds one 2-epoch run of 3 iterations an epoch (losses `start - 0.1 i`).
    static func workDir(_ name: String, lr: Double, start: Double, accs: [Double], in root: String) throws -> String {
        let dir = (root as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = "optimizer = dict(type='SGD', lr=\(lr), momentum=0.9)\ntotal_epochs = 2\nwork_dir = '\(dir)'\n"
        var events: [RunEvent] = [.started(RunInfo(runID: name, workDir: dir, configName: "c.py", configText: config, byEpoch: true, maxEpochs: 2,
                                                    maxIters: 6, itersPerEpoch: 3, startEpoch: 0, startIter: 0, seed: 7, hookOrder: []))]
        var best = -1.0
        for i in 0..<6 {
            events.append(.iteration(IterationRecord(epoch: i / 3, iter: i, innerIter: i % 3, lr: lr, loss: start - 0.1 * Double(i), batchSize: 8, time: 0.1)))
            if i % 3 == 2 {
                let acc = accs[i / 3]
                let isBest = acc > best
                best = max(best, acc)
                events.append(.evaluated(EvalRecord(epoch: i / 3 + 1, iter: i + 1, metrics: [("top1_acc", acc), ("top5_acc", 0.5)],
                                                    bestKey: "top1_acc", bestScore: best, isNewBest: isBest)))
            }
        }
        events.append(.finished(RunSummary(ending: .completed, epoch: 2, iter: 6, seconds: 1, bestKey: "top1_acc", bestScore: best)))
        let text = events.map { EventRecord.encode($0, run: name, wallTime: 1) + "\n" }.joined()
        try text.write(toFile: (dir as NSString).appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
        return dir
    }

    func testTwoRunsAreComparedFromTheirEventRecords() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-compare-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = try Self.workDir("lr_high", lr: 0.02, start: 2.0, accs: [0.25, 0.375], in: root)
        let b = try Self.workDir("lr_low", lr: 0.005, start: 2.2, accs: [0.5, 0.125], in: root)
        let source = CompareSource(dirs: [a, b])
        XCTAssertTrue(source.poll())
        XCTAssertFalse(source.poll(), "nothing new")
        var state = AppState()
        state.screen = .compare
        state.compare.runs = source.runs
        state.compare.chosen = source.initialChoice()
        XCTAssertEqual(state.compare.shown.map(\.label), ["lr_high", "lr_low"])
        XCTAssertEqual(state.compare.shown[0].view.losses.count, 6)
        XCTAssertEqual(state.compare.differences.map(\.key), ["optimizer.lr"])
        XCTAssertEqual(state.compare.differences.first?.values, ["0.02", "0.005"])
        let text = Renderer.render(state, width: 160, height: 45, theme: .fallback).text
        // Final loss is the last iteration's; best top1_acc and its epoch follow each run's own best marks.
        XCTAssertTrue(text.contains("lr_high  finished    6/6      1.5000         0.3750         2          0.3750     7"), text)
        XCTAssertTrue(text.contains("lr_low   finished    6/6      1.7000         0.5000         1          0.1250     7"), text)
        XCTAssertTrue(text.contains("optimizer.lr  0.02     0.005"), text)
        XCTAssertTrue(text.contains("loss (smoothed)") && text.contains("top1_acc (m: next metric)"), text)
        // Space hides the run under the cursor; m goes to the next metric.
        _ = state.handle(.char(" "))
        XCTAssertEqual(state.compare.shown.map(\.label), ["lr_low"])
        XCTAssertTrue(state.compare.differences.isEmpty)
        _ = state.handle(.char("m"))
        XCTAssertEqual(state.compare.metricKey, "top5_acc")
        // The dashboard offers the work dir and its siblings that hold a record.
        XCTAssertEqual(CompareSource.discover(around: a), [a, b])
    }

    func testARunGoingOnIsComparedAsLinesArrive() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-compare-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = try Self.workDir("one", lr: 0.02, start: 2.0, accs: [0.25, 0.375], in: root)
        let source = CompareSource(dirs: [a])
        _ = source.poll()
        let extra = EventRecord.encode(.started(RunInfo(runID: "two", workDir: a, configName: "c.py", byEpoch: true, maxEpochs: 2, maxIters: 6,
                                                         itersPerEpoch: 3, startEpoch: 1, startIter: 3, seed: 7, hookOrder: [])), run: "two", wallTime: 2)
            + "\n" + EventRecord.encode(.iteration(IterationRecord(epoch: 1, iter: 3, innerIter: 0, lr: 0.02, loss: 1.9, batchSize: 8)), run: "two", wallTime: 3) + "\n"
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: a + "/events.jsonl"))
        h.seekToEndOfFile(); h.write(Data(extra.utf8)); h.closeFile()
        XCTAssertTrue(source.poll())
        XCTAssertEqual(source.runs.map(\.label), ["one #1", "one #2"])
        XCTAssertEqual(source.runs[1].view.losses, [1.9])
        XCTAssertEqual(source.initialChoice().count, 2, "one dir: all its runs")
    }
}
