import Config
import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Log files whose writes throw: a full disk is an error naming the file, and a failed write leaves no half line.
final class AppendFileTests: XCTestCase {
    func testWriteToAFullDeviceThrowsNamingTheFileAndTheReason() throws {
        let f = try AppendFile(path: "/dev/full")
        XCTAssertThrowsError(try f.write("one line\n")) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: "/dev/full", reason: "No space left on device"))
            XCTAssertEqual("\(error)", "cannot write /dev/full: No space left on device")
        }
    }

    func testOpeningInAMissingDirectoryThrows() {
        XCTAssertThrowsError(try AppendFile(path: "/nonexistent-dir/x.log")) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: "/nonexistent-dir/x.log", reason: "No such file or directory"))
        }
    }

    /// A write cut short by the file-size limit (what a disk filling up mid-line does) is undone: the file keeps
    /// only whole lines, so every `.log.json` line still parses.
    func testAPartlyWrittenLineIsRemoved() throws {
        let path = NSTemporaryDirectory() + "reel-append-\(UUID().uuidString).log"
        defer { unlink(path) }
        let f = try AppendFile(path: path)
        try f.write("{\"a\": 1}\n")
        var thrown: Error?
        // Room for 11 more bytes of the 21-byte line.
        withFileSizeLimit(20) { do { try f.write("{\"b\": 2, \"c\": 33333}\n") } catch { thrown = error } }
        XCTAssertEqual(thrown as? FileWriteError, FileWriteError(path: path, reason: "File too large"))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"a\": 1}\n")
        try f.write("{\"d\": 4}\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"a\": 1}\n{\"d\": 4}\n")
    }
}

/// Runs `body` with this process's file-size limit at `bytes` (writes past it fail with EFBIG, "File too large",
/// after writing what fits: a disk filling up in the middle of a write, on any file system).
func withFileSizeLimit(_ bytes: Int, _ body: () -> Void) {
    let resource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
    let oldHandler = signal(SIGXFSZ, SIG_IGN)
    var old = rlimit()
    getrlimit(resource, &old)
    var limit = old
    limit.rlim_cur = rlim_t(bytes)
    setrlimit(resource, &limit)
    body()
    setrlimit(resource, &old)
    signal(SIGXFSZ, oldHandler)
}
