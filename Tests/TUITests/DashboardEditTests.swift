import XCTest
@testable import Config
@testable import TUI

/// Dashboard v2, editing (tracker issue 14; findings B3–B7, B10, B12 of the 2026-12-02 review): Enter refuses what
/// the schema rejects, `w` asks before writing a config `config check` rejects, `q` asks before losing edits, undo
/// survives `w`, shared text asks before it changes, keys can be added, and search keeps its match.
final class DashboardEditTests: XCTestCase {
    var dir: URL!
    var base: String { dir.appendingPathComponent("base.py").path }
    var main: String { dir.appendingPathComponent("main.py").path }
    let baseText = """
        norm = dict(mean=[1, 2], to_bgr=False)
        val_pipeline = [dict(type='CenterCrop', crop_size=56), dict(type='Normalize', **norm)]
        test_pipeline = val_pipeline
        optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
        lr_config = dict(policy='CosineAnnealing', min_lr=0)
        total_epochs = 4

        """
    let mainText = "_base_ = ['./base.py']\nmodel = dict(type='Recognizer2D')\n"

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-dash-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try baseText.write(toFile: base, atomically: true, encoding: .utf8)
        try mainText.write(toFile: main, atomically: true, encoding: .utf8)
        try "_base_ = './base.py'\n".write(to: dir.appendingPathComponent("other.py"), atomically: true, encoding: .utf8)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func state(_ path: String? = nil) throws -> AppState {
        var s = AppState()
        s.document = try ConfigDocument(path: path ?? main)
        s.viewSize = (120, 40)
        return s
    }
    func select(_ s: inout AppState, _ path: [String]) {
        for n in 1..<path.count { s.expanded.insert(Array(path.prefix(n))) }
        s.selected = s.rows.firstIndex { $0.path == path }!
    }
    func type(_ s: inout AppState, _ text: String) -> [AppEffect] { text.flatMap { s.handle(.char($0)) } }
    func disk(_ p: String) throws -> String { try String(contentsOfFile: p, encoding: .utf8) }

    /// B3: 'abc' for optimizer.lr and -3 for total_epochs are refused by Enter (the editor stays open).
    func testEnterRefusesValuesTheSchemaRejects() throws {
        var s = try state(base)
        select(&s, ["optimizer", "lr"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "'abc'")
        _ = s.handle(.enter)
        XCTAssertNotNil(s.editing, "Enter kept the editor open")
        XCTAssertEqual(s.message, "not accepted: expected a number")
        XCTAssertEqual(s.document?.config[dotted: "optimizer.lr"]?.number, 0.1)
        XCTAssertFalse(s.document!.isModified)
        _ = s.handle(.escape)
        select(&s, ["total_epochs"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "-3")
        XCTAssertEqual(s.editError, "'total_epochs' must be at least 1, not -3")
        _ = s.handle(.enter)
        XCTAssertEqual(s.message, "not accepted: 'total_epochs' must be at least 1, not -3")
        XCTAssertEqual(s.document?.config[dotted: "total_epochs"]?.int, 4)
        _ = s.handle(.ctrl("u")); _ = type(&s, "6"); _ = s.handle(.enter)
        XCTAssertNil(s.editing)
        XCTAssertEqual(s.document?.config[dotted: "total_epochs"]?.int, 6)
    }

    /// B3/B10: a valid value can still leave the config broken elsewhere (policy 'step' needs `step`): `w` asks,
    /// naming the error; any key but y leaves the file alone; adding the key (`a`) fixes it and `w` writes.
    func testWriteAsksWhenConfigCheckRejectsAndAddingAKeyFixesIt() throws {
        var s = try state(base)
        s.configCheck = { config in
            // What the spec reading of `config check` adds: a step policy without steps.
            config.root["lr_config"]?.dictValue?["policy"]?.string == "step" && config.root["lr_config"]?.dictValue?["step"] == nil
                ? [config.error("Step needs 'step'", at: config.root["lr_config"]!.origin)] : []
        }
        select(&s, ["lr_config", "policy"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "'step'"); _ = s.handle(.enter)
        XCTAssertNil(s.editing)
        XCTAssertEqual(s.handle(.char("w")), [])
        guard case .writeWithErrors(let errors, false, false) = s.confirmation else { return XCTFail("\(String(describing: s.confirmation))") }
        XCTAssertEqual(errors, ["base.py:5: Step needs 'step'"])
        let frame = Renderer.render(s, width: 100, height: 30, theme: .fallback).text
        XCTAssertTrue(frame.contains("Write a config with errors?") && frame.contains("base.py:5: Step needs 'step'"), frame)
        _ = s.handle(.char("n"))
        XCTAssertEqual(try disk(base), baseText, "not written")
        XCTAssertEqual(s.message, "not written (fix the errors, or w then y writes anyway)")
        // `a` on lr_config.policy adds to lr_config.
        _ = s.handle(.char("a"))
        XCTAssertEqual(s.addingTo, ["lr_config"])
        _ = type(&s, "step = [2, 3]"); _ = s.handle(.enter)
        XCTAssertNil(s.editing, s.editError ?? "")
        XCTAssertEqual(s.handle(.char("w")), [])
        XCTAssertNil(s.confirmation)
        XCTAssertEqual(s.message, "wrote base.py")
        XCTAssertEqual(try disk(base), baseText.replacingOccurrences(
            of: "lr_config = dict(policy='CosineAnnealing', min_lr=0)", with: "lr_config = dict(policy='step', min_lr=0, step=[2, 3])"))
    }

    /// B4: q with unsaved edits asks: Esc cancels, d quits without writing, w writes and quits.
    func testQuitWithUnsavedEditsAsksWriteDiscardCancel() throws {
        for answer in [Key.escape, .char("d"), .char("w")] {
            var s = try state(base)
            select(&s, ["total_epochs"])
            _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "9"); _ = s.handle(.enter)
            XCTAssertEqual(s.handle(.char("q")), [])
            XCTAssertEqual(s.confirmation, .quitUnsaved(files: [base], runActive: false))
            let frame = Renderer.render(s, width: 100, height: 30, theme: .fallback).text
            for text in ["Quit with unsaved edits?", "w    write base.py and quit", "d    discard the edits and quit", "Esc  cancel"] {
                XCTAssertTrue(frame.contains(text), "\(text) in\n\(frame)")
            }
            let effects = s.handle(answer)
            switch answer {
            case .escape: XCTAssertEqual(effects, []); XCTAssertEqual(s.message, "cancelled"); XCTAssertEqual(try disk(base), baseText)
            case .char("d"): XCTAssertEqual(effects, [.quit]); XCTAssertEqual(try disk(base), baseText)
            default:
                XCTAssertEqual(effects, [.quit])
                XCTAssertEqual(try disk(base), baseText.replacingOccurrences(of: "total_epochs = 4", with: "total_epochs = 9"))
            }
        }
        // With a run going too, both ways out stop it first.
        var s = try state(base)
        select(&s, ["total_epochs"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "8"); _ = s.handle(.enter)
        s.run.status = .running
        _ = s.handle(.char("q"))
        XCTAssertEqual(s.handle(.char("d")), [.send(.stop), .quit])
    }

    /// B7: `w` keeps the undo history; undoing a written edit rewrites the file.
    func testUndoAfterWriteRewritesTheFile() throws {
        var s = try state(base)
        select(&s, ["total_epochs"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "9"); _ = s.handle(.enter)
        _ = s.handle(.char("w"))
        XCTAssertEqual(try disk(base), baseText.replacingOccurrences(of: "total_epochs = 4", with: "total_epochs = 9"))
        _ = s.handle(.char("u"))
        XCTAssertEqual(s.message, "undone; rewrote base.py")
        XCTAssertEqual(try disk(base), baseText)
        XCTAssertFalse(s.document!.isModified)
        XCTAssertEqual(s.document?.config[dotted: "total_epochs"]?.int, 4)
        _ = s.handle(.char("u"))
        XCTAssertEqual(s.message, "nothing to undo")
    }

    /// B6: a value from a _base_ file other configs use asks first; `o` writes an override into the edited config.
    func testBaseFileEditAsksAndOverridesInTheConfig() throws {
        var s = try state()
        select(&s, ["optimizer", "lr"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "0.05"); _ = s.handle(.enter)
        guard case .sharedEdit(let e) = s.confirmation else { return XCTFail("no question") }
        XCTAssertEqual(e.location, "base.py:4")
        XCTAssertEqual(e.otherConfigs, ["other.py"])
        let frame = Renderer.render(s, width: 100, height: 30, theme: .fallback).text
        for text in ["Change shared text?", "base.py is a _base_ file: also used by other.py.", "o    override optimizer.lr in main.py only",
                     "e    edit base.py:4 (changes all of the above)"] {
            XCTAssertTrue(frame.contains(text), "\(text) in\n\(frame)")
        }
        _ = s.handle(.char("o"))
        XCTAssertNil(s.editing)
        XCTAssertEqual(s.document?.edited, [main: mainText + "optimizer = dict(lr=0.05)\n"])
        XCTAssertEqual(s.document?.config[dotted: "optimizer.momentum"]?.number, 0.9, "the base's other keys stay (dicts merge)")
        // `e` edits the base instead.
        select(&s, ["total_epochs"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "2"); _ = s.handle(.enter)
        _ = s.handle(.char("e"))
        XCTAssertEqual(s.document?.edited[base], baseText.replacingOccurrences(of: "total_epochs = 4", with: "total_epochs = 2"))
    }

    /// B6: text several keys share (`test_pipeline = val_pipeline`, `**norm`) asks, naming the other keys; the
    /// override writes the whole list into the edited config, changing only the key edited.
    func testSharedSpanAsksAndNamesTheOtherKeys() throws {
        var s = try state(base)
        select(&s, ["test_pipeline", "0", "crop_size"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "48"); _ = s.handle(.enter)
        guard case .sharedEdit(let e) = s.confirmation else { return XCTFail("no question") }
        XCTAssertEqual(e.alsoSets, ["val_pipeline.0.crop_size"])
        XCTAssertNil(e.baseFile)
        _ = s.handle(.char("o"))
        XCTAssertEqual(s.document?.config[dotted: "test_pipeline.0.crop_size"]?.int, 48)
        XCTAssertEqual(s.document?.config[dotted: "val_pipeline.0.crop_size"]?.int, 56)
        select(&s, ["val_pipeline", "1", "to_bgr"])
        _ = s.handle(.enter); _ = s.handle(.ctrl("u")); _ = type(&s, "True"); _ = s.handle(.enter)
        guard case .sharedEdit(let e2) = s.confirmation else { return XCTFail("no question for **norm") }
        XCTAssertTrue(e2.alsoSets.contains("norm.to_bgr"), "\(e2.alsoSets)")
    }

    /// B5: Enter keeps the match under the cursor; n / N move; the box counts matches; `/` reopens with the query.
    func testSearchKeepsTheMatchCountsAndRemembers() throws {
        var s = try state(base)
        _ = s.handle(.char("/")); _ = type(&s, "lr")
        XCTAssertEqual(s.selectedRow?.path, ["optimizer", "lr"])
        XCTAssertEqual(s.searchPosition.count, 4)   // optimizer.lr, lr_config, lr_config.policy, lr_config.min_lr
        XCTAssertTrue(Renderer.render(s, width: 120, height: 30, theme: .fallback).text.contains(" 1/4"))
        _ = s.handle(.enter)
        XCTAssertNil(s.search)
        XCTAssertEqual(s.selectedRow?.path, ["optimizer", "lr"], "Enter kept the match")
        _ = s.handle(.char("n"))
        XCTAssertEqual(s.selectedRow?.path, ["lr_config"])
        _ = s.handle(.char("N"))
        XCTAssertEqual(s.selectedRow?.path, ["optimizer", "lr"])
        _ = s.handle(.char("/"))
        XCTAssertEqual(s.search?.string, "lr")
        XCTAssertEqual(s.handle(.enter), [])
        XCTAssertEqual(s.selectedRow?.path, ["optimizer", "lr"])
        // The recalled query is replaced by what is typed next.
        _ = s.handle(.char("/")); _ = type(&s, "total")
        XCTAssertEqual(s.search?.string, "total")
        XCTAssertEqual(s.selectedRow?.path, ["total_epochs"])
    }

    /// B12: a long error in the help pane wraps; a plain top-level key says where its value is used.
    func testHelpPaneWrapsErrorsAndExplainsVariables() throws {
        try (baseText + "lr_config = dict(policy='step', step='x' * 3)\n").write(toFile: base, atomically: true, encoding: .utf8)
        var s = try state(base)
        select(&s, ["lr_config"])
        let lines = Renderer.render(s, width: 120, height: 40, theme: .fallback).text.split(separator: "\n").map(String.init)
        // The error (its path alone is wider than the pane) goes on over the next lines instead of being cut.
        guard let at = lines.firstIndex(where: { $0.contains("base.py:7:38: error: 'step' must be an int or a") }) else {
            return XCTFail(lines.joined(separator: "\n"))
        }
        XCTAssertTrue(lines[at + 1].contains("││list of ints, not a str "), lines[at + 1])
        XCTAssertTrue(ConfigScreen.wrap("a " + String(repeating: "x", count: 30), width: 10).allSatisfy { $0.count <= 10 })
        select(&s, ["norm"])
        let frame = Renderer.render(s, width: 120, height: 40, theme: .fallback).text
        XCTAssertTrue(frame.contains("A variable of the config file"), frame)
        XCTAssertTrue(frame.contains("val_pipeline.1, test_pipeline.1"), frame)
    }
}
