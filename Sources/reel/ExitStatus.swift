import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// Reel's exit statuses, decided in this one place for every command and the dashboard:
///
/// - 0: success;
/// - 1: the run itself failed at run time (non-finite loss, a write failure such as a full disk, an internal error);
/// - 2: refused input — config, command line, checkpoint file, annotation or frame file: anything the user gave
///   that Reel cannot use;
/// - 129 / 130 / 143: stopped by SIGHUP / SIGINT / SIGTERM after saving (a second signal quits at once, unsaved,
///   with the same status).
///
/// A `RunFailure` is classified by its cause, so a bad frame found in the middle of an epoch is still refused input.
enum ExitStatus {
    static let success: Int32 = 0
    static let runFailed: Int32 = 1
    static let refusedInput: Int32 = 2

    /// The status `error` ends the program with.
    static func code(for error: Error) -> Int32 {
        switch error {
        case let failure as RunFailure: return failure.cause.map(code(for:)) ?? runFailed
        case is ConfigError, is ConfigErrors, is SafeTensors.FormatError, is CheckpointCommand.Unreadable,
             is any DataInputError, is PipelineError, is BuildCheck.Failure:
            return refusedInput
        case is FileWriteError: return runFailed
        default:
            // argument-parser's own: usage errors (64, ValidationError included) are refused input; --help is 0.
            let code = Reel.exitCode(for: error).rawValue
            return code == 64 ? refusedInput : code
        }
    }

    /// The message printed for `error` (nothing for --help/--version, which print to standard output).
    static func message(for error: Error) -> String {
        switch error {
        case let failure as RunFailure: return message(for: failure)
        case let e as ConfigError: return e.description
        case let e as ConfigErrors: return e.description
        case is SafeTensors.FormatError, is CheckpointCommand.Unreadable, is any DataInputError, is PipelineError,
             is FileWriteError, is BuildCheck.Failure:
            return "reel: \(error)"
        default: return Reel.fullMessage(for: error)
        }
    }

    /// A failed run: a write failure says where it stopped and which checkpoint is intact.
    static func message(for failure: RunFailure) -> String {
        if let write = failure.cause, write is FileWriteError {
            return "reel: \(write)" + (failure.iter.map { "; stopped at iteration \($0)" } ?? "")
                + (failure.lastCheckpoint.map { "; last checkpoint \($0) is intact" } ?? "; no checkpoint was saved yet")
        }
        return "reel: training failed: \(failure)"
    }

    /// Prints `error` and exits with its status.
    /// In a data-parallel job the message names the rank, and the whole job ends with it (MPI_Abort): the other
    /// ranks would otherwise wait for this one in their next collective.
    static func fail(with error: Error) -> Never {
        let code = code(for: error)
        let text = message(for: error)
        if code == success {
            print(text)   // --help, --version
        } else if let group = DistributedJob.group {
            printError("reel: rank \(group.rank) of \(group.world) on \(group.host) failed, stopping the job: "
                       + (text.hasPrefix("reel: ") ? String(text.dropFirst(6)) : text))
            group.abort(code: code)
        } else if !text.isEmpty {
            printError(text)
        }
        exit(code)
    }

    /// Prints how a signal stopped the run and exits with 128 + its number.
    static func stopped(by signal: Int32, iter: Int?, saved: String?) -> Never {
        printError("reel: stopped by \(StopSignals.name(of: signal))" + (iter.map { " at iteration \($0)" } ?? "")
                   + "; saved \(saved ?? "nothing")")
        exit(StopSignals.exitStatus(for: signal))
    }

    static func printError(_ text: String) {
        Console.write(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
    }
}

/// Several config problems reported together (`reel config check` lists every one, not just the first).
struct ConfigErrors: Error, CustomStringConvertible {
    var errors: [ConfigError]
    var description: String {
        let n = errors.filter { $0.severity == .error }.count
        return errors.map(\.description).joined(separator: "\n") + "\n\(n) error\(n == 1 ? "" : "s") found"
    }
}
