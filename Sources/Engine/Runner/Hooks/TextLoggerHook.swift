import Foundation

/// mmcv's `TextLoggerHook` (SEMANTICS.md §3.8–3.9): averages the log buffer every `interval` iterations, logs each
/// record as mmcv's text line (a `.message`, which `TextLogFile` writes into `<timestamp>.log` with every other
/// message of the run) and appends it to `<timestamp>.log.json` (one record per line, floats rounded to 5
/// decimals), which mmaction2's `analyze_logs.py` reads.
public final class TextLoggerHook: Hook {
    public var name: String { "TextLoggerHook" }
    public var priority: HookPriority { .veryLow }
    public var interval: Int
    public var ignoreLast = true
    public var resetFlag = false
    public var byEpoch = true
    public let jsonPath: String
    private let jsonFile: AppendFile
    private var timeSum = 0.0

    public init(workDir: String, timestamp: String, interval: Int = 10, byEpoch: Bool = true) throws {
        self.interval = interval
        self.byEpoch = byEpoch
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
    }

    /// The first `.log.json` line: the run's meta (mmaction2 writes env_info, seed, config_name, work_dir).
    public func writeMeta(seed: UInt64, configName: String, workDir: String) throws {
        let env = "sys.platform: linux\nReel: \(ProcessInfo.processInfo.operatingSystemVersionString)\nCPU threads: \(Parallel.workers)"
        try jsonFile.write(JSONLine.encode([("env_info", .string(env)), ("seed", .int(Int(seed))),
                                            ("config_name", .string(configName)), ("work_dir", .string(workDir))]) + "\n")
    }

    public func beforeRun(_ runner: Runner) throws { timeSum = 0 }

    public func afterTrainIter(_ runner: Runner) throws {
        let counter = byEpoch ? runner.innerIter : runner.iter
        if interval > 0 && (counter + 1) % interval == 0 {   // mmcv's every_n_iters: never for n ≤ 0
            runner.logBuffer.average(interval)
        } else if byEpoch && runner.innerIter + 1 == runner.itersPerEpoch && !ignoreLast {
            runner.logBuffer.average(interval)
        }
        if runner.logBuffer.ready {
            try writeRecord(runner)
            if resetFlag { runner.logBuffer.clearOutput() }
        }
    }

    public func afterTrainEpoch(_ runner: Runner) throws {
        if runner.logBuffer.ready {
            try writeRecord(runner)
            if resetFlag { runner.logBuffer.clearOutput() }
        }
    }

    /// Writes the buffer's output as a text line and a JSON record, and emits it as a `.logged` event.
    public func writeRecord(_ runner: Runner) throws {
        var values = runner.logBuffer.output
        let isTrain = values.contains { $0.key == "time" }
        var iterNumber = byEpoch ? runner.innerIter + 1 : runner.iter + 1
        if let i = values.firstIndex(where: { $0.key == "eval_iter_num" }) {
            iterNumber = Int(values[i].value)
            values.remove(at: i)
        }
        let memory = isTrain ? MemoryUsage.peakMiB : nil
        let record = LogRecord(mode: isTrain ? "train" : "val", epoch: runner.epoch + 1, iter: iterNumber, lr: runner.currentLR,
                               memory: memory, values: values, step: runner.iter + 1)
        runner.emit(.logged(record))
        runner.log(textLine(record, runner: runner))
        var fields: [(String, JSONLine.Value)] = [("mode", .string(record.mode)), ("epoch", .int(record.epoch)),
                                                  ("iter", .int(record.iter)), ("lr", .double(JSONLine.round5(record.lr)))]
        if let memory { fields.append(("memory", .int(memory))) }
        for (k, v) in values { fields.append((k, .double(JSONLine.round5(v)))) }
        try jsonFile.write(JSONLine.encode(fields) + "\n")
    }

    func textLine(_ r: LogRecord, runner: Runner) -> String {
        let skip: Set<String> = ["time", "data_time", "memory"]
        let rest = r.values.filter { !skip.contains($0.key) }.map { "\($0.key): \(String(format: "%.4f", $0.value))" }
        if r.mode == "val" {
            let head = byEpoch ? "Epoch(val) [\(r.epoch)][\(r.iter)]" : "Iter(val) [\(r.iter)]"
            return head + "\t" + rest.joined(separator: ", ")
        }
        let time = r.value("time") ?? 0
        timeSum += time * Double(interval)
        let done = runner.iter - runner.startIter + 1
        let eta = Int(timeSum / Double(max(1, done)) * Double(max(0, runner.maxIters - runner.iter - 1)))
        var parts = [String(format: "lr: %.3e", r.lr), "eta: \(Self.timedelta(eta))",
                     String(format: "time: %.3f", time), String(format: "data_time: %.3f", r.value("data_time") ?? 0)]
        if let m = r.memory { parts.append("memory: \(m)") }
        let head = byEpoch ? "Epoch [\(r.epoch)][\(r.iter)/\(runner.itersPerEpoch)]" : "Iter [\(r.iter)/\(runner.maxIters)]"
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
