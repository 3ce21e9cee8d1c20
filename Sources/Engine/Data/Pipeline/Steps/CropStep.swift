import EngineCore
/// mmaction2's crop transforms (SEMANTICS.md §5.7): where to cut comes from `CropGeometry`; this step cuts the
/// frames. Single-view crops cut every frame at one box; ThreeCrop and TenCrop produce view-major frame lists
/// (all frames of view 1, then view 2, …; TenCrop follows each position with its flipped copy).
public struct CropStep: PipelineStep {
    public enum Kind: Sendable {
        case random(size: Int)
        case randomResized(area: (Double, Double), aspectRatio: (Double, Double))
        case multiScale(inputSize: (w: Int, h: Int), scales: [Double], maxGap: Int, randomCrop: Bool, fixedCrops: Int)
        case center(width: Int, height: Int)
        case three(width: Int, height: Int)
        case ten(width: Int, height: Int)
    }
    public let typeName: String
    public let kind: Kind
    /// `lazy=True` (single-view crops): the box is recorded in the original frames' coordinates for a later `Fuse`.
    public var lazy = false

    public init(typeName: String, kind: Kind, lazy: Bool = false) { self.typeName = typeName; self.kind = kind; self.lazy = lazy }

    /// The boxes this step cuts from a `width`×`height` frame (one per view), drawing from `rng` as mmaction2 does.
    public func boxes(width w: Int, height h: Int, rng: inout Philox) -> [CropBox]? {
        switch kind {
        case .random(let size): return CropGeometry.random(width: w, height: h, size: size, rng: &rng).map { [$0] }
        case .randomResized(let area, let ratio):
            return [CropGeometry.randomResized(width: w, height: h, areaRange: area, aspectRange: ratio, rng: &rng)]
        case .multiScale(let input, let scales, let gap, let random, let fixed):
            return [CropGeometry.multiScale(width: w, height: h, inputSize: input, scales: scales, maxGap: gap,
                                            randomCrop: random, fixedCrops: fixed, rng: &rng)]
        case .center(let cw, let ch): return [CropGeometry.center(width: w, height: h, cropWidth: cw, cropHeight: ch)]
        case .three(let cw, let ch): return CropGeometry.three(width: w, height: h, cropWidth: cw, cropHeight: ch)
        case .ten(let cw, let ch): return CropGeometry.ten(width: w, height: h, cropWidth: cw, cropHeight: ch)
        }
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        guard let shape = sample.spatialShape else { return }
        guard let boxes = boxes(width: shape.width, height: shape.height, rng: &rng),
              boxes.allSatisfy({ $0.x1 >= 0 && $0.y1 >= 0 && $0.x2 <= shape.width && $0.y2 <= shape.height }) else {
            throw DatasetError(file: sample.frameDir, line: nil,
                               message: "\(typeName) does not fit in the video's \(shape.width)x\(shape.height) frames")
        }
        if lazy {
            var g = sample.lazyGeometry()
            guard !g.flip, boxes.count == 1 else { throw PipelineError(message: "a lazy \(typeName) after a lazy Flip (put Flip last)") }
            g.crop(boxes[0])
            sample.lazy = g
            sample.cropBoxes = boxes
            return
        }
        var out: [Frame] = []
        out.reserveCapacity(sample.frames.count * boxes.count * (isTen ? 2 : 1))
        for box in boxes {
            let cut = sample.frames.map { $0.cropped(box) }
            out += cut
            if isTen { out += cut.map { $0.flipped(horizontal: true) } }
        }
        sample.frames = out
        sample.cropBoxes = boxes
        sample.numCrops *= boxes.count * (isTen ? 2 : 1)
    }

    private var isTen: Bool { if case .ten = kind { true } else { false } }
}

/// A pipeline failure that is about the data rather than the config (the loader names the video).
public struct PipelineError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension Frame {
    /// The pixels inside `box` (x2, y2 exclusive).
    public func cropped(_ box: CropBox) -> Frame {
        if box.x1 == 0 && box.y1 == 0 && box.width == width && box.height == height { return self }
        var out = [UInt8](repeating: 0, count: box.width * box.height * channels)
        let rowBytes = box.width * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<box.height {
                    let from = src.baseAddress! + ((box.y1 + y) * width + box.x1) * channels
                    (dst.baseAddress! + y * rowBytes).update(from: from, count: rowBytes)
                }
            }
        }
        return Frame(width: box.width, height: box.height, channels: channels, pixels: out)
    }

    /// Mirrored left-right (`horizontal`) or top-bottom.
    public func flipped(horizontal: Bool) -> Frame {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let rowBytes = width * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    if horizontal {
                        let s = src.baseAddress! + y * rowBytes, d = dst.baseAddress! + y * rowBytes
                        for x in 0..<width {
                            for c in 0..<channels { d[(width - 1 - x) * channels + c] = s[x * channels + c] }
                        }
                    } else {
                        (dst.baseAddress! + (height - 1 - y) * rowBytes).update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
                    }
                }
            }
        }
        return Frame(width: width, height: height, channels: channels, pixels: out)
    }
}
