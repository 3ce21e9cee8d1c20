import XCTest

/// `reel config show|check` as a user runs them: output, error format and exit statuses.
final class ConfigCommandTests: XCTestCase {
    func testShowPrintsTheResolvedConfigAsPythonAndJSON() throws {
        let d = try ReelProcess.tempDir(self)
        try "model = dict(depth=50)\nlr = 0.01\n".write(to: d.appendingPathComponent("base.py"), atomically: true, encoding: .utf8)
        try "_base_ = 'base.py'\nmodel = dict(depth=18)\n".write(to: d.appendingPathComponent("c.py"), atomically: true, encoding: .utf8)
        let py = try ReelProcess.run(["config", "show", d.appendingPathComponent("c.py").path])
        XCTAssertEqual(py.status, 0, py.stderr)
        XCTAssertEqual(py.stdout, "model = dict(depth=18)\nlr = 0.01\n")
        let js = try ReelProcess.run(["config", "show", "c.py", "--json", "--cfg-options", "lr=0.02", "x=(1,2)"], cwd: d)
        XCTAssertEqual(js.status, 0, js.stderr)
        XCTAssertEqual(js.stdout, "{\n  \"model\": {\n    \"depth\": 18\n  },\n  \"lr\": 0.02,\n  \"x\": [\n    1,\n    2\n  ]\n}\n")
    }

    func testConfigErrorPrintsLocationLineAndCaretAndExits2() throws {
        let d = try ReelProcess.tempDir(self)
        try "a = 1\noptimizer = dict(lr=foo(1))\n".write(to: d.appendingPathComponent("bad.py"), atomically: true, encoding: .utf8)
        let r = try ReelProcess.run(["config", "show", "bad.py"], cwd: d)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stdout, "")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix(d.path + "/bad.py:2:21: error: calls are not allowed in a config"), r.stderr)
        XCTAssertEqual(lines[1], "    optimizer = dict(lr=foo(1))")
        XCTAssertEqual(lines[2], "                        ^")
    }

    func testBadArgumentsAndMissingFilesExit2() throws {
        let missing = try ReelProcess.run(["config", "show", "/nonexistent/x.py"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no such config file: /nonexistent/x.py"), missing.stderr)
        let usage = try ReelProcess.run(["config", "show"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("Missing expected argument"), usage.stderr)
        let option = try ReelProcess.run(["config", "show", "/nonexistent/x.py", "--cfg-options", "novalue"])
        XCTAssertEqual(option.status, 2)
    }

    /// The reliability review's crashes (2026-12-02, F1 and the --cfg-options stack overflow): now exit 2 with a
    /// located message, and `--json` is strict JSON.
    func testHostileConfigsAndOptionsAreLocatedErrorsNotCrashes() throws {
        let d = try ReelProcess.tempDir(self)
        try ("x = " + String(repeating: "-", count: 100_000) + "1\n")
            .write(to: d.appendingPathComponent("neg.py"), atomically: true, encoding: .utf8)
        let neg = try ReelProcess.run(["config", "show", "neg.py"], cwd: d)
        XCTAssertEqual(neg.status, 2, neg.stderr)
        XCTAssertTrue(neg.stderr.hasPrefix(d.path + "/neg.py:1:204: error: expression nested too deeply"), neg.stderr)
        try "a = 1\nb = float('inf')\n".write(to: d.appendingPathComponent("c.py"), atomically: true, encoding: .utf8)
        for command in [["config", "show"], ["config", "check"]] {
            let r = try ReelProcess.run(command + ["c.py", "--cfg-options", "a=x(1,2)"], cwd: d)
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("--cfg-options:1:3: error: cannot parse 'x(1,2)'"), r.stderr)
        }
        let js = try ReelProcess.run(["config", "show", "c.py", "--json"], cwd: d)
        XCTAssertEqual(js.status, 0, js.stderr)
        XCTAssertEqual(js.stdout, "{\n  \"a\": 1,\n  \"b\": \"Infinity\"\n}\n")
    }
}
