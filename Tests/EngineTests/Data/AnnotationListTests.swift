import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Annotation lists read as mmaction2 0.24.1 reads them (`line.strip().split()` over Python's universal-newline
/// lines), and every bad line refused with the file and line (review 2026-12-02, F9 and F11).
final class AnnotationListTests: XCTestCase {
    let single = AnnotationFormat(prefix: "p")

    func records(_ text: String, _ format: AnnotationFormat? = nil) throws -> [VideoRecord] {
        try AnnotationList.parse(text, file: "list.txt", format: format ?? single)
    }

    func message(_ text: String, _ format: AnnotationFormat? = nil) -> String {
        do { return "no error: \(try records(text, format))" } catch { return "\(error)" }
    }

    func message(bytes: [UInt8], _ format: AnnotationFormat? = nil) -> String {
        do { return "no error: \(try AnnotationList.parse(bytes, file: "list.txt", format: format ?? single))" } catch { return "\(error)" }
    }

    let ab = [VideoRecord(frameDir: "p/a", totalFrames: 10, labels: [1], offset: 0),
              VideoRecord(frameDir: "p/b", totalFrames: 20, labels: [0], offset: 0)]

    /// F11: "\r\n" is one Swift Character, so splitting text on "\n" never split a CRLF file ("got 33 fields").
    func testCRLFLoneCRTabsAndMissingFinalNewlineReadAsMmaction2() throws {
        XCTAssertEqual(try records("a 10 1\r\nb 20 0\r\n"), ab)
        XCTAssertEqual(try records("a 10 1\rb 20 0\r"), ab, "a lone CR ends a line in Python's universal newlines")
        XCTAssertEqual(try records("a 10 1\nb 20 0"), ab, "no final newline")
        XCTAssertEqual(try records("a\t10\t1\n  b \t 20\u{0B}\u{0C}0  \r\n"), ab, "tabs, runs and other whitespace")
        XCTAssertEqual(try records("a\u{A0}10\u{3000}1\nb 20 0\n"), ab, "str.split() splits on Unicode whitespace too")
        XCTAssertEqual(try records("\u{FEFF}a 10 1\nb 20 0\n"), ab, "a UTF-8 byte-order mark is skipped")
        XCTAssertEqual(try records("a 5 10 1\r\n", AnnotationFormat(withOffset: true, prefix: "p")),
                       [VideoRecord(frameDir: "p/a", totalFrames: 10, labels: [1], offset: 5)])
        XCTAssertEqual(try records("a 10 1 3 7\r\n", AnnotationFormat(multiClass: true, numClasses: 8))[0].labels, [1, 3, 7])
    }

    /// mmaction2 0.24.1 indexes `line.strip().split()[0]` for every line, so a blank or whitespace-only line (also a
    /// trailing one) stops it with an IndexError; Reel refuses it the same way, but names the line.
    func testBlankLinesAreRefusedWithTheirLine() {
        let blank = "error: blank line: remove it (mmaction2 cannot read blank lines either)"
        XCTAssertEqual(message("a 10 1\n\nb 20 0\n"), "list.txt:2: \(blank)")
        XCTAssertEqual(message("a 10 1\r\n \t \r\nb 20 0\r\n"), "list.txt:2: \(blank)")
        XCTAssertEqual(message("a 10 1\nb 20 0\n\n"), "list.txt:3: \(blank)")
        XCTAssertEqual(message("\n"), "list.txt:1: \(blank)")
        XCTAssertEqual(message(""), "list.txt: error: annotation file lists no videos")
    }

    func testColumnsAndNumbers() {
        XCTAssertEqual(message("a\n"), "list.txt:1: error: expected 'frame_dir total_frames label', got 1 field(s)")
        XCTAssertEqual(message("a 10 1\nb 20\n"), "list.txt:2: error: expected 'frame_dir total_frames label', got 2 field(s)")
        XCTAssertEqual(message("a 10 1 2\n"),
                       "list.txt:1: error: expected 'frame_dir total_frames label' (one label; set multi_class=True for several), got 4 fields")
        XCTAssertEqual(message("a 10\n", AnnotationFormat(withOffset: true)),
                       "list.txt:1: error: expected 'frame_dir offset total_frames label', got 2 field(s)")
        XCTAssertEqual(message("v -5 1\n"), "list.txt:1: error: video 'v' has -5 frames")
        XCTAssertEqual(message("ok 3 0\nempty 0 1\n"), "list.txt:2: error: video 'empty' has 0 frames")
        XCTAssertEqual(message("v 16.5 1\n"), "list.txt:1: error: total_frames '16.5' is not an integer")
        XCTAssertEqual(message("v abc 1\n"), "list.txt:1: error: total_frames 'abc' is not an integer")
        XCTAssertEqual(message("v 1000000000000 1\n"), "list.txt:1: error: total_frames 1000000000000 is too large (at most 2147483647)")
        XCTAssertEqual(message("v 9223372036854775807 1\n"),
                       "list.txt:1: error: total_frames 9223372036854775807 is too large (at most 2147483647)")
        XCTAssertEqual(message("v 18446744073709551616 1\n"), "list.txt:1: error: total_frames '18446744073709551616' is too large")
        XCTAssertEqual(message("v 9223372036854775807 10 1\n", AnnotationFormat(withOffset: true)),
                       "list.txt:1: error: offset 9223372036854775807 is too large (at most 2147483647)")
        XCTAssertEqual(message("v -1 10 1\n", AnnotationFormat(withOffset: true)), "list.txt:1: error: offset must not be negative, got -1")
        XCTAssertEqual(try records("v +16 1\n")[0].totalFrames, 16, "Python's int() takes a sign")
        XCTAssertEqual(try records("v 2147483647 1\n")[0].totalFrames, 2_147_483_647)
    }

    /// F9: a label ≥ num_classes reached the loss and trapped (SIGILL). Refused here, with file and line.
    func testLabelsOutsideNumClassesAreRefused() {
        let eight = AnnotationFormat(numClasses: 8)
        let lines = "video_00000 16 0\nvideo_00001 16 7\nvideo_00002 16 3\n"
        XCTAssertEqual(message(lines + "video_00003 16 8\n", eight),
                       "list.txt:4: error: label 8 is out of range for num_classes=8 (labels are 0…7)")
        XCTAssertEqual(message(lines + "video_00003 16 999999\n", eight),
                       "list.txt:4: error: label 999999 is out of range for num_classes=8 (labels are 0…7)")
        XCTAssertEqual(message("v 16 9223372036854775807\n", eight),
                       "list.txt:1: error: label 9223372036854775807 is out of range for num_classes=8 (labels are 0…7)")
        XCTAssertEqual(message("v 16 -1\n", eight), "list.txt:1: error: label -1 is out of range for num_classes=8 (labels are 0…7)")
        XCTAssertEqual(message("v 16 -1\n"), "list.txt:1: error: label -1 is negative (labels count from 0)")
        XCTAssertEqual(message("v 16 x\n", eight), "list.txt:1: error: label 'x' is not an integer")
        XCTAssertEqual(message("v 16 1\n", AnnotationFormat(numClasses: 1)),
                       "list.txt:1: error: label 1 is out of range for num_classes=1 (the only label is 0)")
        XCTAssertEqual(message("v 16 1 9\n", AnnotationFormat(multiClass: true, numClasses: 8)),
                       "list.txt:1: error: label 9 is out of range for num_classes=8 (labels are 0…7)")
        XCTAssertEqual(try records(lines, eight).map(\.labels), [[0], [7], [3]])
    }

    func testLongLinesBinaryAndPaths() throws {
        let long = String(repeating: "d", count: 10 << 20)
        XCTAssertEqual(message(long + " 16 1\n"), "list.txt:1: error: frame_dir is 10485760 bytes long; paths over 4095 bytes are refused")
        XCTAssertEqual(message("v " + String(repeating: "7", count: 10 << 20) + " 1\n"),
                       "list.txt:1: error: total_frames '7777777777777777777777777777777777777777… (10485760 bytes)' is too large")
        XCTAssertEqual(message(bytes: Array("a 10 1\nv\u{0}x 16 1\n".utf8)), "list.txt:2: error: the line contains a NUL byte (is this a binary file?)")
        XCTAssertEqual(message(bytes: Array("a 10 1\n".utf8) + [0xFF, 0xFE, 0x20, 0x31, 0x0A]),
                       "list.txt:2: error: the line is not UTF-8 text (is this a binary file?)")
        // os.path.join: an absolute frame_dir replaces the prefix; '..' stays (the list is the user's own file).
        XCTAssertEqual(try records("/abs/v 3 0\n../up 3 0\n").map(\.frameDir), ["/abs/v", "p/../up"])
        XCTAssertEqual(try records("v 3 0\n", AnnotationFormat(prefix: "root/")).map(\.frameDir), ["root/v"])
        XCTAssertEqual(try records("v 3 0\n", AnnotationFormat()).map(\.frameDir), ["v"])
    }

    /// Only regular files are read: a FIFO would block, /dev/zero never ends, a directory is no list.
    func testFilesThatAreNotRegularAreRefusedWithoutReading() throws {
        let dir = NSTemporaryDirectory() + "reel-ann-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func readMessage(_ path: String) -> String {
            do { return "no error: \(try AnnotationList.read(path, format: AnnotationFormat()))" } catch { return "\(error)" }
        }
        XCTAssertEqual(readMessage(dir + "/missing.txt"), "\(dir)/missing.txt: error: annotation file not found")
        XCTAssertEqual(readMessage(dir), "\(dir): error: the annotation file is a directory")
        XCTAssertEqual(readMessage("/dev/zero"), "/dev/zero: error: the annotation file is not a regular file (a device, FIFO or socket)")
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        XCTAssertEqual(readMessage(dir + "/fifo"), "\(dir)/fifo: error: the annotation file is not a regular file (a device, FIFO or socket)")
        try FileManager.default.createSymbolicLink(atPath: dir + "/zero.txt", withDestinationPath: "/dev/zero")
        XCTAssertEqual(readMessage(dir + "/zero.txt"), "\(dir)/zero.txt: error: the annotation file is not a regular file (a device, FIFO or socket)")
        try "a\t10 1\r\n".write(toFile: dir + "/ok.txt", atomically: true, encoding: .utf8)
        XCTAssertEqual(try RawframeDataset.readAnnotations(dir + "/ok.txt", prefix: "/data", withOffset: false, multiClass: false, numClasses: 8),
                       [VideoRecord(frameDir: "/data/a", totalFrames: 10, labels: [1], offset: 0)])
        let huge = dir + "/huge.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, off_t(AnnotationList.maxFileBytes + 1)), 0, "a sparse file: no disk used")
        XCTAssertEqual(readMessage(huge), "\(huge): error: the annotation file is 536870913 bytes; files over 536870912 bytes are refused")
    }
}
