import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Resize geometry and OpenCV's uint8 bilinear (SEMANTICS.md §5.5 worked examples).
final class ResizeTests: XCTestCase {
    func testShortSideGeometry() {
        // (-1, 256) ≡ (256, -1): short side 256.
        XCTAssertTrue(Resize.targetSize(width: 340, height: 256, scale: (-1, 256)) == (340, 256))
        XCTAssertTrue(Resize.targetSize(width: 320, height: 240, scale: (-1, 256)) == (341, 256))
        XCTAssertTrue(Resize.targetSize(width: 1920, height: 1080, scale: (256, -1)) == (455, 256))
        XCTAssertTrue(Resize.targetSize(width: 240, height: 320, scale: (-1, 256)) == (256, 341))
        XCTAssertTrue(Resize.targetSize(width: 340, height: 256, scale: (224, 224), keepRatio: false) == (224, 224))
        // A bounded long side: (1333, 800) on 1920x1080 → f = min(1333/1920, 800/1080) = 0.694… → 1333x750.
        XCTAssertTrue(Resize.targetSize(width: 1920, height: 1080, scale: (1333, 800)) == (1333, 750))
        XCTAssertTrue(Resize.targetSize(width: 100, height: 50, factor: 0.5) == (50, 25))
    }

    func testOpenCVBilinearRowExample() {
        // A row [10, 20] enlarged to 4 pixels gives [10, 13, 18, 20].
        let row = Frame(width: 2, height: 1, channels: 1, pixels: [10, 20])
        XCTAssertEqual(Resize.bilinear(row, width: 4, height: 1).pixels, [10, 13, 18, 20])
    }

    /// Upscaling, OpenCV keeps the vertical weights of the edge rows (row −1 and 0 both read row 0) where it clamps
    /// the horizontal ones, so the top row is not the 1-row resize of the top source row: 134, not 135, at x = 3
    /// (the values cv2.resize(INTER_LINEAR) gives for this 3×2 image at 5×5).
    func testUpscaleEdgeRowsKeepOpenCVsVerticalWeights() {
        let f = Frame(width: 3, height: 2, channels: 1, pixels: [210, 242, 63, 79, 222, 108])
        XCTAssertEqual(Resize.bilinear(f, width: 5, height: 5).pixels, [
            210, 223, 242, 134, 63,
            197, 214, 240, 136, 67,
            145, 179, 232, 144, 86,
            92, 145, 224, 151, 103,
            79, 136, 222, 154, 108])
        let top = Frame(width: 3, height: 1, channels: 1, pixels: [210, 242, 63])
        XCTAssertEqual(Resize.bilinear(top, width: 5, height: 1).pixels, [210, 223, 242, 135, 63])
    }

    func testSameSizeIsACopyAndHalvingAverages() {
        let f = Frame(width: 4, height: 2, channels: 1, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        XCTAssertEqual(Resize.bilinear(f, width: 4, height: 2), f)
        // Exact 2× down: each output is the mean of a 2×2 block (OpenCV's weights 1024/1024).
        XCTAssertEqual(Resize.bilinear(f, width: 2, height: 1).pixels, [25, 45])
    }
}
