import Foundation
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// A `HookContext` with no runner behind it: counters the test sets, and every service recorded. A hook that works
/// against it depends on nothing but its context.
final class FakeHookContext: HookContext {
    var parallel: DataParallel? { nil }
    var epoch = 0, iter = 0, innerIter = 0, maxEpochs = 1, maxIters = 2, itersPerEpoch = 2
    var byEpoch = true
    var workDir: String
    var checkpointDirectory: String
    let model: any Recognizer
    let optimizer: Optimizer
    private(set) var isTraining = true
    var record = IterationRecord(epoch: 0, iter: 0, innerIter: 0)
    private(set) var events: [RunEvent] = []
    private(set) var iterationPublishedEarly = false
    /// Paths of the checkpoints saved, with the metadata epoch and iter asked for.
    private(set) var saved: [(path: String, epoch: Int, iter: Int?)] = []
    private(set) var lastCheckpoint: String?
    private(set) var bestScore: Double?
    private(set) var bestCheckpoint: String?
    private(set) var bestMetric: String?

    init(model: any Recognizer, optimizer: Optimizer, workDir: String = "/nonexistent", checkpointDirectory: String? = nil) {
        self.model = model; self.optimizer = optimizer; self.workDir = workDir
        self.checkpointDirectory = checkpointDirectory ?? workDir
    }

    func setTraining(_ training: Bool) { isTraining = training; model.applyMode(training: training) }
    func recordDataTime(_ seconds: Double) { record.dataTime = seconds }
    func recordTime(_ seconds: Double) { record.time = seconds }
    func recordValue(_ key: String, _ value: Double) { record.values[key] = value }
    func beginEvaluationInIteration() { iterationPublishedEarly = true }
    func publish(_ event: RunEvent) { events.append(event) }
    func log(_ message: String) { events.append(.message(message)) }
    func saveCheckpoint(to path: String, epoch: Int, iter: Int?, innerIter: Int, withOptimizer: Bool, includeConfig: Bool) throws {
        try Data("checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        saved.append((path, epoch, iter))
    }
    func setLastCheckpoint(_ path: String) { lastCheckpoint = path }
    func setBest(metric: String, score: Double, checkpoint: String) { bestMetric = metric; bestScore = score; bestCheckpoint = checkpoint }

    var messages: [String] { events.compactMap { if case .message(let m) = $0 { m } else { nil } } }
}
