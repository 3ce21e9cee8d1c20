import CKernels
import Dispatch
import Foundation
import Synchronization

/// Reel's own threads for `Parallel`: `workers − 1` long-lived helper threads plus the calling thread run a region's
/// chunks, so a region never has more runnable threads than the cores it was given.
///
/// Why not `DispatchQueue.concurrentPerform`: on Linux it ran the calling thread beside two pool threads on a
/// 2-core machine (3 runnable threads, measured with `ps -L`), so the scheduler time-sliced threads in the middle of
/// regions and every step waited on a preempted chunk (I3D bench: median step 1.5–1.7× its minimum).
///
/// Regions run in lockstep: the caller publishes the body and bumps `generation`; each helper takes chunks from a
/// shared counter, then reports done; the caller returns once every helper has. Between regions a helper spins for
/// about a millisecond (a training step starts a region every few hundred microseconds), then sleeps on its own
/// semaphore. One region at a time: a region started while another runs (nested, or from another thread) returns
/// false and the caller runs its chunks inline.
final class WorkerPool: @unchecked Sendable {
    let helpers: Int
    private let generation = Atomic<Int>(0)
    private let nextChunk = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// One per helper: its own semaphore, so a wake-up meant for one helper is never taken by another.
    private final class Slot: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }
    private let slots: [Slot]
    // Written by the caller before it bumps `generation` (release), read by helpers after they see it (acquire).
    private var body: ((Int) -> Void)?
    private var chunks = 0

    /// Polls of `generation` before a helper sleeps: ~1–2 ms with the PAUSE hint.
    static let spinLimit = 1 << 15

    init(helpers: Int) {
        self.helpers = helpers
        slots = (0..<helpers).map { _ in Slot() }
        for i in 0..<helpers {
            let thread = Thread { [unowned self] in self.helperLoop(slots[i]) }
            thread.name = "reel-worker-\(i + 1)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body(0) … body(count − 1)` on the caller and the helpers; false (nothing run) when a region is already
    /// in progress.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            self.body = body
            chunks = count
            nextChunk.store(0, ordering: .relaxed)
            unfinished.store(helpers, ordering: .relaxed)
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            for slot in slots where slot.asleep.exchange(false, ordering: .sequentiallyConsistent) { slot.wake.signal() }
            takeChunks(body, count)
            while unfinished.load(ordering: .acquiring) > 0 { reel_cpu_relax() }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func takeChunks(_ body: (Int) -> Void, _ count: Int) {
        while true {
            let i = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }

    private func helperLoop(_ slot: Slot) {
        // Generation 0 is the state at creation: a thread that starts after the first region began still joins it.
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinLimit { reel_cpu_relax(); continue }
                // Announce the sleep, then look once more: a region started in between is not missed (its caller
                // either sees `asleep` and signals, or we see the new generation). A stray permit (we saw the new
                // generation and did not wait, but were signalled) only makes a later wait return early into this
                // same check.
                slot.asleep.store(true, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == seen { slot.wake.wait() }
                spins = 0
            }
            seen = generation.load(ordering: .acquiring)
            if let body { takeChunks(body, chunks) }
            unfinished.wrappingSubtract(1, ordering: .releasing)
        }
    }

    private static let pools = Mutex<[Int: WorkerPool]>([:])

    /// The pool for `workers` threads in all (created on first use; helpers live as long as the process).
    static func shared(workers: Int) -> WorkerPool {
        pools.withLock { pools in
            if let p = pools[workers] { return p }
            let p = WorkerPool(helpers: max(0, workers - 1))
            pools[workers] = p
            return p
        }
    }
}
