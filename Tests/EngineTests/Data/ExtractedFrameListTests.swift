import XCTest
@testable import EngineData

/// `extract-frames --ann`: a VideoDataset list rewritten as the RawframeDataset list of the extracted frames.
final class ExtractedFrameListTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ text: String) throws -> String {
        let path = dir.appendingPathComponent("list.txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Paths as the list spells them (./, absolute inside the videos directory, several labels); frame_dir is the
    /// extension-less path, total_frames what was written; missing and failed videos are left out with a reason.
    func testListFollowsTheExtractedFrames() throws {
        let videosDir = dir.appendingPathComponent("videos").path
        let path = try write("walk/a.mp4 3\r\n./run/b.avi 1 4\n\(videosDir)/c.mkv\t0\ngone.mp4 2\nbroken.mp4 5")
        let entries = try ExtractedFrameList.readVideoList(path)
        XCTAssertEqual(entries.map(\.line), [1, 2, 3, 4, 5])
        XCTAssertEqual(entries[1], VideoListEntry(path: "./run/b.avi", labels: ["1", "4"], line: 2))
        func source(_ rel: String) -> VideoSource {
            VideoSource(path: videosDir + "/" + rel, relativePath: rel, name: (rel as NSString).deletingPathExtension)
        }
        let videos = ["walk/a.mp4", "run/b.avi", "c.mkv", "broken.mp4", "extra.mp4"].map(source)
        let outcomes: [FrameExtractionOutcome] = [.extracted(frames: 300), .skipped(frames: 12), .extracted(frames: 7),
                                                  .failed(VideoError(path: "x", reason: "y")), .extracted(frames: 1)]
        let list = ExtractedFrameList.rawframeList(entries, videosDir: videosDir, videos: videos, outcomes: outcomes)
        XCTAssertEqual(list.text, "walk/a 300 3\nrun/b 12 1 4\nc 7 0\n")
        XCTAssertEqual(list.leftOut.map(\.0.line), [4, 5])
        XCTAssertEqual(list.leftOut.map(\.1), ["no such video under \(videosDir)", "its extraction failed"])
    }

    /// A malformed list is refused before any work, naming file and line.
    func testMalformedListsNameFileAndLine() throws {
        let cases: [(String, String)] = [
            ("a.mp4 1\n\nb.mp4 2\n", ":2: error: blank line: remove it (mmaction2 cannot read blank lines either)"),
            ("a.mp4 1\nb.mp4\n", ":2: error: expected 'path label', got 1 field(s)"),
            ("a.mp4 -1\n", ":1: error: label -1 is negative (labels count from 0)"),
            ("a.mp4 1\nb.mp4 one\n", ":2: error: label 'one' is not an integer"),
            ("", ": error: annotation file lists no videos"),
        ]
        for (text, expected) in cases {
            let path = try write(text)
            XCTAssertThrowsError(try ExtractedFrameList.readVideoList(path), text) { error in
                XCTAssertEqual("\(error)", path + expected)
            }
        }
        XCTAssertThrowsError(try ExtractedFrameList.readVideoList(dir.path + "/none.txt")) { error in
            XCTAssertEqual("\(error)", dir.path + "/none.txt: error: annotation file not found")
        }
    }
}
