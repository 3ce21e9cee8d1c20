/// The terminal timeline of `reel inspect frames`: one row per clip over the video's frames, the sampled frames
/// marked. Long videos are binned so a row fits the terminal.
enum FrameTimeline {
    static func render(indices: [Int], clipLen: Int, totalFrames n: Int, startIndex: Int, width: Int) -> String {
        let clips = stride(from: 0, to: indices.count, by: max(1, clipLen)).map { Array(indices[$0..<min(indices.count, $0 + clipLen)]) }
        let label = "clip \(clips.count)".count + 1
        let cells = max(8, min(n, width - label - 4))
        let perCell = Double(n) / Double(cells)
        var lines = ["\(n) frames (\(startIndex)…\(n - 1 + startIndex)), \(clips.count) clip\(clips.count == 1 ? "" : "s") × \(clipLen)"
                     + (perCell > 1 ? String(format: ", %.1f frames per cell", perCell) : "")]
        for (k, clip) in clips.enumerated() {
            var row = [Character](repeating: "·", count: cells)
            for i in clip {
                let cell = min(cells - 1, Int(Double(i - startIndex) / perCell))
                if cell >= 0 { row[cell] = row[cell] == "·" ? "█" : "▓" }
            }
            let name = "clip \(k + 1)".padding(toLength: label, withPad: " ", startingAt: 0)
            lines.append("\(name)│\(String(row))│ \(clip.map(String.init).joined(separator: " "))")
        }
        return lines.joined(separator: "\n")
    }
}
