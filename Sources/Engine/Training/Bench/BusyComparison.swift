import Foundation

/// `reel bench --busy`: the train step on a quiet machine against the same with one busy process beside it, in
/// alternating blocks within one run. Why in one run: on a shared machine whole minutes run faster or slower
/// together, so two separate runs compare the neighbours' load more than the busy process; alternating short blocks
/// puts both conditions in the same minutes. Every call counts (the clean-call filter would drop exactly the calls
/// the busy process slowed).
public enum BusyComparison {
    public struct Result: Sendable {
        public var quiet: Benchmark.Timing
        public var busy: Benchmark.Timing
        /// Busy over quiet median of all calls: 1 = unaffected, 2 = twice as slow.
        public var ratio: Double { busy.medianAll / quiet.medianAll }
    }

    /// One CPU-bound process (a shell spin loop, one thread), stopped by the returned closure.
    public static func startSpinner() throws -> () -> Void {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "while :; do :; done"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return { p.terminate(); p.waitUntilExit() }
    }

    /// `warmup` calls, then `rounds` × (a quiet block, a busy block) of `perBlock` calls each. The load gets a
    /// moment (`settle` s) to be scheduled before a busy block and to be gone before the next quiet one.
    public static func run(rounds: Int, perBlock: Int, warmup: Int = 3, settle: Double = 0.2,
                           startLoad: () throws -> () -> Void, _ body: () -> Void) throws -> Result {
        for _ in 0..<warmup { body() }
        var quiet: [Double] = [], busy: [Double] = []
        func block(_ into: inout [Double]) {
            for _ in 0..<perBlock {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                into.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
        }
        for _ in 0..<rounds {
            block(&quiet)
            let stop = try startLoad()
            Thread.sleep(forTimeInterval: settle)
            block(&busy)
            stop()
            Thread.sleep(forTimeInterval: settle)
        }
        return Result(quiet: Benchmark.Timing(clean: quiet, all: quiet), busy: Benchmark.Timing(clean: busy, all: busy))
    }
}
