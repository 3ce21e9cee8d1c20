import Foundation
import EngineCore
import EngineData

/// The config's `workflow` as Reel runs it: `[('train', n)]` or `[('train', n), ('val', m)]` (RunSpec refuses
/// the rest, which mmaction2 0.24.1 cannot run either). `description` is mmcv's spelling of the list, as its run
/// header prints it.
public struct Workflow: Sendable, Equatable, CustomStringConvertible {
    public var trainEpochs: Int
    /// Val epochs after each cycle's train epochs (0: no val phase).
    public var valEpochs: Int
    public init(trainEpochs: Int = 1, valEpochs: Int = 0) { self.trainEpochs = trainEpochs; self.valEpochs = valEpochs }

    public var description: String {
        "[('train', \(trainEpochs))" + (valEpochs > 0 ? ", ('val', \(valEpochs))" : "") + "]"
    }
}

extension Runner {
    /// mmcv's `EpochBasedRunner.val`: the model in eval mode, each batch's losses computed without gradients
    /// (`val_step`) and nothing updated; the counters do not move. Each batch's record (its log variables, the
    /// wait for it and its whole time, as IterTimerHook measures them) goes out in one `.valEpoch` event, from
    /// which the loggers write their val record (the average over the pass).
    func valEpoch(_ loader: Loader, pass: Int) throws {
        setTraining(false)
        for h in stages { try h.beforeValEpoch(context) }
        // A fresh order per pass: the train loader's settings shuffle it, as mmaction2's val-workflow loader does.
        let batches = loader.epoch(epoch * workflow.valEpochs + pass)
        defer { batches.cancel() }
        var records: [IterationRecord] = []
        var start = IterTimerHook.monotonicSeconds()
        while let batch = try batches.next() {
            let fetched = IterTimerHook.monotonicSeconds()
            let out = model.lossOnly(batch.imgs, targets: batch.targets)
            let now = IterTimerHook.monotonicSeconds()
            records.append(IterationRecord(epoch: epoch, iter: iter, innerIter: records.count, lr: currentLR,
                                           values: LogValues(out.logVars.map { (key: $0.0, value: $0.1) }), loss: out.loss,
                                           batchSize: batch.targets.count, time: now - start, dataTime: fetched - start,
                                           memory: MemoryUsage.peakMiB))
            start = now
        }
        for h in stages { try h.afterValEpoch(context) }
        emit(.valEpoch(ValEpochRecord(epoch: epoch, iter: iter, lr: currentLR, iterations: records)))
        try throwSinkFailure()
    }
}
