import Foundation

extension DashboardApp {
    /// Compare: the runs of `dirs`, the first ones shown.
    func openCompare(_ dirs: [String]) {
        let source = CompareSource(dirs: dirs)
        compareSource = source
        _ = source.poll()
        state.compare.runs = source.runs
        state.compare.chosen = source.initialChoice()
        state.compare.cursor = 0
        state.compare.note = source.runs.isEmpty
            ? "No runs with an event record (events.jsonl) in " + dirs.joined(separator: ", ") + "." : nil
    }

    /// New lines of the compared runs' records (twice a second while the Compare screen is open); the screen
    /// opened from the dashboard looks at the work dir and its siblings.
    func pollCompare(now: Double) -> Bool {
        guard state.screen == .compare else { return false }
        guard let source = compareSource else {
            guard let dir = state.workDir else {
                state.compare.note = "No work dir yet: open a config, or use reel tui --compare DIR [DIR...]."
                return false
            }
            openCompare(CompareSource.discover(around: dir))
            return true
        }
        guard now - lastComparePoll >= 0.5 else { return false }
        lastComparePoll = now
        guard source.poll() else { return false }
        state.compare.runs = source.runs
        if state.compare.chosen.isEmpty { state.compare.chosen = source.initialChoice() }
        state.compare.note = nil
        return true
    }
}
