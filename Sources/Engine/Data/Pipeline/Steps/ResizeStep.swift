import Config
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

    public init(scale: Scale, keepRatio: Bool = true, interpolation: Interpolation = .bilinear) {
        self.scale = scale; self.keepRatio = keepRatio; self.interpolation = interpolation
    }

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "Resize", files: files)
        guard let v = r.value("scale"), !v.isNone else { throw r.error("Resize needs 'scale'") }
        if case .tuple(let items) = v.content, items.count == 2, let a = items[0].int, let b = items[1].int {
            guard (a > 0 || a == -1) && (b > 0 || b == -1) && !(a == -1 && b == -1) else {
                throw files.error("Resize scale sides must be positive (or -1 for one of them)", at: v.origin)
            }
            scale = .size(a, b)
        } else if case .float(let f) = v.content {
            guard f > 0 else { throw files.error("Resize scale must be positive", at: v.origin) }
            scale = .factor(f)
        } else {
            throw files.error("Resize scale must be a float or a tuple (w, h), not \(v.typeDescription)", at: v.origin,
                              note: "mmcv rejects a list here: write (-1, 256), not [-1, 256]")
        }
        keepRatio = try r.bool("keep_ratio", true)
        interpolation = try Self.interpolation(r)
        if try r.bool("lazy", false) { throw r.error("lazy=True (the Fuse path) is not supported by Reel", key: "lazy") }
    }

    static func interpolation(_ r: ConfigReader) throws -> Interpolation {
        Interpolation(rawValue: try r.require("interpolation", in: ["bilinear", "nearest"], default: "bilinear"))!
    }

    public func targetSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch scale {
        case .factor(let f): return Resize.targetSize(width: width, height: height, factor: f)
        case .size(let a, let b): return Resize.targetSize(width: width, height: height, scale: (a, b), keepRatio: keepRatio)
        }
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
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

    public init(config: ConfigValue, files: SourceFiles) throws {
        let r = try ConfigReader(config, name: "RandomRescale", files: files)
        let range = try r.ints("scale_range", [])
        guard range.count == 2, range[0] > 0, range[0] < range[1] else {
            throw r.error("scale_range must be a tuple (low, high) with 0 < low < high", key: "scale_range")
        }
        (low, high) = (range[0], range[1])
        interpolation = try ResizeStep.interpolation(r)
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
