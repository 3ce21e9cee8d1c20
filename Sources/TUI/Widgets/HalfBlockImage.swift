import EngineCore
import EngineData
import EngineTraining

/// An RGB frame drawn with upper-half blocks: each cell shows two pixel rows (foreground = top, background =
/// bottom), scaled (nearest) to fit the rectangle with the frame's aspect ratio. Optional boxes (in frame
/// pixels) are outlined in `boxColor`. Terminals without truecolor get the nearest palette colour from the
/// terminal layer, as every other colour.
public struct HalfBlockImage: Sendable {
    public var frame: Frame
    public var boxes: [CropBox]
    public var boxColor: Color

    public init(frame: Frame, boxes: [CropBox] = [], boxColor: Color = .rgb(255, 220, 0)) {
        self.frame = frame; self.boxes = boxes; self.boxColor = boxColor
    }

    /// The cell size the image takes in `r` (it is never scaled up past one pixel per half cell).
    public func size(fitting r: Rect) -> (width: Int, height: Int) {
        guard frame.width > 0, frame.height > 0, r.width > 0, r.height > 0 else { return (0, 0) }
        let scale = min(1, Double(r.width) / Double(frame.width), Double(2 * r.height) / Double(frame.height))
        return (max(1, Int(Double(frame.width) * scale)), max(1, Int((Double(frame.height) * scale / 2).rounded(.up))))
    }

    public func draw(in r: Rect, on s: inout ScreenBuffer) {
        let (cols, rows) = size(fitting: r)
        guard cols > 0 else { return }
        let sx = Double(frame.width) / Double(cols), sy = Double(frame.height) / Double(2 * rows)
        // Box edges in display pixels (column, half-row).
        let edges = boxes.map { b in
            (x1: Int(Double(b.x1) / sx), x2: Int(Double(b.x2 - 1) / sx), y1: Int(Double(b.y1) / sy), y2: Int(Double(b.y2 - 1) / sy))
        }
        func pixel(_ x: Int, _ y: Int) -> Color {
            for e in edges {
                let inX = x >= e.x1 && x <= e.x2, inY = y >= e.y1 && y <= e.y2
                if (inY && (x == e.x1 || x == e.x2)) || (inX && (y == e.y1 || y == e.y2)) { return boxColor }
            }
            let px = min(frame.width - 1, Int(Double(x) * sx)), py = min(frame.height - 1, Int(Double(y) * sy))
            let c = frame.channels
            return .rgb(frame[px, py, 0], frame[px, py, 1 % c], frame[px, py, 2 % c])
        }
        for row in 0..<rows {
            for col in 0..<cols {
                s[r.x + col, r.y + row] = Cell("▀", Style(fg: pixel(col, 2 * row), bg: pixel(col, 2 * row + 1)))
            }
        }
    }
}
