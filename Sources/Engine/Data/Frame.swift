import EngineCore
/// One decoded video frame: `pixels` holds height·width·channels bytes, row-major, channels interleaved
/// (RGB for colour frames, as mmaction2's decoders return them).
public struct Frame: Sendable, Equatable {
    public var width: Int, height: Int, channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int = 3, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "frame \(width)x\(height)x\(channels) has \(pixels.count) bytes")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public subscript(x: Int, y: Int, c: Int) -> UInt8 { pixels[(y * width + x) * channels + c] }
}
