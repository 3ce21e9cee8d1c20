import EngineCore
/// Consecutive bilinear `Resize`, single-view crop and `Flip` steps run as one: each step's random draws and
/// sample fields happen in step order exactly as the steps would do them, but the pixels are touched once per
/// resize — crops and flips before a resize become where it reads, crops and flips after it become which output
/// pixels it computes and where it writes them (so only the kept region is resized) — and once more at the end only
/// if a crop or flip follows the last resize. The frames come out bit-identical to the steps run one by one
/// (`Pipeline.trace` still runs them so; the tests compare the two).
struct SpatialChain {
    private enum Operation {
        case resize(width: Int, height: Int)
        case crop(CropBox)
        case flip(horizontal: Bool)
    }

    /// How many steps from `start` form a chain (0: none).
    static func length(_ steps: [any PipelineStep], from start: Int) -> Int {
        var n = 0
        while start + n < steps.count, fusable(steps[start + n]) { n += 1 }
        return n
    }

    private static func fusable(_ step: any PipelineStep) -> Bool {
        if let r = step as? ResizeStep { return r.interpolation == .bilinear && !r.lazy }
        if let c = step as? CropStep {
            switch c.kind {
            case .three, .ten: return false
            default: return !c.lazy
            }
        }
        return (step as? FlipStep).map { !$0.lazy } ?? false
    }

    /// Runs `steps` (a chain: see `length`) on a sample that has frames.
    static func apply(_ steps: ArraySlice<any PipelineStep>, to sample: inout PipelineSample, rng: inout Philox) throws {
        guard let first = sample.frames.first else { return }
        // Geometry, in step order: the same draws and sample fields as the steps' `apply`.
        var ops: [Operation] = []
        var size = (width: first.width, height: first.height)
        for step in steps {
            if let r = step as? ResizeStep {
                let t = r.targetSize(width: size.width, height: size.height)
                if t != size { ops.append(.resize(width: t.width, height: t.height)); size = t }
            } else if let c = step as? CropStep {
                guard let boxes = c.boxes(width: size.width, height: size.height, rng: &rng), boxes.count == 1,
                      let box = boxes.first, box.x1 >= 0, box.y1 >= 0, box.x2 <= size.width, box.y2 <= size.height else {
                    throw DatasetError(file: sample.frameDir, line: nil,
                                       message: "\(c.typeName) does not fit in the video's \(size.width)x\(size.height) frames")
                }
                if box != CropBox(x: 0, y: 0, width: size.width, height: size.height) { ops.append(.crop(box)) }
                sample.cropBoxes = boxes
                size = (box.width, box.height)
            } else if let f = step as? FlipStep {
                let flip = CropGeometry.flips(ratio: f.ratio, rng: &rng)
                sample.flipped = flip
                sample.flipDirection = f.horizontal ? "horizontal" : "vertical"
                if flip {
                    ops.append(.flip(horizontal: f.horizontal))
                    if !f.labelMap.isEmpty { sample.labels = sample.labels.map { f.labelMap[$0] ?? $0 } }
                }
            }
        }
        // Pixels: a window over the current frames absorbs crops and flips; a resize materialises only what the
        // crops and flips after it keep.
        var frames = sample.frames
        var window = FrameWindow(width: first.width, height: first.height)
        var k = 0
        while k < ops.count {
            switch ops[k] {
            case .crop(let b): window = window.cropped(b); k += 1
            case .flip(let h): window = window.flipped(horizontal: h); k += 1
            case .resize(let w, let h):
                var region = FrameWindow(width: w, height: h)
                k += 1
                scan: while k < ops.count {
                    switch ops[k] {
                    case .crop(let b): region = region.cropped(b)
                    case .flip(let h): region = region.flipped(horizontal: h)
                    case .resize: break scan
                    }
                    k += 1
                }
                let plan = BilinearPlan(source: window, sourceWidth: frames[0].width, channels: frames[0].channels,
                                        target: (w, h), region: region)
                frames = frames.map { plan.apply($0) }
                window = FrameWindow(width: region.width, height: region.height)
            }
        }
        if !window.isIdentity(width: frames[0].width, height: frames[0].height) {
            frames = frames.map { window.copy(of: $0) }
        }
        sample.frames = frames
    }
}
