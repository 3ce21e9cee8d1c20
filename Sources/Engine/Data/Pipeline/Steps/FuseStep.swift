import EngineCore

/// mmaction2's `results['lazy']`: the geometry that `lazy=True` Resize, crop and Flip steps record instead of
/// touching the frames, applied in one go by `Fuse` (crop the original frames, resize once, flip).
public struct LazyGeometry: Sendable, Equatable {
    /// The crop in the original frames' coordinates (left, top, right, bottom), float32 as mmaction2 keeps it.
    public var box: [Float]
    /// The frames' shape the recorded steps give (mmaction2's `img_shape`): what `Fuse` resizes the crop to.
    public var width: Int, height: Int
    /// The last lazy Resize's interpolation (nil: none ran; Fuse uses bilinear).
    public var interpolation: ResizeStep.Interpolation?
    public var flip = false
    public var horizontal = true

    /// The geometry of untouched `width`×`height` frames (mmaction2's `_init_lazy_if_proper`).
    public init(width: Int, height: Int) {
        box = [0, 0, Float(width), Float(height)]
        self.width = width; self.height = height
    }

    /// A crop of the current (virtual) frames, mapped back into the original's coordinates as mmaction2's lazy
    /// crops do: `lazy_left + x · (lazy_right − lazy_left) / img_w`, and likewise for the other sides.
    public mutating func crop(_ b: CropBox) {
        let (l, t, r, bt) = (Double(box[0]), Double(box[1]), Double(box[2]), Double(box[3]))
        let w = Double(width), h = Double(height)
        box = [Float(l + Double(b.x1) * (r - l) / w), Float(t + Double(b.y1) * (bt - t) / h),
               Float(l + Double(b.x2) * (r - l) / w), Float(t + Double(b.y2) * (bt - t) / h)]
        width = b.width; height = b.height
    }

    /// The box `Fuse` cuts: NumPy's `round()` (half to even) of each side, clamped to the frame as slicing clamps.
    public func pixelBox(frameWidth: Int, frameHeight: Int) -> CropBox {
        let side = box.map { Int($0.rounded(.toNearestOrEven)) }
        let x1 = min(max(side[0], 0), frameWidth), y1 = min(max(side[1], 0), frameHeight)
        let x2 = min(max(side[2], x1), frameWidth), y2 = min(max(side[3], y1), frameHeight)
        return CropBox(x: x1, y: y1, width: x2 - x1, height: y2 - y1)
    }
}

extension PipelineSample {
    /// The geometry lazy steps record into, started from the frames' shape on first use.
    mutating func lazyGeometry() -> LazyGeometry {
        if let lazy { return lazy }
        let shape = imageShape ?? (0, 0)
        return LazyGeometry(width: shape.width, height: shape.height)
    }

    /// The frames' shape as the spatial steps see it: the lazy geometry's while one is recorded.
    var spatialShape: (height: Int, width: Int)? { lazy.map { ($0.height, $0.width) } ?? imageShape }
}

/// mmaction2's `Fuse`: applies the recorded lazy geometry — the original frames cropped at the rounded box,
/// resized once to the recorded shape (bilinear unless a lazy Resize named nearest), then flipped.
public struct FuseStep: PipelineStep {
    public var typeName: String { "Fuse" }
    public init() {}

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        // PipelineReader refuses a Fuse without lazy steps before it (mmaction2 raises "No lazy operation detected").
        guard let lazy = sample.lazy else { throw PipelineError(message: "Fuse: no lazy operation to apply") }
        sample.lazy = nil
        guard let shape = sample.imageShape else { return }
        let box = lazy.pixelBox(frameWidth: shape.width, frameHeight: shape.height)
        guard box.width > 0, box.height > 0, lazy.width > 0, lazy.height > 0 else {
            throw DatasetError(file: sample.frameDir, line: nil, message: "Fuse: the lazy crop of the \(shape.width)x\(shape.height) frames is empty")
        }
        let cut = sample.frames.map { $0.cropped(box) }
        sample.frames = ResizeStep.resize(cut, width: lazy.width, height: lazy.height, interpolation: lazy.interpolation ?? .bilinear)
        if lazy.flip { sample.frames = sample.frames.map { $0.flipped(horizontal: lazy.horizontal) } }
        sample.cropBoxes = [box]
    }
}
