import XCTest
@testable import EngineCore
@testable import EngineDistributed
@testable import EngineTraining

/// Data parallelism inside one process: two ranks on two threads (`ThreadedWorld`), so SyncBN and the gradient
/// buckets are checked against one process on the whole batch without MPI (the CLI tests run the real thing under
/// mpirun).
final class DataParallelTests: XCTestCase {
    private var savedWorkers = Parallel.workers
    override func setUp() { savedWorkers = Parallel.workers; Parallel.workers = 1 }   // two ranks, one pool: run inline
    override func tearDown() { Parallel.workers = savedWorkers }

    /// Channel-major C×N×rest: the images `range` of every channel.
    func images(_ t: Tensor, _ range: Range<Int>) -> Tensor {
        let c = t.shape[0], n = t.shape[1], inner = t.count / (c * n)
        let v = t.scalars
        var out: [Float] = []
        for ch in 0..<c { out += v[(ch * n + range.lowerBound) * inner..<(ch * n + range.upperBound) * inner] }
        return Tensor(shape: [c, range.count] + Array(t.shape.dropFirst(2)), values: out)
    }

    final class Identity: StatisticsSynchronizer { func sum(_ values: UnsafeMutableBufferPointer<Double>) {} }

    final class Member: StatisticsSynchronizer {
        let group: ThreadedWorld.Rank
        init(_ group: ThreadedWorld.Rank) { self.group = group }
        func sum(_ values: UnsafeMutableBufferPointer<Double>) { group.allreduceSum(values) }
    }

    /// SyncBN in a world of one takes its own code path (statistics summed, then normalised): its gradients by
    /// finite differences.
    func testSyncBatchNormGradientsInAWorldOfOne() {
        let bn = BatchNorm(3, dims: 2)
        bn.synchronizer = Identity()
        bn.weight.value = GradientCheck.random([3], seed: 1, range: 0.5...1.5)
        bn.bias.value = GradientCheck.random([3], seed: 2)
        GradientCheck.check(bn, input: GradientCheck.random([3, 2, 3, 4], seed: 3), h: 1e-2, atol: 5e-3, rtol: 3e-2)
    }

    /// Two ranks × 2 images with SyncBN normalise, update the running statistics and back-propagate as one BN over
    /// the 4 images; γ and β get each rank's share (their sum is the whole batch's gradient).
    func testSyncBatchNormOnTwoRanksEqualsOneBatchNormOnTheWholeBatch() {
        let x = GradientCheck.random([3, 4, 3, 5], seed: 11, range: -2...3), dy = GradientCheck.random([3, 4, 3, 5], seed: 12)
        let whole = BatchNorm(3)
        whole.weight.value = GradientCheck.random([3], seed: 1, range: 0.5...1.5)
        let y = whole.forward(x), dx = whole.backward(dy)

        let world = ThreadedWorld(size: 2)
        let layers = (0..<2).map { r -> BatchNorm in
            let bn = BatchNorm(3)
            bn.weight.value = whole.weight.value
            bn.synchronizer = Member(ThreadedWorld.Rank(world, rank: r))
            return bn
        }
        var ys = [Tensor](repeating: Tensor.zeros([0]), count: 2), dxs = ys
        let lock = NSLock()
        world.run { r in
            let part = r * 2..<(r * 2 + 2)
            let yr = layers[r].forward(self.images(x, part))
            let dxr = layers[r].backward(self.images(dy, part))
            lock.lock(); ys[r] = yr; dxs[r] = dxr; lock.unlock()
        }
        for r in 0..<2 {
            let part = r * 2..<(r * 2 + 2)
            XCTAssertLessThan(maxDiff(ys[r], images(y, part)), 1e-5)
            XCTAssertLessThan(maxDiff(dxs[r], images(dx, part)), 1e-5)
            XCTAssertLessThan(maxDiff(layers[r].runningMean.tensor, whole.runningMean.tensor), 1e-6)
            XCTAssertLessThan(maxDiff(layers[r].runningVar.tensor, whole.runningVar.tensor), 1e-6, "unbiased over all 4 images")
        }
        let dGamma = zip(layers[0].weight.grad.scalars, layers[1].weight.grad.scalars).map { $0 + $1 }
        let dBeta = zip(layers[0].bias.grad.scalars, layers[1].bias.grad.scalars).map { $0 + $1 }
        XCTAssertLessThan(maxDiff(Tensor(shape: [3], values: dGamma), whole.weight.grad), 1e-5)
        XCTAssertLessThan(maxDiff(Tensor(shape: [3], values: dBeta), whole.bias.grad), 1e-5)
    }

    /// Buckets of at most 12 floats start while the backward runs (from `gradientReady`) and in
    /// bucket order; after `finish` every gradient is the two ranks' average, and a parameter the backward never
    /// reached is reduced too (as zero) instead of leaving the other rank waiting.
    func testGradientBucketsAverageEveryGradientAcrossRanks() {
        let world = ThreadedWorld(size: 2)
        let models = (0..<2).map { _ in (Linear(4, 3), Linear(3, 2), Linear(2, 2)) }   // the third is never used
        for (a, b, c) in models.dropFirst() {
            a.weight.value = models[0].0.weight.value; b.weight.value = models[0].1.weight.value
            c.weight.value = models[0].2.weight.value
        }
        let inputs = (0..<2).map { GradientCheck.random([5, 4], seed: 20 + UInt64($0)) }
        let dys = (0..<2).map { GradientCheck.random([5, 2], seed: 30 + UInt64($0)) }
        func params(_ r: Int) -> [Parameter] {
            let (a, b, c) = models[r]
            // Registration order, the unused layer first: buckets go in reverse, so b's and a's start during the
            // backward and c's (never ready) wait for `finish`.
            return [c.weight, c.bias!, a.weight, a.bias!, b.weight, b.bias!]
        }
        func step(_ r: Int) {
            let (a, b, _) = models[r]
            for p in params(r) { p.grad = Tensor.zeros(p.shape) }
            _ = a.backward(b.backward(dys[r]))
        }
        // Reference: each rank's gradients alone, then averaged by hand.
        var expected: [[Float]] = []
        for r in 0..<2 {
            _ = models[r].1.forward(models[r].0.forward(inputs[r]))
            step(r)
            expected.append(params(r).flatMap(\.grad.scalars))
        }
        let average = zip(expected[0], expected[1]).map { ($0 + $1) / 2 }

        var results = [[Float]](repeating: [], count: 2)
        let lock = NSLock()
        world.run { r in
            let rank = ThreadedWorld.Rank(world, rank: r)
            let buckets = GradientBuckets(parameters: params(r), capBytes: 12 * 4, group: rank)
            XCTAssertEqual(buckets.bucketSizes, [2 + 6 + 3, 12, 2 + 4], "reverse order, packed up to 12 floats (b, then a.bias; a.weight; c)")
            _ = models[r].1.forward(models[r].0.forward(inputs[r]))
            buckets.begin()
            step(r)
            XCTAssertEqual(rank.started, 2, "b's and a's buckets start during the backward")
            buckets.finish()
            XCTAssertEqual(rank.started, 3)
            lock.lock(); results[r] = params(r).flatMap(\.grad.scalars); lock.unlock()
        }
        for r in 0..<2 {
            XCTAssertEqual(results[r].count, average.count)
            XCTAssertLessThan(zip(results[r], average).map { abs($0 - $1) }.max() ?? 1, 1e-6)
        }
    }

    func maxDiff(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.count == b.count, "\(a.shape) vs \(b.shape)")
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }
}
