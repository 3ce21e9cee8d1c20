import EngineCore
import EngineDistributed
import Foundation

/// Gradient averaging overlapped with the backward pass, as PyTorch's DistributedDataParallel does it: the
/// trainable parameters are packed, in reverse registration order (roughly the order backward finishes them), into
/// buckets of at most `capBytes` (the first one smaller); when a bucket's last gradient is ready
/// (`Parameter.gradientReady`) it is copied in and a non-blocking all-reduce of the bucket starts while the rest of
/// the backward runs. `finish` starts what is left, waits, and writes the averages back into the gradients.
///
/// Buckets start strictly in bucket order, so every rank issues the same collectives in the same order whatever
/// order its layers finish in; a parameter the loss never reached is reduced (as zero) at `finish`.
final class GradientBuckets {
    private struct Bucket {
        var parameters: [Parameter]
        var offsets: [Int]
        var buffer: UnsafeMutableBufferPointer<Float>
        /// Which parameters' gradients this backward has finished, and how many.
        var isReady: [Bool]
        var ready = 0
        var pending: (any PendingReduction)?
    }

    private let group: any ProcessGroup
    private var buckets: [Bucket] = []
    /// Bucket and slot of each parameter, by identity.
    private var slot: [ObjectIdentifier: (bucket: Int, index: Int)] = [:]
    /// The next bucket to start (buckets start in order).
    private var nextToStart = 0
    private var active = false
    /// The thread running the backward: only it may call MPI (MPI_THREAD_SERIALIZED, one caller at a time).
    private var owner: pthread_t?

    /// Elements per bucket, for the report.
    var bucketSizes: [Int] { buckets.map(\.buffer.count) }
    var totalElements: Int { buckets.reduce(0) { $0 + $1.buffer.count } }

    /// `firstCapBytes` bounds the first bucket (DDP's 1 MiB), so the first reduction starts early in the backward.
    init(parameters: [Parameter], capBytes: Int, firstCapBytes: Int? = nil, group: any ProcessGroup) {
        self.group = group
        var cap = max(1, (firstCapBytes ?? capBytes) / MemoryLayout<Float>.size)
        var current: [Parameter] = [], size = 0
        func close() {
            guard !current.isEmpty else { return }
            var offsets: [Int] = [], at = 0
            for p in current { offsets.append(at); at += p.value.count }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: at)
            buffer.initialize(repeating: 0)
            buckets.append(Bucket(parameters: current, offsets: offsets, buffer: buffer,
                                  isReady: [Bool](repeating: false, count: current.count)))
            current = []; size = 0
            cap = max(1, capBytes / MemoryLayout<Float>.size)
        }
        for p in parameters.reversed() where p.requiresGrad {
            if size > 0 && size + p.value.count > cap { close() }
            current.append(p); size += p.value.count
        }
        close()
        for (b, bucket) in buckets.enumerated() {
            for (i, p) in bucket.parameters.enumerated() { slot[ObjectIdentifier(p)] = (b, i) }
        }
    }

    deinit {
        for b in buckets {
            b.buffer.deallocate()
            for p in b.parameters { p.onGradientReady = nil }
        }
    }

    /// Before the backward: clears the readiness and listens for finished gradients.
    func begin() {
        for b in buckets.indices {
            buckets[b].ready = 0
            buckets[b].pending = nil
            for i in buckets[b].isReady.indices { buckets[b].isReady[i] = false }
        }
        nextToStart = 0
        active = true
        owner = pthread_self()
        for b in buckets { for p in b.parameters { p.onGradientReady = { [unowned self] in self.ready($0) } } }
    }

    private func ready(_ p: Parameter) {
        guard active, let owner, pthread_equal(owner, pthread_self()) != 0, let (b, i) = slot[ObjectIdentifier(p)] else { return }
        guard !buckets[b].isReady[i] else {
            preconditionFailure("a parameter's gradient was finished twice in one backward pass (a shared weight): "
                                + "data-parallel training reduces each gradient once")
        }
        buckets[b].isReady[i] = true
        buckets[b].ready += 1
        startCompleteBuckets()
        // Let the reductions in flight progress (MPI moves non-blocking collectives inside MPI calls).
        for k in 0..<nextToStart { _ = buckets[k].pending?.test() }
    }

    private func start(_ b: Int) {
        let bucket = buckets[b]
        for (p, offset) in zip(bucket.parameters, bucket.offsets) {
            p.grad.withData { g in (bucket.buffer.baseAddress! + offset).update(from: g, count: p.value.count) }
        }
        buckets[b].pending = group.startAllreduceSum(bucket.buffer)
    }

    private func startCompleteBuckets() {
        while nextToStart < buckets.count && buckets[nextToStart].ready == buckets[nextToStart].parameters.count {
            start(nextToStart)
            nextToStart += 1
        }
    }

    /// After the backward: starts the buckets still waiting (parameters the loss did not reach), waits for every
    /// reduction and replaces each gradient with its average over the ranks. Returns the seconds spent here — the
    /// communication the backward did not hide.
    @discardableResult
    func finish() -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        active = false
        while nextToStart < buckets.count { start(nextToStart); nextToStart += 1 }
        let scale = 1 / Float(group.world)
        for b in buckets.indices {
            buckets[b].pending?.wait()
            let bucket = buckets[b]
            for (p, offset) in zip(bucket.parameters, bucket.offsets) {
                p.grad.withMutableData { g in
                    let src = bucket.buffer.baseAddress! + offset
                    for j in 0..<p.value.count { g[j] = src[j] * scale }
                }
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// The same all-reduces done blocking, one after the other, on the current gradients (which it leaves alone):
    /// what the communication costs when nothing hides it (`reel bench`).
    func blockingReduceSeconds() -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for b in buckets.indices { start(b); buckets[b].pending?.wait() }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
}
