import XCTest
@testable import TUI

/// `reel tui --watch`: a `.log.json` that cannot be read is skipped, not a crash (readDataToEndOfFile trapped).
final class LogTailTests: XCTestCase {
    func testAnUnreadableLogIsSkipped() throws {
        let dir = NSTemporaryDirectory() + "reel-tail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/20260101_000000.log.json", withIntermediateDirectories: true)
        let tail = LogTail(workDir: dir)
        XCTAssertEqual(tail.poll().count, 0)
        try "{\"mode\": \"train\", \"epoch\": 1, \"iter\": 1, \"lr\": 0.1, \"loss\": 2.0}\n"
            .write(toFile: dir + "/20260102_000000.log.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(tail.poll().count, 1)
    }
}
