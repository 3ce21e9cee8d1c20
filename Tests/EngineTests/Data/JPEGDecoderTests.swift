import XCTest
@testable import Engine

final class JPEGDecoderTests: XCTestCase {
    func gradient(_ w: Int, _ h: Int) -> Frame {
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w {
            px[(y * w + x) * 3] = UInt8(x * 255 / (w - 1))
            px[(y * w + x) * 3 + 1] = UInt8(y * 255 / (h - 1))
            px[(y * w + x) * 3 + 2] = 128
        } }
        return Frame(width: w, height: h, pixels: px)
    }

    func testRoundTripIsRGBAndClose() throws {
        let image = gradient(48, 32)
        let decoded = try JPEGDecoder().decode(try JPEGDecoder.encode(image, quality: 95), path: "mem")
        XCTAssertEqual(decoded.width, 48)
        XCTAssertEqual(decoded.height, 32)
        let diffs = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThan(Double(diffs.reduce(0, +)) / Double(diffs.count), 2.0, "mean abs error")
        // Channel order is RGB: red grows left to right, green top to bottom.
        XCTAssertGreaterThan(decoded.pixels[(16 * 48 + 47) * 3], 240)
        XCTAssertLessThan(decoded.pixels[(16 * 48) * 3], 15)
        XCTAssertGreaterThan(decoded.pixels[(31 * 48 + 5) * 3 + 1], 240)
    }

    func testBadFramesNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-jpeg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let decoder = JPEGDecoder()
        let missing = dir.appendingPathComponent("img_00001.jpg").path
        XCTAssertThrowsError(try decoder.decode(file: missing)) { e in
            XCTAssertEqual("\(e)", "\(missing): frame file is missing")
        }
        let garbage = dir.appendingPathComponent("img_00002.jpg").path
        try Data("not a jpeg at all".utf8).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try decoder.decode(file: garbage)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(garbage): not a decodable JPEG"), "\(e)")
        }
        let good = try JPEGDecoder.encode(gradient(256, 192))
        let truncated = dir.appendingPathComponent("img_00003.jpg").path
        try good.prefix(good.count * 4 / 5).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try decoder.decode(file: truncated)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(truncated): corrupt JPEG data"), "\(e)")
        }
    }
}
