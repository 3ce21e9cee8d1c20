import CKernels

/// What a convolution does to each output block right after computing it, while the block is in cache: add a
/// per-output-channel bias (the conv's own, or a folded BatchNorm's shift), add a residual of the output's shape,
/// apply ReLU. Training uses only the bias (BatchNorm and ReLU stay separate layers there, for their gradients);
/// the inference path (`ConvModule`, the residual blocks) fuses all three.
struct ConvEpilogue {
    var bias: Tensor?
    var residual: Tensor?
    var relu = false

    var isEmpty: Bool { bias == nil && residual == nil && !relu }

    /// Applies to output channels `channels`, columns `columns` of rows `total` columns long (channel-major output:
    /// channel o's values at y + o·total).
    func apply(_ y: UnsafeMutablePointer<Float>, channels: Range<Int>, columns: Range<Int>, total: Int) {
        guard !isEmpty, !channels.isEmpty, !columns.isEmpty else { return }
        let offset = channels.lowerBound * total + columns.lowerBound
        withPointers { b, r in
            reel_bias_act(y + offset, channels.count, columns.count, total, b.map { $0 + channels.lowerBound },
                          r.map { $0 + offset }, total, relu ? 1 : 0)
        }
    }

    /// Applies to the whole output (O rows of `total` columns), split over the cores by channel.
    func applyAll(_ y: inout Tensor, channels: Int, total: Int) {
        guard !isEmpty else { return }
        y.withMutableData { yp in
            Parallel.forChunks(channels) { chs in apply(yp, channels: chs, columns: 0..<total, total: total) }
        }
    }

    /// The bias and residual pointers (nil where absent), valid inside `body`.
    func withPointers<R>(_ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
        func residual(_ b: UnsafePointer<Float>?) -> R {
            if let r = self.residual { return r.withData { body(b, $0) } }
            return body(b, nil)
        }
        if let bias { return bias.withData { residual($0) } }
        return residual(nil)
    }
}
