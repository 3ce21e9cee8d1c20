import EngineCore
import EngineData
import EngineDistributed
import Foundation

/// Data-parallel training over a process group (one Open MPI job), as PyTorch's DistributedDataParallel runs it:
///
/// - at the start, rank 0's weights and buffers are copied to every rank (`broadcastState`);
/// - each rank trains on its shard of the data (`DistributedShard`), and the gradients are averaged across ranks,
///   bucket by bucket while the backward runs (`GradientBuckets`); buffers (BN running statistics) stay per rank;
/// - SyncBN layers sum their batch statistics across ranks (`StatisticsSynchronizer`);
/// - the loop's decisions (a non-finite loss, a stop) and its logged values are agreed on by all ranks each
///   iteration, so no rank waits in a collective for one that left.
///
/// Only the collectives live here; which rank writes what is the runner's and the session's business.
public final class DataParallel: StatisticsSynchronizer {
    public let group: any ProcessGroup
    /// DDP's `bucket_cap_mb` (25 MiB by default); the first bucket holds at most 1 MiB (DDP's first bucket), so
    /// the first reduction starts early in the backward.
    public let bucketBytes: Int
    private var buckets: GradientBuckets?
    /// The last step's communication the backward did not hide (seconds waited after the backward).
    public private(set) var lastExposedSeconds = 0.0

    public init(group: any ProcessGroup, bucketBytes: Int = 25 << 20) {
        self.group = group
        self.bucketBytes = bucketBytes
    }

    public var rank: Int { group.rank }
    public var world: Int { group.world }
    public var isMain: Bool { group.isMain }

    /// Joins `model` and `optimizer` to the job: rank 0's parameters and buffers everywhere, the gradient buckets
    /// built over the optimizer's trainable parameters and, with `syncBatchNorm`, every BatchNorm synchronised.
    public func attach(model: any Recognizer, optimizer: Optimizer, syncBatchNorm: Bool) {
        attach(model: model, parameters: optimizer.orderedParameters.map(\.parameter), syncBatchNorm: syncBatchNorm)
    }

    /// `attach` with the parameters to average given directly, in registration order (the trainable ones count).
    public func attach(model: any Recognizer, parameters: [Parameter], syncBatchNorm: Bool) {
        broadcastState(of: model)
        buckets = GradientBuckets(parameters: parameters, capBytes: bucketBytes, firstCapBytes: min(bucketBytes, 1 << 20), group: group)
        if syncBatchNorm {
            for (_, m) in model.namedModules() { (m as? BatchNorm)?.synchronizer = self }
        }
    }

    /// Rank 0's parameters and buffers, copied to every rank in state-dict order.
    public func broadcastState(of model: any Module) {
        for (_, entry) in model.stateDict() {
            switch entry {
            case .parameter(let p):
                let n = p.value.count
                p.value.withMutableData { group.broadcast(UnsafeMutableRawBufferPointer(start: $0, count: n * 4), from: 0) }
            case .buffer(let b):
                switch b.value {
                case .float32(var t):
                    let n = t.count
                    t.withMutableData { group.broadcast(UnsafeMutableRawBufferPointer(start: $0, count: n * 4), from: 0) }
                    b.value = .float32(t)
                case .int64(let shape, var values):
                    values.withUnsafeMutableBytes { group.broadcast($0, from: 0) }
                    b.value = .int64(shape: shape, values: values)
                }
            }
        }
    }

    /// `model.trainStep` as a rank of the job: the gradients averaged over the ranks (reduced bucket by bucket as the
    /// backward finishes them), and the loss and log variables too (mmaction2's `_parse_losses`), so every rank
    /// takes the same decisions on them. The caller zeroes the gradients before and steps the optimizer after.
    public func trainStep(_ model: any Recognizer, _ imgs: Tensor, targets: Targets) -> RecognizerStep {
        buckets?.begin()
        var out = model.trainStep(imgs, targets: targets)
        lastExposedSeconds = buckets?.finish() ?? 0
        var values = [out.loss] + out.logVars.map(\.1)
        average(&values)
        out.loss = values[0]
        for i in out.logVars.indices { out.logVars[i].1 = values[i + 1] }
        return out
    }

    /// The blocking all-reduce of every bucket (on the current gradients, left unchanged), for `reel bench`.
    public func blockingReduceSeconds() -> Double { buckets?.blockingReduceSeconds() ?? 0 }

    /// Gradient elements reduced per step, and per bucket.
    public var gradientElements: Int { buckets?.totalElements ?? 0 }
    public var bucketSizes: [Int] { buckets?.bucketSizes ?? [] }

    /// Replaces `values` with their average over the ranks (the logged values, as mmaction2's `_parse_losses`).
    public func average(_ values: inout [Double]) {
        group.allreduceSum(&values)
        for i in values.indices { values[i] /= Double(world) }
    }

    /// Whether any rank set each flag.
    public func any(_ flags: [Bool]) -> [Bool] {
        var v = flags.map { $0 ? 1.0 : 0.0 }
        group.allreduceSum(&v)
        return v.map { $0 > 0 }
    }

    /// Every rank's `values` (of equal length everywhere), indexed by rank.
    public func allGather(_ values: [Double]) -> [[Double]] {
        let n = values.count
        var all = [Double](repeating: 0, count: n * world)
        for i in 0..<n { all[rank * n + i] = values[i] }
        group.allreduceSum(&all)   // x + 0 is exact: this is a gather
        return (0..<world).map { Array(all[$0 * n..<($0 + 1) * n]) }
    }

    /// Every rank's score rows and labels (each rank's in its shard's order, equal counts) back in dataset order, the
    /// shard padding dropped: mmaction2's `collect_results_cpu`.
    public func gather(scores: [[Float]], targets: Targets, count: Int) -> (scores: [[Float]], targets: Targets) {
        // Each row with its targets appended — the label, or a multi-hot row of the scores' width for label sets —
        // through `allGather` (floats and small integers are exact in a Double).
        let width = scores.first?.count ?? 0
        let multi: Bool
        if case .labelSets = targets { multi = true } else { multi = false }
        let extra = multi ? width : 1
        let hot = targets.multiHot(classes: width), sets = targets.sets
        var mine: [Double] = []
        for i in scores.indices {
            mine += scores[i].map(Double.init)
            if multi { mine += hot[(i * width)..<((i + 1) * width)].map(Double.init) } else { mine.append(Double(sets[i][0])) }
        }
        let rowWidth = width + extra
        let parts = allGather(mine).map { flat in stride(from: 0, to: flat.count, by: rowWidth).map { Array(flat[$0..<$0 + rowWidth]) } }
        let rowsInOrder = DistributedShard.gather(parts, count: count)
        let gathered = rowsInOrder.map { $0.prefix(width).map(Float.init) }
        if multi {
            let labelSets: [[Int]] = rowsInOrder.map { row in (0..<width).filter { row[width + $0] != 0 } }
            return (gathered, .labelSets(labelSets))
        }
        return (gathered, .classes(rowsInOrder.map { Int($0[width]) }))
    }

    // MARK: - StatisticsSynchronizer (SyncBN)

    public func sum(_ values: UnsafeMutableBufferPointer<Double>) { group.allreduceSum(values) }
}
