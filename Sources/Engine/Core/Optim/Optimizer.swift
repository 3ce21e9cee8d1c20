import Foundation

/// One optimizer parameter group (PyTorch `param_groups[i]`): its parameters and hyper-parameters.
/// `lr` is what the LR schedule writes each step; `initialLR` is the schedule's base (mmcv's `initial_lr`).
public struct ParamGroup {
    public var parameters: [(name: String, parameter: Parameter)]
    public var lr: Double
    public var initialLR: Double
    public var weightDecay: Double
    public var momentum: Double = 0
    public var dampening: Double = 0
    public var nesterov = false
    public var betas: (Double, Double) = (0.9, 0.999)
    public var eps: Double = 1e-8
    public var amsgrad = false

    public init(parameters: [(name: String, parameter: Parameter)], lr: Double, weightDecay: Double) {
        self.parameters = parameters
        self.lr = lr
        self.initialLR = lr
        self.weightDecay = weightDecay
    }
}

/// PyTorch's SGD, Adam and AdamW, with PyTorch's exact update order in float32 (SEMANTICS.md §4.2):
/// SGD's first momentum step stores d unchanged (no dampening); Adam's weight decay is coupled L2; AdamW decays
/// the weights first (decoupled). Parameters without `requiresGrad` are skipped.
public final class Optimizer {
    public enum Kind: String, Sendable { case sgd = "SGD", adam = "Adam", adamW = "AdamW" }

    /// Per-parameter state (PyTorch `state[p]`).
    public struct State {
        public var step = 0
        public var momentumBuffer: Tensor?
        public var expAvg: Tensor?, expAvgSq: Tensor?, maxExpAvgSq: Tensor?
        public init(step: Int = 0, momentumBuffer: Tensor? = nil, expAvg: Tensor? = nil, expAvgSq: Tensor? = nil,
                    maxExpAvgSq: Tensor? = nil) {
            self.step = step; self.momentumBuffer = momentumBuffer; self.expAvg = expAvg; self.expAvgSq = expAvgSq
            self.maxExpAvgSq = maxExpAvgSq
        }
    }

    public let kind: Kind
    public var groups: [ParamGroup]
    public private(set) var state: [ObjectIdentifier: State] = [:]

    public init(kind: Kind, groups: [ParamGroup]) {
        self.kind = kind
        self.groups = groups
    }

    /// Every parameter in group order (PyTorch numbers state entries this way).
    public var orderedParameters: [(name: String, parameter: Parameter)] { groups.flatMap(\.parameters) }

    public func state(for p: Parameter) -> State? { state[ObjectIdentifier(p)] }
    public func setState(_ s: State, for p: Parameter) { state[ObjectIdentifier(p)] = s }

    /// Zeroes the gradients of every parameter the optimizer holds.
    public func zeroGradients() {
        for g in groups { for (_, p) in g.parameters where p.requiresGrad { p.grad.fill(0) } }
    }

    /// One update of every parameter from its accumulated gradient.
    public func step() {
        for g in groups {
            for (_, p) in g.parameters where p.requiresGrad {
                var s = state[ObjectIdentifier(p)] ?? State()
                switch kind {
                case .sgd: sgd(p, g, &s)
                case .adam, .adamW: adam(p, g, &s, decoupled: kind == .adamW)
                }
                state[ObjectIdentifier(p)] = s
            }
        }
    }

    private func sgd(_ p: Parameter, _ g: ParamGroup, _ s: inout State) {
        let n = p.value.count
        let wd = Float(g.weightDecay), mom = Float(g.momentum), damp = Float(g.dampening), lr = Float(g.lr)
        let first = s.momentumBuffer == nil
        if mom != 0 && first { s.momentumBuffer = Tensor(uninitialized: p.shape) }
        var buf = s.momentumBuffer
        s.momentumBuffer = nil   // unique while we write it
        let nesterov = g.nesterov
        p.grad.withData { gp in
            p.value.withMutableData { w in
                func update(_ b: UnsafeMutablePointer<Float>?) {
                    for i in 0..<n {
                        var d = gp[i]
                        if wd != 0 { d += wd * w[i] }                    // d = g + wd·p
                        if let b {
                            b[i] = first ? d : mom * b[i] + (1 - damp) * d
                            d = nesterov ? d + mom * b[i] : b[i]
                        }
                        w[i] += -lr * d
                    }
                }
                if buf != nil { buf!.withMutableData { update($0) } } else { update(nil) }
            }
        }
        s.momentumBuffer = buf
        s.step += 1
    }

    private func adam(_ p: Parameter, _ g: ParamGroup, _ s: inout State, decoupled: Bool) {
        let n = p.value.count
        s.step += 1
        if s.expAvg == nil { s.expAvg = Tensor.zeros(p.shape); s.expAvgSq = Tensor.zeros(p.shape) }
        if g.amsgrad && s.maxExpAvgSq == nil { s.maxExpAvgSq = Tensor.zeros(p.shape) }
        var m = s.expAvg!, v = s.expAvgSq!, vmax = s.maxExpAvgSq
        s.expAvg = nil; s.expAvgSq = nil; s.maxExpAvgSq = nil
        let (b1, b2) = (Float(g.betas.0), Float(g.betas.1))
        let lr = Float(g.lr), wd = Float(g.weightDecay), eps = Float(g.eps)
        let bc1 = 1 - pow(g.betas.0, Double(s.step)), bc2 = 1 - pow(g.betas.1, Double(s.step))
        let stepSize = Float(g.lr / bc1), bc2Sqrt = Float(bc2.squareRoot())
        let amsgrad = g.amsgrad
        p.grad.withData { gp in
            p.value.withMutableData { w in
                m.withMutableData { mp in
                    v.withMutableData { vp in
                        func update(_ maxp: UnsafeMutablePointer<Float>?) {
                            for i in 0..<n {
                                var d = gp[i]
                                if decoupled { w[i] *= 1 - lr * wd } else if wd != 0 { d += wd * w[i] }
                                mp[i] += (1 - b1) * (d - mp[i])               // exp_avg.lerp_(grad, 1 − β1)
                                vp[i] = vp[i] * b2 + (1 - b2) * d * d          // exp_avg_sq.mul_(β2).addcmul_(g, g, 1 − β2)
                                var second = vp[i]
                                if let maxp { maxp[i] = max(maxp[i], vp[i]); second = maxp[i] }
                                let denom = second.squareRoot() / bc2Sqrt + eps
                                w[i] += -stepSize * mp[i] / denom
                            }
                        }
                        if amsgrad, vmax != nil { vmax!.withMutableData { update($0) } } else { update(nil) }
                    }
                }
            }
        }
        s.expAvg = m; s.expAvgSq = v; s.maxExpAvgSq = vmax
    }
}
