import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// LR schedules against the worked examples of SEMANTICS.md §3.3 and the formulas of §3.1–3.2.
final class LRScheduleTests: XCTestCase {
    func schedule(_ text: String, byEpoch: Bool = true) throws -> LRSchedule {
        let t = "lr_config = \(text)\n"
        let c = try ConfigLoader(read: { _ in t }).load("/lr.py")
        return try LRSchedule(lrConfig: c.root["lr_config"]!, files: c.files, defaultByEpoch: byEpoch)
    }

    func error(_ text: String) -> String {
        do { _ = try schedule(text); return "no error" } catch { return "\(error)" }
    }

    /// Example 1: step=[40, 80] over 100 epochs; and step=10 (an int).
    func testStepEpochMode() throws {
        let s = try schedule("dict(policy='step', step=[40, 80])")
        let at = { (e: Int) in s.lr(base: 0.01, epoch: e, iter: e * 500, maxEpochs: 100, maxIters: 50_000, itersPerEpoch: 500) }
        XCTAssertEqual(at(0), 0.01, accuracy: 1e-15)
        XCTAssertEqual(at(39), 0.01, accuracy: 1e-15)
        XCTAssertEqual(at(40), 0.001, accuracy: 1e-15)
        XCTAssertEqual(at(79), 0.001, accuracy: 1e-15)
        XCTAssertEqual(at(80), 0.0001, accuracy: 1e-15)
        let every = try schedule("dict(policy='step', step=10)")
        XCTAssertEqual(every.lr(base: 0.01, epoch: 9, iter: 0, maxEpochs: 20, maxIters: 0, itersPerEpoch: 1), 0.01, accuracy: 1e-15)
        XCTAssertEqual(every.lr(base: 0.01, epoch: 10, iter: 0, maxEpochs: 20, maxIters: 0, itersPerEpoch: 1), 0.001, accuracy: 1e-15)
        let floor = try schedule("dict(policy='step', step=[1, 2], min_lr=0.0005)")
        XCTAssertEqual(floor.lr(base: 0.01, epoch: 2, iter: 0, maxEpochs: 3, maxIters: 0, itersPerEpoch: 1), 0.0005, accuracy: 1e-15)
    }

    /// step=[] (tsn_r50_1x1x3_75e_ucf101_rgb.py): mmcv's StepLrUpdaterHook accepts it and never decays, so only the
    /// warmup moves the LR. Reel refused it ("step values must be positive"); an int or an entry ≤ 0 still is.
    func testAnEmptyStepListNeverDecays() throws {
        let s = try schedule("dict(policy='step', step=[], warmup='linear', warmup_iters=10, warmup_ratio=0.1)")
        let at = { (i: Int) in s.lr(base: 0.01, epoch: i / 100, iter: i, maxEpochs: 75, maxIters: 7500, itersPerEpoch: 100) }
        XCTAssertEqual(at(0), 0.001, accuracy: 1e-12)
        XCTAssertEqual(at(10), 0.01, accuracy: 1e-15)
        XCTAssertEqual(at(7499), 0.01, accuracy: 1e-15)
        XCTAssertTrue(error("dict(policy='step', step=0)").contains("step values must be positive"))
        XCTAssertTrue(error("dict(policy='step', step=[0, 3])").contains("step values must be positive"))
    }

    /// Example 2: linear warmup by epoch, W = 10 epochs × 500 = 5000 iterations.
    func testLinearWarmupByEpoch() throws {
        let s = try schedule("dict(policy='step', step=[90, 130], warmup='linear', warmup_by_epoch=True, warmup_iters=10, warmup_ratio=0.1)")
        XCTAssertEqual(s.warmupLength(itersPerEpoch: 500), 5000)
        let at = { (i: Int) in s.lr(base: 0.01, epoch: i / 500, iter: i, maxEpochs: 150, maxIters: 75_000, itersPerEpoch: 500) }
        XCTAssertEqual(at(0), 0.001, accuracy: 1e-12)
        XCTAssertEqual(at(1), 0.0010018, accuracy: 1e-12)
        XCTAssertEqual(at(2500), 0.0055, accuracy: 1e-12)
        XCTAssertEqual(at(4999), 0.0099982, accuracy: 1e-12)
        XCTAssertEqual(at(5000), 0.01, accuracy: 1e-15)
        XCTAssertEqual(at(90 * 500), 0.001, accuracy: 1e-15)
    }

    /// Example 3: cosine by iteration with linear warmup of 100 iterations, max_iters 1000, lr 0.1.
    func testCosineByIterationWithWarmup() throws {
        let s = try schedule("dict(policy='CosineAnnealing', by_epoch=False, min_lr=0, warmup='linear', warmup_iters=100, warmup_ratio=0.1)")
        let at = { (i: Int) in s.lr(base: 0.1, epoch: 0, iter: i, maxEpochs: 1, maxIters: 1000, itersPerEpoch: 1000) }
        XCTAssertEqual(at(0), 0.01, accuracy: 1e-12)
        XCTAssertEqual(at(50), 0.0546614, accuracy: 1e-7)
        XCTAssertEqual(at(99), 0.0967227, accuracy: 1e-7)
        XCTAssertEqual(at(100), 0.0975528, accuracy: 1e-7)
        XCTAssertEqual(at(500), 0.05, accuracy: 1e-12)
        XCTAssertEqual(at(999), 2.4674e-7, accuracy: 1e-11)
        // Epoch mode never reaches min_lr: 100 epochs, b = 0.01 → 2.467e-6 at epoch 99.
        let e = try schedule("dict(policy='CosineAnnealing', min_lr=0)")
        XCTAssertEqual(e.lr(base: 0.01, epoch: 50, iter: 0, maxEpochs: 100, maxIters: 0, itersPerEpoch: 1), 0.005, accuracy: 1e-15)
        XCTAssertEqual(e.lr(base: 0.01, epoch: 99, iter: 0, maxEpochs: 100, maxIters: 0, itersPerEpoch: 1), 2.467e-6, accuracy: 1e-9)
    }

    /// Example 4: exp warmup on a fixed LR 0.1, ratio 0.1, W = 100; and constant warmup.
    func testExpAndConstantWarmup() throws {
        let s = try schedule("dict(policy='fixed', warmup='exp', warmup_iters=100, warmup_ratio=0.1)")
        let at = { (i: Int) in s.lr(base: 0.1, epoch: 0, iter: i, maxEpochs: 1, maxIters: 1000, itersPerEpoch: 1000) }
        XCTAssertEqual(at(0), 0.01, accuracy: 1e-12)
        XCTAssertEqual(at(50), 0.0316228, accuracy: 1e-7)
        XCTAssertEqual(at(99), 0.0977237, accuracy: 1e-7)
        XCTAssertEqual(at(100), 0.1, accuracy: 1e-15)
        let c = try schedule("dict(policy='fixed', warmup='constant', warmup_iters=3, warmup_ratio=0.5)")
        XCTAssertEqual(c.values(base: 0.2, maxEpochs: 1, itersPerEpoch: 5), [0.1, 0.1, 0.1, 0.2, 0.2])
    }

    /// Example 5: CosineRestart periods [5, 10, 15], weights [1, 1, 0.5], min_lr_ratio 0.1, b = 1.
    func testCosineRestart() throws {
        let s = try schedule("dict(policy='CosineRestart', periods=[5, 10, 15], restart_weights=[1, 1, 0.5], min_lr_ratio=0.1)")
        let at = { (e: Int) in s.lr(base: 1, epoch: e, iter: 0, maxEpochs: 30, maxIters: 0, itersPerEpoch: 1) }
        for (e, v) in [(0, 1.0), (4, 0.185942), (5, 1.0), (14, 0.122025), (15, 0.55), (29, 0.104917)] {
            XCTAssertEqual(at(e), v, accuracy: 1e-6, "epoch \(e)")
        }
        XCTAssertEqual(s.problem(maxEpochs: 31, maxIters: 0), "CosineRestart periods cover 30 epochs of 31")
        XCTAssertNil(s.problem(maxEpochs: 30, maxIters: 0))
    }

    /// Formulas of §3.2 for the other policies, evaluated by hand.
    func testOtherPolicies() throws {
        func at(_ s: LRSchedule, _ p: Int, max: Int = 10) -> Double {
            s.byEpoch ? s.lr(base: 0.1, epoch: p, iter: 0, maxEpochs: max, maxIters: 0, itersPerEpoch: 1)
                      : s.lr(base: 0.1, epoch: 0, iter: p, maxEpochs: 1, maxIters: max, itersPerEpoch: max)
        }
        XCTAssertEqual(at(try schedule("dict(policy='exp', gamma=0.9)"), 3), 0.1 * 0.729, accuracy: 1e-15)
        XCTAssertEqual(at(try schedule("dict(policy='poly', power=2.0, min_lr=0.01)"), 5), 0.09 * 0.25 + 0.01, accuracy: 1e-15)
        XCTAssertEqual(at(try schedule("dict(policy='inv', gamma=0.5, power=2.0)"), 2), 0.1 / 4, accuracy: 1e-15)
        XCTAssertEqual(at(try schedule("dict(policy='LinearAnnealing', min_lr_ratio=0.5)"), 4), 0.1 - 0.05 * 0.4, accuracy: 1e-15)
        // FlatCosineAnnealing: s = round_half_even(10 × 0.25) = 2 (not 3).
        let flat = try schedule("dict(policy='FlatCosineAnnealing', start_percent=0.25, min_lr=0)")
        XCTAssertEqual(at(flat, 1), 0.1)
        XCTAssertEqual(at(flat, 2), 0.1, accuracy: 1e-15)
        XCTAssertEqual(at(flat, 6), 0.05, accuracy: 1e-15)   // (6 − 2)/(10 − 2) = 0.5
        // Cyclic, 100 iterations, 1 cycle: up for 40 (cos from b to 10b), down for 60 to b·1e-4.
        let cyclic = try schedule("dict(policy='cyclic', by_epoch=False, target_ratio=(10, 1e-4), cyclic_times=1, step_ratio_up=0.4)")
        XCTAssertEqual(at(cyclic, 0, max: 100), 0.1, accuracy: 1e-15)
        XCTAssertEqual(at(cyclic, 20, max: 100), 0.55, accuracy: 1e-12)
        XCTAssertEqual(at(cyclic, 40, max: 100), 1.0, accuracy: 1e-12)
        XCTAssertEqual(at(cyclic, 70, max: 100), (1.0 + 1e-5) / 2, accuracy: 1e-12)
        // OneCycle: base becomes max_lr/25; phases end at 0.3·100 − 1 = 29 and 99.
        let one = try schedule("dict(policy='OneCycle', by_epoch=False, max_lr=1.0)")
        XCTAssertEqual(one.effectiveBase(0.5, group: 0), 0.04)
        XCTAssertEqual(at(one, 0, max: 100), 0.04, accuracy: 1e-15)
        XCTAssertEqual(at(one, 29, max: 100), 1.0, accuracy: 1e-12)
        XCTAssertEqual(at(one, 99, max: 100), 0.04 / 1e4, accuracy: 1e-15)
        XCTAssertEqual(at(one, 64, max: 100), LRSchedule.cosAnneal(1.0, 4e-6, 0.5), accuracy: 1e-12)
    }

    /// Cyclic and OneCycle without `by_epoch` schedule by iteration even in an epoch-based run (SEMANTICS.md §3.2):
    /// 10 epochs × 10 iterations, base 0.1, every value from the §3.2 formulas.
    func testCyclicAndOneCycleDefaultToIterationMode() throws {
        let cyclic = try schedule("dict(policy='cyclic')")   // target_ratio (10, 1e-4), up for 0.4 of 100 iterations
        XCTAssertFalse(cyclic.byEpoch)
        let c = cyclic.values(base: 0.1, maxEpochs: 10, itersPerEpoch: 10)
        XCTAssertEqual(c.count, 100)
        XCTAssertEqual(c[0], 0.1, accuracy: 1e-15)
        XCTAssertEqual(c[20], 0.55, accuracy: 1e-12)              // cos from b to 10b, halfway (inside epoch 2)
        XCTAssertEqual(c[25], 0.7222075445642904, accuracy: 1e-12) // 1.0 + 0.5·(0.1 − 1.0)·(1 + cos(π·25/40))
        XCTAssertEqual(c[40], 1.0, accuracy: 1e-12)
        XCTAssertEqual(c[70], 0.500005, accuracy: 1e-12)          // down to b·1e-4 = 1e-5, halfway
        let one = try schedule("dict(policy='OneCycle', max_lr=1.0)")
        XCTAssertFalse(one.byEpoch)
        let o = one.values(base: 0.5, maxEpochs: 10, itersPerEpoch: 10)   // base replaced by max_lr/25 = 0.04
        XCTAssertEqual(o[0], 0.04, accuracy: 1e-15)
        XCTAssertEqual(o[15], 0.5459866761210004, accuracy: 1e-12) // phase 1 ends at 29: 1 + 0.5·(0.04 − 1)·(1 + cos(π·15/29))
        XCTAssertEqual(o[29], 1.0, accuracy: 1e-12)
        XCTAssertEqual(o[64], 0.500002, accuracy: 1e-12)          // phase 2 (29 → 99) halfway, down to 4e-6
        XCTAssertEqual(o[99], 4e-6, accuracy: 1e-15)
        XCTAssertFalse(try schedule("dict(policy='OneCycle', max_lr=1.0, by_epoch=False)").byEpoch)
    }

    func testPolicyNamesAndErrorsAreMmcvs() throws {
        XCTAssertEqual(LRSchedule.resolve("step"), "Step")
        XCTAssertEqual(LRSchedule.resolve("CosineAnnealing"), "CosineAnnealing")
        XCTAssertEqual(LRSchedule.resolve("cosineannealing"), "Cosineannealing")
        XCTAssertTrue(error("dict(policy='cosineannealing', min_lr=0)").hasPrefix(
            "/lr.py:1:25: error: lr_config policy 'cosineannealing' resolves to CosineannealingLrUpdaterHook, which does not exist (did you mean 'CosineAnnealing'?)"),
            error("dict(policy='cosineannealing', min_lr=0)"))
        XCTAssertTrue(error("dict(policy='step', step=[3], gama=0.5)").contains("StepLrUpdaterHook has no argument 'gama' (did you mean 'gamma'?)"))
        XCTAssertTrue(error("dict(policy='CosineAnnealing', min_lr=0, min_lr_ratio=0.1)").contains("give only one of min_lr and min_lr_ratio"))
        XCTAssertTrue(error("dict(policy='cyclic', by_epoch=True)").hasPrefix(   // located at the True
                       "/lr.py:1:44: error: Cyclic schedules by iteration only: remove by_epoch=True (mmcv refuses it)"))
        XCTAssertTrue(error("dict(policy='OneCycle', max_lr=0.1, by_epoch=True)").hasPrefix(
                       "/lr.py:1:58: error: OneCycle schedules by iteration only: remove by_epoch=True (mmcv refuses it)"))
        XCTAssertTrue(error("dict(policy='step', step=[3], warmup='cosine', warmup_iters=5)").contains("warmup must be 'constant', 'linear' or 'exp'"))
        XCTAssertTrue(error("dict(policy='step', step=[3], warmup='linear')").contains("warmup_iters must be positive"))
        XCTAssertTrue(error("dict(policy='FlatCosineAnnealing', start_percent=1, min_lr=0)").contains("start_percent must be a float"))
        XCTAssertEqual(try schedule("dict(policy='step', step=[3])", byEpoch: false).byEpoch, false, "IterBasedRunner's default")
    }
}
