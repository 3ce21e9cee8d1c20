import Config
import Foundation
import EngineCore
import EngineData

/// Measurements behind `reel bench`: sgemm GFLOP/s, per-layer convolution GFLOP/s, train-step and eval timings.
///
/// Timing follows ../shared/bench (ANCHORS.md): on a shared machine only *clean* calls count — calls during which
/// this process's threads waited on the run queue for at most 1 % of the call's wall time (from
/// /proc/self/task/*/schedstat) — and medians and minima are reported.
public enum Benchmark {
    /// One timed function: per-call seconds of the clean calls and of every call.
    public struct Timing: Sendable {
        public var clean: [Double]
        /// Every timed call, clean or not, in call order. On a busy machine the clean filter keeps only the calls
        /// that happened to run uncontended, hiding exactly the slowdown a busy-machine measurement is after.
        public var all: [Double]
        public var runs: Int { all.count }
        public init(clean: [Double], all: [Double]) { self.clean = clean; self.all = all }
        public var median: Double { Self.median(clean) }
        public var min: Double { clean.min() ?? .nan }
        /// The median over every call (torch_ref.py's `*_median_all`).
        public var medianAll: Double { Self.median(all) }
        static func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }
    }

    /// Total run-queue wait of this process's threads so far (ns), or nil where /proc is not available.
    static func runQueueDelay() -> UInt64? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        var total: UInt64 = 0
        for t in tasks {
            guard let s = try? String(contentsOfFile: "/proc/self/task/\(t)/schedstat", encoding: .utf8) else { continue }
            let fields = s.split(separator: " ")
            if fields.count >= 2, let d = UInt64(fields[1]) { total += d }
        }
        return total
    }

    /// Calls `body` `warmup` times, then until `clean` clean calls or `budget` seconds.
    public static func time(warmup: Int = 3, clean: Int = 10, budget: Double = 60, maxDelay: Double = 0.01,
                            _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var kept: [Double] = [], all: [Double] = []
        let deadline = Date().addingTimeInterval(budget)
        while kept.count < clean && Date() < deadline {
            let d0 = runQueueDelay()
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            let t1 = DispatchTime.now().uptimeNanoseconds
            let d1 = runQueueDelay()
            let wall = Double(t1 - t0) / 1e9
            all.append(wall)
            if let d0, let d1 {
                if Double(d1 - d0) / 1e9 <= maxDelay * wall { kept.append(wall) }
            } else {
                kept.append(wall)
            }
        }
        // A machine that never went quiet: report every call rather than nothing.
        return Timing(clean: kept.isEmpty ? all : kept, all: all)
    }

    /// cblas_sgemm GFLOP/s on n×n matrices.
    public static func sgemm(size n: Int) -> (gflops: Double, timing: Timing) {
        var rng = Philox(seed: 1)
        let a = Tensor.uniform([n, n], in: -1...1, rng: &rng), b = Tensor.uniform([n, n], in: -1...1, rng: &rng)
        var c = Tensor.zeros([n, n])
        let t = time(warmup: 2, clean: 5, budget: 10) {
            a.withData { ap in b.withData { bp in c.withMutableData { cp in
                GEMM.sgemm(m: n, n: n, k: n, a: ap, lda: n, b: bp, ldb: n, c: cp, ldc: n)
            } } }
        }
        return (2 * pow(Double(n), 3) / t.median / 1e9, t)
    }

    /// One convolution of the model, timed on its own with the input shape it saw in a training step.
    public struct LayerRow: Sendable {
        public var name: String
        public var shape: String
        /// "winograd", "plane" (whole-plane GEMM), "direct" or "im2col" (`Convolution.pathName`).
        public var algorithm: String
        /// Direct-convolution FLOPs (2·MACs of the definition), whatever the algorithm does.
        public var forwardGFLOP: Double
        public var backwardGFLOP: Double
        public var forward: Timing
        public var backward: Timing
        public var forwardGFLOPS: Double { forwardGFLOP / forward.median }
        public var backwardGFLOPS: Double { backwardGFLOP / backward.median }
    }

    /// Times every convolution of `model` after one training step has recorded their input shapes.
    public static func layers(of model: any Module, clean: Int = 5) -> [LayerRow] {
        var rows: [LayerRow] = []
        var rng = Philox(seed: 2)
        for (name, m) in model.namedModules() {
            guard let conv = m as? Convolution, let shape = conv.lastInputShape else { continue }
            let x = Tensor.uniform(shape, in: -1...1, rng: &rng)
            let y = conv.forward(x)
            let g = conv.geometry(for: x)
            let macs = Double(conv.outChannels) * Double(conv.inChannels / conv.groups) * Double(g.kernelVolume)
                * Double(g.images * g.outPlane)
            let fwd = time(warmup: 1, clean: clean, budget: 10) { _ = conv.forward(x) }
            let dy = Tensor.uniform(y.shape, in: -1...1, rng: &rng)
            let savedGrad = conv.weight.grad
            let bwd = time(warmup: 1, clean: clean, budget: 10) { _ = conv.forward(x); _ = conv.backward(dy) }
            conv.weight.grad = savedGrad
            // Backward timing includes a forward (backward needs its cache); subtract the forward median.
            var bwdOnly = bwd
            bwdOnly.clean = bwd.clean.map { max(1e-9, $0 - fwd.median) }
            rows.append(LayerRow(name: name, shape: "\(conv.outChannels)x\(conv.inChannels / conv.groups)x\(g.kernel.h)x\(g.kernel.w)/\(g.stride.h) on \(shape)",
                                 algorithm: conv.pathName(g),
                                 forwardGFLOP: 2 * macs / 1e9,
                                 backwardGFLOP: 2 * macs * (conv.computesInputGradient ? 2 : 1) / 1e9,
                                 forward: fwd, backward: bwdOnly))
        }
        return rows
    }
}
