import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// F15 end to end: the disk fills up between two checkpoints (a 14 MB tmpfs, filled once the first checkpoint is
/// written). Before, the log writers trapped (SIGILL, exit 132); now the run stops with exit 1, says which write
/// failed and which checkpoint is intact, and every earlier checkpoint loads. Needs mount(2) (root).
final class DiskFullTests: XCTestCase {
    func testADiskFillingBetweenCheckpointsStopsTheRunCleanly() throws {
        let ws = try DemoWorkspace(self)
        let mountPoint = ws.path("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=14m") == 0 else {
            throw XCTSkip("cannot mount a tmpfs here (\(String(cString: strerror(errno)))): the disk-full test needs root")
        }
        addTeardownBlock { umount2(mountPoint, Int32(MNT_DETACH)) }
        let work = mountPoint + "/c"
        let run = try ws.start(ws.train(workDir: work, epochs: 12, checkpointInterval: 4))
        XCTAssertTrue(run.waitFor { FileManager.default.fileExists(atPath: work + "/latest.safetensors") }, run.stderr)
        fill(mountPoint + "/filler")
        XCTAssertEqual(run.wait(), 1, run.stderr)
        let message = try XCTUnwrap(run.stderr.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(message.hasPrefix("reel: cannot write \(work)/"), message)
        XCTAssertTrue(message.contains(": No space left on device; stopped at iteration "), message)
        XCTAssertTrue(message.hasSuffix("; last checkpoint \(work)/epoch_4.safetensors is intact"), message)
        XCTAssertEqual(try ws.verify(work + "/epoch_4.safetensors"), "epoch 4, iter 12")
        XCTAssertEqual(try ws.verify(work + "/latest.safetensors"), "epoch 4, iter 12")
        XCTAssertEqual(DemoWorkspace.tempFiles(in: work), [])
        XCTAssertEqual(DemoWorkspace.unparsableLogLines(in: work), [])
    }

    /// Writes zeros until the file system is full.
    func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 1 << 16)
        var size = chunk.count
        while size > 0 {
            if write(fd, chunk, size) < 0 { if errno == ENOSPC { size /= 2 } else { return } }
        }
    }
}
