import EngineCore
import EngineData

/// mmaction2's OmniSourceRunner (`omnisource=True`): the main loader (`data.train[0]`) sets the epoch; after main
/// iteration `iter` with `iter % train_ratio[0] == 0`, auxiliary source k (`data.train[k + 1]`, its own pipeline and
/// batch size) trains `train_ratio[k + 1]` iterations of its own — each a forward, backward and optimizer step at the
/// same LR — cycling through its loader; every epoch starts each auxiliary loader afresh.
///
/// The auxiliary steps run inside the main iteration, right after its optimizer step, so what the later hooks of the
/// iteration do (save, evaluate, log) sees the state after them — what mmcv's repeated hook calls at the same `iter`
/// leave. Their log values join the iteration's record with mmaction2's suffix (`loss_cls/aux0`, `top1_acc/aux1`, …;
/// `grad_norm/aux0` too): a source's mean over its iterations of the round, weighted by batch size as mmcv's log
/// buffer weighs them. A resume in the middle of an epoch puts each auxiliary loader where an uninterrupted run
/// would be: its batches so far follow from the iterations done.
public struct OmniSource {
    /// The auxiliary sources, in `data.train` order after the main one.
    public var sources: [(loader: Loader, times: Int)]
    /// `train_ratio[0]`: the auxiliary sources train after every this-many-th main iteration.
    public var mainEvery: Int

    public init(sources: [(loader: Loader, times: Int)], mainEvery: Int) {
        precondition(mainEvery >= 1)
        self.sources = sources; self.mainEvery = mainEvery
    }
}

/// Where one auxiliary loader is: its pass over the data in this epoch and the pass's batches.
final class AuxiliaryCursor {
    let loader: Loader
    let epoch: Int
    private var pass: Int
    private var batches: LoaderEpoch?
    private var start: Int

    /// At `consumed` batches into epoch `epoch`.
    init(loader: Loader, epoch: Int, consumed: Int) {
        self.loader = loader
        self.epoch = epoch
        pass = consumed / loader.batchesPerEpoch
        start = consumed % loader.batchesPerEpoch
    }

    /// The next batch, starting a new pass (a new shuffle) when one ends.
    func next() throws -> Batch {
        while true {
            if batches == nil {
                // Each (epoch, pass) its own order: 16 bits of passes per epoch, under the loader's 32-bit epoch key.
                batches = loader.epoch(epoch << 16 | pass & 0xFFFF, startingAt: start)
                start = 0
            }
            if let batch = try batches!.next() { return batch }
            batches!.cancel()
            batches = nil
            pass += 1
        }
    }

    func cancel() { batches?.cancel() }
}

extension Runner {
    /// The optimizer steps of `iterations` main iterations: one each, and with OmniSource the auxiliary rounds' too
    /// (a resumed optimizer's `step` is checked against it).
    func optimizerSteps(after iterations: Int) -> Int {
        guard let omni = omniSource else { return iterations }
        let rounds = (iterations + omni.mainEvery - 1) / omni.mainEvery
        return iterations + rounds * omni.sources.reduce(0) { $0 + $1.times }
    }

    /// Sets up the auxiliary loaders for the epoch now starting, `innerIter` batches in (a resume).
    func startAuxiliarySources(innerIter: Int) {
        guard let omni = omniSource else { return }
        auxiliaryCursors.forEach { $0.cancel() }
        // The main iterations of this epoch so far that were followed by the auxiliary sources.
        let first = iter - innerIter
        let rounds = (first..<iter).filter { $0 % omni.mainEvery == 0 }.count
        auxiliaryCursors = omni.sources.map { AuxiliaryCursor(loader: $0.loader, epoch: epoch, consumed: rounds * $0.times) }
    }

    /// The auxiliary sources' iterations after main iteration `iter` (see `OmniSource`).
    func auxiliaryIterations(step: OptimizerHook?) throws {
        guard let omni = omniSource, iter % omni.mainEvery == 0 else { return }
        for (k, source) in omni.sources.enumerated() {
            let suffix = "/aux\(k)"
            var sums = LogValues(), samples = 0
            for _ in 0..<source.times {
                let batch = try auxiliaryCursors[k].next()
                optimizer.zeroGradients()
                let out = parallel?.trainStep(model, batch.imgs, targets: batch.targets)
                    ?? model.trainStep(batch.imgs, targets: batch.targets)
                guard out.loss.isFinite else {
                    throw RunFailure(message: "loss is \(out.loss) at iteration \(iter + 1) (epoch \(epoch + 1)) on auxiliary source "
                                     + "\(k) (data.train[\(k + 1)]); the run stopped before updating the weights",
                                     iter: iter + 1, lastCheckpoint: lastGoodCheckpoint)
                }
                try step?.step(context, valueSuffix: suffix)
                let n = batch.targets.count
                var values = out.logVars.map { ($0.0 + suffix, $0.1) }
                // The hook's value is this iteration's: taken out, to join the round's mean after the model's values.
                if let norm = record.values["grad_norm" + suffix] {
                    values.append(("grad_norm" + suffix, norm))
                    record.values["grad_norm" + suffix] = nil
                }
                for (key, v) in values { sums[key] = (sums[key] ?? 0) + v * Double(n) }
                samples += n
            }
            for (key, sum) in sums { record.values[key] = sum / Double(max(samples, 1)) }
        }
    }
}
