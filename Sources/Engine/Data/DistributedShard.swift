/// One rank's share of an epoch's dataset order in data-parallel training, as mmaction2's `DistributedSampler`
/// takes it: the order is padded with its own first items to a multiple of the world size, then rank `r` takes
/// items `r, r + world, r + 2·world, …`. Every rank gets `perRank(count)` items (equal shards, so the ranks step
/// together) and the ranks together cover the whole dataset; the padding repeats a few items once per epoch.
///
/// The order itself (shuffled or not) is the same on every rank: it comes from the shared seed and the epoch.
/// `gather` is the inverse for evaluation (mmaction2's `collect_results_cpu`): per-rank results back in dataset
/// order, padding dropped, so sharded metrics equal a single process's.
public struct DistributedShard: Sendable, Equatable {
    public let rank: Int
    public let world: Int

    public init(rank: Int, world: Int) {
        precondition(world >= 1 && rank >= 0 && rank < world, "rank \(rank) of \(world)")
        self.rank = rank
        self.world = world
    }

    /// The whole dataset in one process.
    public static let single = DistributedShard(rank: 0, world: 1)

    /// Items each rank takes from a dataset of `count`: ceil(count / world).
    public func perRank(_ count: Int) -> Int { (count + world - 1) / world }

    /// This rank's items of an epoch's `order`. When the padding is longer than the order itself (fewer items than
    /// ranks) the order is repeated as often as needed; mmaction2 pads once and fails its own assertion there.
    public func take<T>(_ order: [T]) -> [T] {
        guard !order.isEmpty else { return [] }
        return (0..<perRank(order.count)).map { order[(rank + $0 * world) % order.count] }
    }

    /// Every rank's results (rank r's in its `take` order, all of equal length) back in the order they were
    /// taken from, the padding dropped: the first `count` items of the interleaving rank 0, 1, …, world − 1.
    public static func gather<T>(_ parts: [[T]], count: Int) -> [T] {
        guard let longest = parts.map(\.count).max() else { return [] }
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<longest {
            for part in parts where i < part.count {
                if out.count == count { return out }
                out.append(part[i])
            }
        }
        return out
    }
}
