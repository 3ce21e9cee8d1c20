import XCTest
@testable import EngineData

/// `reel data demo --format mp4|both`: the same frames as h264 videos with VideoDataset lists.
final class DemoDatasetVideoTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-demo-video-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func spec(width: Int = 64, height: Int = 64, rawframes: Bool, videos: Bool) -> DemoDatasetSpec {
        var spec = DemoDatasetSpec()
        spec.classes = 2; spec.videosPerClass = 4; spec.frames = 10; spec.width = width; spec.height = height
        spec.rawframes = rawframes; spec.videos = videos
        return spec
    }

    /// Every file under `dir`, relative path → bytes.
    func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: dir)! {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            }
        }
        return out
    }

    /// Each video decodes to the rawframe JPEGs' frames within the tolerance of two lossy codings of a noisy image
    /// (h264 CRF 18 4:2:0 against JPEG q90 4:2:0, of frames with pixel noise of σ 3–6 that both smooth away): the
    /// mean absolute difference per frame below 5 levels of 255 (measured: 4.13 at worst, most frames 3–4), and
    /// every frame closer to its own JPEG than to the neighbouring frames'.
    func testVideosDecodeToTheRawframesWithinTolerance() throws {
        let dir = root.appendingPathComponent("both").path
        let summary = try DemoDataset.write(spec(rawframes: true, videos: true), to: dir)
        XCTAssertEqual([summary.trainVideos, summary.valVideos], [6, 2])
        XCTAssertEqual(try String(contentsOfFile: dir + "/train_list_videos.txt", encoding: .utf8),
                       (0..<6).map { String(format: "videos/video_%05d.mp4 %d\n", $0, $0 % 2) }.joined())
        XCTAssertEqual(try String(contentsOfFile: dir + "/val_list_videos.txt", encoding: .utf8), "videos/video_00006.mp4 0\nvideos/video_00007.mp4 1\n")
        let jpeg = JPEGDecoder()
        var worst = 0.0
        for v in 0..<8 {
            let reader = try VideoReader(path: dir + String(format: "/videos/video_%05d.mp4", v))
            XCTAssertEqual([reader.frameCount, reader.width, reader.height], [10, 64, 64])
            XCTAssertEqual(reader.codecName, "h264")
            let decoded = try reader.frames(Array(0..<10))
            let stills = try (1...10).map { try jpeg.decode(file: dir + String(format: "/rawframes/video_%05d/img_%05d.jpg", v, $0)) }
            for t in 0..<10 {
                let own = FrameExtractionTests.meanAbsDiff(decoded[t], stills[t])
                worst = max(worst, own)
                XCTAssertLessThan(own, 5, "video \(v) frame \(t + 1)")
                for n in [t - 1, t + 1] where (0..<10).contains(n) {
                    XCTAssertLessThan(own, FrameExtractionTests.meanAbsDiff(decoded[t], stills[n]), "video \(v) frame \(t + 1) vs \(n + 1)")
                }
            }
        }
        print("demo mp4 vs rawframes: worst mean abs diff \(worst)")
    }

    /// Videos only: no rawframes or rawframe lists; the rawframes of `both` are byte for byte those of the default.
    func testFormatsWriteOnlyWhatIsAskedAndTheSameRawframes() throws {
        let mp4 = root.appendingPathComponent("mp4").path
        _ = try DemoDataset.write(spec(rawframes: false, videos: true), to: mp4)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mp4).sorted(),
                       ["classes.txt", "train_list_videos.txt", "val_list_videos.txt", "videos"])
        let raw = root.appendingPathComponent("raw").path, both = root.appendingPathComponent("both").path
        _ = try DemoDataset.write(spec(rawframes: true, videos: false), to: raw)
        _ = try DemoDataset.write(spec(rawframes: true, videos: true), to: both)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: raw).sorted(),
                       ["classes.txt", "rawframes", "train_list.txt", "val_list.txt"])
        let rawFiles = try files(raw), bothFiles = try files(both)
        XCTAssertEqual(rawFiles.count, 8 * 10 + 3)
        XCTAssertEqual(bothFiles.filter { rawFiles[$0.key] != nil }, rawFiles)
        XCTAssertEqual(try files(mp4).filter { $0.key.hasPrefix("videos/") }, bothFiles.filter { $0.key.hasPrefix("videos/") })
    }

    /// An odd size cannot be 4:2:0 in h264: it is encoded 4:4:4 and still decodes at its size.
    func testOddSizesAreEncoded444() throws {
        let dir = root.appendingPathComponent("odd").path
        _ = try DemoDataset.write(spec(width: 33, height: 17, rawframes: false, videos: true), to: dir)
        let reader = try VideoReader(path: dir + "/videos/video_00003.mp4")
        XCTAssertEqual([reader.frameCount, reader.width, reader.height], [10, 33, 17])
        XCTAssertEqual(DemoDataset.videoSettings(spec(width: 33, height: 17, rawframes: false, videos: true)).pixelFormat, "yuv444p")
        XCTAssertEqual(DemoDataset.videoSettings(spec(rawframes: false, videos: true)).pixelFormat, "yuv420p")
    }
}
