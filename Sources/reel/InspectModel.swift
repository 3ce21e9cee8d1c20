import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineDistributed
import EngineTraining
import Foundation

extension InspectCommand {
    /// `reel inspect model`: the config's model on saved inputs, for differential checks against mmaction2
    /// (scripts/mmaction2_model3d_check.py): eval-mode scores (`predict`, average_clips applied), one train-mode step's
    /// loss, and the state dict after that step's plain SGD update (p −= lr·∂L/∂p; BatchNorm's running statistics
    /// moved by the train-mode forward), all written to one `.pth`.
    struct ModelRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Run the config's model on saved inputs: scores, one training step's loss and the weights after one SGD step.",
            discussion: """
                --weights: a .pth or .safetensors state dict (with or without `module.`) that must fill every parameter \
                and buffer; without it, the model as the config builds it (seed 0, `pretrained` loaded). --input: a .pth \
                or .safetensors holding `imgs` (float32, the recognizer's input: B×M×C×H×W for Recognizer2D, \
                B×V×C×T×H×W for Recognizer3D), `labels` (int64, one per video, or float32 B×K multi-hot sets for a multi_class head) and optionally `test_imgs` (scored \
                instead of `imgs`: inference may take several views per video, training one). --out gets `scores` \
                (eval mode), `loss` (one value a step, --steps) and every state-dict entry after the last step.
                """)

        @OptionGroup var source: ConfigCommand.Source
        @Option(help: "Initial weights (.pth or .safetensors).") var weights: String?
        @Option(help: "Inputs: imgs and labels (.pth or .safetensors).") var input: String
        @Option(help: "Output .pth (or .safetensors).") var out: String
        @Option(help: "Learning rate of the SGD step (no momentum, no weight decay).") var lr: Double = 0.1
        @Option(help: "SGD steps on the batch (`loss` gets one value a step; the weights are those after the last).") var steps = 1
        @Option(help: "mpi: one rank of `mpirun -np K reel inspect model … --launcher mpi`: rank r trains on the r-th of K equal contiguous slices of the batch and the gradients are averaged as data-parallel training does (scores and weights written by rank 0; scripts/ddp_differential.py compares them with PyTorch DDP).")
        var launcher: Launcher = .none

        func validate() throws {
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1, not \(steps)") }
        }

        func run() throws {
            let group = try launcher.processGroup(threads: nil)
            let config = try source.load()
            guard let m = config.root["model"] else { throw ValidationError("the config has no model") }
            let model = try ModelBuilder.recognizer(m, files: config.files, seed: 0)
            if let weights { try load(weights, into: model) }
            let inputs = try CheckpointFile.read(input)
            guard case .float32(let imgs)? = inputs["imgs"] else { throw CheckpointError(path: input, reason: "it needs float32 `imgs`") }
            // One class a video (int64 [B]), or multi-hot label sets (float32 [B, K]) for a multi_class head.
            let targets: Targets
            switch inputs["labels"] {
            case .int64(_, let values)?:
                let labels = values.map { Int($0) }
                guard labels.allSatisfy({ (0..<model.numClasses).contains($0) }) else {
                    throw CheckpointError(path: input, field: "labels", reason: "labels must be in 0..<\(model.numClasses)")
                }
                guard !model.loss.takesLabelSets else {
                    throw CheckpointError(path: input, field: "labels", reason: "the model's head is multi-label: give float32 [B, \(model.numClasses)] multi-hot labels")
                }
                targets = .classes(labels)
            case .float32(let hot)? where hot.rank == 2 && hot.shape[1] == model.numClasses:
                let k = hot.shape[1], values = hot.scalars
                targets = .labelSets((0..<hot.shape[0]).map { i in (0..<k).filter { values[i * k + $0] != 0 } })
            default:
                throw CheckpointError(path: input, reason: "it needs `labels`: int64 [B] classes or float32 [B, \(model.numClasses)] multi-hot sets")
            }
            var testImgs = imgs
            if case .float32(let t)? = inputs["test_imgs"] { testImgs = t }
            model.applyMode(training: false)
            let scores = model.predict(testImgs)
            model.applyMode(training: true)
            // With K ranks: this rank's slice of the batch, gradients and the loss averaged over the ranks (DDP's step).
            var batch = (imgs: imgs, targets: targets)
            var parallel: DataParallel?
            if group.world > 1 {
                let k = group.world, b = targets.count
                guard b % k == 0 else { throw ValidationError("\(b) videos do not split into \(k) equal slices") }
                let part = (b / k * group.rank)..<(b / k * (group.rank + 1))
                let inner = imgs.count / b, all = imgs.scalars
                batch = (Tensor(shape: [part.count] + Array(imgs.shape.dropFirst()),
                                values: Array(all[(part.lowerBound * inner)..<(part.upperBound * inner)])), targets.slice(part))
                parallel = DataParallel(group: group)
                parallel?.attach(model: model, parameters: model.namedParameters().map(\.1), syncBatchNorm: RunSpec.namesSyncBN(m))
            }
            var losses: [Double] = []
            for _ in 0..<steps {
                model.zeroGradients()
                losses.append((parallel?.trainStep(model, batch.imgs, targets: batch.targets)
                               ?? model.trainStep(batch.imgs, targets: batch.targets)).loss)
                for (_, p) in model.namedParameters() where p.requiresGrad {
                    var v = p.value
                    let n = v.count, rate = Float(lr)
                    v.withMutableData { vp in p.grad.withData { gp in for i in 0..<n { vp[i] -= rate * gp[i] } } }
                    p.value = v
                }
            }
            if group.isMain { try write(scores: scores, losses: losses, model: model) }
        }

        /// Every parameter and buffer from `path`, or a `CheckpointError`.
        func load(_ weights: String, into model: any Recognizer) throws {
            let report = CheckpointStore.loadWeights(into: model, from: try CheckpointFile.read(weights))
            guard report.missing.isEmpty, report.shapeMismatch.isEmpty, report.invalid.isEmpty else {
                throw CheckpointError(path: weights, reason: "it does not fit the model: \(report.missing.count) missing, "
                                      + "\(report.shapeMismatch.count) mismatched, \(report.invalid.count) invalid "
                                      + "(\((report.missing + report.shapeMismatch + report.invalid).prefix(3).joined(separator: ", ")))")
            }
        }

        func write(scores: Tensor, losses: [Double], model: any Recognizer) throws {
            var tensors: [(name: String, value: SafeTensors.Value)] = [("scores", .float32(scores)),
                                                                      ("loss", .float32(Tensor(shape: [losses.count], values: losses.map(Float.init))))]
            for (name, entry) in model.stateDict() {
                switch entry {
                case .parameter(let p): tensors.append((name, .float32(p.value)))
                case .buffer(let b):
                    switch b.value {
                    case .float32(let t): tensors.append((name, .float32(t)))
                    case .int64(let shape, let values): tensors.append((name, .int64(shape: shape, values: values)))
                    }
                }
            }
            let file = SafeTensors.File(tensors: tensors, metadata: [:])
            let data = out.hasSuffix(".safetensors") ? SafeTensors.encode(file) : try TorchCheckpoint.encode(file, path: out)
            try AtomicFile.write(data, to: out)
            print(String(format: "wrote %@: scores %@, loss %.6f", out, "\(scores.shape)", losses.first ?? .nan))
        }
    }
}
