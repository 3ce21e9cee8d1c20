/// `nn.Linear`: y = x·Wᵀ + b. Shapes: x N×I, `weight` O×I, `bias` O, y N×O (PyTorch's names and layout).
/// `backward` adds into the gradients (llm.c style).
public final class Linear: Layer {
    public let weight: Parameter, bias: Parameter?
    public let inFeatures: Int, outFeatures: Int
    public var isTraining = true
    private var input: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(Tensor.zeros([outFeatures, inFeatures]))
        self.bias = bias ? Parameter(Tensor.zeros([outFeatures])) : nil
    }

    public var parameters: [(String, Parameter)] { bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)] }
    public var kind: ModuleKind { .linear }

    /// mmaction2 heads: weight ~ normal(0, std), bias 0.
    public func normalInit(std: Float, rng: inout Philox) {
        weight.value = Tensor.normal(weight.shape, std: std, rng: &rng)
        bias?.value.fill(0)
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inFeatures, "Linear expects N×\(inFeatures), got \(x.shape)")
        let n = x.shape[0]
        var y = Tensor(uninitialized: [n, outFeatures])
        x.withData { xp in
            weight.value.withData { w in
                y.withMutableData { yp in
                    GEMM.sgemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: xp, lda: inFeatures, b: w,
                               ldb: inFeatures, c: yp, ldc: outFeatures)
                    if let b = bias?.value {
                        b.withData { bp in for i in 0..<n { for o in 0..<outFeatures { yp[i * outFeatures + o] += bp[o] } } }
                    }
                }
            }
        }
        input = x
        return y
    }

    /// dx = dy·W, dW += dyᵀ·x, db += Σₙ dy.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward without forward") }
        let n = x.shape[0]
        var dx = Tensor(uninitialized: x.shape)
        dy.withData { d in
            x.withData { xp in
                if weight.requiresGrad {
                    weight.grad.withMutableData { dw in
                        GEMM.sgemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: d, lda: outFeatures, b: xp,
                                   ldb: inFeatures, beta: 1, c: dw, ldc: inFeatures)
                    }
                }
                if let bias, bias.requiresGrad {
                    bias.grad.withMutableData { db in
                        for i in 0..<n { for o in 0..<outFeatures { db[o] += d[i * outFeatures + o] } }
                    }
                }
            }
            weight.value.withData { w in
                dx.withMutableData { out in
                    GEMM.sgemm(m: n, n: inFeatures, k: outFeatures, a: d, lda: outFeatures, b: w, ldb: inFeatures,
                               c: out, ldc: inFeatures)
                }
            }
        }
        weight.gradientReady()
        bias?.gradientReady()
        return dx
    }
}
