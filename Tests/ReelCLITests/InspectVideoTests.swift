import XCTest

/// `reel inspect video` through the real binary, on Fixtures/gray12.mp4: 12 frames of 48x32 h264 with B-frames
/// (stored out of presentation order), keyframes every 5 frames, frame i a uniform grey of 20 + 16·i.
final class InspectVideoTests: XCTestCase {
    static var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gray12.mp4").path
    }

    func testFactsAsJSON() throws {
        let r = try ReelProcess.run(["inspect", "video", Self.fixture, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(o["width"] as? Int, 48)
        XCTAssertEqual(o["height"] as? Int, 32)
        XCTAssertEqual(o["frame_count"] as? Int, 12)
        XCTAssertEqual(o["container_frame_count"] as? Int, 12)
        XCTAssertEqual(o["codec"] as? String, "h264")
        XCTAssertEqual(o["frame_rate"] as? Double, 30)
        XCTAssertEqual(o["keyframes"] as? [Int], [0, 5, 10])
    }

    /// The asked frames in the asked order, repeats kept, each 32·48·3 bytes of its own grey.
    func testRawWritesTheAskedFramesBackToBack() throws {
        let dir = try ReelProcess.tempDir(self)
        let out = dir.appendingPathComponent("f.bin").path
        let asked = [7, 2, 2, 11, 0]
        let r = try ReelProcess.run(["inspect", "video", Self.fixture, "--frames", "7,2,2,11,0", "--raw", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("12 frames (container nb_frames: 12), 30 fps"), r.stdout)
        XCTAssertTrue(r.stdout.contains("keyframes (3): 0 5 10"), r.stdout)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        let size = 32 * 48 * 3
        XCTAssertEqual(bytes.count, asked.count * size)
        for (k, i) in asked.enumerated() {
            let frame = bytes[(k * size)..<((k + 1) * size)]
            let expected = 20 + 16 * i
            XCTAssertTrue(frame.allSatisfy { abs(Int($0) - expected) <= 3 },
                          "frame \(i) (request \(k)): values \(Set(frame).sorted()), expected about \(expected)")
        }
    }

    /// Refused input exits 2 with a message naming the file; nothing is written.
    func testBadInputExitsTwoNamingTheFile() throws {
        let dir = try ReelProcess.tempDir(self)
        let out = dir.appendingPathComponent("f.bin").path
        let range = try ReelProcess.run(["inspect", "video", Self.fixture, "--frames", "3,12", "--raw", out])
        XCTAssertEqual(range.status, 2)
        XCTAssertTrue(range.stderr.contains("\(Self.fixture): frame index 12 is out of range: the video has 12 frames"), range.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        let text = dir.appendingPathComponent("notes.mp4")
        try Data("not a video\n".utf8).write(to: text)
        let bad = try ReelProcess.run(["inspect", "video", text.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("\(text.path): not a video file Reel can read"), bad.stderr)

        let missing = try ReelProcess.run(["inspect", "video", dir.appendingPathComponent("none.mp4").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("none.mp4: video file is missing"), missing.stderr)

        let syntax = try ReelProcess.run(["inspect", "video", Self.fixture, "--frames", "1,x"])
        XCTAssertEqual(syntax.status, 2)
        XCTAssertTrue(syntax.stderr.contains("--frames: 'x' is not a frame index"), syntax.stderr)
    }
}
