import Foundation
import EngineCore
import EngineData

/// One line of `events.jsonl`, the run's complete record (docs/events.md): a `RunEvent` with the run it belongs to
/// and when it was written.
public struct RecordedEvent: Sendable, Equatable {
    /// `RunInfo.runID` of the run that wrote it.
    public var run: String
    /// Unix time in seconds when the line was written.
    public var wallTime: Double
    public var event: RunEvent
    public init(run: String, wallTime: Double, event: RunEvent) { self.run = run; self.wallTime = wallTime; self.event = event }
}

/// The versioned JSON Lines schema of `events.jsonl` (docs/events.md is the reference for every field):
/// `{"v":1,"type":"iteration","run":"…","wall_time":…,<the event's fields>}`, one object a line.
///
/// Version rule: readers ignore fields and types they do not know; a change that would mislead an old reader
/// (a field renamed, removed or changed in meaning or unit) bumps `v`, and readers skip lines of other versions.
public enum EventRecord {
    public static let version = 1
    public static let fileName = "events.jsonl"

    /// The `type` of each event (`.finished` is "finished" or "stopped" by its ending).
    public static func typeName(_ event: RunEvent) -> String {
        switch event {
        case .started: "started"
        case .iteration: "iteration"
        case .logged: "log"
        case .evaluated: "evaluation"
        case .checkpointSaved: "checkpoint_saved"
        case .checkpointDeleted: "checkpoint_deleted"
        case .epochFinished: "epoch_finished"
        case .valEpoch: "val_epoch"
        case .paused: "paused"
        case .resumed: "resumed"
        case .message: "message"
        case .finished(let s): s.ending == .completed ? "finished" : "stopped"
        case .failed: "failed"
        }
    }

    /// The line for `event` (without the newline).
    public static func encode(_ event: RunEvent, run: String, wallTime: Double) -> String {
        let head: [(key: String, value: JSONValue)] = [("v", .int(version)), ("type", .string(typeName(event))), ("run", .string(run)),
                                                       ("wall_time", .number((wallTime * 1000).rounded() / 1000))]
        return JSONValue.object(head + fields(event)).text
    }

    static func fields(_ event: RunEvent) -> [(key: String, value: JSONValue)] {
        switch event {
        case .started(let i):
            return [("config_name", .string(i.configName)), ("work_dir", .string(i.workDir)), ("seed", seed(i.seed)),
                    ("by_epoch", .bool(i.byEpoch)), ("max_epochs", .int(i.maxEpochs)), ("max_iters", .int(i.maxIters)),
                    ("iters_per_epoch", .int(i.itersPerEpoch)), ("start_epoch", .int(i.startEpoch)), ("start_iter", .int(i.startIter)),
                    ("world_size", .int(i.worldSize)), ("rank", .int(i.rank)), ("save_best", optional(i.saveBest)),
                    ("hooks", .array(i.hookOrder.map(JSONValue.string))), ("config", .string(i.configText))]
                + (i.logHistory.map { [("log_history", history($0))] } ?? [])
        case .iteration(let r):
            return iterationFields(r)
        case .valEpoch(let v):
            return [("epoch", .int(v.epoch)), ("iter", .int(v.iter)), ("lr", .double(v.lr)),
                    ("iterations", .array(v.iterations.map { .object(iterationFields($0)) }))]
        case .logged(let r):
            return [("mode", .string(r.mode)), ("epoch", .int(r.epoch)), ("iter", .int(r.iter)), ("lr", .double(r.lr)),
                    ("memory", r.memory.map(JSONValue.int) ?? .null), ("step", .int(r.step)),
                    ("values", .object(r.values.map { ($0.key, .double($0.value)) }))]
        case .evaluated(let e):
            return [("epoch", .int(e.epoch)), ("iter", .int(e.iter)),
                    ("metrics", .object(e.metrics.map { ($0.key, .double($0.value)) })),
                    ("best_key", optional(e.bestKey)), ("best_score", e.bestScore.map(JSONValue.double) ?? .null),
                    ("new_best", .bool(e.isNewBest)), ("trigger", .string(e.trigger.rawValue))]
                + (e.batches.map { [("batches", .int($0))] } ?? []) + (e.lr.map { [("lr", .double($0))] } ?? [])
        case .checkpointSaved(let c):
            return [("path", .string(c.path)), ("kind", .string(c.kind.rawValue)), ("epoch", .int(c.epoch)), ("iter", .int(c.iter))]
        case .checkpointDeleted(let path):
            return [("path", .string(path))]
        case .epochFinished(let epoch, let iter):
            return [("epoch", .int(epoch)), ("iter", .int(iter))]
        case .paused(let iter):
            return [("iter", .int(iter))]
        case .resumed(let iter, let seconds):
            return [("iter", .int(iter)), ("paused_seconds", .double(seconds))]
        case .message(let text):
            return [("text", .string(text))]
        case .finished(let s):
            return [("epoch", .int(s.epoch)), ("iter", .int(s.iter)), ("seconds", .double(s.seconds)),
                    ("best_key", optional(s.bestKey)), ("best_score", s.bestScore.map(JSONValue.double) ?? .null),
                    ("reason", optional(s.reason))]
        case .failed(let f):
            return [("message", .string(f.message)), ("iter", f.iter.map(JSONValue.int) ?? .null),
                    ("last_checkpoint", optional(f.lastCheckpoint))]
        }
    }

    static func iterationFields(_ r: IterationRecord) -> [(key: String, value: JSONValue)] {
        [("epoch", .int(r.epoch)), ("iter", .int(r.iter)), ("inner_iter", .int(r.innerIter)), ("lr", .double(r.lr)),
         ("loss", .double(r.loss)), ("batch_size", .int(r.batchSize)), ("time", .double(r.time)),
         ("data_time", .double(r.dataTime)), ("values", .object(r.values.map { ($0.key, .double($0.value)) }))]
            + (r.memory.map { [("memory", .int($0))] } ?? [])
            + (r.ranks.isEmpty ? [] : [("ranks", .array(r.ranks.map { .array([.double($0.time), .double($0.dataTime),
                                                                                .double($0.allreduceWait)]) }))])
    }

    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// A resumed run's averaging history, as the checkpoint keeps it: keys, and per key its values and counts.
    static func history(_ h: LogBuffer.Snapshot) -> JSONValue {
        .object([("keys", .array(h.keys.map(JSONValue.string))),
                 ("values", .array(h.values.map { .array($0.map(JSONValue.double)) })),
                 ("counts", .array(h.counts.map { .array($0.map(JSONValue.int)) }))])
    }

    /// Seeds are 64-bit: above 2^53 a JSON number (a double for most readers) would lose digits, so those are
    /// written as a decimal string.
    static func seed(_ s: UInt64) -> JSONValue { s < (1 << 53) ? .number(Double(s)) : .string(String(s)) }
}

extension RunEvent: Equatable {
    public static func == (a: RunEvent, b: RunEvent) -> Bool {
        switch (a, b) {
        case (.started(let x), .started(let y)): x == y
        case (.iteration(let x), .iteration(let y)): x == y
        case (.logged(let x), .logged(let y)): x == y
        case (.evaluated(let x), .evaluated(let y)): x == y
        case (.checkpointSaved(let x), .checkpointSaved(let y)): x == y
        case (.checkpointDeleted(let x), .checkpointDeleted(let y)): x == y
        case (.epochFinished(let e1, let i1), .epochFinished(let e2, let i2)): e1 == e2 && i1 == i2
        case (.valEpoch(let x), .valEpoch(let y)): x == y
        case (.paused(let x), .paused(let y)): x == y
        case (.resumed(let i1, let s1), .resumed(let i2, let s2)): i1 == i2 && s1 == s2
        case (.message(let x), .message(let y)): x == y
        case (.finished(let x), .finished(let y)): x == y
        case (.failed(let x), .failed(let y)): x == y
        default: false
        }
    }
}
