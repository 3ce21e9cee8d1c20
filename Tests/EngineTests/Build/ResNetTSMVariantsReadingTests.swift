import XCTest
import Config
@testable import EngineCore
@testable import EngineTraining

/// ResNetTSM's `non_local` + `non_local_cfg` (NL3DWrapper) and `temporal_pool`, as read from a config: what is
/// built (state-dict names, the head's segments) and the located refusals where mmaction2 would fail or do nothing.
final class ResNetTSMVariantsReadingTests: XCTestCase {
    func spec(_ backbone: String, head: String = "") throws -> ModelSpec {
        let text = """
        model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', pretrained=None, \(backbone)),
            cls_head=dict(type='TSMHead', num_classes=5, in_channels=2048, num_segments=8\(head)))
        """
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        return try ModelReader.read(config.root["model"]!, files: config.files)
    }

    func refusal(_ backbone: String, head: String = "") -> String {
        do { _ = try spec(backbone, head: head); return "no error" } catch { return "\(error)" }
    }

    func testNonLocalBlocksAreBuiltWithMMAction2Names() throws {
        let s = try spec("depth=50, num_segments=8, non_local=((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 0, 0)), "
                         + "non_local_cfg=dict(sub_sample=True, use_scale=False, norm_cfg=dict(type='BN3d', requires_grad=True), mode='dot_product')")
        guard case .resnet(let b) = s.backbone else { return XCTFail("not a 2-D ResNet") }
        XCTAssertEqual(b.nonLocal?.map { $0.filter { $0 }.count }, [0, 2, 3, 0])
        XCTAssertEqual(b.nonLocalCfg.mode, .dotProduct)
        let model = try ModelBuilder.build(s, seed: 0)
        let names = Set(model.stateDict().map(\.0))
        for name in ["backbone.layer2.0.block.conv1.conv.net.weight", "backbone.layer2.0.non_local_block.g.0.conv.weight",
                     "backbone.layer2.0.non_local_block.conv_out.bn.running_var", "backbone.layer2.1.conv1.conv.net.weight",
                     "backbone.layer3.4.non_local_block.phi.0.conv.bias"] {
            XCTAssertTrue(names.contains(name), name)
        }
        // NonLocal3d's own init (ResNetTSM adds the blocks after ResNet.init_weights): conv_out's norm zeroed, so each
        // wrapper starts as its block.
        let bn = model.namedParameters().first { $0.0 == "backbone.layer2.0.non_local_block.conv_out.bn.weight" }!.1
        XCTAssertEqual(Set(bn.value.scalars), [0])
    }

    func testTemporalPoolHalvesTheHeadSegments() throws {
        let s = try spec("depth=50, num_segments=8, temporal_pool=True", head: ", temporal_pool=True")
        XCTAssertEqual(s.head.numSegments, 4)
        let model = try ModelBuilder.build(s, seed: 0)
        XCTAssertTrue(model.stateDict().map(\.0).contains("backbone.layer2.net.0.conv1.conv.net.weight"))
        model.applyMode(training: false)
        let scores = model.predict(GradientCheck.random([1, 8, 3, 32, 32], seed: 1))
        XCTAssertEqual(scores.shape, [1, 5])
    }

    func testRefusalsAreLocated() {
        XCTAssertTrue(refusal("depth=50, temporal_pool=True").contains("the head's temporal_pool (with is_shift) must match the backbone's"))
        XCTAssertTrue(refusal("depth=50, num_segments=7, temporal_pool=True", head: ", temporal_pool=True").contains("num_segments must be even"))
        XCTAssertTrue(refusal("depth=50, non_local=((0, 0, 0), (1, 0, 0, 0), (0, 0, 0, 0, 0, 0), (0, 0, 0))")
                        .contains("without a non_local_cfg mmaction2's ResNetTSM adds no non-local block"))
        XCTAssertTrue(refusal("depth=18, non_local=((0, 0), (1, 0), (0, 0), (0, 0)), non_local_cfg=dict(mode='dot_product')")
                        .contains("non-local blocks need a Bottleneck ResNetTSM"))
        XCTAssertTrue(refusal("depth=50, shift_place='block', non_local=((0, 0, 0), (1, 0, 0, 0), (0, 0, 0, 0, 0, 0), (0, 0, 0)), "
                              + "non_local_cfg=dict(mode='dot_product')").contains("shift_place='block'"))
        let located = refusal("depth=50, non_local=((0, 0, 0), (1, 0, 0, 0), (0, 0, 0, 0, 0, 0), (0, 0, 0)), non_local_cfg=dict(mode='concat')")
        XCTAssertTrue(located.contains("/m.py:1:"), located)
        XCTAssertTrue(located.contains("mode must be"), located)
    }
}
