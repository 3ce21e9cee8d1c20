/// A trainable tensor and its gradient. `backward` passes add into `grad` (llm.c style), so zeroing all gradients
/// is one fill per parameter.
public final class Parameter: @unchecked Sendable {
    public var value: Tensor
    public var grad: Tensor
    /// False for frozen parameters (`frozen_stages`, `norm_cfg.requires_grad=False`): no gradient is accumulated
    /// and optimizers skip them.
    public var requiresGrad: Bool

    public init(_ value: Tensor, requiresGrad: Bool = true) {
        self.value = value
        self.grad = Tensor.zeros(value.shape)
        self.requiresGrad = requiresGrad
    }

    public var shape: [Int] { value.shape }

    /// Called when a backward pass has finished adding into `grad` (by the layer that owns the parameter, at the end
    /// of its backward): data-parallel training starts averaging a bucket of gradients across processes as soon as
    /// its last one is ready, while the rest of the backward runs. Nil outside data-parallel training.
    public var onGradientReady: ((Parameter) -> Void)?

    /// Tells `onGradientReady` that this backward pass is done with `grad`.
    @inline(__always) public func gradientReady() { onGradientReady?(self) }
}

/// A non-trainable state tensor (BatchNorm running statistics, `num_batches_tracked`), saved in checkpoints.
public final class Buffer: @unchecked Sendable {
    /// The value as stored in a state dict: float32 tensors, or int64 (a 0-dim counter).
    public enum Value: Sendable, Equatable {
        case float32(Tensor)
        case int64(shape: [Int], values: [Int64])
    }
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public var tensor: Tensor {
        get { if case .float32(let t) = value { return t } else { preconditionFailure("int64 buffer") } }
        set { value = .float32(newValue) }
    }
}

/// One state-dict entry.
public enum StateEntry {
    case parameter(Parameter)
    case buffer(Buffer)

    public var shape: [Int] {
        switch self {
        case .parameter(let p): return p.shape
        case .buffer(let b):
            switch b.value {
            case .float32(let t): return t.shape
            case .int64(let shape, _): return shape
            }
        }
    }
}

/// A layer or a model: its parameters, buffers and children under PyTorch's state-dict names.
///
/// Order is PyTorch's `state_dict()` order: a module's own parameters, then its own buffers, then each child
/// (registration order), recursively. mmaction2 checkpoints therefore map onto Reel modules name for name.
public protocol Module: AnyObject {
    /// This module's own parameters, in registration order (`weight`, `bias`).
    var parameters: [(String, Parameter)] { get }
    /// This module's own buffers (`running_mean`, `running_var`, `num_batches_tracked`).
    var buffers: [(String, Buffer)] { get }
    /// Child modules in registration order (`conv1`, `bn1`, `layer1`, …).
    var children: [(String, any Module)] { get }
    /// Train or eval mode of this module alone; use `setTraining` to set a whole tree.
    var isTraining: Bool { get set }
    /// What kind of layer this is, for optimizer constructors (`paramwise_cfg`, TSM's groups) that treat
    /// convolutions, norms and linear layers differently.
    var kind: ModuleKind { get }
}

/// The layer families optimizer constructors distinguish (mmcv DefaultOptimizerConstructor, TSMOptimizerConstructor).
public enum ModuleKind: Equatable, Sendable {
    /// A convolution with `dims` spatial(+temporal) dimensions (2 or 3).
    case convolution(dims: Int, inChannels: Int, groups: Int)
    case linear
    /// BatchNorm (any dimensionality), GroupNorm, LayerNorm, InstanceNorm.
    case normalization
    /// A container or a layer without parameters.
    case container
}

extension Module {
    public var parameters: [(String, Parameter)] { [] }
    public var buffers: [(String, Buffer)] { [] }
    public var children: [(String, any Module)] { [] }
    public var kind: ModuleKind { .container }

    /// Every parameter of the tree with its dotted name, depth-first in registration order.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        var out = parameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// The state dict: every parameter and buffer of the tree, in PyTorch's order.
    public func stateDict(prefix: String = "") -> [(String, StateEntry)] {
        var out = parameters.map { (prefix + $0.0, StateEntry.parameter($0.1)) }
        out += buffers.map { (prefix + $0.0, StateEntry.buffer($0.1)) }
        for (name, child) in children { out += child.stateDict(prefix: prefix + name + ".") }
        return out
    }

    /// Every module of the tree with its dotted name (root first), as PyTorch's `named_modules()`.
    public func namedModules(prefix: String = "") -> [(String, any Module)] {
        var out: [(String, any Module)] = [(prefix, self)]
        for (name, child) in children {
            out += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return out
    }

    /// Sets train/eval mode on the whole tree (PyTorch's `.train(mode)`).
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// Zeroes every gradient of the tree.
    public func zeroGradients() {
        for (_, p) in namedParameters() where p.requiresGrad { p.grad.fill(0) }
    }
}

/// A module with one input and one output: `forward` keeps what `backward` needs (in training mode), `backward`
/// takes ∂L/∂output, accumulates parameter gradients and returns ∂L/∂input.
public protocol Layer: Module {
    func forward(_ x: Tensor) -> Tensor
    func backward(_ dy: Tensor) -> Tensor
}

/// A layer whose function is piecewise linear (ReLU, max-pooling). With `freezesPattern` set, forward keeps the
/// active set (ReLU mask, max-pool argmax) of its last free forward: finite-difference gradient checks then stay
/// on one linear piece instead of crossing kinks. Never set outside tests.
public protocol PiecewiseLinear: AnyObject {
    var freezesPattern: Bool { get set }
}
