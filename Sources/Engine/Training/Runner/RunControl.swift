import Foundation
import EngineCore
import EngineData

/// Steering from outside the engine thread, applied by the runner at the next iteration boundary.
public enum RunCommand: Sendable, Equatable {
    case pause, resume
    /// Save a checkpoint, then end the run.
    case stop
    case saveCheckpoint
    case evaluate
}

/// The command inbox shared between the engine thread and its controllers (the dashboard, signal handlers).
/// Thread-safe; `waitWhilePaused` blocks the engine thread until resumed or stopped.
// Unchecked: `queue` is only touched with `condition` held.
public final class RunControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [RunCommand] = []

    public init() {}

    public func send(_ command: RunCommand) {
        condition.lock()
        queue.append(command)
        condition.broadcast()
        condition.unlock()
    }

    /// Takes every pending command, in order.
    public func drain() -> [RunCommand] {
        condition.lock()
        defer { condition.unlock() }
        let out = queue
        queue.removeAll()
        return out
    }

    /// Blocks until a command arrives; returns it (and leaves any later ones queued).
    public func waitForCommand() -> RunCommand {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        return queue.removeFirst()
    }
}
