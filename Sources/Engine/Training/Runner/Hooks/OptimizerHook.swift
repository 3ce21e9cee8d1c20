import Config
import EngineCore
import EngineData

/// mmcv's `OptimizerHook` (`optimizer_config`): after the model's backward, optional gradient clipping (logging
/// the pre-clip `grad_norm`) and the optimizer step (SEMANTICS.md §3.4).
///
/// `detect_anomalous_params`: without an autograd graph, Reel reports trainable parameters whose gradient is
/// exactly zero after the backward pass — the parameters the loss does not reach.
public final class OptimizerHook: Hook {
    public var name: String { "OptimizerHook" }
    public var priority: HookPriority { .aboveNormal }
    public var gradClip: (maxNorm: Double, normType: Double)?
    public var detectAnomalousParams = false

    public init(gradClip: (maxNorm: Double, normType: Double)? = nil) { self.gradClip = gradClip }

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "optimizer_config", files: files)
        if let clip = try r.sub("grad_clip") {
            let maxNorm = try clip.double("max_norm")
            guard maxNorm > 0 else { throw clip.error("max_norm must be positive", key: "max_norm") }
            var normType = 2.0
            if let v = clip.value("norm_type"), !v.isNone {
                if let d = v.number { normType = d } else if v.string == "inf" { normType = .infinity } else {
                    throw files.error("norm_type must be a number or 'inf'", at: v.origin)
                }
            }
            gradClip = (maxNorm, normType)
        }
        detectAnomalousParams = try r.bool("detect_anomalous_params", false)
    }

    public func afterTrainIter(_ context: any HookContext) throws {
        let params = context.optimizer.orderedParameters
        if detectAnomalousParams {
            for (name, p) in params where p.requiresGrad && p.grad.scalars.allSatisfy({ $0 == 0 }) {
                context.log("ERROR: \(name) with shape \(p.shape) is not in the computational graph")
            }
        }
        if let clip = gradClip {
            let norm = GradClip.clip(params.map(\.parameter), maxNorm: clip.maxNorm, normType: clip.normType)
            context.recordValue("grad_norm", norm)
        }
        context.optimizer.step()
    }
}
