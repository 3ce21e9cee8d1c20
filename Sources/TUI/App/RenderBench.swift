import Config
import Dispatch
import EngineCore
import EngineData
import EngineTraining

/// `reel bench --ui`: the cost of one dashboard frame — the pure `Renderer.render` from state to screen buffer — on
/// each screen, with a run of `iterations` iterations, an evaluation per epoch and a full log behind it.
public enum RenderBench {
    public struct Row: Sendable { public var screen: String; public var medianMs: Double; public var maxMs: Double }

    public static func run(configPath: String, width: Int = 200, height: Int = 60, iterations: Int = 3000,
                           frames: Int = 200) throws -> [Row] {
        var state = AppState()
        state.document = try ConfigDocument(path: configPath)
        state.expanded = [["data"], ["data", "train"], ["lr_config"], ["optimizer"]]
        let perEpoch = 100, epochs = iterations / perEpoch
        state.run.apply(.started(RunInfo(workDir: "/tmp/bench", configName: "bench.py", byEpoch: true, maxEpochs: epochs,
                                         maxIters: iterations, itersPerEpoch: perEpoch, startEpoch: 0, startIter: 0, seed: 0,
                                         hookOrder: [])))
        for i in 0..<iterations {
            let loss = 2.1 * Double(iterations - i) / Double(iterations) + 0.05 * Double(i % 7)
            state.run.apply(.iteration(IterationRecord(epoch: i / perEpoch, iter: i, innerIter: i % perEpoch, lr: 0.01,
                                                       values: ["loss": loss, "top1_acc": 0.5], loss: loss, batchSize: 8,
                                                       time: 0.1, dataTime: 0.002)))
            if i % 10 == 9 {
                state.run.apply(.logged(LogRecord(mode: "train", epoch: i / perEpoch + 1, iter: i % perEpoch + 1, lr: 0.01,
                                                  memory: 500, values: [("loss", loss)], step: i + 1)))
            }
            if i % perEpoch == perEpoch - 1 {
                let acc = Double(i) / Double(iterations)
                state.run.apply(.evaluated(EvalRecord(epoch: i / perEpoch + 1, iter: i + 1, metrics: [("top1_acc", acc), ("top5_acc", 1)],
                                                      bestKey: "top1_acc", bestScore: acc, isNewBest: true)))
            }
        }
        // Compare: this run and a second with the loss shifted, both with their evaluations.
        var other = state.run
        other.losses = other.losses.map { $0 + 0.1 }
        state.compare.runs = [CompareRun(id: "a", dir: "/tmp/bench/a", label: "a", view: state.run, config: ["optimizer.lr": "0.01"]),
                              CompareRun(id: "b", dir: "/tmp/bench/b", label: "b", view: other, config: ["optimizer.lr": "0.02"])]
        state.compare.chosen = ["a", "b"]
        let theme = Theme.fallback
        var rows: [Row] = []
        for screen in ScreenID.allCases {
            state.screen = screen
            state.selected = 12
            var times: [Double] = []
            for _ in 0..<frames {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = Renderer.render(state, width: width, height: height, theme: theme)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            rows.append(Row(screen: "\(screen)", medianMs: times[times.count / 2], maxMs: times.last ?? .nan))
        }
        return rows
    }
}
