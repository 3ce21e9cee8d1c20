import Foundation
import EngineCore
import EngineData

/// mmcv's `TextLoggerHook` (SEMANTICS.md §3.8–3.9), as a logger of the run's events: it averages the iterations
/// every `interval` in a log buffer of its own and writes each record to `<timestamp>.log.json` (one record per
/// line, floats rounded to 5 decimals), which mmaction2's `analyze_logs.py` reads; the evaluations' metrics are
/// written as val records. Each record is also relayed to the run's other sinks as a `.logged` event and mmcv's
/// text line as a `.message` (which `TextLogFile` writes into `<timestamp>.log`, and the console and the
/// dashboard show).
///
/// Everything it writes is a function of the events: `.started` (the run's length; a resumed run's averaging
/// history), `.iteration`, `.evaluated` and `.epochFinished`. Its buffer is cleared where mmcv clears the shared
/// one: at each epoch's start and before a by-iteration evaluation. A failed write is kept for the runner, which
/// stops the run at the iteration boundary (`FileRecordingSink`).
public final class TextLoggerHook: RunLogger, RunEventRelay, FileRecordingSink {
    public var name: String { "TextLoggerHook" }
    public var priority: HookPriority { .veryLow }
    public var interval: Int
    public var ignoreLast = true
    /// mmcv's `reset_flag`, accepted: the buffer is this logger's own, so its output is always cleared once written.
    public var resetFlag = false
    public var byEpoch = true
    public let jsonPath: String
    /// The run's work dir, and where its logs are copied at the end (`TextLoggerHook+Upload`).
    let workDir: String
    public var outDir: String?
    public var outSuffix = [".log.json", ".log", ".py"]
    public var keepLocal = true
    private let jsonFile: AppendFile
    private let buffer = LogBuffer()
    private var timeSum = 0.0
    /// The run's length and start, from `.started`, for the text line's head and ETA.
    private var itersPerEpoch = 0, maxIters = 0, startIter = 0
    /// The latest iteration: the epoch a val record belongs to.
    private var last: IterationRecord?
    private var failure: Error?

    public init(workDir: String, timestamp: String, interval: Int = 10, byEpoch: Bool = true) throws {
        self.interval = interval
        self.byEpoch = byEpoch
        self.workDir = workDir
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        jsonPath = (workDir as NSString).appendingPathComponent("\(timestamp).log.json")
        jsonFile = try AppendFile(path: jsonPath)
    }

    /// Applies a `log_config.hooks` entry's arguments.
    public func configure(_ spec: LoggerHookSpec) {
        interval = spec.interval ?? interval
        ignoreLast = spec.ignoreLast
        resetFlag = spec.resetFlag
        byEpoch = spec.byEpoch ?? byEpoch
        outDir = spec.outDir
        outSuffix = spec.outSuffix
        keepLocal = spec.keepLocal
    }

    /// The first `.log.json` line: the run's meta (mmaction2 writes env_info, seed, config_name, work_dir).
    public func writeMeta(seed: UInt64, configName: String, workDir: String) throws {
        let env = "sys.platform: linux\nReel: \(ProcessInfo.processInfo.operatingSystemVersionString)\nCPU threads: \(Parallel.workers)"
        try jsonFile.write(JSONLine.encode([("env_info", .string(env)), ("seed", .int(Int(seed))),
                                            ("config_name", .string(configName)), ("work_dir", .string(workDir))]) + "\n")
    }

    public func takeWriteFailure() -> Error? {
        defer { failure = nil }
        return failure
    }

    public func relay(_ event: RunEvent) -> [RunEvent] {
        switch event {
        case .started(let info):
            itersPerEpoch = info.itersPerEpoch; maxIters = info.maxIters; startIter = info.startIter
            timeSum = 0
            last = nil
            buffer.clear()
            if let history = info.logHistory { buffer.restore(history) }
            return []
        case .epochFinished:
            buffer.clear()   // mmcv's loggers clear the buffer at every before_train_epoch
            return []
        case .iteration(let r):
            last = r
            buffer.append(r)
            let counter = byEpoch ? r.innerIter : r.iter
            // mmcv's every_n_iters (never for n ≤ 0), or the epoch's last iteration with ignore_last=False.
            guard (interval > 0 && (counter + 1) % interval == 0) || (byEpoch && r.innerIter + 1 == itersPerEpoch && !ignoreLast)
            else { return [] }
            buffer.average(interval)
            defer { buffer.clearOutput() }
            return write(LogRecord(mode: "train", epoch: r.epoch + 1, iter: byEpoch ? r.innerIter + 1 : r.iter + 1, lr: r.lr,
                                   memory: r.memory, values: buffer.output, step: r.iter + 1), iter: r.iter)
        case .evaluated(let e):
            switch e.trigger {
            case .beforeTraining: return []   // mmcv's logger has not started yet (SEMANTICS.md §2.4)
            case .iteration: buffer.clear()   // mmcv clears the buffer before a by-iteration evaluation
            case .epoch, .manual: break
            }
            // An epoch's evaluation belongs to that epoch; the others to the iteration they follow or sit in.
            let epoch = e.trigger == .epoch ? e.epoch : (last?.epoch ?? 0) + 1
            return write(LogRecord(mode: "val", epoch: epoch, iter: e.batches ?? 0, lr: e.lr ?? last?.lr ?? 0, memory: nil,
                                   values: e.metrics, step: e.step), iter: e.iter)
        case .valEpoch(let v):
            // mmcv's after_val_epoch: the average over the whole pass (its before_val_epoch cleared the buffer), the
            // record's epoch the completed train epochs and its iter the batch count (or iter+1 by iteration).
            buffer.clear()
            for r in v.iterations { buffer.append(r) }
            buffer.average()
            defer { buffer.clear() }   // the next train epoch starts with a clear buffer
            return write(LogRecord(mode: "val", epoch: v.epoch, iter: byEpoch ? v.iterations.count : v.iter + 1, lr: v.lr,
                                   memory: v.iterations.last?.memory, values: buffer.output, step: v.iter + 1), iter: v.iter)
        default:
            return []
        }
    }

    /// Appends `record` to the `.log.json` and returns it as the `.logged` event and its text line.
    private func write(_ record: LogRecord, iter: Int) -> [RunEvent] {
        var fields: [(String, JSONLine.Value)] = [("mode", .string(record.mode)), ("epoch", .int(record.epoch)),
                                                  ("iter", .int(record.iter)), ("lr", .double(JSONLine.round5(record.lr)))]
        if let memory = record.memory { fields.append(("memory", .int(memory))) }
        for (k, v) in record.values { fields.append((k, .double(JSONLine.round5(v)))) }
        do { try jsonFile.write(JSONLine.encode(fields) + "\n") } catch { if failure == nil { failure = error } }
        return [.logged(record), .message(textLine(record, iter: iter))]
    }

    /// mmcv's text line for `r`; `iter` is the run's global counter when it was written (0-based, for the ETA).
    func textLine(_ r: LogRecord, iter: Int) -> String {
        let skip: Set<String> = ["time", "data_time", "memory"]
        let rest = r.values.filter { !skip.contains($0.key) }.map { "\($0.key): \(String(format: "%.4f", $0.value))" }
        if r.mode == "val" {
            let head = byEpoch ? "Epoch(val) [\(r.epoch)][\(r.iter)]" : "Iter(val) [\(r.iter)]"
            return head + "\t" + rest.joined(separator: ", ")
        }
        let time = r.value("time") ?? 0
        timeSum += time * Double(interval)
        let done = iter - startIter + 1
        let eta = Int(timeSum / Double(max(1, done)) * Double(max(0, maxIters - iter - 1)))
        var parts = [String(format: "lr: %.3e", r.lr), "eta: \(Self.timedelta(eta))",
                     String(format: "time: %.3f", time), String(format: "data_time: %.3f", r.value("data_time") ?? 0)]
        if let m = r.memory { parts.append("memory: \(m)") }
        let head = byEpoch ? "Epoch [\(r.epoch)][\(r.iter)/\(itersPerEpoch)]" : "Iter [\(r.iter)/\(maxIters)]"
        return head + "\t" + (parts + rest).joined(separator: ", ")
    }

    /// Python's `str(timedelta(seconds=s))`: `1:02:03`, `2 days, 3:04:05`.
    static func timedelta(_ s: Int) -> String {
        let days = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60
        let clock = String(format: "%d:%02d:%02d", h, m, sec)
        return days > 0 ? "\(days) day\(days == 1 ? "" : "s"), \(clock)" : clock
    }
}

/// One line of mmcv's `.log.json`: an ordered object with Python's `json.dumps` spelling (", " and ": ").
public enum JSONLine {
    public enum Value { case int(Int), double(Double), string(String) }

    /// Python's `round(x, 5)`.
    public static func round5(_ x: Double) -> Double {
        guard x.isFinite else { return x }
        return (x * 1e5).rounded(.toNearestOrEven) / 1e5
    }

    public static func encode(_ fields: [(String, Value)]) -> String {
        "{" + fields.map { "\(quote($0.0)): \(text($0.1))" }.joined(separator: ", ") + "}"
    }

    static func text(_ v: Value) -> String {
        switch v {
        case .int(let i): return String(i)
        case .string(let s): return quote(s)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
            // Swift's shortest round-trip description matches Python's repr for doubles (0.01, 1e-05, 2.0).
            return "\(d)"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value > 0x7e { out += u.value > 0xffff ? surrogates(u.value) : String(format: "\\u%04x", u.value) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private static func surrogates(_ v: UInt32) -> String {
        let x = v - 0x10000
        return String(format: "\\u%04x\\u%04x", 0xD800 + (x >> 10), 0xDC00 + (x & 0x3FF))
    }
}

/// Peak resident memory of this process in MiB (the CPU counterpart of mmcv's peak CUDA memory).
public enum MemoryUsage {
    public static var peakMiB: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) / 1024   // Linux reports KiB
    }
}
