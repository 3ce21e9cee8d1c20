import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Reel deletes only its own regular files directly in the run's directory (review 2026-12-02 F8), and cleans up
/// the temp files a killed writer left (F13).
final class OwnedFilesTests: XCTestCase {
    var root: String!
    var work: String { root + "/work" }
    var outside: String { root + "/outside" }
    let fm = FileManager.default

    override func setUpWithError() throws {
        root = fm.temporaryDirectory.appendingPathComponent("reel-owned-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside + "/sub", withIntermediateDirectories: true)
        try Data("important".utf8).write(to: URL(fileURLWithPath: outside + "/sub/data.txt"))
    }
    override func tearDownWithError() throws { try? fm.removeItem(atPath: root) }

    func touch(_ path: String) throws { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }

    func refusal(_ path: String, names: (String) -> Bool = OwnedFiles.isCheckpointName) -> OwnedFiles.Refusal? {
        do { try OwnedFiles.remove(path, inDirectory: work, isOwnName: names); return nil } catch { return error as? OwnedFiles.Refusal }
    }

    func testReelNamesOnly() {
        for name in ["epoch_3.safetensors", "iter_120.safetensors", "latest.safetensors", "best_top1_acc_epoch_12.safetensors",
                     "best_mean_class_accuracy_iter_40.safetensors", "best_AR@AN_epoch_1.safetensors"] {
            XCTAssertTrue(OwnedFiles.isCheckpointName(name), name)
        }
        for name in ["epoch_.safetensors", "epoch_3.safetensors.bak", "epoch_-1.safetensors", "my_model.safetensors", "best.json",
                     "best__epoch_1.safetensors", "best_top1_epoch_x.safetensors", "data.txt", "..", "best_a/b_epoch_1.safetensors"] {
            XCTAssertFalse(OwnedFiles.isCheckpointName(name), name)
        }
        XCTAssertFalse(OwnedFiles.isBestCheckpointName("epoch_1.safetensors"))
    }

    func testRemovesOwnRegularFileSpelledAnyWay() throws {
        try touch(work + "/epoch_1.safetensors")
        try touch(work + "/epoch_2.safetensors")
        XCTAssertNil(refusal(work + "/epoch_1.safetensors"))
        try fm.createDirectory(atPath: work + "/d", withIntermediateDirectories: true)
        XCTAssertNil(refusal(work + "/d/../epoch_2.safetensors"), "the parent is the work dir itself")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work), ["d"])
    }

    func testNeverTouchesDirectoriesSymlinksOrFilesElsewhere() throws {
        // A directory outside: refused by name, and by place even when it has a checkpoint name.
        XCTAssertEqual(refusal(outside), .foreignName)
        try fm.createDirectory(atPath: outside + "/best_top1_acc_epoch_1.safetensors", withIntermediateDirectories: true)
        XCTAssertEqual(refusal(outside + "/best_top1_acc_epoch_1.safetensors"), .notInDirectory)
        XCTAssertEqual(refusal(work + "/../outside/sub/data.txt", names: { _ in true }), .notInDirectory)
        // A directory inside with a checkpoint name: never removed (no recursive delete).
        try fm.createDirectory(atPath: work + "/epoch_5.safetensors/sub", withIntermediateDirectories: true)
        try touch(work + "/epoch_5.safetensors/sub/keep")
        XCTAssertEqual(refusal(work + "/epoch_5.safetensors"), .notRegularFile)
        // A symlink inside pointing out: neither it nor its target.
        try fm.createSymbolicLink(atPath: work + "/epoch_6.safetensors", withDestinationPath: outside + "/sub/data.txt")
        XCTAssertEqual(refusal(work + "/epoch_6.safetensors"), .notRegularFile)
        // A path through a symlinked directory inside the work dir that leads out.
        try fm.createSymbolicLink(atPath: work + "/escape", withDestinationPath: outside)
        try touch(outside + "/epoch_7.safetensors")
        XCTAssertEqual(refusal(work + "/escape/epoch_7.safetensors"), .notInDirectory)
        XCTAssertEqual(refusal(work + "/epoch_8.safetensors"), .missing)

        XCTAssertEqual(try String(contentsOfFile: outside + "/sub/data.txt", encoding: .utf8), "important")
        XCTAssertTrue(fm.fileExists(atPath: outside + "/epoch_7.safetensors"))
        XCTAssertTrue(fm.fileExists(atPath: outside + "/best_top1_acc_epoch_1.safetensors"))
        XCTAssertTrue(fm.fileExists(atPath: work + "/epoch_5.safetensors/sub/keep"))
        XCTAssertNotNil(try? fm.destinationOfSymbolicLink(atPath: work + "/epoch_6.safetensors"))
    }

    /// F13: a kill -9 between creating and renaming leaves `.NAME.tmp-PID-RAND`; only Reel's names of writers that
    /// are gone are removed, and only regular files.
    func testStaleTempFilesOfDeadWritersAreRemoved() throws {
        let dead = try deadPID()
        try touch(work + "/.epoch_1.safetensors.tmp-\(dead)-123")
        try touch(work + "/.latest.safetensors.tmp-\(dead)-7")
        try touch(work + "/.c.py.tmp-\(dead)-44")
        try touch(work + "/.epoch_2.safetensors.tmp-\(getpid())-9")        // a live writer (this process)
        try touch(work + "/.notes.txt.tmp-\(dead)-1")                      // not Reel's
        try touch(work + "/.epoch_3.safetensors.tmp-\(dead)-1-2")          // not the pattern
        try fm.createDirectory(atPath: work + "/.epoch_4.safetensors.tmp-\(dead)-3", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: work + "/.epoch_5.safetensors.tmp-\(dead)-3", withDestinationPath: outside + "/sub/data.txt")
        let removed = OwnedFiles.removeStaleTempFiles(in: work) { OwnedFiles.isCheckpointName($0) || $0 == "c.py" }
        XCTAssertEqual(removed, [".c.py.tmp-\(dead)-44", ".epoch_1.safetensors.tmp-\(dead)-123", ".latest.safetensors.tmp-\(dead)-7"])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work).sorted(), [
            ".epoch_2.safetensors.tmp-\(getpid())-9", ".epoch_3.safetensors.tmp-\(dead)-1-2", ".epoch_4.safetensors.tmp-\(dead)-3",
            ".epoch_5.safetensors.tmp-\(dead)-3", ".notes.txt.tmp-\(dead)-1",
        ])
        XCTAssertEqual(try String(contentsOfFile: outside + "/sub/data.txt", encoding: .utf8), "important")
    }

    func testTempNamesRoundTrip() {
        let name = AtomicFile.tempName(for: "epoch_1.safetensors")
        XCTAssertEqual(AtomicFile.parseTempName(name)?.target, "epoch_1.safetensors")
        XCTAssertEqual(AtomicFile.parseTempName(name)?.pid, getpid())
        XCTAssertNil(AtomicFile.parseTempName("epoch_1.safetensors"))
        XCTAssertNil(AtomicFile.parseTempName(".x.tmp-12"))
        XCTAssertNil(AtomicFile.parseTempName(".x.tmp--1-2"))
    }

    /// `latest` is replaced as a directory entry: a symlink there pointing elsewhere is replaced, its target untouched.
    func testUpdateLatestNeverWritesThroughASymlink() throws {
        try Data("checkpoint".utf8).write(to: URL(fileURLWithPath: work + "/epoch_1.safetensors"))
        try fm.createSymbolicLink(atPath: work + "/latest.safetensors", withDestinationPath: outside + "/sub/data.txt")
        try CheckpointStore.updateLatest(in: work, to: work + "/epoch_1.safetensors")
        XCTAssertEqual(try String(contentsOfFile: outside + "/sub/data.txt", encoding: .utf8), "important")
        XCTAssertNil(try? fm.destinationOfSymbolicLink(atPath: work + "/latest.safetensors"))
        XCTAssertEqual(try String(contentsOfFile: work + "/latest.safetensors", encoding: .utf8), "checkpoint")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work).sorted(), ["epoch_1.safetensors", "latest.safetensors"])
    }

    /// The pid of a process that has exited (and been reaped).
    func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        XCTAssertFalse(OwnedFiles.isRunning(p.processIdentifier))
        return p.processIdentifier
    }
}
