import XCTest
@testable import Config
@testable import TUI

/// Dashboard v2, prompts, footer, sizes, themes and conventions (tracker issue 14; B1, B2, B13, B19, B30–B32 and
/// §7, §9 of the 2026-12-02 review). Rendering is a pure function of the state, so these read the buffer.
final class DashboardLookTests: XCTestCase {
    func document() throws -> ConfigDocument {
        let files: [String: String] = [
            "/c/base.py": "dataset_type = 'RawframeDataset'\ndata = dict(train=dict(type=dataset_type, ann_file='data/demo/a_rather_long_annotation_file_name.txt'))\noptimizer = dict(type='SGD', lr=0.1, momentum=0.9)\nlr_config = dict(policy='step', step=[2])\ntotal_epochs = 4\n",
            "/c/main.py": "_base_ = ['./base.py']\noptimizer = dict(lr=0.05)\n",
        ]
        return try ConfigDocument(path: "/c/main.py", reader: { files[$0] })
    }
    func lines(_ s: AppState, _ w: Int, _ h: Int, theme: Theme = .fallback) -> [String] {
        Renderer.render(s, width: w, height: h, theme: theme).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// B1, B2: whole phrases, `r` on Config, the least important dropped first when narrow.
    func testFooterShowsWholePhrasesAndDropsTheLeastImportant() throws {
        var s = AppState()
        s.document = try document()
        XCTAssertEqual(lines(s, 160, 30).last!.trimmingCharacters(in: .whitespaces),
                       "↑↓ j k move · →← Space open/close · Enter edit · a add key · / search · n N next/prev match · w write · u undo · r train · ? help · q quit")
        XCTAssertEqual(lines(s, 60, 20).last!.trimmingCharacters(in: .whitespaces), "Enter edit · / search · w write · r train · ? help · q quit")
        s.screen = .run
        XCTAssertEqual(lines(s, 80, 24).last!.trimmingCharacters(in: .whitespaces),
                       "r train · p pause/resume · s save checkpoint · x stop · ? help · q quit")
        // B19: a message no longer replaces the hints.
        s.message = "saving a checkpoint…"
        XCTAssertEqual(lines(s, 120, 24).last!, " saving a checkpoint… │ r train · p pause/resume · s save checkpoint · e evaluate · x stop · c compare · ? help · q quit")
    }

    /// §7: at 60x20 the run status stays, values are readable (no origin column; help below), `?` scrolls.
    func testNarrowLayout() throws {
        var s = AppState()
        s.document = try document()
        s.expanded = [["data"], ["data", "train"]]
        s.run.status = .running
        let l = lines(s, 60, 20)
        XCTAssertTrue(l[0].hasSuffix("run: running"), l[0])
        // Five tabs and the status: the titles shorten first.
        XCTAssertTrue(l[0].contains(" 1 Cfg ") && l[0].contains(" 5 Cmp "), l[0])
        // With "[modified]" too, the tabs keep only their numbers and the status still shows.
        try s.document!.set(["total_epochs"], expression: "5")
        XCTAssertTrue(lines(s, 60, 20)[0].contains(" 1 ") && lines(s, 60, 20)[0].hasSuffix("[modified]  run: running"), lines(s, 60, 20)[0])
        s.document = try document()
        XCTAssertTrue(l.contains { $0.contains("dataset_type = 'RawframeDataset'") }, l.joined(separator: "\n"))
        XCTAssertFalse(l.contains { $0.contains("base.py:1") && $0.contains("dataset_type =") }, "no origin column")
        XCTAssertTrue(l[12...].contains { $0.contains("help") }, "the help pane is below the tree:\n" + l.joined(separator: "\n"))
        s.viewSize = (60, 20)
        _ = s.handle(.char("?"))
        var help = lines(s, 60, 20).joined(separator: "\n")
        XCTAssertTrue(help.contains("j k scroll"), help)
        XCTAssertFalse(help.contains("quit (asks"), help)
        for _ in 0..<40 { _ = s.handle(.char("j")) }
        XCTAssertTrue(s.showHelp)
        help = lines(s, 60, 20).joined(separator: "\n")
        XCTAssertTrue(help.contains("quit (asks if there are"), help)
        _ = s.handle(.char("x"))
        XCTAssertFalse(s.showHelp)
    }

    /// B13: every confirmation is a modal box naming its target, drawn in the text's colours.
    func testConfirmationsAreModalAndNameTheTarget() throws {
        var s = AppState()
        s.confirmation = .delete("/w/epoch_4.safetensors")
        let theme = try Theme.load(name: "default", searchPaths: [Self.repo + "/themes"])
        let b = Renderer.render(s, width: 100, height: 30, theme: theme)
        let text = b.text
        XCTAssertTrue(text.contains("Delete a checkpoint?") && text.contains("epoch_4.safetensors") && text.contains("y  delete it"), text)
        let row = text.split(separator: "\n").firstIndex { $0.contains("epoch_4.safetensors") }!
        let col = Array(String(text.split(separator: "\n")[row])).firstIndex(of: "e")!
        XCTAssertEqual(b[col, row].style.fg, theme.accent.fg)
        XCTAssertTrue(b[col, row].style.bold)
        XCTAssertEqual(b[col, row].style.bg, theme.text.bg, "not on the status bar's background")
    }

    /// B13, B31: the contrast of every theme's text roles on their background (WCAG ≥ 4.5:1; charts 3:1), with
    /// "default" meaning a dark terminal (#1c1c1c / #d0d0d0) — the light theme paints its own background.
    func testEveryThemeRoleIsReadable() throws {
        let text: Set<String> = ["text", "dim", "title", "accent", "selection", "good", "bad", "warning", "axis", "from_base", "from_file", "status"]
        let graphics: Set<String> = ["loss", "loss_smooth", "lr", "progress"]
        for name in ["default", "light", "high-contrast"] {
            let t = try Theme.load(name: name, searchPaths: [Self.repo + "/themes"])
            for role in Theme.keys {
                let st = t[role]
                let bg = st.bg == .default ? (t.text.bg == .default ? Color.rgb(0x1c, 0x1c, 0x1c) : t.text.bg) : st.bg
                let fg = st.fg == .default ? Color.rgb(0xd0, 0xd0, 0xd0) : st.fg
                let ratio = Self.contrast(fg, bg)
                if text.contains(role) { XCTAssertGreaterThanOrEqual(ratio, 4.5, "\(name).\(role)") }
                if graphics.contains(role) { XCTAssertGreaterThanOrEqual(ratio, 3, "\(name).\(role)") }
            }
            if name == "light" { XCTAssertNotEqual(t.text.bg, .default, "the light theme paints its background (B31)") }
        }
        // The old prompt style (warning on the status bar) failed this: 1.08:1 in the default theme.
        XCTAssertLessThan(Self.contrast(.rgb(0xe5, 0xc0, 0x7b), .rgb(0xab, 0xb2, 0xbf)), 1.5)
    }

    static func contrast(_ a: Color, _ b: Color) -> Double {
        func lum(_ c: Color) -> Double {
            guard case .rgb(let r, let g, let b) = c else { return 0 }
            let f = { (v: UInt8) -> Double in let x = Double(v) / 255; return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4) }
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
        }
        let (x, y) = (lum(a), lum(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    /// B32: greys use the 256-colour grey ramp, not the colour cube.
    func testGreysUseTheGreyRamp() {
        XCTAssertEqual(Color.rgb(0x6c, 0x73, 0x80).degraded(to: .xterm256), .indexed(243))
        XCTAssertEqual(Color.rgb(0x2e, 0x34, 0x40).degraded(to: .xterm256), .indexed(237))
        XCTAssertEqual(Color.rgb(255, 0, 0).degraded(to: .xterm256), .indexed(196))
    }

    /// B30: a broken theme is skipped (and named) by `t`; the choice is saved in the XDG config dir; user themes
    /// are listed.
    func testThemeCyclingSkipsBrokenFilesAndPersists() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-themes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let themes = dir.appendingPathComponent("reel/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        for n in ["default", "high-contrast"] {
            try FileManager.default.copyItem(atPath: Self.repo + "/themes/\(n).toml", toPath: themes.appendingPathComponent("\(n).toml").path)
        }
        try "[text]\nnot a line\n".write(to: themes.appendingPathComponent("light.toml"), atomically: true, encoding: .utf8)
        try "[text]\nfg = \"red\"\n".write(to: themes.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        let settings = ThemeSettings(environment: ["XDG_CONFIG_HOME": dir.path, "HOME": "/nonexistent"])
        XCTAssertEqual(settings.searchPaths.last, themes.path)
        let names = Theme.available(in: [themes.path])
        XCTAssertEqual(names, ["default", "light", "high-contrast", "mine"])
        let next = Theme.next(after: "default", in: names, searchPaths: [themes.path])
        XCTAssertEqual(next.theme?.name, "high-contrast")
        XCTAssertEqual(next.skipped, ["\(themes.path)/light.toml:2: error: expected key = value"])
        XCTAssertNil(settings.saved())
        try settings.save("mine")
        XCTAssertEqual(settings.saved(), "mine")
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/reel/theme", encoding: .utf8), "mine\n")
    }

    /// §9: F1 help, F10 quit, Esc back, g/G top/bottom, mouse clicks on tabs and rows, wheel scrolling.
    func testConventionsKeysAndMouse() throws {
        var s = AppState()
        s.document = try document()
        s.viewSize = (120, 30)
        _ = s.handle(.function(1)); XCTAssertTrue(s.showHelp); _ = s.handle(.escape); XCTAssertFalse(s.showHelp)
        XCTAssertEqual(s.handle(.function(10)), [.quit])
        _ = s.handle(.char("G")); XCTAssertEqual(s.selectedRow?.path, ["total_epochs"])
        _ = s.handle(.char("g")); XCTAssertEqual(s.selectedRow?.path, ["dataset_type"])
        // Click the Run tab, Esc goes back to Config.
        let run = Renderer.tabLayout(s, width: 120).tabs[1]
        _ = s.handle(.mouse(MouseEvent(.press, x: run.x.lowerBound + 1, y: 0)))
        XCTAssertEqual(s.screen, .run)
        _ = s.handle(.escape)
        XCTAssertEqual(s.screen, .config)
        // Rows: the tree's first row is at y 2 (tab bar, box border); a click selects, a second opens a dict.
        _ = s.handle(.mouse(MouseEvent(.press, x: 5, y: 3)))
        XCTAssertEqual(s.selectedRow?.path, ["data"])
        _ = s.handle(.mouse(MouseEvent(.press, x: 5, y: 3)))
        XCTAssertTrue(s.expanded.contains(["data"]))
        _ = s.handle(.mouse(MouseEvent(.wheelDown, x: 5, y: 10)))
        XCTAssertEqual(s.selected, 4)
        XCTAssertEqual(Terminal.mouseKey(x: 3, y: 4, buttons: 0x2 << 20), .mouse(MouseEvent(.wheelDown, x: 3, y: 4)))
        XCTAssertEqual(Terminal.mouseKey(x: 3, y: 4, buttons: 0x2), .mouse(MouseEvent(.press, x: 3, y: 4)))
        XCTAssertNil(Terminal.mouseKey(x: 3, y: 4, buttons: 0x1))
    }

    static var repo: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
