import Foundation
import EngineCore

/// A crop box in pixels: x1, y1 inclusive, x2, y2 exclusive (mmaction2's `crop_bbox`).
public struct CropBox: Equatable, Sendable, CustomStringConvertible {
    public var x1: Int, y1: Int, x2: Int, y2: Int
    public init(x1: Int, y1: Int, x2: Int, y2: Int) { self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2 }
    public init(x: Int, y: Int, width: Int, height: Int) { self.init(x1: x, y1: y, x2: x + width, y2: y + height) }
    public var width: Int { x2 - x1 }
    public var height: Int { y2 - y1 }
    public var description: String { "[\(x1), \(y1), \(x2), \(y2)]" }
}

/// Where mmaction2's crop transforms cut (SEMANTICS.md §5.7), as pure functions of the frame size and the RNG:
/// the pipeline, `reel inspect pipeline` and the dashboard's crop preview share them. The draw order follows
/// mmaction2 (RandomCrop: y then x; RandomResizedCrop: 10 ratios, 10 areas, then x, y); the random streams
/// themselves are Reel's Philox, not numpy's.
public enum CropGeometry {
    /// `RandomCrop(size)`: offsets uniform in [0, side − size) — an exclusive bound, so the crop never touches the
    /// bottom/right edge unless the side equals `size`. Nil when the crop is larger than the frame.
    public static func random(width w: Int, height h: Int, size: Int, rng: inout Philox) -> CropBox? {
        guard size <= w, size <= h else { return nil }
        let y = h > size ? rng.nextInt(in: 0..<(h - size)) : 0
        let x = w > size ? rng.nextInt(in: 0..<(w - size)) : 0
        return CropBox(x: x, y: y, width: size, height: size)
    }

    /// `RandomResizedCrop(area_range, aspect_ratio_range)`: up to 10 (ratio, area) candidates, sides rounded half
    /// to even, the first that fits placed uniformly (inclusive bounds); else a centred square of the short side.
    public static func randomResized(width w: Int, height h: Int, areaRange: (Double, Double) = (0.08, 1),
                                     aspectRange: (Double, Double) = (3.0 / 4, 4.0 / 3), rng: inout Philox) -> CropBox {
        let area = Double(w * h)
        let ratios = (0..<10).map { _ in exp(log(aspectRange.0) + rng.nextDouble() * (log(aspectRange.1) - log(aspectRange.0))) }
        let areas = (0..<10).map { _ in (areaRange.0 + rng.nextDouble() * (areaRange.1 - areaRange.0)) * area }
        for (r, a) in zip(ratios, areas) {
            let cw = Int((a * r).squareRoot().rounded(.toNearestOrEven)), ch = Int((a / r).squareRoot().rounded(.toNearestOrEven))
            if ch <= h && cw <= w {
                let x = rng.nextInt(in: 0..<(w - cw + 1)), y = rng.nextInt(in: 0..<(h - ch + 1))
                return CropBox(x: x, y: y, width: cw, height: ch)
            }
        }
        let s = min(w, h)
        return CropBox(x: (w - s) / 2, y: (h - s) / 2, width: s, height: s)
    }

    /// `MultiScaleCrop`'s candidate sizes [w, h]: sides trunc(base·scale) of the short side, pairs within
    /// `maxGap` scale steps (height index outer, width inner), each side snapped to `inputSize` within 2 pixels.
    public static func multiScaleCandidates(width w: Int, height h: Int, inputSize: (w: Int, h: Int), scales: [Double],
                                            maxGap: Int) -> [(w: Int, h: Int)] {
        let base = Double(min(w, h))
        let sizes = scales.map { Int(base * $0) }
        var out: [(w: Int, h: Int)] = []
        for (i, hs) in sizes.enumerated() {
            for (j, ws) in sizes.enumerated() where abs(i - j) <= maxGap {
                out.append((abs(ws - inputSize.w) < 3 ? inputSize.w : ws, abs(hs - inputSize.h) < 3 ? inputSize.h : hs))
            }
        }
        return out
    }

    /// `MultiScaleCrop`: a random candidate size, at a random position (inclusive bounds) or one of the 5 / 13
    /// fixed grid positions (steps (w − cw)//4, (h − ch)//4).
    public static func multiScale(width w: Int, height h: Int, inputSize: (w: Int, h: Int), scales: [Double], maxGap: Int = 1,
                                  randomCrop: Bool = false, fixedCrops: Int = 5, rng: inout Philox) -> CropBox {
        let candidates = multiScaleCandidates(width: w, height: h, inputSize: inputSize, scales: scales, maxGap: maxGap)
        let (cw, ch) = candidates[rng.nextInt(in: 0..<candidates.count)]
        if randomCrop {
            let x = rng.nextInt(in: 0..<(w - cw + 1)), y = rng.nextInt(in: 0..<(h - ch + 1))
            return CropBox(x: x, y: y, width: cw, height: ch)
        }
        let positions = fixedPositions(width: w, height: h, cropWidth: cw, cropHeight: ch, count: fixedCrops)
        let (x, y) = positions[rng.nextInt(in: 0..<positions.count)]
        return CropBox(x: x, y: y, width: cw, height: ch)
    }

    static func fixedPositions(width w: Int, height h: Int, cropWidth cw: Int, cropHeight ch: Int, count: Int) -> [(Int, Int)] {
        let ws = (w - cw) / 4, hs = (h - ch) / 4
        var p = [(0, 0), (4 * ws, 0), (0, 4 * hs), (4 * ws, 4 * hs), (2 * ws, 2 * hs)]
        if count == 13 {
            p += [(0, 2 * hs), (4 * ws, 2 * hs), (2 * ws, 4 * hs), (2 * ws, 0), (ws, hs), (3 * ws, hs), (ws, 3 * hs), (3 * ws, 3 * hs)]
        }
        return p
    }

    /// `CenterCrop`: offsets floor((side − crop)/2).
    public static func center(width w: Int, height h: Int, cropWidth cw: Int, cropHeight ch: Int) -> CropBox {
        CropBox(x: (w - cw) / 2, y: (h - ch) / 2, width: cw, height: ch)
    }

    /// `ThreeCrop`: along the side that is longer than the crop, at 0, 2s, s (left, right, middle). Nil unless one
    /// crop side equals the frame's.
    public static func three(width w: Int, height h: Int, cropWidth cw: Int, cropHeight ch: Int) -> [CropBox]? {
        if ch == h {
            let s = (w - cw) / 2
            return [0, 2 * s, s].map { CropBox(x: $0, y: 0, width: cw, height: ch) }
        }
        guard cw == w else { return nil }
        let s = (h - ch) / 2
        return [0, 2 * s, s].map { CropBox(x: 0, y: $0, width: cw, height: ch) }
    }

    /// `TenCrop`'s five positions (each is taken as is and flipped): corners on a grid of (side − crop)//4 steps
    /// — not flush with the border unless the surplus is a multiple of 4 — and the centre.
    public static func ten(width w: Int, height h: Int, cropWidth cw: Int, cropHeight ch: Int) -> [CropBox] {
        fixedPositions(width: w, height: h, cropWidth: cw, cropHeight: ch, count: 5).map {
            CropBox(x: $0.0, y: $0.1, width: cw, height: ch)
        }
    }

    /// `Flip(flip_ratio)`: one uniform draw, always (even for ratio 0 or 1); flip iff it is below the ratio.
    public static func flips(ratio: Double, rng: inout Philox) -> Bool { rng.nextDouble() < ratio }
}
