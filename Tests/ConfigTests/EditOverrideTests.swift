import XCTest
@testable import Config

/// Overrides written into the edited config, undo across writes, and numeric ranges (tracker issue 14: B3, B6, B7).
final class EditOverrideTests: ConfigFileTestCase {
    let base = """
        optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
        pipe = [dict(type='A', size=56), dict(type='B')]
        model = dict(head=dict(type='H', dropout=0.5, n=3))

        """

    /// B6: a dict value is overridden with only the dicts leading to it (they merge); a new top-level assignment
    /// when the child does not write the dict, the key added to the child's own dict when it does.
    func testOverrideWritesTheLeastIntoTheChild() throws {
        _ = try write("base.py", base)
        let child = try write("child.py", "_base_ = './base.py'\nmodel = dict(head=dict(n=4))\n")
        var doc = try ConfigDocument(path: child)
        try doc.override(["optimizer", "lr"], to: ConfigValue(.float(0.01)))
        try doc.override(["model", "head", "dropout"], to: ConfigValue(.float(0.2)))
        XCTAssertEqual(doc.edited[child], "_base_ = './base.py'\nmodel = dict(head=dict(n=4, dropout=0.2))\noptimizer = dict(lr=0.01)\n")
        XCTAssertNil(doc.edited[dir.appendingPathComponent("base.py").path])
        XCTAssertEqual(doc.config[dotted: "optimizer.momentum"]?.number, 0.9)
        XCTAssertEqual(doc.config[dotted: "model.head.type"]?.string, "H")
        // A list does not merge: it is written whole with the one element changed.
        try doc.override(["pipe", "0", "size"], to: ConfigValue(.int(48)))
        XCTAssertTrue(doc.edited[child]!.hasSuffix("pipe = [dict(type='A', size=48), dict(type='B')]\n"), doc.edited[child]!)
    }

    /// B7: undo after write puts the old text back on the next write; the history survives writes.
    func testUndoAfterWrite() throws {
        let p = try write("t.py", "a = 1\nb = 2\n")
        var doc = try ConfigDocument(path: p)
        try doc.set(["a"], expression: "5")
        try doc.write()
        try doc.set(["b"], expression: "6")
        XCTAssertTrue(doc.undo())
        XCTAssertFalse(doc.isModified, "b's edit was never written")
        XCTAssertTrue(doc.undo())
        XCTAssertEqual(doc.edited[p], "a = 1\nb = 2\n", "the written edit is undone in memory")
        try doc.write()
        XCTAssertEqual(try String(contentsOfFile: p, encoding: .utf8), "a = 1\nb = 2\n")
        XCTAssertFalse(doc.undo())
    }

    /// B3: a negative epoch count, a zero batch size and a dropout above 1 are schema errors at the value.
    func testNumericRanges() throws {
        let p = try write("r.py", "total_epochs = -3\ndata = dict(videos_per_gpu=0)\n")
        let problems = SchemaChecker.check(try ConfigLoader.load(p)).filter { $0.severity == .error }.map { "\($0.location.line):\($0.message)" }
        XCTAssertTrue(problems.contains("1:'total_epochs' must be at least 1, not -3"), "\(problems)")
        XCTAssertEqual(ArgLimits.problem("dropout_ratio", ConfigValue(.float(1.5))), "'dropout_ratio' must be between 0 and 1, not 1.5")
        XCTAssertNil(ArgLimits.problem("lr", ConfigValue(.float(0))))
    }
}
