import Foundation

/// The processes of one data-parallel job: this process's `rank` among `world`, and the collectives the trainer
/// needs (sum all-reduce of gradients and metrics, broadcast of rank 0's state, barrier). `SingleProcess` is the
/// world of one; `MPIProcessGroup` is an Open MPI job (`mpirun -np K reel …`).
public protocol ProcessGroup: AnyObject {
    var rank: Int { get }
    var world: Int { get }
    /// This process's rank among the ranks on its machine, and how many there are (threads are divided among them).
    var localRank: Int { get }
    var localWorld: Int { get }
    /// The machine's name, for messages naming a rank.
    var host: String { get }
    /// Replaces `values` on every rank with their sum over the ranks.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Replaces `bytes` on every rank with rank `root`'s (the same length everywhere).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int)
    func barrier()
    /// Starts summing `values` over the ranks in place without waiting (MPI_Iallreduce): `values` must stay valid
    /// and untouched until the returned reduction completes. Every rank starts the same reductions in the same order.
    func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction
    /// Ends the whole job at once, every rank, with `code` (after a rank failed: the others must not wait for it).
    func abort(code: Int32) -> Never
}

/// A non-blocking all-reduce in flight.
public protocol PendingReduction: AnyObject {
    /// Lets the reduction progress; true once it is complete (then its buffer holds the sum).
    func test() -> Bool
    /// Waits until the reduction is complete.
    func wait()
}

/// A reduction with nothing to wait for (one process).
public final class CompletedReduction: PendingReduction {
    public init() {}
    public func test() -> Bool { true }
    public func wait() {}
}

extension ProcessGroup {
    public func allreduceSum(_ values: inout [Float]) { values.withUnsafeMutableBufferPointer { allreduceSum($0) } }
    public func allreduceSum(_ values: inout [Double]) { values.withUnsafeMutableBufferPointer { allreduceSum($0) } }
    /// Whether this is the process that writes logs, the event stream and checkpoints.
    public var isMain: Bool { rank == 0 }
}

/// The world of one process: every collective is the identity.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var world: Int { 1 }
    public var localRank: Int { 0 }
    public var localWorld: Int { 1 }
    public var host: String { "localhost" }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}
    public func barrier() {}
    public func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction { CompletedReduction() }
    public func abort(code: Int32) -> Never { exit(code) }
}
