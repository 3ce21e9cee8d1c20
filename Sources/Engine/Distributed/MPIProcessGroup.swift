import CMPI
import Foundation

/// Why a distributed job cannot start.
public struct DistributedError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The ranks of an Open MPI job (`mpirun -np K reel …`), on `MPI_COMM_WORLD`.
///
/// MPI is initialised once per process, with `MPI_THREAD_SERIALIZED`: the collectives are called by one thread at a
/// time (the trainer's), while kernels and loader workers run on others. Errors keep MPI's default handler
/// (`MPI_ERRORS_ARE_FATAL`): a failed collective, or a rank that dies, aborts the whole job instead of leaving the
/// other ranks waiting in a collective forever.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let world: Int
    public let localRank: Int
    public let localWorld: Int
    public let host: String
    private let comm: MPI_Comm

    /// Whether this process was started by Open MPI's launcher (`mpirun`/`mpiexec`).
    public static var launchedByMPI: Bool { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil }

    /// Joins the job this process was launched in. Throws when it was not started by `mpirun`.
    public init() throws {
        guard Self.launchedByMPI else {
            throw DistributedError("--launcher mpi needs the process to be started by Open MPI: "
                                   + "mpirun -np K reel … --launcher mpi (with --allow-run-as-root as root)")
        }
        var initialised: Int32 = 0
        MPI_Initialized(&initialised)
        if initialised == 0 {
            var provided: Int32 = 0
            guard MPI_Init_thread(nil, nil, Int32(reel_mpi_thread_serialized()), &provided) == MPI_SUCCESS else {
                throw DistributedError("MPI_Init_thread failed")
            }
            guard provided >= Int32(reel_mpi_thread_serialized()) else {
                throw DistributedError("this Open MPI does not support MPI_THREAD_SERIALIZED (provided level \(provided))")
            }
            atexit { var done: Int32 = 0; MPI_Finalized(&done); if done == 0 { MPI_Finalize() } }
        }
        comm = reel_mpi_comm_world()
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &n)
        rank = Int(r); world = Int(n)
        var local = reel_mpi_comm_null()
        MPI_Comm_split_type(comm, Int32(reel_mpi_comm_type_shared()), r, reel_mpi_info_null(), &local)
        MPI_Comm_rank(local, &r)
        MPI_Comm_size(local, &n)
        localRank = Int(r); localWorld = Int(n)
        MPI_Comm_free(&local)
        var name = [CChar](repeating: 0, count: Int(reel_mpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        host = String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        MPI_Allreduce(reel_mpi_in_place(), base, Int32(values.count), reel_mpi_float(), reel_mpi_sum(), comm)
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        MPI_Allreduce(reel_mpi_in_place(), base, Int32(values.count), reel_mpi_double(), reel_mpi_sum(), comm)
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        MPI_Bcast(base, Int32(bytes.count), reel_mpi_byte(), Int32(root), comm)
    }

    public func barrier() { MPI_Barrier(comm) }

    public func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction {
        guard let base = values.baseAddress, values.count > 0 else { return CompletedReduction() }
        let pending = Reduction()
        MPI_Iallreduce(reel_mpi_in_place(), base, Int32(values.count), reel_mpi_float(), reel_mpi_sum(), comm, &pending.request)
        return pending
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)   // MPI_Abort does not return; this satisfies the type checker
    }

    /// An `MPI_Iallreduce` in flight.
    final class Reduction: PendingReduction {
        var request: MPI_Request? = reel_mpi_request_null()
        private var done = false
        func test() -> Bool {
            if !done {
                var flag: Int32 = 0
                MPI_Test(&request, &flag, reel_mpi_status_ignore())
                done = flag != 0
            }
            return done
        }
        func wait() {
            if !done { MPI_Wait(&request, reel_mpi_status_ignore()); done = true }
        }
    }
}
