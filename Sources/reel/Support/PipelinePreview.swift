import EngineCore
import EngineData
import EngineTraining
import Foundation
import TUI

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

    /// The frame scaled (nearest) to at most `maxWidth` columns, box edges in yellow: the dashboard's
    /// `HalfBlockImage` drawn into a buffer, written out with 24-bit colour escapes.
    static func halfBlocks(_ f: Frame, boxes: [CropBox], maxWidth: Int) -> String {
        let image = HalfBlockImage(frame: f, boxes: boxes)
        let (cols, rows) = image.size(fitting: Rect(x: 0, y: 0, width: maxWidth, height: f.height))
        var buffer = ScreenBuffer(width: cols, height: rows)
        image.draw(in: buffer.bounds, on: &buffer)
        func rgb(_ c: Color) -> String {
            if case .rgb(let r, let g, let b) = c { return "\(r);\(g);\(b)" }
            return "0;0;0"
        }
        return (0..<rows).map { y in
            (0..<cols).map { x in
                let st = buffer[x, y].style
                return "\u{1B}[38;2;\(rgb(st.fg))m\u{1B}[48;2;\(rgb(st.bg))m▀"
            }.joined() + "\u{1B}[0m"
        }.joined(separator: "\n")
    }
}
