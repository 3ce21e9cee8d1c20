import XCTest

/// `reel data extract-frames` and `reel data demo --format` through the built binary. The videos are the demo's
/// (`--format both` encodes them with VideoEncoder), so no external tool is needed.
final class ExtractFramesCLITests: XCTestCase {
    /// A demo dataset of 2 classes × 4 videos of 6 frames, `size` big, as rawframes and mp4.
    func demo(size: String = "32x24") throws -> URL {
        let dir = try ReelProcess.tempDir(self)
        let made = try ReelProcess.run(["data", "demo", "d", "--format", "both", "--classes", "2", "--videos-per-class", "4",
                                        "--frames", "6", "--size", size], cwd: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(made.stderr, "", "FFmpeg's own messages are silenced")
        return dir
    }

    func contents(_ url: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    /// Width and height from a baseline JPEG's SOF0 segment.
    func jpegSize(_ url: URL) throws -> [Int] {
        let b = [UInt8](try Data(contentsOf: url))
        var i = 2
        while i + 9 < b.count {
            if b[i] == 0xFF && b[i + 1] == 0xC0 { return [Int(b[i + 7]) << 8 | Int(b[i + 8]), Int(b[i + 5]) << 8 | Int(b[i + 6])] }
            i += 2 + (Int(b[i + 2]) << 8 | Int(b[i + 3]))
        }
        throw XCTSkip("no SOF0 in \(url.path)")
    }

    /// The demo's videos (listed relative to the demo directory, their data_prefix) extract to its rawframe layout
    /// under out/videos/: the converted train list is the rawframe train list with `videos/` in front of each
    /// frame_dir, every directory holds img_00001…img_00006, and each video is reported on its own line.
    func testDemoVideosExtractToTheDemoRawframeLayout() throws {
        let dir = try demo()
        let r = try ReelProcess.run(["data", "extract-frames", "d", "out", "--ann", "d/train_list_videos.txt",
                                     "--out-ann", "out_train.txt", "--workers", "2"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let rawframeList = try String(contentsOf: dir.appendingPathComponent("d/train_list.txt"), encoding: .utf8)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("out_train.txt"), encoding: .utf8),
                       rawframeList.split(separator: "\n").map { "videos/" + $0 + "\n" }.joined())
        XCTAssertEqual(try contents(dir.appendingPathComponent("out")), ["videos"])
        XCTAssertEqual(try contents(dir.appendingPathComponent("out/videos")), (0..<8).map { String(format: "video_%05d", $0) })
        XCTAssertEqual(try contents(dir.appendingPathComponent("out/videos/video_00005")), (1...6).map { String(format: "img_%05d.jpg", $0) })
        XCTAssertEqual(try jpegSize(dir.appendingPathComponent("out/videos/video_00005/img_00006.jpg")), [32, 24])
        XCTAssertTrue(r.stdout.hasPrefix("out: 8 videos extracted (48 frames), 0 already done, 0 failed, in "), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix(" s, list out_train.txt\n"), r.stdout)
        // Not a terminal: one line per video, "[done/total] name: frames", in the order they finish.
        let lines = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.map { String($0.prefix { $0 != " " }) }, (1...8).map { "[\($0)/8]" }, r.stderr)
        XCTAssertEqual(Set(lines.map { String($0.drop { $0 != " " }.dropFirst()) }), Set((0..<8).map { String(format: "videos/video_%05d.mp4: 6 frames", $0) }))
    }

    /// A broken video is named, the others are extracted, the status is 2 and nothing of the broken one is left;
    /// the next run skips what is done (a killed run's partial directory is redone) and fails the same video again.
    func testBrokenVideoIsNamedTheRestGoOnAndRunsResume() throws {
        let dir = try demo()
        try Data("this is not a video".utf8).write(to: dir.appendingPathComponent("d/videos/broken.mp4"))
        let args = ["data", "extract-frames", "d/videos", "out", "--workers", "2"]
        let first = try ReelProcess.run(args, cwd: dir)
        XCTAssertEqual(first.status, 2, first.stderr)
        XCTAssertTrue(first.stderr.contains("reel: d/videos/broken.mp4: not a video file Reel can read ("), first.stderr)
        XCTAssertTrue(first.stderr.hasSuffix("reel: 1 of 9 videos failed (named above)\n"), first.stderr)
        XCTAssertTrue(first.stdout.hasPrefix("out: 8 videos extracted (48 frames), 0 already done, 1 failed, in "), first.stdout)
        XCTAssertEqual(try contents(dir.appendingPathComponent("out")), (0..<8).map { String(format: "video_%05d", $0) })

        // As if killed while writing video_00002: only its hidden partial directory is there.
        let out = dir.appendingPathComponent("out")
        try FileManager.default.removeItem(at: out.appendingPathComponent("video_00002"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".video_00002.partial"), withIntermediateDirectories: true)
        try Data("half".utf8).write(to: out.appendingPathComponent(".video_00002.partial/img_00001.jpg"))
        let second = try ReelProcess.run(args, cwd: dir)
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertTrue(second.stdout.hasPrefix("out: 1 videos extracted (6 frames), 7 already done, 1 failed, in "), second.stdout)
        XCTAssertTrue(second.stderr.contains("] video_00004.mp4: already done (6 frames)"), second.stderr)
        XCTAssertEqual(try contents(out), (0..<8).map { String(format: "video_%05d", $0) })
        XCTAssertEqual(try contents(out.appendingPathComponent("video_00002")).count, 6)
    }

    /// --new-short keeps the aspect ratio with build_rawframes.py's truncation (40×30 → 21×16, from 21.33);
    /// --new-width/--new-height is exact; the list of a video that failed is written without it and the run says so.
    func testResizingAndListsWithFailedVideos() throws {
        let dir = try demo(size: "40x30")
        let short = try ReelProcess.run(["data", "extract-frames", "d/videos", "s", "--new-short", "16"], cwd: dir)
        XCTAssertEqual(short.status, 0, short.stderr)
        XCTAssertEqual(try jpegSize(dir.appendingPathComponent("s/video_00001/img_00001.jpg")), [21, 16])
        let exact = try ReelProcess.run(["data", "extract-frames", "d/videos", "e", "--new-width", "48", "--new-height", "20"], cwd: dir)
        XCTAssertEqual(exact.status, 0, exact.stderr)
        XCTAssertEqual(try jpegSize(dir.appendingPathComponent("e/video_00007/img_00003.jpg")), [48, 20])

        try Data("junk".utf8).write(to: dir.appendingPathComponent("d/videos/video_00001.mp4"))
        let r = try ReelProcess.run(["data", "extract-frames", "d", "o", "--ann", "d/val_list_videos.txt", "--out-ann", "o/val.txt"], cwd: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        // val holds videos 6 and 7; the broken video 1 is only in train: the val list is whole.
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("o/val.txt"), encoding: .utf8), "videos/video_00006 6 0\nvideos/video_00007 6 1\n")
        let t = try ReelProcess.run(["data", "extract-frames", "d", "o", "--ann", "d/train_list_videos.txt", "--out-ann", "o/train.txt"], cwd: dir)
        XCTAssertEqual(t.status, 2, t.stderr)
        XCTAssertTrue(t.stderr.contains("reel: d/train_list_videos.txt:2: warning: videos/video_00001.mp4 left out of o/train.txt: its extraction failed"), t.stderr)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("o/train.txt"), encoding: .utf8),
                       [0, 2, 3, 4, 5].map { "videos/video_0000\($0) 6 \($0 % 2)\n" }.joined())
    }

    /// Refused command lines and inputs: status 2, a message naming the option or the file, nothing written.
    func testRefusedArguments() throws {
        let dir = try ReelProcess.tempDir(self)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("v"), withIntermediateDirectories: true)
        try "a.mp4 1\nb.mp4\n".write(to: dir.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--new-short", "16", "--new-width", "20", "--new-height", "10"], "--new-short cannot be combined with --new-width/--new-height"),
            (["--new-width", "20"], "--new-width and --new-height go together"),
            (["--ext", "mp4"], "--ext is the frame image format and only jpg is written (got 'mp4')"),
            (["--ann", "bad.txt"], "--ann and --out-ann go together"),
            (["--ann", "bad.txt", "--out-ann", "o.txt"], "reel: bad.txt:2: error: expected 'path label', got 1 field(s)"),
            (["--workers", "0"], "--workers must be at least 1"),
        ]
        for (extra, message) in cases {
            let r = try ReelProcess.run(["data", "extract-frames", "v", "out"] + extra, cwd: dir)
            XCTAssertEqual(r.status, 2, "\(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
        let missing = try ReelProcess.run(["data", "extract-frames", "nowhere", "out"], cwd: dir)
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertEqual(missing.stderr, "reel: nowhere: the videos directory does not exist or is not a directory\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.txt").path))
    }

    /// --format mp4 writes videos and their lists only; the default writes no videos.
    func testDemoFormats() throws {
        let dir = try ReelProcess.tempDir(self)
        let mp4 = try ReelProcess.run(["data", "demo", "m", "--format", "mp4", "--classes", "2", "--videos-per-class", "2", "--frames", "4"], cwd: dir)
        XCTAssertEqual(mp4.status, 0, mp4.stderr)
        XCTAssertTrue(mp4.stdout.hasSuffix(" s (mp4 videos)\n"), mp4.stdout)
        XCTAssertEqual(try contents(dir.appendingPathComponent("m")), ["classes.txt", "train_list_videos.txt", "val_list_videos.txt", "videos"])
        XCTAssertEqual(try contents(dir.appendingPathComponent("m/videos")), ["video_00000.mp4", "video_00001.mp4", "video_00002.mp4", "video_00003.mp4"])
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("m/val_list_videos.txt"), encoding: .utf8), "videos/video_00002.mp4 0\nvideos/video_00003.mp4 1\n")
        let raw = try ReelProcess.run(["data", "demo", "r", "--classes", "2", "--videos-per-class", "2", "--frames", "4"], cwd: dir)
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertEqual(try contents(dir.appendingPathComponent("r")), ["classes.txt", "rawframes", "train_list.txt", "val_list.txt"])
        let bad = try ReelProcess.run(["data", "demo", "x", "--format", "avi"], cwd: dir)
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }
}
