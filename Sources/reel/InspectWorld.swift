import ArgumentParser
import EngineDistributed
import Foundation

extension InspectCommand {
    /// `reel inspect world`: the data-parallel world this process sees (one process, or its rank in an Open MPI
    /// job), and a checked, timed sum all-reduce across it — the collective that averages gradients.
    struct World: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "world",
            abstract: "Show this process's rank in an Open MPI job and time a checked all-reduce across the ranks.",
            discussion: """
                Run under Open MPI: mpirun -np 2 reel inspect world (as root add --allow-run-as-root; more ranks \
                than cores: --oversubscribe). Every rank prints its line; rank 0 prints the all-reduce figures: \
                median time, algorithm bandwidth (bytes / time) and bus bandwidth (× 2(K−1)/K, as nccl-tests \
                reports it). Exit 1 if any rank's sum is wrong. Alone, it reports a world of one.
                """)

        @Option(help: "Floats in the all-reduced buffer (a ResNet-18's gradients are about 11.7 million).") var floats = 1 << 20
        @Option(help: "Timed all-reduces after two warm-ups.") var repeats = 20

        func validate() throws {
            guard floats > 0, floats <= 1 << 30 else { throw ValidationError("--floats must be 1 to 2^30") }
            guard repeats > 0 else { throw ValidationError("--repeats must be at least 1") }
        }

        func run() throws {
            let group: ProcessGroup = MPIProcessGroup.launchedByMPI ? try MPIProcessGroup() : SingleProcess()
            // One write, unbuffered, so the ranks' lines do not interleave mid-line.
            FileHandle.standardOutput.write(Data("rank \(group.rank) of \(group.world) on \(group.host) (local rank \(group.localRank) of \(group.localWorld))\n".utf8))
            // Rank r contributes (r + 1) · (i mod 7 + 1) at index i: exact in float for any realistic world.
            let k = group.world
            var buffer = [Float](repeating: 0, count: floats)
            var seconds: [Double] = []
            var wrong = 0
            for round in 0..<(repeats + 2) {
                for i in 0..<floats { buffer[i] = Float((group.rank + 1) * (i % 7 + 1)) }
                group.barrier()
                let start = DispatchTime.now().uptimeNanoseconds
                group.allreduceSum(&buffer)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if round >= 2 { seconds.append(elapsed) }
                let ranks = Float(k * (k + 1) / 2)
                wrong += (0..<floats).reduce(0) { $0 + (buffer[$1] == ranks * Float($1 % 7 + 1) ? 0 : 1) }
            }
            var totals = [Double(wrong)]
            group.allreduceSum(&totals)
            if group.isMain {
                let median = seconds.sorted()[seconds.count / 2]
                let bytes = Double(floats * MemoryLayout<Float>.size)
                let algbw = bytes / median / 1e9
                print(String(format: "allreduce %d floats (%.1f MB) over %d ranks: median %.3f ms, min %.3f ms; "
                             + "algbw %.2f GB/s, busbw %.2f GB/s; %@", floats, bytes / 1e6, k, median * 1000,
                             seconds.min()! * 1000, algbw, algbw * 2 * Double(k - 1) / Double(k),
                             totals[0] == 0 ? "every sum checked" : "\(Int(totals[0])) wrong sums" as NSString))
            }
            if totals[0] != 0 { throw ExitCode(1) }
        }
    }
}
