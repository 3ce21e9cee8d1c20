import EngineCore
import EngineDistributed
import Foundation

/// `reel bench --launcher mpi` (under `mpirun -np K`): the bench workload's train step as data-parallel training
/// runs it — each rank on its own batch of `videos_per_gpu` clips, gradients averaged in buckets overlapped with the
/// backward, the loss averaged — and what the communication costs.
///
/// Every rank runs the same fixed number of steps (a collective in every step: ranks cannot each pick their own
/// clean calls as `Benchmark.time` does), each step starting at a barrier, so a step's time is the slowest rank's.
public enum DataParallelBench {
    public struct Report: Sendable {
        public var world: Int
        public var clipsPerRank: Int
        public var threadsPerRank: Int
        /// Rank 0's step times (seconds), barrier to barrier.
        public var steps: [Double]
        /// Per step: the wait for the gradient all-reduce after the backward (what the overlap did not hide).
        public var exposed: [Double]
        /// The same buckets all-reduced blocking, one after the other, with nothing to overlap (seconds per step).
        public var blocking: [Double]
        /// Rank 0's step times with the same barrier before each step but no all-reduce: what lockstep alone costs
        /// (each step waits for the slower rank), the bound the communication is added to.
        public var lockstep: [Double]
        public var gradientElements: Int
        public var buckets: Int
        public var losses: [Double]

        static func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }
        public var stepMedian: Double { Self.median(steps) }
        public var clipsPerSecond: Double { Double(world * clipsPerRank) / stepMedian }
        public var exposedMedian: Double { Self.median(exposed) }
        public var blockingMedian: Double { Self.median(blocking) }
        public var lockstepClipsPerSecond: Double { Double(world * clipsPerRank) / Self.median(lockstep) }
        /// The share of the all-reduce time the backward hid: 1 − exposed / blocking.
        public var hidden: Double { blockingMedian > 0 ? max(0, 1 - exposedMedian / blockingMedian) : 0 }

        public func textLines() -> [String] {
            [String(format: "data-parallel  %d ranks × %d threads, %d clips per rank (%d per step)", world, threadsPerRank,
                    clipsPerRank, world * clipsPerRank),
             String(format: "train step     median %.1f ms, min %.1f ms over %d steps: %.2f clips/s in all", stepMedian * 1000,
                    (steps.min() ?? .nan) * 1000, steps.count, clipsPerSecond),
             String(format: "allreduce      %.2f M floats in %d buckets: %.1f ms blocking; %.1f ms left after the backward "
                    + "(the overlap hides %.0f %%; the wait includes the slower rank's lag)", Double(gradientElements) / 1e6,
                    buckets, blockingMedian * 1000, exposedMedian * 1000, hidden * 100),
             String(format: "lockstep       without the all-reduce: median %.1f ms, %.2f clips/s (the all-reduce costs %.1f %%)",
                    Self.median(lockstep) * 1000, lockstepClipsPerSecond, 100 * (1 - clipsPerSecond / lockstepClipsPerSecond)),
             String(format: "loss           %.4f → %.4f (the step learns)", losses.first ?? .nan, losses.last ?? .nan)]
        }

        public func jsonObject() -> [String: Any] {
            ["world": world, "clips_per_rank": clipsPerRank, "threads_per_rank": threadsPerRank,
             "train_step_ms_median": stepMedian * 1000, "train_step_ms_all": steps.map { $0 * 1000 },
             "clips_per_s": clipsPerSecond, "allreduce_blocking_ms_median": blockingMedian * 1000,
             "allreduce_exposed_ms_median": exposedMedian * 1000, "allreduce_hidden_fraction": hidden,
             "lockstep_step_ms_median": Self.median(lockstep) * 1000, "lockstep_clips_per_s": lockstepClipsPerSecond,
             "gradient_floats": gradientElements, "buckets": buckets, "loss_first": losses.first ?? .nan,
             "loss_last": losses.last ?? .nan]
        }
    }

    public static func run(_ w: BenchWorkload, group: any ProcessGroup, warmup: Int = 3, steps: Int = 10) -> Report {
        let parallel = DataParallel(group: group)
        parallel.attach(model: w.model, optimizer: w.optimizer, syncBatchNorm: false)
        var times: [Double] = [], exposed: [Double] = [], losses: [Double] = []
        func step() -> Double {
            w.optimizer.zeroGradients()
            let loss = parallel.trainStep(w.model, w.input, targets: w.targets).loss
            w.optimizer.step()
            return loss
        }
        for _ in 0..<warmup { losses.append(step()) }
        for _ in 0..<steps {
            group.barrier()
            let t0 = DispatchTime.now().uptimeNanoseconds
            losses.append(step())
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            exposed.append(parallel.lastExposedSeconds)
        }
        // The same steps in lockstep, gradients left per rank (the weights drift apart; only the time counts).
        var lockstep: [Double] = []
        for _ in 0..<steps {
            group.barrier()
            let t0 = DispatchTime.now().uptimeNanoseconds
            w.trainStep()
            lockstep.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        var blocking: [Double] = []
        for _ in 0..<steps {
            group.barrier()
            blocking.append(parallel.blockingReduceSeconds())
        }
        return Report(world: group.world, clipsPerRank: w.clips, threadsPerRank: Parallel.workers, steps: times,
                      exposed: exposed, blocking: blocking, lockstep: lockstep, gradientElements: parallel.gradientElements,
                      buckets: parallel.bucketSizes.count, losses: losses)
    }
}
