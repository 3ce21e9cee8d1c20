import ArgumentParser
import EngineCore
import EngineDistributed
import Foundation

/// mmaction2's `--launcher`: how the processes of a run were started. `none` is one process; `mpi` is one rank of
/// an Open MPI job (`mpirun -np K reel train … --launcher mpi`). mmaction2's `pytorch` and `slurm` launchers start
/// processes through torch.distributed, which Reel does not use: they are refused with the command that works.
enum Launcher: String, ExpressibleByArgument, CaseIterable {
    case none, mpi, pytorch, slurm

    /// This process's group: a world of one, or its rank in the Open MPI job. Also sets the compute threads: what
    /// `--threads` says, else the machine's cores divided among the ranks on it.
    func processGroup(threads: Int?) throws -> any ProcessGroup {
        let group: any ProcessGroup
        switch self {
        case .none:
            if let n = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"], let k = Int(n), k > 1 {
                throw ValidationError("this process is one of \(k) started by mpirun, but --launcher is none: every rank "
                                      + "would train alone into the same work dir; add --launcher mpi")
            }
            group = SingleProcess()
        case .mpi:
            do { group = try MPIProcessGroup() } catch let e as DistributedError { throw ValidationError(e.message) }
        case .pytorch, .slurm:
            throw ValidationError("--launcher \(rawValue) starts ranks through torch.distributed, which Reel does not use; "
                                  + "Reel's data-parallel training runs on Open MPI: mpirun -np K reel … --launcher mpi "
                                  + "(under Slurm: srun --mpi=pmix reel … --launcher mpi, or mpirun inside the allocation)")
        }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        Parallel.workers = max(1, threads ?? cores / max(1, group.localWorld))
        DistributedJob.group = group.world > 1 ? group : nil
        return group
    }
}

/// The Open MPI job this process is a rank of, once joined: a rank that fails must end the whole job at once
/// (`ExitStatus.fail`), or the other ranks would wait for it in their next collective forever.
enum DistributedJob {
    nonisolated(unsafe) static var group: (any ProcessGroup)?
}
