import XCTest
import Config
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// The Checkpoints screen (tracker issue 14, review dashboard-2026-12-02 B21–B24).
final class CheckpointsScreenTests: XCTestCase {
    static func entry(_ name: String, epoch: Int, iter: Int, inner: Int? = nil, best: Double? = nil, age: Double) -> CheckpointEntry {
        var e = CheckpointEntry(path: "/wd/" + name, bytes: 5_700_000, modified: Date(timeIntervalSince1970: 1_800_000_000 - age))
        e.metadata = CheckpointMetadata(epoch: epoch, iter: iter, hookMessages: .init(bestScore: best, bestMetric: best.map { _ in "top1_acc" }),
                                        extra: inner.map { ["inner_iter": "\($0)"] } ?? [:])
        return e
    }
    static let epoch4 = entry("epoch_4.safetensors", epoch: 4, iter: 120, age: 10)
    static let iter78 = entry("iter_78.safetensors", epoch: 2, iter: 78, inner: 18, age: 20)
    static let iter38 = entry("iter_38.safetensors", epoch: 1, iter: 38, inner: 8, age: 30)

    /// B21: select iter_78, a save adds files above it, and the selection was on epoch_4 — R and E then used it unasked.
    func testTheSelectionFollowsItsFileAndResumeAsksNamingIt() {
        var state = AppState()
        state.screen = .checkpoints
        state.setCheckpoints([Self.epoch4, Self.iter78, Self.iter38], best: nil)
        _ = state.handle(.down)
        XCTAssertEqual(state.selectedCheckpoint?.name, "iter_78.safetensors")
        let newer = [Self.entry("latest.safetensors", epoch: 4, iter: 120, age: 1), Self.entry("iter_48.safetensors", epoch: 1, iter: 48, inner: 18, age: 2)]
        state.setCheckpoints(newer + [Self.epoch4, Self.iter78, Self.iter38], best: nil)
        XCTAssertEqual(state.selectedCheckpoint?.name, "iter_78.safetensors")
        XCTAssertEqual(state.checkpointSelected, 3)
        // R asks first, naming the file; y resumes from exactly that file.
        XCTAssertEqual(state.handle(.char("R")), [])
        XCTAssertEqual(state.confirmation, .resume("/wd/iter_78.safetensors"))
        XCTAssertEqual(state.confirmation?.question, "Resume training from iter_78.safetensors? (y/n)")
        XCTAssertEqual(state.handle(.char("y")), [.startRun(resumeFrom: "/wd/iter_78.safetensors")])
        // A removed file: the row at its place is selected (and R would name it).
        state.setCheckpoints(newer + [Self.epoch4, Self.iter38], best: nil)
        XCTAssertEqual(state.selectedCheckpoint?.name, "iter_38.safetensors")
        XCTAssertEqual(state.checkpointPath, "/wd/iter_38.safetensors")
    }

    /// B22: files written by another process never appeared (the list was read only on the dashboard's own events).
    func testTheDirectoryIsReadAgainWhenItChangesAndOnlyThen() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-ckdir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/epoch_1.safetensors"))
        let watched = CheckpointDirectory(path: dir)
        XCTAssertEqual(watched.poll()?.entries.map(\.name), ["epoch_1.safetensors"])
        XCTAssertNil(watched.poll(), "nothing changed: nothing read")
        try Data("y".utf8).write(to: URL(fileURLWithPath: dir + "/iter_5.safetensors"))
        try Data(#"{"checkpoint": "best_top1_acc_epoch_1.safetensors", "best_score": 0.25}"#.utf8).write(to: URL(fileURLWithPath: dir + "/best.json"))
        let again = try XCTUnwrap(watched.poll())
        XCTAssertEqual(Set(again.entries.map(\.name)), ["epoch_1.safetensors", "iter_5.safetensors"])
        XCTAssertEqual(again.best, "best_top1_acc_epoch_1.safetensors")
        XCTAssertNotNil(again.entries[0].error)   // not a safetensors file: listed with its error
        XCTAssertNotNil(watched.poll(force: true), "the refresh key reads anyway")
        var state = AppState()
        state.screen = .checkpoints
        XCTAssertEqual(state.handle(.ctrl("r")), [.rescanCheckpoints])
    }

    /// B23: mid-epoch files showed the 0-based runner epoch (`iter_38 … 1`) while the Run screen said epoch 2.
    func testEpochsAreCountedOneWay() {
        XCTAssertEqual(Self.iter38.epochLabel, "2, batch 8")
        XCTAssertEqual(Self.epoch4.epochLabel, "4")
        var state = AppState()
        state.screen = .checkpoints
        state.setCheckpoints([Self.epoch4, Self.iter38], best: nil)
        _ = state.handle(.down); _ = state.handle(.enter)
        let text = Renderer.render(state, width: 140, height: 30, theme: .fallback).text
        XCTAssertTrue(text.contains("iter_38.safetensors  2, batch 8    38"), text)
        XCTAssertTrue(text.contains("epoch 2, batch 8, iter 38"), text)
        XCTAssertTrue(text.contains("saved in epoch 2 after 8 batches (resume continues with batch 9)"), text)
    }

    /// Two ★ after a resume, best.json naming the worse one; E's result only in the log.
    func testOnlyBestJsonsFileIsStarredAndEResultsShowInTheList() {
        var state = AppState()
        state.screen = .checkpoints
        let older = Self.entry("best_top1_acc_epoch_2.safetensors", epoch: 2, iter: 60, best: 0.1375, age: 50)
        let newer = Self.entry("best_top1_acc_epoch_4.safetensors", epoch: 4, iter: 120, best: 0.2625, age: 5)
        state.setCheckpoints([newer, Self.epoch4, older], best: "best_top1_acc_epoch_2.safetensors")
        XCTAssertEqual(state.handle(.down), [])
        XCTAssertEqual(state.handle(.char("E")), [.evaluateCheckpoint("/wd/epoch_4.safetensors")])
        XCTAssertEqual(state.checkpointEvaluations["/wd/epoch_4.safetensors"], .running)
        state.checkpointEvaluations["/wd/epoch_4.safetensors"] = .done(["top1_acc 0.2625", "top5_acc 0.7625"])
        let rows = Renderer.render(state, width: 160, height: 20, theme: .fallback).text.components(separatedBy: "\n")
        XCTAssertEqual(rows.filter { $0.contains("★") }.count, 1)
        XCTAssertTrue(rows.contains { $0.contains("★ best_top1_acc_epoch_2.safetensors") })
        XCTAssertTrue(rows.contains { $0.contains("epoch_4.safetensors") && $0.contains("top1_acc 0.2625  top5_acc 0.7625") }, rows.joined(separator: "\n"))
    }

    /// B24: `cannot delete: Error Domain=NSCocoaErrorDomain Code=642 "The volume is read only."UserInfo={…`.
    func testFileErrorsAreSaidInWords() {
        XCTAssertEqual(ErrorWords.describe(NSError(domain: NSCocoaErrorDomain, code: 642, userInfo: [NSFilePathErrorKey: "/ro/x"])),
                       "the file system is read-only")
        let underlying = NSError(domain: NSPOSIXErrorDomain, code: Int(EROFS))
        XCTAssertEqual(ErrorWords.describe(NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: underlying])),
                       "Read-only file system")
        XCTAssertEqual(ErrorWords.describe(OwnedFiles.Refusal.failed("Read-only file system")), "Read-only file system")
        XCTAssertEqual(ErrorWords.describe(CheckpointError(path: "a.safetensors", reason: "no such file")),
                       "\(CheckpointError(path: "a.safetensors", reason: "no such file"))")
    }
}
