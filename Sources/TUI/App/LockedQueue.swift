import Foundation

/// Values on their way from a background thread (an `E` evaluation) to the UI loop: the thread appends, the loop
/// drains once per frame. Like `EventInbox`, for things that are not run events.
public final class LockedQueue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    public init() {}
    public func append(_ value: Value) { lock.lock(); values.append(value); lock.unlock() }
    public func drain() -> [Value] {
        lock.lock(); defer { lock.unlock() }
        let out = values
        values.removeAll(keepingCapacity: true)
        return out
    }
}
