import XCTest
@testable import EngineData

/// `reel data extract-frames`' engine: build_rawframes.py's sizes, the rawframe layout, resuming and failures, on
/// videos the test encodes itself.
final class FrameExtractionTests: XCTestCase {
    private var root: URL!
    private var videos: String { root.appendingPathComponent("videos").path }
    private var out: String { root.appendingPathComponent("out").path }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-extract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("videos").path, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A `frames`-frame video at videos/`name` (VideoReaderTests' frames: each one tells its index).
    @discardableResult
    func makeVideo(_ name: String, frames: Int, width: Int = 64, height: Int = 48, codec: String = "h264",
                   lossless: Bool = false) throws -> String {
        let path = videos + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var settings = VideoEncoder.Settings()
        settings.codec = codec
        if lossless { settings.quality = 0; settings.pixelFormat = "yuv444p" }   // x264 CRF 0: lossless YUV
        let encoder = try VideoEncoder(path: path, width: width, height: height, settings: settings)
        for i in 0..<frames { try encoder.append(VideoReaderTests.syntheticFrame(i, width: width, height: height)) }
        try encoder.finish()
        return path
    }

    static func meanAbsDiff(_ a: Frame, _ b: Frame) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        return Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.pixels.count)
    }

    /// build_rawframes.py: short side n, long side int(n / short * long), truncated; exact sizes as given.
    func testSizesFollowBuildRawframes() {
        XCTAssertTrue(FrameExtractionSize.shortSide(256).output(width: 320, height: 240) == (341, 256))   // 341.33
        XCTAssertTrue(FrameExtractionSize.shortSide(256).output(width: 240, height: 320) == (256, 341))
        XCTAssertTrue(FrameExtractionSize.shortSide(32).output(width: 64, height: 48) == (42, 32))      // 42.67 → 42
        XCTAssertTrue(FrameExtractionSize.shortSide(256).output(width: 640, height: 360) == (455, 256))   // 455.11
        XCTAssertTrue(FrameExtractionSize.shortSide(30).output(width: 50, height: 50) == (30, 30))
        XCTAssertTrue(FrameExtractionSize.shortSide(256).output(width: 128, height: 96) == (341, 256))   // upscales too
        XCTAssertTrue(FrameExtractionSize.exact(width: 340, height: 256).output(width: 64, height: 48) == (340, 256))
        XCTAssertTrue(FrameExtractionSize.original.output(width: 63, height: 47) == (63, 47))
    }

    /// Recursive, any known extension (case-insensitive), hidden entries and other files ignored; the name is the
    /// relative path without the extension.
    func testFindVideosRecursesAndKeepsRelativeNames() throws {
        try makeVideo("walk/a.mp4", frames: 2)
        try makeVideo("run/deep/b.AVI", frames: 2, codec: "mpeg4")
        try makeVideo("c.mkv", frames: 2)
        try makeVideo(".hidden/d.mp4", frames: 2)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: videos + "/notes.txt"))
        let found = try FrameExtractor.findVideos(in: videos)
        XCTAssertEqual(found.map(\.relativePath), ["c.mkv", "run/deep/b.AVI", "walk/a.mp4"])
        XCTAssertEqual(found.map(\.name), ["c", "run/deep/b", "walk/a"])
        XCTAssertEqual(found.map(\.path), [videos + "/c.mkv", videos + "/run/deep/b.AVI", videos + "/walk/a.mp4"])
        XCTAssertThrowsError(try FrameExtractor.findVideos(in: videos + "/nope")) { error in
            XCTAssertEqual((error as? VideoError)?.path, videos + "/nope")
        }
    }

    /// Every frame, 1-based `img_{:05d}.jpg`, the decoded pixels within JPEG q95's error of the video's frames.
    func testExtractWritesEveryFrameInOrder() throws {
        try makeVideo("walk/a.mp4", frames: 10)
        let found = try FrameExtractor.findVideos(in: videos)
        let outcomes = FrameExtractor.run(found, into: out, size: .original, workers: 2)
        XCTAssertEqual(outcomes.map(\.frames), [10])
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/walk/a").sorted()
        XCTAssertEqual(files, (1...10).map { String(format: "img_%05d.jpg", $0) })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/walk"), ["a"])   // no partial left
        let decoded = try VideoReader(path: found[0].path).frames(Array(0..<10))
        let jpeg = JPEGDecoder()
        for i in 0..<10 {
            let frame = try jpeg.decode(file: out + String(format: "/walk/a/img_%05d.jpg", i + 1))
            XCTAssertEqual([frame.width, frame.height], [64, 48])
            XCTAssertLessThan(Self.meanAbsDiff(frame, decoded[i]), 2.5, "frame \(i + 1)")
            if i > 0 { XCTAssertGreaterThan(Self.meanAbsDiff(frame, decoded[i - 1]), 4, "frame \(i + 1) differs from the one before") }
        }
    }

    /// --new-short 32 on 64×48: 42×32 (truncated), OpenCV-bilinear from the decoded frame.
    func testShortSideResizeIsBilinearOfTheDecodedFrame() throws {
        try makeVideo("a.mp4", frames: 3)
        let found = try FrameExtractor.findVideos(in: videos)
        XCTAssertEqual(try FrameExtractor.extract(found[0], into: out, size: .shortSide(32)).frames, 3)
        let decoded = try VideoReader(path: found[0].path).frames([2])[0]
        let frame = try JPEGDecoder().decode(file: out + "/a/img_00003.jpg")
        XCTAssertEqual([frame.width, frame.height], [42, 32])
        XCTAssertLessThan(Self.meanAbsDiff(frame, Resize.bilinear(decoded, width: 42, height: 32)), 2.5)
    }

    /// Rows whose byte width is not a multiple of libswscale's vector size (40 px = 120 bytes): the RGB conversion
    /// wrote past the frame's array and corrupted the heap (`malloc(): corrupted top size` in extract-frames on a
    /// 40×30 video). Every frame decodes at its size: from lossless 4:4:4 video to within the RGB↔YUV rounding of
    /// what was encoded, from 4:2:0 video within its chroma loss (a row or stride mix-up would be far off).
    func testNarrowAndOddRowsDecodeWithinTheFrame() throws {
        for (w, h) in [(40, 30), (42, 30), (50, 26), (22, 14), (34, 20)] {
            for lossless in [false, true] {
                let path = try makeVideo("v\(w)x\(h)\(lossless).mp4", frames: 40, width: w, height: h, lossless: lossless)
                let frames = try VideoReader(path: path).frames(Array(0..<40))
                for (i, frame) in frames.enumerated() {
                    XCTAssertEqual([frame.width, frame.height, frame.pixels.count], [w, h, w * h * 3])
                    let error = Self.meanAbsDiff(frame, VideoReaderTests.syntheticFrame(i, width: w, height: h))
                    XCTAssertLessThan(error, lossless ? 1.5 : 15, "\(w)x\(h) \(lossless ? "4:4:4 lossless" : "4:2:0") frame \(i)")
                }
            }
        }
    }

    /// A finished directory is skipped untouched (counted from its files); a killed run's partial directory is
    /// removed and the video redone.
    func testFinishedVideosAreSkippedAndPartialOnesRedone() throws {
        try makeVideo("a.mp4", frames: 4)
        try makeVideo("b.mp4", frames: 5)
        let found = try FrameExtractor.findVideos(in: videos)
        XCTAssertEqual(FrameExtractor.run(found, into: out, size: .original, workers: 2).map(\.frames), [4, 5])

        // A finished video: its files are not rewritten (a marker frame survives).
        let marker = Data("marker".utf8)
        try marker.write(to: URL(fileURLWithPath: out + "/a/img_00002.jpg"))
        // A video killed half-way: only its partial directory exists.
        try FileManager.default.removeItem(atPath: out + "/b")
        try FileManager.default.createDirectory(atPath: out + "/.b.partial", withIntermediateDirectories: true)
        try marker.write(to: URL(fileURLWithPath: out + "/.b.partial/img_00001.jpg"))

        let again = FrameExtractor.run(found, into: out, size: .original, workers: 2)
        guard case .skipped(4) = again[0], case .extracted(5) = again[1] else { return XCTFail("outcomes \(again)") }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/a/img_00002.jpg")), marker)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/b/img_00001.jpg")), marker)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["a", "b"])
    }

    /// A broken video fails naming its file and leaves nothing behind; the others are extracted. A file where a
    /// frame directory goes is a write failure; two videos with one frame directory: the second fails.
    func testFailuresNameTheFileAndTheOthersGoOn() throws {
        try makeVideo("a.mp4", frames: 3)
        try Data("not a video at all".utf8).write(to: URL(fileURLWithPath: videos + "/broken.mp4"))
        try makeVideo("c.mp4", frames: 2)
        try makeVideo("c.mkv", frames: 2)
        try makeVideo("d.mp4", frames: 2)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: out + "/d"))
        let found = try FrameExtractor.findVideos(in: videos)
        XCTAssertEqual(found.map(\.relativePath), ["a.mp4", "broken.mp4", "c.mkv", "c.mp4", "d.mp4"])
        let outcomes = FrameExtractor.run(found, into: out, size: .original, workers: 3)
        XCTAssertEqual(outcomes.map(\.frames), [3, nil, 2, nil, nil])
        guard case .failed(let broken) = outcomes[1], case .failed(let duplicate) = outcomes[3],
              case .failed(let blocked) = outcomes[4] else { return XCTFail("outcomes \(outcomes)") }
        XCTAssertEqual((broken as? VideoError)?.path, videos + "/broken.mp4")
        XCTAssertEqual("\(duplicate)", "\(videos)/c.mp4: its frame directory 'c' is also the one of \(videos)/c.mkv; rename one of them")
        XCTAssertEqual(blocked as? FrameWriteError, FrameWriteError(path: out + "/d", reason: "a file is in the way of the frame directory"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["a", "c", "d"])
    }
}
