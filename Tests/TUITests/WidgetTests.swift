import XCTest
import Config
@testable import TUI

/// Widgets and the renderer on buffers, without a terminal.
final class WidgetTests: XCTestCase {
    func testProgressBarUsesEighthBlocks() {
        var s = ScreenBuffer(width: 20, height: 1)
        ProgressBar(fraction: 0.5, label: "ep", right: "5/10").draw(in: s.bounds, on: &s)
        // 20 − "ep " − " 5/10" = 12 cells; half is 6 full blocks.
        XCTAssertEqual(s.text, "ep ██████░░░░░░ 5/10")
        var t = ScreenBuffer(width: 10, height: 1)
        ProgressBar(fraction: 0.3).draw(in: t.bounds, on: &t)
        XCTAssertEqual(t.text, "███░░░░░░░")
        var u = ScreenBuffer(width: 8, height: 1)
        ProgressBar(fraction: 0.25 + 1.0 / 16).draw(in: u.bounds, on: &u)   // 2.5 cells
        XCTAssertEqual(u.text, "██▌░░░░░")
    }

    func testBoxTitleAndClipping() {
        var s = ScreenBuffer(width: 12, height: 3)
        s.box(s.bounds, title: "loss", style: .plain)
        s.put("a long line that overflows", x: 1, y: 1, style: .plain, clip: s.bounds.inset(1))
        XCTAssertEqual(s.text, "┌─ loss ───┐\n│a long lin│\n└──────────┘")
    }

    func testWideCharactersTakeTwoColumns() {
        var s = ScreenBuffer(width: 5, height: 1)
        let end = s.put("日本x", x: 0, y: 0, style: .plain)
        XCTAssertEqual(end, 5)
        XCTAssertEqual(s.text, "日本x")
    }

    func testLineChartOfARampRisesLeftToRight() {
        var s = ScreenBuffer(width: 24, height: 6)
        LineChart(title: "t", series: [.init((0..<40).map(Double.init), style: .plain)], xRange: (1, 40)).draw(in: s.bounds, on: &s)
        let lines = s.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "t")
        XCTAssertTrue(lines[1].hasPrefix("39 ┤"), lines[1])   // labels 39, 20, 0 at one precision, padded to one width
        XCTAssertTrue(lines[3].hasPrefix("20 ┤"), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("0  ┤"), lines[4])
        XCTAssertTrue(lines[2].hasPrefix("   │"), lines[2])   // a tick only where there is a label
        XCTAssertEqual(lines[5], "    1" + String(repeating: " ", count: 17) + "40")   // first and last x at the plot's ends
        // The ramp's first dot column is in the bottom row, its last in the top row.
        let plotX = 4
        XCTAssertNotEqual(s[plotX, 4].char, " ")
        XCTAssertEqual(s[plotX, 1].char, " ")
        XCTAssertNotEqual(s[23, 1].char, " ")
        XCTAssertEqual(s[23, 4].char, " ")
    }

    func testBrailleDotBits() {
        var grid = [UInt8](repeating: 0, count: 1)
        LineChart.setDot(&grid, width: 1, x: 0, y: 0); LineChart.setDot(&grid, width: 1, x: 1, y: 3)
        XCTAssertEqual(grid[0], 0x01 | 0x80)   // ⢁
    }

    func testTextFieldEditing() {
        var f = TextField("0.01")
        f.backspace(); f.insert("2"); f.home(); f.delete(); f.insert("1"); f.end(); f.left(); f.insert("9")
        XCTAssertEqual(f.string, "1.092")
        XCTAssertEqual(f.cursor, 4)
        var s = ScreenBuffer(width: 3, height: 1)
        f.draw(in: s.bounds, on: &s, style: .plain)
        XCTAssertEqual(s.text, "092")   // scrolled so the cursor (on '2') stays visible
        XCTAssertTrue(s[2, 0].style.reverse)
    }

    func testTableClipsAndHighlights() {
        var s = ScreenBuffer(width: 16, height: 3)
        Table(columns: [.init("name"), .init("n", .right)], rows: [["alpha", "1"], ["beta", "22"], ["gamma", "3"]], selected: 2)
            .draw(in: s.bounds, on: &s)
        XCTAssertEqual(s.text, "name           n\nbeta          22\ngamma          3")   // the last column takes the rest
        XCTAssertTrue(s[0, 2].style.reverse)
    }

    func testThemesLoadAndBadFilesNameTheLine() throws {
        for name in ["default", "light", "high-contrast"] {
            let t = try Theme.load(name: name, searchPaths: [Self.repo + "/themes"])
            XCTAssertEqual(Set(t.styles.keys), Set(Theme.keys))
        }
        XCTAssertThrowsError(try ThemeFile.parse("[text]\nfg = \"#12345\"\n", name: "x", file: "x.toml")) {
            XCTAssertEqual("\($0)", "x.toml:2: error: text.fg: '#12345' is not a colour (#rrggbb, colorN, a name or default)")
        }
        XCTAssertThrowsError(try ThemeFile.parse("[txt]\n", name: "x", file: "x.toml")) { XCTAssertTrue("\($0)".hasPrefix("x.toml:1: error: unknown style 'txt'")) }
        XCTAssertEqual(try ThemeFile.parse("[lr] # comment\nfg = \"brightblue\"\nbold = true\n", name: "x", file: "x").styles["lr"],
                       Style(fg: .indexed(12), bold: true))
    }

    func testColourDegrading() {
        XCTAssertEqual(Color.rgb(255, 0, 0).degraded(to: .xterm256), .indexed(196))
        XCTAssertEqual(Color.rgb(128, 128, 128).degraded(to: .xterm256), .indexed(244))
        XCTAssertEqual(Color.rgb(250, 10, 10).degraded(to: .ansi16), .indexed(9))
        XCTAssertEqual(Color.indexed(196).degraded(to: .ansi16), .indexed(9))
        XCTAssertEqual(Color.rgb(1, 2, 3).degraded(to: .mono), .default)
    }

    static var repo: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

/// Key handling and rendering of whole screens from an `AppState`.
final class AppStateTests: XCTestCase {
    func document() throws -> ConfigDocument {
        let files: [String: String] = [
            "/c/base.py": "optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\nlr_config = dict(policy='step', step=[2])\ntotal_epochs = 4\n",
            "/c/main.py": "_base_ = ['./base.py']\noptimizer = dict(lr=0.05)\n",
        ]
        return try ConfigDocument(path: "/c/main.py", reader: { files[$0] })
    }

    func testTreeEditAndUndo() throws {
        var s = AppState()
        s.document = try document()
        XCTAssertEqual(s.rows.map(\.key), ["optimizer", "lr_config", "total_epochs"])
        XCTAssertEqual(s.handle(.right), [])
        XCTAssertEqual(s.rows.map(\.key), ["optimizer", "type", "lr", "momentum", "lr_config", "total_epochs"])
        XCTAssertEqual(s.rows[2].origin, "main.py:2")
        XCTAssertEqual(s.rows[3].origin, "base.py:1")
        _ = s.handle(.down); _ = s.handle(.down)
        XCTAssertEqual(s.selectedRow?.path, ["optimizer", "lr"])
        _ = s.handle(.enter)
        XCTAssertEqual(s.editing?.string, "0.05")
        _ = s.handle(.ctrl("u"))
        for c in "'abc'" { _ = s.handle(.char(c)) }
        XCTAssertEqual(s.editError, "expected a number")
        _ = s.handle(.ctrl("u"))
        for c in "0.2)" { _ = s.handle(.char(c)) }
        XCTAssertTrue(s.editError?.hasPrefix("not a value") ?? false, "\(String(describing: s.editError))")
        _ = s.handle(.ctrl("u"))
        for c in "0.2" { _ = s.handle(.char(c)) }
        XCTAssertNil(s.editError)
        _ = s.handle(.enter)
        XCTAssertNil(s.editing)
        XCTAssertEqual(s.document?.config.root["optimizer"]?.value(at: ["lr"])?.number, 0.2)
        XCTAssertEqual(s.document?.edited["/c/main.py"], "_base_ = ['./base.py']\noptimizer = dict(lr=0.2)\n")
        _ = s.handle(.char("u"))
        XCTAssertEqual(s.document?.config.root["optimizer"]?.value(at: ["lr"])?.number, 0.05)
    }

    func testScreensQuitConfirmationAndWatchMode() {
        var s = AppState()
        XCTAssertEqual(s.handle(.char("2")), [])
        XCTAssertEqual(s.screen, .run)
        XCTAssertEqual(s.handle(.tab), [])
        XCTAssertEqual(s.screen, .checkpoints)
        s.run.status = .running
        XCTAssertEqual(s.handle(.char("q")), [])
        XCTAssertEqual(s.confirmation, .quit)
        XCTAssertEqual(s.handle(.char("y")), [.send(.stop), .quit])
        s.screen = .run
        XCTAssertEqual(s.handle(.char("p")), [.send(.pause)])
        s.run.status = .paused
        XCTAssertEqual(s.handle(.char("p")), [.send(.resume)])
        s.watchMode = true
        XCTAssertEqual(s.handle(.char("p")), [])
        XCTAssertEqual(s.message, "watch mode: steering keys are disabled")
    }

    func testRenderingFitsEverySizeAndShowsTheHelp() throws {
        var s = AppState()
        s.document = try document()
        s.expanded = [["lr_config"]]
        for (w, h) in [(80, 24), (200, 60), (40, 10)] {
            for screen in ScreenID.allCases {
                s.screen = screen
                let b = Renderer.render(s, width: w, height: h, theme: .fallback)
                XCTAssertEqual(b.text.split(separator: "\n", omittingEmptySubsequences: false).count, h)
                XCTAssertTrue(b.text.contains(w >= 60 ? "1 Config" : "run: idle"), "\(screen) at \(w)x\(h)")
            }
        }
        s.screen = .config
        s.selected = 1   // lr_config: the LR preview is drawn
        let b = Renderer.render(s, width: 120, height: 30, theme: .fallback)
        XCTAssertTrue(b.text.contains("LR schedule"), b.text)
        XCTAssertTrue(b.text.contains("5.0e-02 ┤"), b.text)   // main.py's lr, stepped down ×0.1 at epoch 2
        s.showHelp = true
        let help = Renderer.render(s, width: 100, height: 30, theme: .fallback).text
        for binding in KeyMap.config + KeyMap.global { XCTAssertTrue(help.contains(binding.help), binding.help) }
    }
}
