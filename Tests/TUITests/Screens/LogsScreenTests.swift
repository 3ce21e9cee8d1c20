import XCTest
import EngineCore
import EngineData
import EngineTraining
@testable import TUI

/// The Logs screen (tracker issue 14, review dashboard-2026-12-02 B25 and the log findings of §5).
final class LogsScreenTests: XCTestCase {
    static func state(lines: Int) -> AppState {
        var state = AppState()
        state.screen = .logs
        state.logs.page = 10
        for i in 1...lines { state.run.apply(.message("line \(i)")) }
        return state
    }
    /// The text rows of the log pane (the box's inside), at 60x14: 10 rows of text.
    static func rows(_ state: AppState) -> [String] {
        let text = Renderer.render(state, width: 60, height: 14, theme: .fallback).text.components(separatedBy: "\n")
        return text[2..<12].map { String($0.dropFirst().prefix(58)).trimmingCharacters(in: .whitespaces) }
    }

    /// B25: `k`×5 then lines arriving moved the view: the offset counted from the end.
    func testAScrolledViewStaysOnItsLineWhileLinesArrive() {
        var state = Self.state(lines: 100)
        XCTAssertEqual(Self.rows(state).first, "line 91")
        for _ in 0..<5 { _ = state.handle(.char("k")) }
        XCTAssertEqual(Self.rows(state).first, "line 86")
        for i in 101...160 { state.run.apply(.message("line \(i)")) }
        XCTAssertEqual(Self.rows(state).first, "line 86")
        XCTAssertTrue(Renderer.render(state, width: 60, height: 14, theme: .fallback).text.contains("log (160 lines, from line 86)"))
        // Even when the front of the log is dropped (it keeps 5000 lines), the view stays on its line.
        for i in 161...5050 { state.run.apply(.message("line \(i)")) }
        XCTAssertEqual(state.run.logDropped, 50)
        XCTAssertEqual(Self.rows(state).first, "line 86")
        _ = state.handle(.char("G"))
        XCTAssertEqual(Self.rows(state).last, "line 5050")
    }

    func testHomeGoesToTheTopAndScrollingDownFollowsAgain() {
        var state = Self.state(lines: 30)
        _ = state.handle(.home)
        XCTAssertEqual(Self.rows(state).first, "line 1")
        _ = state.handle(.char("G")); _ = state.handle(.char("g"))
        XCTAssertEqual(state.logs.top, 0)
        _ = state.handle(.pageDown); _ = state.handle(.pageDown)
        XCTAssertNil(state.logs.top, "the last page follows the end again")
    }

    /// Long lines were cut at the pane's edge with no way to read the rest.
    func testLongLinesWrapOrScrollSideways() {
        var state = Self.state(lines: 3)
        let long = "Epoch [2][10/30]  lr: 8.536e-03, eta: 0:04:01, time: 0.605, data_time: 0.018, loss: 2.0811, grad_norm: 3.1416"
        state.run.apply(.message(long))
        XCTAssertEqual(Self.rows(state)[3], String(long.prefix(58)).trimmingCharacters(in: .whitespaces))
        _ = state.handle(.right)
        XCTAssertEqual(Self.rows(state)[3], String(long.dropFirst(20).prefix(58)).trimmingCharacters(in: .whitespaces))
        _ = state.handle(.char("w"))
        let rows = Self.rows(state)
        XCTAssertEqual(rows[3], String(long.prefix(58)).trimmingCharacters(in: .whitespaces))
        XCTAssertEqual(rows[4], String(long.dropFirst(58)))
        XCTAssertTrue(rows[4].hasSuffix("grad_norm: 3.1416"), rows[4])
    }

    func testAFilterKeepsTheLinesContainingItsText() {
        var state = Self.state(lines: 25)
        _ = state.handle(.char("/"))
        for c in "E 1" { _ = state.handle(.char(c)) }
        // "line 1" and "line 10"…"line 19" (any case); the last row is the filter being typed.
        XCTAssertEqual(Array(Self.rows(state).prefix(9)), (11...19).map { "line \($0)" })
        XCTAssertEqual(Self.rows(state)[9], "filter: E 1")
        _ = state.handle(.enter)
        XCTAssertNil(state.logs.filterField)
        XCTAssertEqual(Self.rows(state), (10...19).map { "line \($0)" })
        XCTAssertTrue(Renderer.render(state, width: 60, height: 14, theme: .fallback).text.contains("log (25 lines, 11 with 'E 1', following)"))
        _ = state.handle(.char("/")); _ = state.handle(.escape)
        XCTAssertEqual(state.logs.filter, "")
        XCTAssertEqual(Self.rows(state).last, "line 25")
    }
}
