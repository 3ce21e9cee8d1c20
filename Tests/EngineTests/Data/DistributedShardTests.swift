import XCTest
@testable import EngineData

/// mmaction2's `DistributedSampler` sharding and `collect_results_cpu` gathering, worked out by hand.
final class DistributedShardTests: XCTestCase {
    func testShardsArePaddedWithTheFirstItemsAndStrided() {
        // 10 items on 3 ranks: total 12, padded with items 0 and 1; rank r takes r, r+3, r+6, r+9.
        let order = Array(0..<10)
        XCTAssertEqual(DistributedShard(rank: 0, world: 3).take(order), [0, 3, 6, 9])
        XCTAssertEqual(DistributedShard(rank: 1, world: 3).take(order), [1, 4, 7, 0])
        XCTAssertEqual(DistributedShard(rank: 2, world: 3).take(order), [2, 5, 8, 1])
        XCTAssertEqual(DistributedShard(rank: 2, world: 3).perRank(10), 4)
        // A shuffled order is sharded as it is, not re-sorted.
        XCTAssertEqual(DistributedShard(rank: 1, world: 2).take([7, 2, 9, 4, 0]), [2, 4, 7])
        XCTAssertEqual(DistributedShard.single.take(order), order)
        // Fewer items than ranks: the order repeats (mmaction2 fails an assertion here).
        XCTAssertEqual((0..<4).map { DistributedShard(rank: $0, world: 4).take([5, 6]) }, [[5], [6], [5], [6]])
        XCTAssertEqual(DistributedShard(rank: 0, world: 2).take([Int]()), [])
    }

    func testGatherUndoesTheShardsAndDropsThePadding() {
        var seed: UInt64 = 7
        for count in [1, 2, 5, 10, 17] {
            for world in 1...5 {
                var order = Array(0..<count)
                for i in stride(from: count - 1, to: 0, by: -1) {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    order.swapAt(i, Int(seed >> 33) % (i + 1))
                }
                let parts = (0..<world).map { DistributedShard(rank: $0, world: world).take(order) }
                XCTAssertEqual(Set(parts.map(\.count)), [(count + world - 1) / world], "equal shards")
                XCTAssertEqual(DistributedShard.gather(parts, count: count), order, "\(count) items on \(world) ranks")
            }
        }
    }

    func testLoaderTakesItsRanksShard() throws {
        let fx = try FrameFixture(videos: 5, frames: 4, width: 16, height: 16)
        let ds = try fx.dataset("[dict(type='SampleFrames', clip_len=1, num_clips=2), dict(type='RawFrameDecode')]")
        let whole = Loader(dataset: ds, batchSize: 2, workers: 0, shuffle: true, seed: 5)
        let ranks = (0..<2).map { Loader(dataset: ds, batchSize: 2, workers: 0, shuffle: true, seed: 5,
                                         shard: DistributedShard(rank: $0, world: 2)) }
        for epoch in 0..<3 {
            let order = whole.order(epoch: epoch)
            XCTAssertEqual(ranks[0].order(epoch: epoch), [order[0], order[2], order[4]])
            XCTAssertEqual(ranks[1].order(epoch: epoch), [order[1], order[3], order[0]])
        }
        XCTAssertEqual(ranks.map(\.batchesPerEpoch), [2, 2], "3 items a rank in batches of 2")
        var seen: [Int] = []
        let e = ranks[1].epoch(0)
        while let b = try e.next() { seen += b.indices }
        XCTAssertEqual(seen, ranks[1].order(epoch: 0))
    }
}
