import XCTest
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Crop positions worked from SEMANTICS.md §5.7 (340×256 frames unless noted).
final class CropGeometryTests: XCTestCase {
    func testCenterThreeAndTen() throws {
        XCTAssertEqual(CropGeometry.center(width: 340, height: 256, cropWidth: 224, cropHeight: 224), CropBox(x1: 58, y1: 16, x2: 282, y2: 240))
        XCTAssertEqual(CropGeometry.center(width: 5, height: 5, cropWidth: 2, cropHeight: 2).x1, 1, "floor of half the surplus")
        // ThreeCrop 256 on 340×256: s = 42 → left 0, right 84, middle 42, in that order.
        XCTAssertEqual(try XCTUnwrap(CropGeometry.three(width: 340, height: 256, cropWidth: 256, cropHeight: 256)).map(\.x1), [0, 84, 42])
        XCTAssertEqual(try XCTUnwrap(CropGeometry.three(width: 256, height: 340, cropWidth: 256, cropHeight: 256)).map(\.y1), [0, 84, 42])
        XCTAssertNil(CropGeometry.three(width: 340, height: 256, cropWidth: 224, cropHeight: 224))
        // TenCrop 224: ws = 29, hs = 8 → corners at 116 and 32, not flush with the border (340 − 224 = 116 ✓, 256 − 224 = 32 ✓).
        XCTAssertEqual(CropGeometry.ten(width: 340, height: 256, cropWidth: 224, cropHeight: 224).map { [$0.x1, $0.y1] },
                       [[0, 0], [116, 0], [0, 32], [116, 32], [58, 16]])
        XCTAssertEqual(CropGeometry.ten(width: 250, height: 256, cropWidth: 224, cropHeight: 224)[1].x1, 24, "4·((250 − 224)//4), not 26")
    }

    func testMultiScaleCandidates() {
        let c = CropGeometry.multiScaleCandidates(width: 340, height: 256, inputSize: (224, 224), scales: [1, 0.875, 0.75, 0.66], maxGap: 1)
        // sizes 256, 224, 192, 168 (0.66·256 = 168.96 → 168); 10 pairs within one step.
        XCTAssertEqual(c.map { [$0.w, $0.h] }, [[256, 256], [224, 256], [256, 224], [224, 224], [192, 224], [224, 192],
                                                [192, 192], [168, 192], [192, 168], [168, 168]])
        XCTAssertEqual(CropGeometry.fixedPositions(width: 340, height: 256, cropWidth: 224, cropHeight: 256, count: 5)[1].0, 116)
        var rng = Philox(seed: 1)
        for _ in 0..<200 {
            let b = CropGeometry.multiScale(width: 340, height: 256, inputSize: (224, 224), scales: [1, 0.875, 0.75, 0.66],
                                            fixedCrops: 13, rng: &rng)
            XCTAssertTrue(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 340 && b.y2 <= 256, "\(b)")
        }
    }

    func testRandomCropBoundsAreExclusiveAndResizedCropInclusive() throws {
        var rng = Philox(seed: 2)
        var xs = Set<Int>(), ys = Set<Int>()
        for _ in 0..<3000 {
            let b = try XCTUnwrap(CropGeometry.random(width: 10, height: 8, size: 6, rng: &rng))
            xs.insert(b.x1); ys.insert(b.y1)
        }
        XCTAssertEqual(xs, Set(0..<4), "x1 ∈ [0, 10 − 6): never flush right")
        XCTAssertEqual(ys, Set(0..<2))
        XCTAssertEqual(CropGeometry.random(width: 6, height: 6, size: 6, rng: &rng), CropBox(x1: 0, y1: 0, x2: 6, y2: 6))
        XCTAssertNil(CropGeometry.random(width: 5, height: 6, size: 6, rng: &rng))
        var flush = false
        for _ in 0..<3000 {
            let b = CropGeometry.randomResized(width: 20, height: 16, rng: &rng)
            XCTAssertTrue(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 20 && b.y2 <= 16)
            let area = Double(b.width * b.height) / 320
            XCTAssertTrue(area >= 0.05 && area <= 1.0, "\(b)")
            if b.x2 == 20 { flush = true }
        }
        XCTAssertTrue(flush, "inclusive bound: a crop can touch the right edge")
        // Impossible aspect ratios fall back to the centred square of the short side.
        XCTAssertEqual(CropGeometry.randomResized(width: 20, height: 16, areaRange: (0.9, 1), aspectRange: (10, 20), rng: &rng),
                       CropBox(x1: 2, y1: 0, x2: 18, y2: 16))
    }

    func testFlipAlwaysDraws() {
        var a = Philox(seed: 3), b = Philox(seed: 3)
        XCTAssertFalse(CropGeometry.flips(ratio: 0, rng: &a))
        XCTAssertTrue(CropGeometry.flips(ratio: 1, rng: &b))
        XCTAssertEqual(a, b, "one draw whatever the ratio")
    }
}
