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

    public init(spec: OptimizerHookSpec) {
        gradClip = spec.maxNorm.map { ($0, spec.normType) }
        detectAnomalousParams = spec.detectAnomalousParams
    }

    public func afterTrainIter(_ context: any HookContext) throws { try step(context) }

    /// Clips (recording `grad_norm` + `valueSuffix`) and steps: the main iteration's step, and each of OmniSource's
    /// auxiliary iterations' (suffix `/auxK`).
    public func step(_ context: any HookContext, valueSuffix: String = "") throws {
        let params = context.optimizer.orderedParameters
        if detectAnomalousParams {
            for (name, p) in params where p.requiresGrad && p.grad.scalars.allSatisfy({ $0 == 0 }) {
                context.log("ERROR: \(name) with shape \(p.shape) is not in the computational graph")
            }
        }
        if let clip = gradClip {
            let norm = GradClip.clip(params.map(\.parameter), maxNorm: clip.maxNorm, normType: clip.normType)
            context.recordValue("grad_norm" + valueSuffix, norm)
        }
        context.optimizer.step()
    }
}
