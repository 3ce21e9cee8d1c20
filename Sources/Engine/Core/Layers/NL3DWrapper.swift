/// mmaction2's `NL3DWrapper` (ResNetTSM with `non_local` + `non_local_cfg`): a 2-D residual block followed by a
/// NonLocal3d over each video's segments.
///
/// mmaction2 views the block's N·T×C×H×W output as N×C×T×H×W for the non-local block and back. Reel's activations
/// are channel-major, C×(N·T)×H×W, which already is C×N×T×H×W in memory (the T segments of a video consecutive):
/// both views are reshapes. State-dict keys read `layer2.0.block.conv1.conv.weight`, `layer2.0.non_local_block.g.conv.weight`.
public final class NL3DWrapper: Layer {
    public let block: any Layer
    public let nonLocal: NonLocal3d
    public let segments: Int
    public var isTraining = true

    public init(block: any Layer, nonLocal: NonLocal3d, segments: Int) {
        self.block = block
        self.nonLocal = nonLocal
        self.segments = segments
    }

    public var children: [(String, any Module)] { [("block", block), ("non_local_block", nonLocal)] }
    public var kind: ModuleKind { .container }

    /// C×(N·T)×H×W as C×N×T×H×W (`asClips`), or back.
    func view(_ x: Tensor, asClips: Bool) -> Tensor {
        if !asClips { return x.reshaped([x.shape[0], x.shape[1] * x.shape[2], x.shape[3], x.shape[4]]) }
        let (c, frames) = (x.shape[0], x.shape[1])
        precondition(frames % segments == 0, "non-local block: \(frames) frames are not a multiple of \(segments) segments")
        return x.reshaped([c, frames / segments, segments, x.shape[2], x.shape[3]])
    }

    public func forward(_ x: Tensor) -> Tensor {
        view(nonLocal.forward(view(block.forward(x), asClips: true)), asClips: false)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        block.backward(view(nonLocal.backward(view(dy, asClips: true)), asClips: false))
    }
}
