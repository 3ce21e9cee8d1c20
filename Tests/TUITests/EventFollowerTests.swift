import XCTest
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// Watch mode: a run's recorded `events.jsonl`, replayed through the dashboard's own event path
/// (`DashboardApp.absorbEvents`), gives the screens the live events gave; a second run replaces the first.
final class EventFollowerTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "reel-watch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A small run as the engine reports it: `epochs` epochs of 4 iterations, a log record every 2, an evaluation
    /// per epoch (best at epoch 2 of 2), checkpoints with a superseded best removed, a pause, and the ending.
    static func run(_ id: String, epochs: Int, accuracy: [Double]) -> [RunEvent] {
        let info = RunInfo(runID: id, workDir: "/w", configName: "demo.py", configText: "total_epochs = \(epochs)\nlr = 0.1\n",
                           byEpoch: true, maxEpochs: epochs, maxIters: 4 * epochs, itersPerEpoch: 4, startEpoch: 0, startIter: 0,
                           seed: 7, hookOrder: ["(LOW) EvalHook"], saveBest: "auto")
        var events: [RunEvent] = [.started(info), .message("Start running, work_dir: /w")]
        var bestFile: String?
        for epoch in 0..<epochs {
            for inner in 0..<4 {
                let iter = epoch * 4 + inner
                events.append(.iteration(IterationRecord(epoch: epoch, iter: iter, innerIter: inner, lr: 0.1 / Double(iter + 1),
                                                         values: ["loss": 2 - Double(iter) * 0.1], loss: 2 - Double(iter) * 0.1,
                                                         batchSize: 8, time: 0.25, dataTime: 0.05)))
                if iter == 1 { events += [.paused(iter: 2), .message("Paused at iteration 2"), .resumed(iter: 2, pausedSeconds: 3),
                                          .message("Resumed at iteration 2")] }
                if inner % 2 == 1 {
                    events.append(.logged(LogRecord(mode: "train", epoch: epoch + 1, iter: inner + 1, lr: 0.1, memory: 200 + iter,
                                                    values: [("loss", 2 - Double(iter) * 0.1)], step: iter + 1)))
                    events.append(.message("Epoch [\(epoch + 1)][\(inner + 1)/4]\tloss: " + String(format: "%.4f", 2 - Double(iter) * 0.1)))
                }
            }
            let path = "/w/epoch_\(epoch + 1).safetensors"
            events.append(.checkpointSaved(CheckpointRecord(path: path, kind: .regular, epoch: epoch + 1, iter: 4 * epoch + 4)))
            let acc = accuracy[epoch]
            let isBest = accuracy[..<epoch].allSatisfy { $0 < acc }
            if isBest {
                if let old = bestFile { events.append(.checkpointDeleted(path: old)) }
                bestFile = "/w/best_top1_acc_epoch_\(epoch + 1).safetensors"
                events.append(.checkpointSaved(CheckpointRecord(path: bestFile!, kind: .best, epoch: epoch + 1, iter: 4 * epoch + 4)))
            }
            events.append(.evaluated(EvalRecord(epoch: epoch + 1, iter: 4 * epoch + 4, metrics: [("top1_acc", acc), ("top5_acc", 0.9)],
                                                bestKey: "top1_acc", bestScore: accuracy[...epoch].max(), isNewBest: isBest)))
            events.append(.epochFinished(epoch: epoch + 1, iter: 4 * epoch + 4))
        }
        events.append(.finished(RunSummary(ending: .completed, epoch: epochs, iter: 4 * epochs, seconds: 9, bestKey: "top1_acc",
                                           bestScore: accuracy.max(), reason: "reached max_epochs=\(epochs)")))
        return events
    }

    /// Writes `events` as a run does; `writer` continues a run written in parts.
    @discardableResult
    func record(_ events: [RunEvent], writer: EventRecordWriter? = nil) throws -> EventRecordWriter {
        let w = try writer ?? EventRecordWriter(workDir: dir)
        for e in events { w.receive(e) }
        XCTAssertNil(w.takeWriteFailure())
        return w
    }

    func render(_ run: RunView, _ screen: ScreenID) -> String {
        var s = AppState()
        s.screen = screen
        s.run = run
        return Renderer.render(s, width: 120, height: 36, theme: .fallback).text
    }

    func watcher() -> DashboardApp {
        var o = DashboardApp.Options()
        o.watchDir = dir
        return DashboardApp(o)
    }

    func testTheRecordedRunLooksAsTheLiveRunDid() throws {
        let events = Self.run("a", epochs: 2, accuracy: [0.25, 0.5])
        let live = DashboardApp(DashboardApp.Options())
        for e in events { live.inbox.receive(e) }
        XCTAssertTrue(live.absorbEvents())
        try record(events)
        let watch = watcher()
        XCTAssertTrue(watch.absorbEvents())
        for screen in [ScreenID.run, .logs] {
            XCTAssertEqual(render(watch.state.run, screen), render(live.state.run, screen), "\(screen)")
        }
        // What the watcher shows: the final state and why, progress of 2 epochs, the best on save_best's metric,
        // the checkpoints the run has (the superseded best is gone), the log, and the run's config.
        watch.state.screen = .run
        let shown = Renderer.render(watch.state, width: 120, height: 36, theme: .fallback).text
        for text in ["● FINISHED  reached max_epochs=2  (watching run 1 of 1 in \(dir)", "epoch 2/2", "total", "8/8",
                     "checkpoints  3 (last best_top1_acc_epoch_2.saf", "  2 ◆     8    0.5000", "best 0.5000",
                     "Epoch [2][4/4]  loss: 1.3000", "watching: finished"] {
            XCTAssertTrue(shown.contains(text), "'\(text)' in\n\(shown)")
        }
        XCTAssertEqual(watch.state.run.checkpoints.map { ($0.path as NSString).lastPathComponent },
                       ["epoch_1.safetensors", "epoch_2.safetensors", "best_top1_acc_epoch_2.safetensors"])
        XCTAssertEqual(watch.state.document?.path, dir + "/demo.py")
        XCTAssertEqual(watch.state.document?.config.root["lr"]?.number, 0.1)
        XCTAssertEqual(watch.state.handle(.char("2")), [])
        XCTAssertFalse(watch.absorbEvents(), "nothing new")
        // The footer offers what works: no steering keys when watching, no run switching when live.
        let footer = { (state: AppState) in Renderer.render(state, width: 120, height: 36, theme: .fallback).text.split(separator: "\n").last! }
        XCTAssertEqual(footer(watch.state).trimmingCharacters(in: .whitespaces), "L log lr · c compare · [ ] previous/next run · ? help · q quit")
        var liveState = live.state
        liveState.screen = .run
        XCTAssertFalse(footer(liveState).contains("[ ]"), String(footer(liveState)))
        XCTAssertTrue(footer(liveState).hasPrefix(" r train · p pause/resume · s save checkpoint · e evaluate · x stop"), String(footer(liveState)))
    }

    func testASecondRunReplacesTheFirstAndTheUserCanSwitchBack() throws {
        try record(Self.run("a", epochs: 2, accuracy: [0.25, 0.5]))
        let watch = watcher()
        watch.absorbEvents()
        XCTAssertEqual(watch.state.run.evals.count, 2)
        // Half of a second run arrives (as it would while it trains): only its own points and rows are shown.
        let second = Self.run("b", epochs: 1, accuracy: [0.125])
        let writer = try record(Array(second.prefix(8)))
        watch.absorbEvents()
        XCTAssertEqual(watch.state.run.info?.runID, "b")
        XCTAssertEqual(watch.state.run.status, .running)
        XCTAssertEqual(watch.state.run.losses.count, 2)
        XCTAssertEqual(watch.state.run.evals.count, 0)
        XCTAssertEqual(watch.state.run.checkpoints, [])
        try record(Array(second.dropFirst(8)), writer: writer)
        watch.absorbEvents()
        XCTAssertEqual(watch.state.run.losses.count, 4)
        XCTAssertEqual(watch.state.run.evals.map(\.epoch), [1])
        XCTAssertEqual(watch.state.run.status, .finished)
        XCTAssertEqual(watch.state.watchedRun?.index, 2)
        let shown = Renderer.render(watch.state, width: 120, height: 36, theme: .fallback).text
        XCTAssertTrue(shown.contains("epoch 1/1") && shown.contains("run 2 of 2") && shown.contains("checkpoints  2 "), shown)

        // [ replays the first run from its start; ] goes back to the newest.
        watch.state.screen = .run
        let older = watch.state.handle(.char("["))
        XCTAssertEqual(older, [.showRun(step: -1)])
        watch.perform(older)
        XCTAssertEqual(watch.state.run.info?.runID, "a")
        XCTAssertEqual(watch.state.run.evals.count, 2)
        XCTAssertEqual(watch.state.run.losses.count, 8)
        watch.perform([.showRun(step: -1)])
        XCTAssertEqual(watch.state.message, "this is the first run in the work dir")
        watch.perform([.showRun(step: 1)])
        XCTAssertEqual(watch.state.run.info?.runID, "b")
    }

    func testWatchModeSaysWhyThereIsNothingToShow() throws {
        let missing = EventFollower(workDir: dir + "/none")
        _ = missing.poll()
        XCTAssertEqual(missing.note, "\(dir)/none does not exist (yet): waiting for a run to write events.jsonl there.")
        let empty = EventFollower(workDir: dir)
        XCTAssertEqual(empty.note, "Waiting for a run: \(dir)/events.jsonl does not exist yet.")
        try Data(#"{"mode": "train", "epoch": 1}"#.utf8).write(to: URL(fileURLWithPath: dir + "/20260101_000000.log.json"))
        XCTAssertEqual(empty.note, "\(dir) has no events.jsonl: its runs come from an older Reel, which did not record their events. "
                       + "Watch mode follows runs of this version (the old runs' .log and .log.json are still there).")
        let watch = watcher()
        watch.absorbEvents()
        watch.state.screen = .run
        let shown = Renderer.render(watch.state, width: 100, height: 30, theme: .fallback).text
        XCTAssertTrue(shown.contains("has no events.jsonl: its runs come from an"), shown)
        XCTAssertFalse(shown.contains("press r"), shown)
    }

    func testTheWatchedConfigIsReadOnly() throws {
        try record(Self.run("a", epochs: 1, accuracy: [0.5]))
        let watch = watcher()
        watch.absorbEvents()
        watch.state.screen = .config
        watch.state.selected = 1   // lr
        XCTAssertEqual(watch.state.handle(.enter), [])
        XCTAssertNil(watch.state.editing)
        XCTAssertEqual(watch.state.message, "watch mode: this is the watched run's config (read-only)")
    }
}
