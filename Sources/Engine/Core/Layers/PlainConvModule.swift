/// mmcv's `ConvModule` with `norm_cfg=None` and `act_cfg=None`: a convolution registered as the child `conv`
/// (state-dict keys `conv.weight`, `conv.bias`), nothing else. NonLocal3d's g/theta/phi (and its conv_out without a
/// norm) are built this way.
public final class PlainConvModule: Layer {
    public let conv: Convolution
    public var isTraining = true

    public init(_ conv: Convolution) { self.conv = conv }

    public var children: [(String, any Module)] { [("conv", conv)] }
    public func forward(_ x: Tensor) -> Tensor { conv.forward(x) }
    public func backward(_ dy: Tensor) -> Tensor { conv.backward(dy) }
}
