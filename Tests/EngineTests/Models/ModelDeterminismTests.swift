import XCTest
@testable import EngineCore

/// Under the dynamic chunk scheduler (issue 15) a whole model computes the same bits on every run, whichever thread
/// takes which chunk. (One worker and two give different bits, as before chunking: GEMM tiles of another width and
/// per-chunk weight-gradient sums round differently.)
final class ModelDeterminismTests: XCTestCase {
    static func model() throws -> Recognizer2D {
        try ModelTests.build("""
            model = dict(type='Recognizer2D',
                         backbone=dict(type='ResNetTSM', depth=18, base_channels=8, num_segments=4, shift_div=4),
                         cls_head=dict(type='TSMHead', num_classes=3, in_channels=64, num_segments=4, dropout_ratio=0,
                                       init_std=0.5))
            """, seed: 3)
    }
    static let input = GradientCheck.random([3, 4, 3, 32, 32], seed: 4)

    func gradientBits(workers: Int) throws -> [[UInt32]] {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = workers
        let model = try Self.model()
        model.zeroGradients()
        _ = model.trainStep(Self.input, labels: [0, 2, 1])
        return model.namedParameters().map { $0.1.grad.scalars.map(\.bitPattern) }
    }

    func testTrainingGradientsRepeatBitForBitWithTwoWorkers() throws {
        let first = try gradientBits(workers: 2)
        for _ in 0..<3 { XCTAssertEqual(try gradientBits(workers: 2), first) }
        XCTAssertEqual(try gradientBits(workers: 1), try gradientBits(workers: 1))
    }

    func testEvalForwardRepeatsBitForBitWithTwoWorkers() throws {
        func logits(_ workers: Int) throws -> [UInt32] {
            let saved = Parallel.workers
            defer { Parallel.workers = saved }
            Parallel.workers = workers
            let model = try Self.model()
            model.applyMode(training: false)
            return model.predict(Self.input).scalars.map(\.bitPattern)
        }
        let first = try logits(2)
        for _ in 0..<3 { XCTAssertEqual(try logits(2), first) }
    }
}
