import EngineCore
/// A rectangle of a frame, optionally mirrored, seen as an image of its own: logical pixel (x, y) is physical
/// pixel (`box.x1 + x`, `box.y1 + y`), counted from the far edge on a mirrored axis.
///
/// Crops and flips compose on windows without touching pixels, which is how the fused spatial steps
/// (`SpatialChain`) cut and flip frames: only a resize, or the end of the chain, reads them.
struct FrameWindow: Equatable {
    var box: CropBox
    var flipX = false, flipY = false

    /// The whole of a `width`×`height` image, unmirrored.
    init(width: Int, height: Int) { box = CropBox(x: 0, y: 0, width: width, height: height) }

    var width: Int { box.width }
    var height: Int { box.height }

    /// The physical column of logical column `x`.
    func mapX(_ x: Int) -> Int { flipX ? box.x2 - 1 - x : box.x1 + x }
    /// The physical row of logical row `y`.
    func mapY(_ y: Int) -> Int { flipY ? box.y2 - 1 - y : box.y1 + y }

    /// The window of `b` (in this window's logical coordinates): a crop of a mirrored window is the mirrored crop
    /// of the mirror-image box.
    func cropped(_ b: CropBox) -> FrameWindow {
        var out = self
        let x1 = flipX ? box.x2 - b.x2 : box.x1 + b.x1
        let y1 = flipY ? box.y2 - b.y2 : box.y1 + b.y1
        out.box = CropBox(x: x1, y: y1, width: b.width, height: b.height)
        return out
    }

    func flipped(horizontal: Bool) -> FrameWindow {
        var out = self
        if horizontal { out.flipX.toggle() } else { out.flipY.toggle() }
        return out
    }

    /// True when the window is the whole `width`×`height` image, unmirrored (reading it is the identity).
    func isIdentity(width w: Int, height h: Int) -> Bool { self == FrameWindow(width: w, height: h) }

    /// The window's pixels as a frame of their own (a crop and/or flip, one copy).
    func copy(of frame: Frame) -> Frame {
        let ch = frame.channels, w = width, h = height, rowBytes = w * ch
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * h) { out, count in
            frame.pixels.withUnsafeBufferPointer { src in
                for y in 0..<h {
                    let line = src.baseAddress! + (mapY(y) * frame.width + box.x1) * ch
                    let dst = out.baseAddress! + y * rowBytes
                    if !flipX {
                        dst.update(from: line, count: rowBytes)
                    } else if ch == 3 {
                        for x in 0..<w {
                            let s = line + (w - 1 - x) * 3, d = dst + x * 3
                            d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                        }
                    } else {
                        for x in 0..<w { (dst + x * ch).update(from: line + (w - 1 - x) * ch, count: ch) }
                    }
                }
            }
            count = rowBytes * h
        }
        return Frame(width: w, height: h, channels: ch, pixels: pixels)
    }
}
