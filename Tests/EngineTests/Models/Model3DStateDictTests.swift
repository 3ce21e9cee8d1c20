import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// Reel's 3-D recognizers hold exactly mmaction2 0.24.1's state dicts: names in order, shapes and dtypes
/// (Fixtures/mmaction2_3d_state_dicts.json, recorded by scripts/make-model3d-fixtures.py from the same configs), so
/// model-zoo weights load by name and Reel's checkpoints load strictly into mmaction2.
final class Model3DStateDictTests: XCTestCase {
    func testStateDictsAreMmaction2s() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mmaction2_3d_state_dicts.json")
        let models = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: [String: Any]]
        XCTAssertEqual(models.keys.sorted(), ["c3d", "c3d_bn_out512", "i3d_nl_dot_product_r50", "i3d_nl_gaussian_r18_b8",
                                              "i3d_r18_b8_3x3x3", "i3d_r50", "i3d_r50_b8_3x3x3_caffe", "ipcsn_r50_b8",
                                              "ircsn_r152", "r2plus1d_r34", "r2plus1d_r50_b8", "slowfast_r18_b16_lateral_norm",
                                              "slowfast_r50", "slowonly_r18_b8", "slowonly_r50", "x3d_m", "x3d_w025_all_se"])
        for (name, entry) in models.sorted(by: { $0.key < $1.key }) {
            let text = entry["config"] as! String + "\n"
            let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
            let model = try ModelBuilder.recognizer(config.root["model"]!, files: config.files, seed: 0)
            XCTAssertTrue(model is Recognizer3D, name)
            let expected = (entry["keys"] as! [[Any]]).map { k in "\(k[0]) \(k[1] as! [Int]) \(k[2])" }
            let actual = model.stateDict().map { n, e -> String in
                if case .buffer(let b) = e, case .int64 = b.value { return "\(n) \(e.shape) int64" }
                return "\(n) \(e.shape) float32"
            }
            XCTAssertEqual(actual.count, expected.count, name)
            for (a, e) in zip(actual, expected) where a != e { XCTFail("\(name): \(a) ≠ mmaction2's \(e)"); break }
        }
    }
}
