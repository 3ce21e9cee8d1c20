import EngineCore
import EngineData
import EngineTraining
import Foundation

/// The run's events on their way from the engine thread to the UI thread: the engine appends (cheap), the UI
/// loop drains once per frame.
public final class EventInbox: RunEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []
    public init() {}
    public func receive(_ event: RunEvent) { lock.lock(); events.append(event); lock.unlock() }
    public func drain() -> [RunEvent] {
        lock.lock(); defer { lock.unlock() }
        let out = events
        events.removeAll(keepingCapacity: true)
        return out
    }
}
