import Dispatch
import Foundation

/// Splits loops over the cores. Why: everything that is not a GEMM (im2col, BatchNorm, ReLU, pooling, the shift)
/// is memory-bound and embarrassingly parallel over channels or images; two cores halve its time.
/// Never call a multi-threaded GEMM from inside `Parallel.for`: OpenBLAS would oversubscribe the cores.
///
/// Scheduling: a loop is cut into `chunksPerWorker` chunks per worker, and the threads take chunks one at a time
/// (`WorkerPool` hands out chunk indices from a shared atomic counter). Why: with one
/// chunk per worker, a core that another process also wants runs its half at half speed and every parallel
/// region waits for it — measured, that doubled the train step on a 2-core machine with one busy process, while
/// with small chunks the thread that gets the CPU simply takes more of them. Which thread runs a chunk varies from
/// run to run; what a chunk covers does not (it depends only on the count, the grain and `workers`), so callers that
/// keep a partial result per chunk and add them up in chunk order get the same bits on every run.
public enum Parallel {
    /// Worker count: the machine's active cores (2 here), overridable for tests and benches.
    nonisolated(unsafe) public static var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Chunks per worker when there is more than one worker. 4 keeps the wait for the last chunk of a region a
    /// quarter of a worker's share when a core is taken away, at a cost that measured within noise on a quiet
    /// machine (more, smaller GEMM tiles; more per-chunk scratch and partial sums in the convolutions).
    /// `REEL_CHUNKS_PER_WORKER=1` brings back the old static split (one chunk per worker), for measuring; read once.
    public static let chunksPerWorker: Int = {
        let v = ProcessInfo.processInfo.environment["REEL_CHUNKS_PER_WORKER"].flatMap { Int($0) } ?? 4
        return min(64, max(1, v))
    }()

    /// How many chunks a loop of `count` iterations is cut into with `workers` workers: 1 with one worker (so a
    /// single-threaded run computes exactly what it did before chunking existed), otherwise up to
    /// `workers × chunksPerWorker`, never more than one per `grain` iterations.
    @inline(__always)
    public static func chunkCount(_ count: Int, grain: Int = 1, workers: Int) -> Int {
        guard workers > 1 else { return 1 }
        return max(1, min(workers * chunksPerWorker, count / max(1, grain)))
    }

    /// Chunk `index` of `chunks` over `0..<count`: balanced, contiguous, in order, none empty when chunks ≤ count.
    @inline(__always)
    public static func chunk(_ index: Int, of chunks: Int, count: Int) -> Range<Int> {
        (index * count / chunks)..<((index + 1) * count / chunks)
    }

    /// Calls `body(range)` on contiguous chunks of `0..<count`, in parallel when the work is big enough.
    /// `grain` is the smallest chunk worth a thread (in iterations).
    @inline(__always)
    public static func forChunks(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = chunkCount(count, grain: grain, workers: workers)
        if chunks <= 1 { body(0..<count); return }
        let ran = WorkerPool.shared(workers: workers).run(chunks) { i in
            let r = chunk(i, of: chunks, count: count)
            if !r.isEmpty { body(r) }
        }
        if !ran { body(0..<count) }
    }

    /// How many chunks `forWorkers` splits `count` items into — the number of partial results a caller keeps.
    /// (The name predates chunking, when it was one chunk per worker.)
    public static func workerCount(_ count: Int) -> Int { min(count, chunkCount(count, workers: workers)) }

    /// Calls `body(chunk, range)` on `workerCount(count)` contiguous chunks of `0..<count`, in parallel, with each
    /// chunk's index: for per-chunk scratch and partial sums, added up afterwards in chunk order (a fixed order,
    /// whichever thread ran which chunk, so results stay bit-for-bit repeatable). The same chunks as `forChunks`
    /// with grain 1; `forChunks` keeps its own loop: routing it through an indexed closure slowed the small bench's
    /// train step by ~9 % (measured).
    public static func forWorkers(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = workerCount(count)
        if chunks <= 1 { body(0, 0..<count); return }
        let ran = WorkerPool.shared(workers: workers).run(chunks) { i in
            body(i, chunk(i, of: chunks, count: count))
        }
        // Inside another region: the same chunks in order on this thread (the partial sums stay per chunk).
        if !ran { for i in 0..<chunks { body(i, chunk(i, of: chunks, count: count)) } }
    }
}
