import Foundation
#if canImport(Glibc)
import Glibc
import EngineCore
import EngineData
#endif

/// Turns SIGHUP, SIGINT and SIGTERM into a clean stop: the first one calls `onFirst` (which asks the run to finish
/// its iteration and save), a later one calls `onRepeat` (quit now). One instance per process.
///
/// A real handler writes the signal number into a pipe and a watcher thread acts on it. That way every thread
/// of the process may take the signal (OpenBLAS and the loader start threads before this is installed, so blocking
/// the signals and waiting for them in one thread cannot work), and the work done on a signal runs on an ordinary
/// thread instead of inside the handler. SIGPIPE is ignored: after a hangup the terminal is gone and writes to it
/// must fail with an error, not end the process before the checkpoint is saved.
///
/// SIGHUP already ignored when Reel starts (`nohup reel train …`) stays ignored, as nohup asks.
// Unchecked: `first`, `previous` and `writeEnd` are only touched with `lock` held (the signal handler itself only
// writes to the pipe, through the static `writeEnd`).
public final class StopSignals: @unchecked Sendable {
    public static let handled: [Int32] = [SIGHUP, SIGINT, SIGTERM]

    /// The exit status of a run stopped by `signal`: 128 + its number (129 SIGHUP, 130 SIGINT, 143 SIGTERM).
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    private let lock = NSLock()
    private var first: Int32?
    private let onFirst: @Sendable (Int32) -> Void
    private let onRepeat: @Sendable (Int32) -> Void
    private var previous: [(Int32, sigaction)] = []
    private var writeEnd: Int32 = -1

    /// The first signal received, if any.
    public var received: Int32? { lock.lock(); defer { lock.unlock() }; return first }

    /// Installs the handlers. `onRepeat` gets the first signal (so a second one exits with the same status).
    public init(onFirst: @escaping @Sendable (Int32) -> Void, onRepeat: @escaping @Sendable (Int32) -> Void) {
        self.onFirst = onFirst
        self.onRepeat = onRepeat
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The handler must never block: a full pipe just drops the byte (a stop is already pending then).
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        SignalPipe.writeEnd = fds[1]
        writeEnd = fds[1]
        let readEnd = fds[0]
        let thread = Thread { [self] in watch(readEnd) }
        thread.name = "reel-signals"
        thread.start()
        for sig in Self.handled {
            var old = sigaction()
            sigaction(sig, nil, &old)
            if sig == SIGHUP && Self.isIgnored(old) { continue }
            previous.append((sig, old))
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { s in
                var byte = UInt8(truncatingIfNeeded: s)
                _ = write(SignalPipe.writeEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            // SA_RESTART: reads and writes elsewhere in the process carry on instead of failing with EINTR.
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
    }

    /// Puts the previous handlers back and ends the watcher thread (for tests: a process normally keeps its
    /// handlers until it exits).
    public func cancel() {
        for (sig, old) in previous {
            var action = old
            sigaction(sig, &action, nil)
        }
        previous = []
        if writeEnd >= 0 { close(writeEnd); writeEnd = -1 }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Acts on the signals the handler forwards, one at a time.
    private func watch(_ fd: Int32) {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { close(fd); return }
            let sig = Int32(byte)
            lock.lock()
            let previous = first
            if previous == nil { first = sig }
            lock.unlock()
            if let previous { onRepeat(previous) } else { onFirst(sig) }
        }
    }
}

/// The pipe's write end, for the signal handler: a C handler cannot capture context, so this one value is global.
/// Written once before the handlers are installed, only read afterwards.
private enum SignalPipe {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
}
