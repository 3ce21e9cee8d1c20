import Foundation
import EngineCore

/// A batch of pipeline outputs stacked along a new first axis: `imgs` B×(sample shape), and the videos' targets
/// (one class each, or their label sets from a `multi_class=True` dataset).
// Unchecked: `Tensor` (the numeric core, Swift 5 mode) is a class; a batch is built by one worker thread and handed
// over whole through `LoaderEpoch`, which keeps no reference to it.
public struct Batch: @unchecked Sendable {
    public var imgs: Tensor
    public var targets: Targets
    /// Dataset indices of the videos, in batch order.
    public var indices: [Int]
    /// One note per item `skip_broken` replaced while building this batch (what was skipped and why).
    public var skipped: [String] = []
}

/// mmaction2's data loader, in threads: batches of `videos_per_gpu`, `workers_per_gpu` worker threads that each
/// build whole batches ahead of the consumer (`prefetch` per worker), seeded shuffling, `drop_last`.
///
/// Randomness is per sample, not per worker: item i of epoch e always draws from `Philox(seed, stream: e<<32 | i)`,
/// so a run is repeatable whatever the worker count (mmaction2 seeds each worker, so its augmentations depend on
/// the worker layout and repeat every epoch — see docs/differences.md).
// Unchecked: the settings are constants; `onSkipped` is set before the first epoch and only called on the consumer's
// thread, and the worker threads share nothing mutable but what `LoaderEpoch` guards with its lock.
public final class Loader: @unchecked Sendable {
    public let dataset: RawframeDataset
    public let batchSize: Int
    public let workers: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    public let prefetch: Int
    /// This process's share of each epoch in data-parallel training (`.single`: the whole dataset).
    public let shard: DistributedShard
    /// Called on the consumer's thread (the one calling `LoaderEpoch.next()`) with each `skip_broken` note, in
    /// batch order, just before the batch is returned: the runner logs them. Set it before the first epoch.
    public var onSkipped: ((String) -> Void)?

    /// `sample_by_class=True`: each epoch's items drawn by class (`ClassSampler`), nil for the dataset's items.
    public let classSampler: ClassSampler?

    public init(dataset: RawframeDataset, batchSize: Int, workers: Int, shuffle: Bool, dropLast: Bool = false,
                seed: UInt64, prefetch: Int = 2, shard: DistributedShard = .single, classSampling: ClassSampling? = nil) {
        precondition(batchSize > 0 && workers >= 0)
        self.dataset = dataset; self.batchSize = batchSize; self.workers = workers; self.shuffle = shuffle
        self.dropLast = dropLast; self.seed = seed; self.prefetch = max(1, prefetch); self.shard = shard
        classSampler = classSampling.map { ClassSampler($0, labels: dataset.records.map { $0.labels.first ?? 0 }) }
    }

    /// `len(data_loader)`: this process's batches (its shard's items in data-parallel training).
    public var batchesPerEpoch: Int {
        let items = shard.perRank(classSampler?.itemsPerEpoch(world: shard.world) ?? dataset.count)
        return dropLast ? items / batchSize : (items + batchSize - 1) / batchSize
    }

    /// The items of epoch `epoch` this process takes: the dataset order (a seeded permutation when shuffling, the
    /// same on every rank; with `sample_by_class`, the class sampler's draws) and, in data-parallel training, this
    /// rank's shard of it.
    public func order(epoch: Int) -> [Int] { draws(epoch: epoch).map(\.item) }

    /// `order(epoch:)` with each item's augmentation key: its dataset index, so an item the shard padding repeats on
    /// another rank gets the same augmentation there; with `sample_by_class`, its place among the epoch's draws, so
    /// an item drawn twice is augmented twice.
    func draws(epoch: Int) -> [(item: Int, key: Int)] {
        if let classSampler {
            var rng = Philox(seed: seed, stream: 0xC1A5_0000_0000 | UInt64(epoch))
            let drawn = classSampler.draw(shuffle: shuffle, world: shard.world, rng: &rng)
            return shard.take(drawn.enumerated().map { ($0.element, $0.offset) })
        }
        var order = Array(0..<dataset.count)
        if shuffle {
            var rng = Philox(seed: seed, stream: 0xD47A_0000_0000 | UInt64(epoch))
            rng.shuffle(&order)
        }
        return shard.take(order).map { ($0, $0) }
    }

    /// Starts producing the batches of one epoch; iterate with `next()`.
    /// `startingAt` skips the first batches (a resume in the middle of an epoch: the order is the same).
    public func epoch(_ epoch: Int, startingAt first: Int = 0) -> LoaderEpoch { LoaderEpoch(loader: self, epoch: epoch, first: first) }

    /// Builds batch `b` of an epoch (in the calling thread).
    func makeBatch(_ draws: [(item: Int, key: Int)], epoch: Int, workspace: PipelineWorkspace) throws -> Batch {
        var samples: [Tensor] = []
        var labels: [[Int]] = []
        workspace.skipped.removeAll()
        let indices = draws.map(\.item)
        for (i, key) in draws {
            var rng = Philox(seed: seed, stream: UInt64(epoch) << 32 | UInt64(key))
            let s = try dataset.item(i, rng: &rng, workspace: workspace)
            guard let imgs = s.imgs else { throw PipelineError(message: "the pipeline produced no imgs") }
            if let first = samples.first, first.shape != imgs.shape {
                throw DatasetError(file: s.frameDir, line: nil, message: "sample shape \(imgs.shape) differs from \(first.shape) in the same "
                                   + "batch (frames of different sizes need a Resize or crop to one size in the pipeline)")
            }
            samples.append(imgs)
            labels.append(s.labels)
        }
        var out = Tensor(uninitialized: [samples.count] + samples[0].shape)
        let n = samples[0].count
        out.withMutableData { dst in
            for (k, t) in samples.enumerated() { t.withData { (dst + k * n).update(from: $0, count: n) } }
        }
        let skipped = workspace.skipped
        workspace.skipped.removeAll()
        // A single-label dataset's lines have exactly one label (AnnotationList refuses others).
        let targets: Targets = dataset.multiClass ? .labelSets(labels) : .classes(labels.map { $0.first ?? 0 })
        return Batch(imgs: out, targets: targets, indices: indices, skipped: skipped)
    }
}

/// The batches of one epoch, produced by the loader's worker threads in order. `next()` blocks until the next
/// batch is ready and rethrows a worker's error (e.g. a missing frame, naming the file) at that batch.
// Unchecked: every mutable field is only touched with `condition` held.
public final class LoaderEpoch: @unchecked Sendable {
    private let loader: Loader
    private let epoch: Int
    private let batches: [[(item: Int, key: Int)]]
    private let condition = NSCondition()
    private var ready: [Int: Result<Batch, Error>] = [:]
    private var consumed = 0
    private var cancelled = false
    private var running = 0
    /// Seconds spent decoding, over all workers (for `reel bench`).
    public private(set) var decodeSeconds = 0.0
    public private(set) var decodedFrames = 0

    init(loader: Loader, epoch: Int, first: Int = 0) {
        self.loader = loader
        self.epoch = epoch
        let order = loader.draws(epoch: epoch)
        batches = (min(first, loader.batchesPerEpoch)..<loader.batchesPerEpoch).map { b in
            Array(order[(b * loader.batchSize)..<min(order.count, (b + 1) * loader.batchSize)])
        }
        for w in 0..<loader.workers {
            running += 1
            let thread = Thread { [self] in work(worker: w) }
            thread.name = "reel-loader-\(w)"
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    deinit { cancel() }

    public var count: Int { batches.count }

    /// Stops the workers after their current batch.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(worker w: Int) {
        let workspace = PipelineWorkspace()
        var b = w
        while b < batches.count {
            condition.lock()
            // Stay at most `prefetch` batches of this worker ahead of the consumer.
            while !cancelled && b >= consumed + loader.prefetch * loader.workers { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { break }
            let result = Result { try loader.makeBatch(batches[b], epoch: epoch, workspace: workspace) }
            condition.lock()
            ready[b] = result
            condition.broadcast()
            condition.unlock()
            b += loader.workers
        }
        condition.lock()
        decodeSeconds += workspace.decodeSeconds
        decodedFrames += workspace.decodedFrames
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private lazy var inlineWorkspace = PipelineWorkspace()

    /// The next batch, or nil at the end of the epoch. Its `skip_broken` notes go to `Loader.onSkipped` first.
    public func next() throws -> Batch? {
        let batch = try nextBatch()
        if let batch, let report = loader.onSkipped { batch.skipped.forEach(report) }
        return batch
    }

    private func nextBatch() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        guard consumed < batches.count, !cancelled else { return nil }
        let b = consumed
        if loader.workers == 0 {
            condition.unlock()
            let batch = try loader.makeBatch(batches[b], epoch: epoch, workspace: inlineWorkspace)
            condition.lock()
            consumed += 1
            decodeSeconds = inlineWorkspace.decodeSeconds
            decodedFrames = inlineWorkspace.decodedFrames
            return batch
        }
        while ready[b] == nil && !cancelled { condition.wait() }
        guard let result = ready.removeValue(forKey: b) else { return nil }
        consumed += 1
        condition.broadcast()
        return try result.get()
    }

    /// Waits for the workers to exit (after the epoch or `cancel()`), so their decode counters are final.
    public func join() {
        condition.lock()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
