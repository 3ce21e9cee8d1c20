import Engine
import Foundation

/// Watch mode: follows the newest `.log.json` of a work dir and turns its records into `RunEvent`s, so the
/// dashboard shows a run started elsewhere with the same code as a live one.
public final class LogTail {
    public let workDir: String
    private var path: String?
    private var offset: UInt64 = 0
    private var partial = ""
    private var started = false

    public init(workDir: String) { self.workDir = workDir }

    public func poll() -> [RunEvent] {
        let fm = FileManager.default
        let newest = ((try? fm.contentsOfDirectory(atPath: workDir)) ?? []).filter { $0.hasSuffix(".log.json") }.sorted().last
            .map { (workDir as NSString).appendingPathComponent($0) }
        if newest != path { path = newest; offset = 0; partial = ""; started = false }
        guard let path, let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        try? h.seek(toOffset: offset)
        // The throwing read: Foundation's readDataToEndOfFile() ends the process on a read error (EIO, EISDIR).
        guard let data = try? h.readToEnd() ?? Data() else { return [] }
        offset += UInt64(data.count)
        partial += String(decoding: data, as: UTF8.self)
        var lines = partial.components(separatedBy: "\n")
        partial = lines.removeLast()
        return lines.compactMap(event)
    }

    func event(_ line: String) -> RunEvent? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        guard let mode = obj["mode"] as? String else {
            started = true
            let seed = (obj["seed"] as? Int).map(UInt64.init) ?? 0
            return .started(RunInfo(workDir: workDir, configName: obj["config_name"] as? String ?? "", byEpoch: true, maxEpochs: 0,
                                    maxIters: 0, itersPerEpoch: 0, startEpoch: 0, startIter: 0, seed: seed, hookOrder: []))
        }
        let epoch = obj["epoch"] as? Int ?? 1, iter = obj["iter"] as? Int ?? 0
        let skip: Set<String> = ["mode", "epoch", "iter", "lr", "memory", "time", "data_time"]
        let metrics = obj.keys.filter { !skip.contains($0) }.sorted().compactMap { k in (obj[k] as? Double).map { (key: k, value: $0) } }
        if mode == "val" {
            return .evaluated(EvalRecord(epoch: epoch, iter: iter, metrics: metrics, bestKey: nil, bestScore: nil, isNewBest: false))
        }
        var r = IterationRecord(epoch: epoch - 1, iter: iter, innerIter: iter - 1, lr: obj["lr"] as? Double ?? 0)
        r.loss = obj["loss"] as? Double ?? .nan
        r.time = obj["time"] as? Double ?? 0
        r.dataTime = obj["data_time"] as? Double ?? 0
        for (k, v) in metrics { r.values[k] = v }
        return .iteration(r)
    }
}
