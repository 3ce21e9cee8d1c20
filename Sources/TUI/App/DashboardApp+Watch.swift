import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

extension DashboardApp {
    /// Watch mode: the watched run's new events, for `absorbEvents` to apply exactly as a live run's. When another
    /// run is shown (a newer one started, or the user switched), the view starts over and its events are replayed
    /// from the first; its config comes from its `started` event.
    func followWatchedRun() -> [RunEvent] {
        guard let tail else { return [] }
        let update = tail.poll()
        apply(update, from: tail)
        return update.events
    }

    /// `[` / `]`: replays an older or newer run of the watched work dir.
    func showWatchedRun(step: Int) {
        guard let tail else { return }
        guard let update = tail.step(step) else {
            state.message = step < 0 ? "this is the first run in the work dir" : "this is the newest run in the work dir"
            return
        }
        apply(update, from: tail)
        for e in update.events { state.run.apply(e) }
        rescanCheckpoints()
    }

    private func apply(_ update: EventFollower.Update, from tail: EventFollower) {
        if update.reset {
            state.run = RunView()
            state.logs.top = nil
            if let info = update.info, options.configPath == nil { showConfig(of: info) }
        }
        state.watchNote = tail.note
        state.watchedRun = tail.shownIndex.map { ($0 + 1, tail.runs.count) }
    }

    /// The run's resolved config, read-only on the Config screen (the text the run dumped into its work dir).
    private func showConfig(of info: RunInfo) {
        guard !info.configText.isEmpty else { return }
        let dir = tail?.workDir ?? info.workDir
        // Absolute, as the loader asks its reader for it (the watched dir may be given relative to the cwd).
        let path = URL(fileURLWithPath: (dir as NSString).appendingPathComponent(info.configName.isEmpty ? "config.py" : info.configName))
            .standardizedFileURL.path
        let text = info.configText
        do {
            state.document = try ConfigDocument(path: path, reader: { $0 == path ? text : nil })
            state.loadError = nil
            state.expanded = [["optimizer"], ["lr_config"]]
            state.selected = 0
            state.itersPerEpoch = max(1, info.itersPerEpoch)
        } catch {
            state.document = nil
            state.loadError = "the watched run's config cannot be shown: \(error)"
        }
    }
}
