import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

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
        let noVideo = dir.appendingPathComponent("video_9/img_00001.jpg").path
        XCTAssertThrowsError(try decoder.decode(file: noVideo)) { e in
            XCTAssertEqual("\(e)", "\(noVideo): frame file is missing (its video directory \(dir.path)/video_9 does not exist)")
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

    /// A baseline JPEG whose SOF0 header claims `width`×`height` (the scan data still encodes 8×8 pixels).
    func patchedJPEG(width: Int, height: Int) throws -> [UInt8] {
        var bytes = [UInt8](try JPEGDecoder.encode(gradient(8, 8)))
        let sof = try XCTUnwrap((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = UInt8(height >> 8); bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8); bytes[sof + 8] = UInt8(width & 0xFF)
        return bytes
    }

    /// F10: a 631-byte file claiming 65000×65000 made Reel allocate 12.7 GB before libjpeg noticed the data was
    /// missing. The header is checked first; a big but plausible claim still gets to the decoder.
    func testDimensionBombIsRefusedBeforeAllocating() throws {
        let decoder = JPEGDecoder()
        let bomb = try patchedJPEG(width: 65000, height: 65000)
        XCTAssertLessThan(bomb.count, 1000)
        XCTAssertThrowsError(try decoder.decode(bomb, path: "img_00005.jpg")) { e in
            XCTAssertEqual("\(e)", "img_00005.jpg: JPEG header claims 65000x65000 pixels; frames over 16384 pixels a side "
                           + "or 134217728 pixels in all are refused")
            XCTAssertEqual((e as? any DataInputError)?.file, "img_00005.jpg")
        }
        XCTAssertThrowsError(try decoder.decode(try patchedJPEG(width: 16385, height: 8), path: "wide")) { e in
            XCTAssertTrue("\(e)".hasPrefix("wide: JPEG header claims 16385x8 pixels"), "\(e)")
        }
        XCTAssertThrowsError(try decoder.decode(try patchedJPEG(width: 16384, height: 16384), path: "square")) { e in
            XCTAssertTrue("\(e)".hasPrefix("square: JPEG header claims 16384x16384 pixels"), "\(e)")
        }
        // 8000×8000 is within the limits: the decoder runs and finds the scan data short.
        XCTAssertThrowsError(try decoder.decode(try patchedJPEG(width: 8000, height: 8000), path: "big")) { e in
            XCTAssertTrue("\(e)".hasPrefix("big: corrupt JPEG data"), "\(e)")
        }
        // The decoder is still usable after refusing.
        XCTAssertEqual(try decoder.decode(try JPEGDecoder.encode(gradient(16, 8)), path: "ok").width, 16)
    }

    /// Only regular files up to `maxFileBytes` are read: a FIFO would block, /dev/zero never ends.
    func testFilesThatAreNotFramesAreRefusedWithoutReading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-jpeg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let decoder = JPEGDecoder()
        func message(_ path: String) -> String {
            do { return "decoded \(try decoder.decode(file: path).width)" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(dir), "\(dir): is a directory, not a frame file")
        XCTAssertEqual(mkfifo(dir + "/fifo.jpg", 0o600), 0)
        XCTAssertEqual(message(dir + "/fifo.jpg"), "\(dir)/fifo.jpg: is not a regular file (a device, FIFO or socket), so it is not read as a frame")
        try FileManager.default.createSymbolicLink(atPath: dir + "/zero.jpg", withDestinationPath: "/dev/zero")
        XCTAssertEqual(message(dir + "/zero.jpg"), "\(dir)/zero.jpg: is not a regular file (a device, FIFO or socket), so it is not read as a frame")
        let empty = dir + "/empty.jpg"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertEqual(message(empty), "\(empty): not a decodable JPEG (empty file)")
        let huge = dir + "/huge.jpg"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, off_t(JPEGDecoder.maxFileBytes + 1)), 0, "a sparse file: no disk used")
        XCTAssertEqual(message(huge), "\(huge): frame file is 268435457 bytes; frames over 268435456 bytes are refused")
        let bomb = dir + "/bomb.jpg"
        try Data(try patchedJPEG(width: 65000, height: 65000)).write(to: URL(fileURLWithPath: bomb))
        XCTAssertTrue(message(bomb).hasPrefix("\(bomb): JPEG header claims 65000x65000 pixels"), message(bomb))
    }
}
