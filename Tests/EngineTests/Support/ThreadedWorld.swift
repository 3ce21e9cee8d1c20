import Foundation
import EngineDistributed

/// K ranks of a data-parallel job inside one test process, one thread each: the collectives meet at a condition
/// variable. Sums go through Double in a fixed order (rank 0 first), so two ranks' float sums round as MPI's do.
final class ThreadedWorld {
    let size: Int
    private let condition = NSCondition()
    private var parts: [[Double]?]
    private var generation = 0
    private var result: [Double] = []

    init(size: Int) {
        self.size = size
        parts = Array(repeating: nil, count: size)
    }

    /// Every rank's `values` summed, returned to each (blocks until all ranks called).
    func allreduce(_ values: [Double], rank: Int) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        parts[rank] = values
        if parts.allSatisfy({ $0 != nil }) {
            result = parts.dropFirst().reduce(parts[0]!) { acc, p in zip(acc, p!).map { $0 + $1 } }
            parts = Array(repeating: nil, count: size)
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return result
    }

    /// Runs `body(rank)` on `size` threads at once and waits for all.
    func run(_ body: @escaping (Int) -> Void) {
        let group = DispatchGroup()
        for r in 0..<size {
            group.enter()
            Thread { body(r); group.leave() }.start()
        }
        group.wait()
    }

    /// One rank's view, as a `ProcessGroup`.
    final class Rank: ProcessGroup {
        let shared: ThreadedWorld
        let rank: Int
        init(_ world: ThreadedWorld, rank: Int) { self.shared = world; self.rank = rank }
        var world: Int { shared.size }
        var localRank: Int { rank }
        var localWorld: Int { shared.size }
        var host: String { "thread" }
        func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
            let sum = shared.allreduce(values.map(Double.init), rank: rank)
            for i in values.indices { values[i] = Float(sum[i]) }
        }
        func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
            let sum = shared.allreduce(Array(values), rank: rank)
            for i in values.indices { values[i] = sum[i] }
        }
        func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
            let mine = rank == root ? bytes.map(Double.init) : [Double](repeating: 0, count: bytes.count)
            let sum = shared.allreduce(mine, rank: rank)
            for i in 0..<bytes.count { bytes[i] = UInt8(sum[i]) }
        }
        func barrier() { _ = shared.allreduce([], rank: rank) }
        /// Blocking here (the sum is done when it returns): enough to test who starts what, in which order.
        /// Non-blocking reductions started so far.
        var started = 0
        func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction {
            started += 1
            allreduceSum(values)
            return CompletedReduction()
        }
        func abort(code: Int32) -> Never { fatalError("rank \(rank) aborted with \(code)") }
    }
}
