import Dispatch
import Foundation

/// Splits loops over the cores. Why: everything that is not a GEMM (im2col, BatchNorm, ReLU, pooling, the shift)
/// is memory-bound and embarrassingly parallel over channels or images; two cores halve its time.
/// Never call a multi-threaded GEMM from inside `Parallel.for`: OpenBLAS would oversubscribe the cores.
public enum Parallel {
    /// Worker count: the machine's active cores (2 here), overridable for tests and benches.
    nonisolated(unsafe) public static var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(range)` on contiguous chunks of `0..<count`, in parallel when the work is big enough.
    /// `grain` is the smallest chunk worth a thread (in iterations).
    @inline(__always)
    public static func forChunks(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(workers, max(1, count / max(1, grain)))
        if chunks <= 1 { body(0..<count); return }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            let lo = i * per, hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// How many chunks `forWorkers` splits `count` items into: one per worker, at most one per item.
    public static func workerCount(_ count: Int) -> Int { max(1, min(workers, count)) }

    /// Calls `body(worker, range)` on `workerCount(count)` contiguous chunks of `0..<count`, in parallel, with each
    /// chunk's index: for per-worker scratch and partial sums, added up afterwards in worker order (a fixed order,
    /// so results stay bit-for-bit repeatable). The same chunks as `forChunks` with grain 1; `forChunks` keeps its
    /// own loop: routing it through an indexed closure slowed the small bench's train step by ~9 % (measured).
    public static func forWorkers(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = workerCount(count), per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            let lo = i * per, hi = min(count, lo + per)
            if lo < hi { body(i, lo..<hi) }
        }
    }
}
