import EngineCore

/// mmaction2's `ColorJitter`: per video, factors b ∈ brightness, c ∈ contrast, s ∈ saturation and h ∈ hue drawn
/// uniformly; every frame is made float, then brightness (×b), contrast (blend with the frame's mean grey),
/// saturation (blend with the grey image) and hue (OpenCV's uint8 HSV, hue channel shifted by ⌊h·255⌋ mod 180) are
/// applied in an order, and the result is clipped to 0…255 and truncated to uint8. A factor at its identity (b, c,
/// s = 1; h = 0) skips its step. mmaction2 draws the order once, when the pipeline is built, from NumPy's global
/// generator; Reel draws it per video, after the factors (docs/differences.md).
public struct ColorJitterStep: PipelineStep {
    public var typeName: String { "ColorJitter" }
    public var brightness: (Double, Double), contrast: (Double, Double), saturation: (Double, Double), hue: (Double, Double)

    public init(brightness: (Double, Double) = (0.5, 1.5), contrast: (Double, Double) = (0.5, 1.5),
                saturation: (Double, Double) = (0.5, 1.5), hue: (Double, Double) = (-0.1, 0.1)) {
        self.brightness = brightness; self.contrast = contrast; self.saturation = saturation; self.hue = hue
    }

    /// The factors and order of one video.
    public struct Draw: Equatable {
        public var b: Double, c: Double, s: Double, h: Double
        /// Step indices in application order: 0 brightness, 1 contrast, 2 saturation, 3 hue.
        public var order: [Int]
    }

    public func draw(rng: inout Philox) -> Draw {
        func uniform(_ r: (Double, Double)) -> Double { r.0 + (r.1 - r.0) * rng.nextDouble() }
        let b = uniform(brightness), c = uniform(contrast), s = uniform(saturation), h = uniform(hue)
        var order = [0, 1, 2, 3]
        rng.shuffle(&order)
        return Draw(b: b, c: c, s: s, h: h, order: order)
    }

    public func apply(_ sample: inout PipelineSample, rng: inout Philox, workspace: PipelineWorkspace) throws {
        let d = draw(rng: &rng)
        sample.frames = sample.frames.map { Self.jitter($0, d) }
    }

    /// One frame through the draw's steps (float32 arithmetic as NumPy does it on a float32 image).
    public static func jitter(_ frame: Frame, _ d: Draw) -> Frame {
        precondition(frame.channels == 3, "ColorJitter takes RGB frames")
        var img = frame.pixels.map(Float.init)
        for step in d.order {
            switch step {
            case 0 where d.b != 1:
                let b = Float(d.b)
                for i in img.indices { img[i] *= b }
            case 1 where d.c != 1:
                let grey = Self.grey(img)
                let mean = Float(Double(NumPySum.pairwise(grey)) / Double(grey.count))
                let c = Float(d.c), rest = Float((1 - d.c) * Double(mean))
                for i in img.indices { img[i] = c * img[i] + rest }
            case 2 where d.s != 1:
                let grey = Self.grey(img)
                let s = Float(d.s), rest = Float(1 - d.s)
                for i in img.indices { img[i] = s * img[i] + rest * grey[i / 3] }
            case 3 where d.h != 0:
                img = Self.shiftHue(img, offset: Int(d.h * 255))
            default: break
            }
        }
        return Frame(width: frame.width, height: frame.height, pixels: img.map(Self.truncatedByte))
    }

    /// `np.clip(x, 0, 255).astype(np.uint8)`: clipped, then truncated toward zero (NaN becomes 0).
    static func truncatedByte(_ x: Float) -> UInt8 { x.isNaN ? 0 : UInt8(min(max(x, 0), 255)) }

    /// mmaction2's `rgb_to_grayscale` on a float32 image: 0.2989·R + 0.587·G + 0.114·B per pixel.
    static func grey(_ img: [Float]) -> [Float] {
        (0..<(img.count / 3)).map { p in Float(0.2989) * img[3 * p] + Float(0.587) * img[3 * p + 1] + Float(0.114) * img[3 * p + 2] }
    }

    /// The hue step: the image clipped and truncated to uint8, to OpenCV's 8-bit HSV, H ← (H + offset) mod 180 with
    /// NumPy's uint8 arithmetic (a non-negative offset wraps at 256 first, as mmaction2's code does), back to RGB.
    static func shiftHue(_ img: [Float], offset: Int) -> [Float] {
        var out = [Float](repeating: 0, count: img.count)
        for p in 0..<(img.count / 3) {
            let (h, s, v) = OpenCVHSV.fromRGB(truncatedByte(img[3 * p]), truncatedByte(img[3 * p + 1]), truncatedByte(img[3 * p + 2]))
            let shifted = offset >= 0 ? (Int(h) + offset) & 0xFF : Int(h) + offset
            let hue = UInt8(truncatingIfNeeded: ((shifted % 180) + 180) % 180)
            let (r, g, b) = OpenCVHSV.toRGB(hue, s, v)
            out[3 * p] = Float(r); out[3 * p + 1] = Float(g); out[3 * p + 2] = Float(b)
        }
        return out
    }
}

/// OpenCV's 8-bit `COLOR_RGB2HSV` / `COLOR_HSV2RGB` (H in 0…179): integer tables for the forward conversion, the
/// float sector formula with rounding for the inverse (OpenCV's RGB2HSV_b and HSV2RGB_b).
enum OpenCVHSV {
    static let shift = 12
    /// round((255 << 12) / v) and round((180 << 12) / (6·d)), OpenCV's sdiv_table and hdiv_table180.
    static let sdiv: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(255 << shift) / Double($0)).rounded(.toNearestOrEven)) }
    static let hdiv: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(180 << shift) / (6 * Double($0))).rounded(.toNearestOrEven)) }

    static func fromRGB(_ r8: UInt8, _ g8: UInt8, _ b8: UInt8) -> (UInt8, UInt8, UInt8) {
        let r = Int(r8), g = Int(g8), b = Int(b8)
        let v = max(r, g, b), diff = v - min(r, g, b)
        let vr = v == r ? -1 : 0, vg = v == g ? -1 : 0
        let s = (diff * sdiv[v] + (1 << (shift - 1))) >> shift
        var h = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * diff))))
        h = (h * hdiv[diff] + (1 << (shift - 1))) >> shift
        if h < 0 { h += 180 }
        return (UInt8(clamping: h), UInt8(clamping: s), UInt8(v))
    }

    static func toRGB(_ h8: UInt8, _ s8: UInt8, _ v8: UInt8) -> (UInt8, UInt8, UInt8) {
        var h = Float(h8)
        let s = Float(s8) * (1 / Float(255)), v = Float(v8) * (1 / Float(255))
        var r = v, g = v, b = v
        if s != 0 {
            h *= Float(6) / Float(180)
            if h < 0 { h += 6 } else if h >= 6 { h -= 6 }
            var sector = Int(h.rounded(.down))
            h -= Float(sector)
            if sector < 0 || sector >= 6 { sector = 0; h = 0 }
            // OpenCV's tab[4] and sector_data: which of v, p, q, t each of b, g, r takes in each sector.
            let p = v * (1 - s), q = v * (1 - s * h), t = v * (1 - s * (1 - h))
            switch sector {
            case 0: (b, g, r) = (p, t, v)
            case 1: (b, g, r) = (p, v, q)
            case 2: (b, g, r) = (t, v, p)
            case 3: (b, g, r) = (v, q, p)
            case 4: (b, g, r) = (v, p, t)
            default: (b, g, r) = (q, p, v)
            }
        }
        func byte(_ x: Float) -> UInt8 { UInt8(clamping: Int((x * 255).rounded(.toNearestOrEven))) }
        return (byte(r), byte(g), byte(b))
    }
}

/// NumPy's float32 `sum` (pairwise summation: blocks of 8 interleaved accumulators up to 128 elements, halves
/// above), which `np.mean` of a float32 array uses.
enum NumPySum {
    static func pairwise(_ a: [Float]) -> Float { a.withUnsafeBufferPointer { pairwise($0.baseAddress!, $0.count) } }

    static func pairwise(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        if n < 8 {
            var res: Float = 0
            for i in 0..<n { res += a[i] }
            return res
        }
        if n <= 128 {
            // Eight lane-wise accumulators (each lane adds in order, as NumPy's r[0…7] do), no allocation.
            var r = SIMD8<Float>(UnsafeBufferPointer(start: a, count: 8))
            var i = 8
            while i < n - n % 8 {
                r += SIMD8<Float>(UnsafeBufferPointer(start: a + i, count: 8))
                i += 8
            }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { res += a[i]; i += 1 }
            return res
        }
        var n2 = n / 2
        n2 -= n2 % 8
        return pairwise(a, n2) + pairwise(a + n2, n - n2)
    }
}
