import EngineCore
import EngineData
import EngineTraining

/// The dashboard's picture of a run, folded from `RunEvent`s: live from the engine, or replayed and followed from the
/// work dir's `events.jsonl` in watch mode (`EventFollower`), through the same `apply`.
public struct RunView: Sendable {
    public enum Status: Equatable, Sendable {
        case idle, starting, running, paused, stopping, finished, stopped, failed(String)
        public var label: String {
            switch self {
            case .idle: "idle"; case .starting: "starting"; case .running: "running"; case .paused: "paused"
            case .stopping: "stopping"; case .finished: "finished"; case .stopped: "stopped"; case .failed: "failed"
            }
        }
        public var isActive: Bool { self == .running || self == .paused || self == .starting || self == .stopping }
    }
    public var status = Status.idle
    public var info: RunInfo?
    public var epoch = 0, iter = 0, innerIter = 0
    public var losses: [Double] = []
    public var lrs: [Double] = []
    public var evals: [EvalRecord] = []
    public var checkpoints: [CheckpointRecord] = []
    public var time = 0.0, dataTime = 0.0, clipsPerSecond = 0.0
    public var memory: Int?
    /// A data-parallel run's last iteration, rank by rank (empty for one process).
    public var ranks: [RankFigures] = []
    public var log: [String] = []
    /// Lines dropped from the front of `log` (it keeps the last 5000): line numbers since the log began are `logDropped` + index.
    public var logDropped = 0
    /// Why the run ended (`RunSummary.reason` or the failure), shown beside the final state.
    public var endReason: String?
    private var recent: [(Double, Int)] = []

    public init() {}

    public var smoothedLosses: [Double] {
        var out: [Double] = [], s: Double?
        for l in losses { s = s.map { 0.9 * $0 + 0.1 * l } ?? l; out.append(s!) }
        return out
    }

    public mutating func apply(_ event: RunEvent) {
        switch event {
        case .started(let i):
            info = i; status = .running; epoch = i.startEpoch; iter = i.startIter
        case .iteration(let r):
            epoch = r.epoch; iter = r.iter + 1; innerIter = r.innerIter + 1
            losses.append(r.loss); lrs.append(r.lr)
            time = r.time; dataTime = r.dataTime; ranks = r.ranks
            recent.append((r.time, r.batchSize * max(1, r.ranks.count)))   // a data-parallel step: every rank's clips
            if recent.count > 20 { recent.removeFirst() }
            let t = recent.reduce(0) { $0 + $1.0 }
            clipsPerSecond = t > 0 ? Double(recent.reduce(0) { $0 + $1.1 }) / t : 0
        case .logged(let r): if r.memory != nil { memory = r.memory }
        case .evaluated(let e): evals.append(e)
        case .checkpointSaved(let c):
            // The files the run has now: a path saved again replaces its entry, a deleted one goes.
            checkpoints.removeAll { $0.path == c.path }
            checkpoints.append(c)
        case .checkpointDeleted(let path): checkpoints.removeAll { $0.path == path }
        case .epochFinished(let e, let i): epoch = e; iter = i; innerIter = 0
        case .valEpoch: break   // its val record arrives as `.logged`
        case .paused: status = .paused
        case .resumed: status = .running
        case .message(let m): log.append(contentsOf: m.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        case .finished(let s):
            status = s.ending == .completed ? .finished : .stopped
            endReason = s.reason
        case .failed(let f): status = .failed(f.description); endReason = f.description; log.append("ERROR: \(f)")
        }
        if log.count > 5000 { logDropped += log.count - 5000; log.removeFirst(log.count - 5000) }
    }

    public var bestEval: (index: Int, record: EvalRecord)? {
        guard let key = evals.last?.bestKey else { return nil }
        var best: (Int, EvalRecord)?
        for (i, e) in evals.enumerated() where e.isNewBest { best = (i, e) }
        _ = key
        return best.map { (index: $0.0, record: $0.1) }
    }
}
