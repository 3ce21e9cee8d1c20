import Engine
import Foundation

/// `reel inspect pipeline` without --json: each step's effect in words, and the frames drawn in the terminal with
/// half blocks (two pixel rows per text row, 24-bit colour), the crop boxes outlined on the frame they cut.
enum PipelinePreview {
    static func describe(_ s: PipelineSample) -> String {
        var parts: [String] = []
        if let f = s.frames.first { parts.append("\(s.frames.count) frame\(s.frames.count == 1 ? "" : "s") \(f.width)x\(f.height)") }
        if s.numCrops > 1 { parts.append("\(s.numCrops) views") }
        if !s.cropBoxes.isEmpty { parts.append("crop " + s.cropBoxes.map(\.description).joined(separator: " ")) }
        if s.flipped { parts.append("flipped \(s.flipDirection)") }
        if let n = s.normalization { parts.append("mean \(n.mean) std \(n.std)\(n.toBGR ? " to BGR" : "")") }
        if let t = s.imgs { parts.append("imgs \(t.shape)") }
        if s.frames.isEmpty { parts.append("frame_inds \(s.frameIndices)") }
        return parts.joined(separator: ", ")
    }

    static func render(trace: [(String, PipelineSample)], width: Int) -> String {
        var out: [String] = []
        var previous: PipelineSample? = nil
        for (name, s) in trace {
            defer { previous = s }
            guard let before = previous?.frames.first, name.hasSuffix("Crop"), !s.cropBoxes.isEmpty else { continue }
            out.append("\(name) on the first frame:")
            out.append(halfBlocks(before, boxes: s.cropBoxes, maxWidth: min(width, 96)))
        }
        if let last = trace.last?.1, !last.frames.isEmpty {
            let shown = Array(last.frames.prefix(8))
            let each = max(8, min(48, (width - shown.count) / shown.count))
            out.append("output frames (first \(shown.count) of \(last.frames.count)):")
            let images = shown.map { halfBlocks($0, boxes: [], maxWidth: each).components(separatedBy: "\n") }
            let rows = images.map(\.count).max() ?? 0
            for r in 0..<rows { out.append(images.map { r < $0.count ? $0[r] : "" }.joined(separator: " ")) }
        }
        return out.joined(separator: "\n")
    }

    /// The frame scaled (nearest) to at most `maxWidth` columns; box edges drawn in yellow.
    static func halfBlocks(_ f: Frame, boxes: [CropBox], maxWidth: Int) -> String {
        let cols = min(maxWidth, f.width), scale = Double(f.width) / Double(cols)
        let rows = max(1, Int(Double(f.height) / scale / 2))
        // Box edges in display coordinates (column x, pixel row y).
        let edges = boxes.map { b in
            (x1: Int(Double(b.x1) / scale), x2: Int(Double(b.x2 - 1) / scale), y1: Int(Double(b.y1) / scale), y2: Int(Double(b.y2 - 1) / scale))
        }
        func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int) {
            for e in edges {
                let inX = x >= e.x1 && x <= e.x2, inY = y >= e.y1 && y <= e.y2
                if (inY && (x == e.x1 || x == e.x2)) || (inX && (y == e.y1 || y == e.y2)) { return (255, 220, 0) }
            }
            let sx = min(f.width - 1, Int(Double(x) * scale)), sy = min(f.height - 1, Int(Double(y) * scale))
            return (Int(f[sx, sy, 0]), Int(f[sx, sy, 1 % f.channels]), Int(f[sx, sy, 2 % f.channels]))
        }
        var lines: [String] = []
        for r in 0..<rows {
            var line = ""
            for x in 0..<cols {
                let (a, b, c) = pixel(x, 2 * r), (d, e, g) = pixel(x, 2 * r + 1)
                line += "\u{1B}[38;2;\(a);\(b);\(c)m\u{1B}[48;2;\(d);\(e);\(g)m▀"
            }
            lines.append(line + "\u{1B}[0m")
        }
        return lines.joined(separator: "\n")
    }
}
