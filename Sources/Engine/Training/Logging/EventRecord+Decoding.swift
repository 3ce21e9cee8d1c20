import Foundation
import EngineCore
import EngineData

extension EventRecord {
    /// Why a line of `events.jsonl` was not turned into an event.
    public enum Skip: Error, Equatable, CustomStringConvertible {
        /// Not JSON, not an object, or a known type with a required field missing or of the wrong kind.
        case malformed(String)
        /// Written by a Reel with another schema version.
        case otherVersion(Int)
        /// A type this reader does not know (a newer Reel's addition): ignored, as the version rule says.
        case unknownType(String)

        public var description: String {
            switch self {
            case .malformed(let why): "malformed line: \(why)"
            case .otherVersion(let v): "schema version \(v) (this Reel reads \(EventRecord.version))"
            case .unknownType(let t): "unknown event type '\(t)'"
            }
        }
    }

    /// The event of one line; throws `Skip` for lines a reader passes over.
    public static func decode(_ line: String) throws -> RecordedEvent {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { throw Skip.malformed("\(error)") }
        let f = Fields(value)
        guard value.object != nil else { throw Skip.malformed("not a JSON object") }
        let v = try f.int("v")
        guard v == version else { throw Skip.otherVersion(v) }
        let type = try f.string("type")
        let run = try f.string("run")
        let wallTime = try f.double("wall_time")
        let event: RunEvent
        switch type {
        case "started":
            event = .started(RunInfo(runID: run, workDir: try f.string("work_dir"), configName: try f.string("config_name"),
                                     configText: try f.string("config"), byEpoch: try f.bool("by_epoch"), maxEpochs: try f.int("max_epochs"),
                                     maxIters: try f.int("max_iters"), itersPerEpoch: try f.int("iters_per_epoch"),
                                     startEpoch: try f.int("start_epoch"), startIter: try f.int("start_iter"), seed: try f.seed("seed"),
                                     hookOrder: try f.strings("hooks"), worldSize: try f.int("world_size"), rank: try f.int("rank"),
                                     saveBest: try f.optionalString("save_best"), logHistory: try logHistory(f)))
        case "iteration":
            event = .iteration(try iteration(f))
        case "val_epoch":
            guard let items = try f.get("iterations").array else { throw f.wrong("iterations", "a list") }
            event = .valEpoch(ValEpochRecord(epoch: try f.int("epoch"), iter: try f.int("iter"), lr: try f.double("lr"),
                                             iterations: try items.map { try iteration(Fields($0)) }))
        case "log":
            event = .logged(LogRecord(mode: try f.string("mode"), epoch: try f.int("epoch"), iter: try f.int("iter"), lr: try f.double("lr"),
                                      memory: try f.optionalInt("memory"), values: try f.numbers("values"), step: try f.int("step")))
        case "evaluation":
            event = .evaluated(EvalRecord(epoch: try f.int("epoch"), iter: try f.int("iter"), metrics: try f.numbers("metrics"),
                                          bestKey: try f.optionalString("best_key"), bestScore: try f.optionalDouble("best_score"),
                                          isNewBest: try f.bool("new_best"), trigger: try trigger(f),
                                          batches: try f.optionalInt("batches"), lr: try f.optionalDouble("lr")))
        case "checkpoint_saved":
            guard let kind = CheckpointRecord.Kind(rawValue: try f.string("kind")) else { throw Skip.malformed("unknown checkpoint kind") }
            event = .checkpointSaved(CheckpointRecord(path: try f.string("path"), kind: kind, epoch: try f.int("epoch"), iter: try f.int("iter")))
        case "checkpoint_deleted": event = .checkpointDeleted(path: try f.string("path"))
        case "epoch_finished": event = .epochFinished(epoch: try f.int("epoch"), iter: try f.int("iter"))
        case "paused": event = .paused(iter: try f.int("iter"))
        case "resumed": event = .resumed(iter: try f.int("iter"), pausedSeconds: try f.double("paused_seconds"))
        case "message": event = .message(try f.string("text"))
        case "finished", "stopped":
            event = .finished(RunSummary(ending: type == "finished" ? .completed : .stopped, epoch: try f.int("epoch"), iter: try f.int("iter"),
                                         seconds: try f.double("seconds"), bestKey: try f.optionalString("best_key"),
                                         bestScore: try f.optionalDouble("best_score"), reason: try f.optionalString("reason")))
        case "failed":
            event = .failed(RunFailure(message: try f.string("message"), iter: try f.optionalInt("iter"),
                                       lastCheckpoint: try f.optionalString("last_checkpoint")))
        default: throw Skip.unknownType(type)
        }
        return RecordedEvent(run: run, wallTime: wallTime, event: event)
    }

    static func iteration(_ f: Fields) throws -> IterationRecord {
        var r = IterationRecord(epoch: try f.int("epoch"), iter: try f.int("iter"), innerIter: try f.int("inner_iter"),
                                lr: try f.double("lr"), values: LogValues(try f.numbers("values")), loss: try f.double("loss"),
                                batchSize: try f.int("batch_size"), time: try f.double("time"),
                                dataTime: try f.double("data_time"), memory: try f.optionalInt("memory"))
        r.ranks = try ranks(f)
        return r
    }

    /// A data-parallel iteration's `ranks`: [time, data_time, allreduce_wait] per rank (absent: one process).
    static func ranks(_ f: Fields) throws -> [RankFigures] {
        guard let items = f.value["ranks"], !items.isNull else { return [] }
        let bad = Skip.malformed("'ranks' is not a list of [time, data_time, allreduce_wait]")
        guard let list = items.array else { throw bad }
        return try list.map { item in
            guard let v = item.array?.compactMap(\.double), v.count == 3 else { throw bad }
            return RankFigures(time: v[0], dataTime: v[1], allreduceWait: v[2])
        }
    }

    /// An evaluation's `trigger`. Lines written before the field existed, and values a newer Reel may add, read as
    /// `epoch`: a scheduled evaluation, which is what the dashboard shows them as anyway.
    static func trigger(_ f: Fields) throws -> EvalRecord.Trigger {
        try f.optionalString("trigger").flatMap(EvalRecord.Trigger.init(rawValue:)) ?? .epoch
    }

    /// A `started` line's `log_history` (absent: none): as many value and count lists as keys, each pair as long.
    static func logHistory(_ f: Fields) throws -> LogBuffer.Snapshot? {
        guard let h = f.value["log_history"], !h.isNull else { return nil }
        let bad = Skip.malformed("'log_history' is not {keys, values, counts} of matching lengths")
        guard let keyItems = h["keys"]?.array, let valueLists = h["values"]?.array, let countLists = h["counts"]?.array,
              valueLists.count == keyItems.count, countLists.count == keyItems.count else { throw bad }
        var snapshot = LogBuffer.Snapshot(keys: [], values: [], counts: [])
        for k in keyItems.indices {
            guard let key = keyItems[k].string, let vs = valueLists[k].array, let cs = countLists[k].array, vs.count == cs.count
            else { throw bad }
            let values = vs.compactMap(\.double), counts = cs.compactMap(\.int)
            guard values.count == vs.count, counts.count == cs.count else { throw bad }
            snapshot.keys.append(key); snapshot.values.append(values); snapshot.counts.append(counts)
        }
        return snapshot
    }

    /// Typed access to one line's fields; a missing or mistyped required field is `Skip.malformed` naming it.
    struct Fields {
        let value: JSONValue
        init(_ value: JSONValue) { self.value = value }

        func get(_ key: String) throws -> JSONValue {
            guard let v = value[key] else { throw Skip.malformed("no '\(key)'") }
            return v
        }
        func wrong(_ key: String, _ kind: String) -> Skip { .malformed("'\(key)' is not \(kind)") }

        func int(_ key: String) throws -> Int {
            guard let i = try get(key).int else { throw wrong(key, "an integer") }
            return i
        }
        func double(_ key: String) throws -> Double {
            guard let d = try get(key).double else { throw wrong(key, "a number") }
            return d
        }
        func string(_ key: String) throws -> String {
            guard let s = try get(key).string else { throw wrong(key, "a string") }
            return s
        }
        func bool(_ key: String) throws -> Bool {
            guard let b = try get(key).bool else { throw wrong(key, "true or false") }
            return b
        }
        /// Absent and null both mean "none".
        func optionalString(_ key: String) throws -> String? {
            guard let v = value[key], !v.isNull else { return nil }
            guard let s = v.string else { throw wrong(key, "a string or null") }
            return s
        }
        func optionalInt(_ key: String) throws -> Int? {
            guard let v = value[key], !v.isNull else { return nil }
            guard let i = v.int else { throw wrong(key, "an integer or null") }
            return i
        }
        func optionalDouble(_ key: String) throws -> Double? {
            guard let v = value[key], !v.isNull else { return nil }
            guard let d = v.double else { throw wrong(key, "a number or null") }
            return d
        }
        func strings(_ key: String) throws -> [String] {
            guard let items = try get(key).array else { throw wrong(key, "an array") }
            return try items.map { guard let s = $0.string else { throw wrong(key, "an array of strings") }; return s }
        }
        /// An object of numbers, in the line's key order.
        func numbers(_ key: String) throws -> [(key: String, value: Double)] {
            guard let fields = try get(key).object else { throw wrong(key, "an object") }
            return try fields.map { f in
                guard let d = f.value.double else { throw wrong("\(key).\(f.key)", "a number") }
                return (f.key, d)
            }
        }
        func seed(_ key: String) throws -> UInt64 {
            let v = try get(key)
            if let i = v.int, i >= 0 { return UInt64(i) }
            if let s = v.string, let u = UInt64(s) { return u }
            throw wrong(key, "a non-negative integer")
        }
    }
}
