import XCTest
@testable import Config

/// In-memory config files for loader tests: absolute paths → text.
struct Files {
    var table: [String: String]
    init(_ table: [String: String]) { self.table = table }

    func load(_ path: String, _ options: [String] = []) throws -> ResolvedConfig {
        let t = table
        return try ConfigLoader(read: { t[$0] }).load(path, cfgOptions: options)
    }
}

/// Loads one file's text as `/cfg/t.py`.
func load(_ text: String, options: [String] = []) throws -> ResolvedConfig {
    try Files(["/cfg/t.py": text]).load("/cfg/t.py", options)
}

/// The JSON of a config's root, compact.
func json(_ text: String) throws -> String {
    JSONText.render(try load(text).root, indent: nil)
}

/// Asserts that loading `text` fails with exactly `expected` (the full printed error).
func assertConfigError(_ text: String, _ expected: String, options: [String] = [],
                       file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try load(text, options: options), file: file, line: line) { error in
        XCTAssertEqual("\(error)", expected, file: file, line: line)
    }
}

/// Asserts the first line of the error: `t.py`-relative `LINE:COL: error: MESSAGE`.
func assertErrorAt(_ text: String, _ lineCol: String, _ messagePrefix: String,
                   file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try load(text), file: file, line: line) { error in
        guard let e = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", file: file, line: line) }
        XCTAssertEqual("\(e.location.line):\(e.location.column)", lineCol, "\(e)", file: file, line: line)
        XCTAssertTrue(e.message.hasPrefix(messagePrefix), "message was: \(e.message)", file: file, line: line)
    }
}

/// CPU time this thread has used, for the tests that guard against quadratic work. Unlike the wall clock it does not
/// grow while other processes (a parallel build, other tests) hold the cores, so a budget stays meaningful on a
/// loaded machine.
struct ThreadCPUClock {
    private let start = ThreadCPUClock.now()

    var elapsed: Duration { ThreadCPUClock.now() - start }

    private static func now() -> Duration {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
    }
}

/// A test case with a fresh temporary directory for config files on disk (the edit tests write and reload them).
class ConfigFileTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-config-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Writes `text` to `name` in the test's directory; returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}
