import XCTest
import Config
@testable import EngineCore
@testable import EngineTraining

/// TRNHead: the relation modules' subsets, mmaction2's state-dict names, the forward against the definition, and
/// finite-difference gradients of the whole head (its subset draws held fixed).
final class TRNHeadTests: XCTestCase {
    /// The head as a Layer for GradientCheck; `prepare` restarts the draws so every forward picks the same subsets.
    final class Probe: Layer {
        let head: TRNHead, segments: Int, start: Philox
        var isTraining = true
        init(_ head: TRNHead, segments: Int) { self.head = head; self.segments = segments; start = head.rng }
        var children: [(String, any Module)] { [("head", head)] }
        func forward(_ x: Tensor) -> Tensor { head.forward(features: [x], segments: segments) }
        func backward(_ dy: Tensor) -> Tensor { head.backward(scores: dy)[0] }
        func restart() { head.rng = start }
    }

    func testSubsetsAreItertoolsCombinations() {
        XCTAssertEqual(TRNHead.combinations(4, 2), [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])
        XCTAssertEqual(TRNHead.combinations(8, 8), [Array(0..<8)])
        XCTAssertEqual(TRNHead.combinations(8, 3).count, 56)
        var rng = Philox(seed: 1)
        let head = TRNHead(inChannels: 6, numClasses: 3, numSegments: 8, relation: .multiScale, hiddenDim: 4, dropoutRatio: 0,
                           initStd: 0.01, rng: &rng)
        XCTAssertEqual(head.scales.map(\.size), [8, 7, 6, 5, 4, 3, 2])
        XCTAssertEqual(head.scales.map(\.used), [1, 3, 3, 3, 3, 3, 3])
    }

    func testStateDictNamesAreMMAction2s() {
        var rng = Philox(seed: 2)
        let multi = TRNHead(inChannels: 6, numClasses: 3, numSegments: 3, relation: .multiScale, hiddenDim: 4, dropoutRatio: 0.5,
                            initStd: 0.01, rng: &rng)
        XCTAssertEqual(multi.stateDict().map(\.0), [
            "fc_cls.weight", "fc_cls.bias",
            "consensus.fc_fusion_scales.0.1.weight", "consensus.fc_fusion_scales.0.1.bias",
            "consensus.fc_fusion_scales.0.3.weight", "consensus.fc_fusion_scales.0.3.bias",
            "consensus.fc_fusion_scales.1.1.weight", "consensus.fc_fusion_scales.1.1.bias",
            "consensus.fc_fusion_scales.1.3.weight", "consensus.fc_fusion_scales.1.3.bias",
        ])
        XCTAssertEqual(multi.stateDict().map(\.1.shape), [[4, 6], [4], [256, 12], [256], [3, 256], [3], [256, 8], [256], [3, 256], [3]])
        let single = TRNHead(inChannels: 6, numClasses: 3, numSegments: 5, relation: .single, hiddenDim: 4, dropoutRatio: 0,
                             initStd: 0.01, rng: &rng)
        XCTAssertEqual(single.stateDict().map(\.0), ["fc_cls.weight", "fc_cls.bias", "consensus.classifier.1.weight",
                                                     "consensus.classifier.1.bias", "consensus.classifier.3.weight", "consensus.classifier.3.bias"])
        XCTAssertEqual(single.stateDict()[2].1.shape, [512, 20])
    }

    /// Forward against the definition: per clip, pool, fc_cls, then Σ over scales and chosen subsets of
    /// MLP_s(concat of the subset's frames) — with T = 3 every subset of every scale is used.
    func testForwardMatchesTheDefinition() {
        var rng = Philox(seed: 3)
        let head = TRNHead(inChannels: 5, numClasses: 4, numSegments: 3, relation: .multiScale, hiddenDim: 6, dropoutRatio: 0,
                           initStd: 0.3, rng: &rng)
        head.applyMode(training: false)
        let x = GradientCheck.random([5, 2 * 3, 2, 2], seed: 4)
        let got = head.forward(features: [x], segments: 3)
        XCTAssertEqual(got.shape, [2, 4])
        let pooled = GlobalAvgPool().forward(x)
        let h = head.fcCls.forward(pooled)                     // 6 frames × 6
        for clip in 0..<2 {
            var expected = [Float](repeating: 0, count: 4)
            for scale in head.scales {
                for subset in scale.subsets {
                    var row: [Float] = []
                    for f in subset { row += (0..<6).map { h[(clip * 3 + f) * 6 + $0] } }
                    let y = scale.mlp.forward(Tensor(shape: [1, row.count], values: row))
                    for k in 0..<4 { expected[k] += y[k] }
                }
            }
            for k in 0..<4 { XCTAssertEqual(got[clip * 4 + k], expected[k], accuracy: 1e-5) }
        }
    }

    func testGradients() {
        for (relation, segments) in [(TRNHead.Relation.multiScale, 4), (.single, 3)] {
            var rng = Philox(seed: 5)
            let head = TRNHead(inChannels: 5, numClasses: 3, numSegments: segments, relation: relation, hiddenDim: 4,
                               dropoutRatio: 0, initStd: 0.5, rng: &rng)
            let probe = Probe(head, segments: segments)
            GradientCheck.check(probe, input: GradientCheck.random([5, 2 * segments, 2, 3], seed: 6), prepare: probe.restart,
                                h: 5e-3, atol: 5e-3, rtol: 5e-2)
        }
    }

    /// Training draws advance the head's stream (kept in checkpoints); evaluation repeats its draw.
    func testDrawsAreStreamedInTrainingAndFixedInEvaluation() {
        var rng = Philox(seed: 7)
        let head = TRNHead(inChannels: 5, numClasses: 3, numSegments: 6, relation: .multiScale, hiddenDim: 4, dropoutRatio: 0.5,
                           initStd: 0.5, rng: &rng)
        let x = GradientCheck.random([5, 6, 2, 2], seed: 8)
        head.applyMode(training: false)
        XCTAssertEqual(head.forward(features: [x], segments: 6), head.forward(features: [x], segments: 6))
        head.applyMode(training: true)
        let before = head.randomStreams
        XCTAssertEqual(before.count, 2)
        _ = head.forward(features: [x], segments: 6)
        XCTAssertNotEqual(head.randomStreams[1], before[1])
        head.randomStreams = before
        XCTAssertEqual(head.randomStreams, before)
    }

    func testConfigReadsAndRefusals() throws {
        func read(_ head: String) throws -> ModelSpec {
            let text = "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None), "
                + "cls_head=dict(type='TRNHead', num_classes=7, in_channels=512\(head)), test_cfg=dict(average_clips='prob'))"
            let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
            return try ModelReader.read(config.root["model"]!, files: config.files)
        }
        let spec = try read(", num_segments=4, relation_type='TRN', hidden_dim=32")
        XCTAssertEqual(spec.head.kind, .trn(numSegments: 4, relation: .single, hiddenDim: 32))
        let model = try ModelBuilder.build(spec, seed: 0)
        XCTAssertEqual(model.numClasses, 7)
        model.applyMode(training: false)
        XCTAssertEqual(model.predict(GradientCheck.random([2, 8, 3, 32, 32], seed: 9)).shape, [2, 7])
        for (bad, message) in [(", relation_type='TRNX'", "relation_type"), (", spatial_type=None", "spatial_type must be 'avg'"),
                               (", num_segments=1", "num_segments must be at least 2")] {
            XCTAssertThrowsError(try read(bad)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }
}
