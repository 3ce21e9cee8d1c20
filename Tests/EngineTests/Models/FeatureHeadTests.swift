import XCTest
import Config
@testable import EngineCore
@testable import EngineTraining

/// Feature extraction (`test_cfg=dict(feature_extraction=True)`, no cls_head), as mmaction2's recognizers return it:
/// the feature map pooled over everything but channels, averaged over each video's rows.
final class FeatureHeadTests: XCTestCase {
    func testPoolsThenAveragesEachVideosRows() {
        let head = FeatureHead(channels: 3)
        // 2-D: C×(B·S)×h×w with B = 2 videos of S = 2 frames; 3-D: C×(B·V)×T×h×w.
        for shape in [[3, 4, 2, 3], [3, 4, 2, 2, 3]] {
            let x = GradientCheck.random(shape, seed: 1)
            let got = head.forward(features: [x], segments: 2)
            XCTAssertEqual(got.shape, [2, 3])
            let plane = x.count / 12
            for v in 0..<2 {
                for c in 0..<3 {
                    var s = 0.0
                    for r in (2 * v)..<(2 * v + 2) { for i in 0..<plane { s += Double(x[(c * 4 + r) * plane + i]) } }
                    XCTAssertEqual(Double(got[v * 3 + c]), s / Double(2 * plane), accuracy: 1e-5)
                }
            }
        }
    }

    func config(_ model: String, extra: String = "") throws -> ResolvedConfig {
        let text = "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, "
            + "base_channels=8)\(model))\n\(extra)"
        return try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
    }

    func testReadsBuildsAndRefusesTraining() throws {
        let c = try config(", test_cfg=dict(feature_extraction=True, average_clips='prob')")
        let spec = try ModelReader.read(c.root["model"]!, files: c.files)
        XCTAssertEqual(spec.head.kind, .features)
        XCTAssertNil(spec.averageClips, "mmaction2 returns the features before average_clip")
        let model = try ModelBuilder.build(spec, seed: 0)
        XCTAssertEqual(model.numClasses, 64)
        model.applyMode(training: false)
        XCTAssertEqual(model.predict(GradientCheck.random([2, 3, 3, 4, 32, 32], seed: 2)).shape, [2, 64])
        // Training it: located at the model.
        let train = try config(", test_cfg=dict(feature_extraction=True)", extra: "optimizer = dict(type='SGD', lr=0.1)\ntotal_epochs = 1")
        XCTAssertThrowsError(try RunSpec.read(train)) {
            XCTAssertTrue("\($0)".contains("/m.py:1:"), "\($0)")
            XCTAssertTrue("\($0)".contains("a feature extractor (no cls_head, test_cfg.feature_extraction=True) has nothing to train"), "\($0)")
        }
        for (model, message) in [("", "needs a cls_head (or test_cfg=dict(feature_extraction=True)"),
                                 (", cls_head=dict(type='I3DHead', num_classes=3, in_channels=64), test_cfg=dict(feature_extraction=True)",
                                  "feature_extraction=True with a cls_head")] {
            let c = try config(model)
            XCTAssertThrowsError(try ModelReader.read(c.root["model"]!, files: c.files)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        let slowFast = "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=1, "
            + "speed_ratio=1, slow_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=True, base_channels=8), "
            + "fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, base_channels=1)), "
            + "test_cfg=dict(feature_extraction=True))"
        let sf = try ConfigLoader(read: { $0 == "/s.py" ? slowFast : nil }).load("/s.py")
        XCTAssertThrowsError(try ModelReader.read(sf.root["model"]!, files: sf.files)) {
            XCTAssertTrue("\($0)".contains("/s.py:1:") && "\($0)".contains("fails on SlowFast's two"), "\($0)")
        }
    }
}
