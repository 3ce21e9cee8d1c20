import EngineCore
/// mmaction2's `Resize` (and the resize inside `RandomRescale`): geometry as mmcv's `rescale_size`, pixels as
/// OpenCV's uint8 bilinear or nearest (SEMANTICS.md §5.5).
public struct ResizeStep: PipelineStep {
    public enum Interpolation: String, Sendable { case bilinear, nearest }
    public enum Scale: Sendable, Equatable {
        case factor(Double)
        case size(Int, Int)
    }
    public var typeName: String { "Resize" }
    public var scale: Scale
    public var keepRatio = true
    public var interpolation = Interpolation.bilinear
    /// `lazy=True`: only the target shape and interpolation are recorded, for a later `Fuse`.
    public var lazy = false

    public init(scale: Scale, keepRatio: Bool = true, interpolation: Interpolation = .bilinear, lazy: Bool = false) {
        self.scale = scale; self.keepRatio = keepRatio; self.interpolation = interpolation; self.lazy = lazy
    }

    public func targetSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch scale {
        case .factor(let f): return Resize.targetSize(width: width, height: height, factor: f)
        case .size(let a, let b): return Resize.targetSize(width: width, height: height, scale: (a, b), keepRatio: keepRatio)
        }
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        if lazy {
            var g = sample.lazyGeometry()
            // mmaction2 raises NotImplementedError here; PipelineReader refuses the order first.
            guard !g.flip else { throw PipelineError(message: "a lazy Resize after a lazy Flip (put Flip last)") }
            (g.width, g.height) = targetSize(width: g.width, height: g.height)
            g.interpolation = interpolation
            sample.lazy = g
            return
        }
        guard let shape = sample.imageShape else { return }
        let (w, h) = targetSize(width: shape.width, height: shape.height)
        sample.frames = Self.resize(sample.frames, width: w, height: h, interpolation: interpolation)
    }

    static func resize(_ frames: [Frame], width: Int, height: Int, interpolation: Interpolation) -> [Frame] {
        frames.map { f in
            interpolation == .bilinear ? Resize.bilinear(f, width: width, height: height)
                                       : Resize.nearest(f, width: width, height: height)
        }
    }
}

/// mmaction2's `RandomRescale(scale_range)`: short side drawn uniformly from the inclusive integer range, then
/// `Resize((-1, s), keep_ratio=True)`.
public struct RandomRescale: PipelineStep {
    public var typeName: String { "RandomRescale" }
    public var low: Int, high: Int
    public var interpolation = ResizeStep.Interpolation.bilinear

    public init(low: Int, high: Int, interpolation: ResizeStep.Interpolation = .bilinear) {
        self.low = low; self.high = high; self.interpolation = interpolation
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let side = rng.nextInt(in: low..<(high + 1))
        try ResizeStep(scale: .size(-1, side), interpolation: interpolation).apply(&sample, rng: &rng, workspace: workspace)
    }
}

extension Resize {
    /// OpenCV `INTER_NEAREST`: source index floor(x · in/out), clamped (no pixel-centre shift).
    public static func nearest(_ src: Frame, width ow: Int, height oh: Int) -> Frame {
        if ow == src.width && oh == src.height { return src }
        let ch = src.channels
        let sx = (0..<ow).map { min(Int((Double($0) * Double(src.width) / Double(ow)).rounded(.down)), src.width - 1) }
        var out = [UInt8](repeating: 0, count: ow * oh * ch)
        for y in 0..<oh {
            let syy = min(Int((Double(y) * Double(src.height) / Double(oh)).rounded(.down)), src.height - 1)
            for x in 0..<ow {
                for c in 0..<ch { out[(y * ow + x) * ch + c] = src.pixels[(syy * src.width + sx[x]) * ch + c] }
            }
        }
        return Frame(width: ow, height: oh, channels: ch, pixels: out)
    }
}
