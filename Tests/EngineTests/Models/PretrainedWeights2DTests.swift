import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// A 2-D ResNet's `pretrained=` local file (mmaction2's `ResNet.init_weights`): torchvision names mapped onto the
/// ConvModules, or Reel's own names with `torchvision_pretrain=False`; a URL is refused by training and a warning
/// under `config check --build`.
final class PretrainedWeights2DTests: XCTestCase {
    var dir = URL(fileURLWithPath: "/")
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("reel-pre2d-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    static func model(_ backbone: String) -> String {
        "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, base_channels=4, \(backbone)),\n"
            + "    cls_head=dict(type='TSNHead', num_classes=3, in_channels=32))\n"
    }

    static func build(_ text: String, notes: inout [String]) throws -> Recognizer2D {
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        var collected: [String] = []
        let spec = try ModelReader.read(config.root["model"]!, files: config.files)
        let r = try ModelBuilder.build(spec, seed: 0, notes: { collected.append($0) })
        notes = collected
        return try XCTUnwrap(r as? Recognizer2D)
    }

    /// torchvision's ResNet-18 names at base width 4 (written out, not derived from Reel's modules), with values.
    static func torchvisionFile() -> SafeTensors.File {
        var tensors: [(name: String, value: SafeTensors.Value)] = []
        var seed: UInt64 = 1
        func add(_ name: String, _ shape: [Int]) { tensors.append((name, .float32(GradientCheck.random(shape, seed: seed)))); seed += 1 }
        func bn(_ name: String, _ c: Int) {
            for k in ["weight", "bias", "running_mean"] { add("\(name).\(k)", [c]) }
            tensors.append(("\(name).running_var", .float32(Tensor(shape: [c], repeating: 2))))
            tensors.append(("\(name).num_batches_tracked", .int64(shape: [], values: [11])))
        }
        add("conv1.weight", [4, 3, 7, 7]); bn("bn1", 4)
        var cin = 4
        for (l, c) in [4, 8, 16, 32].enumerated() {
            for b in 0..<2 {
                let p = "layer\(l + 1).\(b)"
                add("\(p).conv1.weight", [c, b == 0 ? cin : c, 3, 3]); bn("\(p).bn1", c)
                add("\(p).conv2.weight", [c, c, 3, 3]); bn("\(p).bn2", c)
                if l > 0 && b == 0 { add("\(p).downsample.0.weight", [c, cin, 1, 1]); bn("\(p).downsample.1", c) }
            }
            cin = c
        }
        add("fc.weight", [1000, 32])
        return SafeTensors.File(tensors: tensors, metadata: [:])
    }

    func testTorchvisionNamesLoadOntoConvModules() throws {
        let path = path("r18.safetensors")
        let file = Self.torchvisionFile()
        try SafeTensors.write(file, to: path)
        var notes: [String] = []
        let model = try Self.build(Self.model("pretrained='\(path)'"), notes: &notes)
        let sd = Dictionary(uniqueKeysWithValues: model.stateDict())
        func ours(_ k: String) -> [Float]? {
            switch sd["backbone." + k] {
            case .parameter(let p)?: return p.value.scalars
            case .buffer(let b)?: if case .float32(let t) = b.value { return t.scalars } else { return nil }
            default: return nil
            }
        }
        func theirs(_ k: String) -> [Float]? { if case .float32(let t)? = file[k] { return t.scalars } else { return nil } }
        for (reel, tv) in [("conv1.conv.weight", "conv1.weight"), ("conv1.bn.running_mean", "bn1.running_mean"),
                           ("layer1.1.conv2.conv.weight", "layer1.1.conv2.weight"), ("layer1.1.conv2.bn.bias", "layer1.1.bn2.bias"),
                           ("layer3.0.downsample.conv.weight", "layer3.0.downsample.0.weight"),
                           ("layer3.0.downsample.bn.running_var", "layer3.0.downsample.1.running_var"),
                           ("layer4.1.conv1.bn.weight", "layer4.1.bn1.weight")] {
            XCTAssertEqual(ours(reel), theirs(tv), reel)
        }
        XCTAssertEqual(notes, ["These parameters in pretrained checkpoint are not loaded: fc.weight"])
    }

    func testOwnNamesWithTorchvisionPretrainFalse() throws {
        let path = path("own.safetensors")
        let w = GradientCheck.random([4, 3, 7, 7], seed: 9)
        try SafeTensors.write(SafeTensors.File(tensors: [("conv1.conv.weight", .float32(w))], metadata: [:]), to: path)
        var notes: [String] = []
        let model = try Self.build(Self.model("pretrained='\(path)', torchvision_pretrain=False"), notes: &notes)
        XCTAssertEqual(model.backbone.namedParameters().first { $0.0 == "conv1.conv.weight" }?.1.value.scalars, w.scalars)
        XCTAssertEqual(notes.count, 1, "the keys the file lacks are reported (non-strict load)")
    }

    func testAFileWithoutTheNetworksNamesIsAnError() throws {
        let path = path("other.safetensors")
        try SafeTensors.write(SafeTensors.File(tensors: [("conv1.weight", .float32(GradientCheck.random([4, 3, 7, 7], seed: 2)))],
                                               metadata: [:]), to: path)
        var notes: [String] = []
        XCTAssertThrowsError(try Self.build(Self.model("pretrained='\(path)'"), notes: &notes)) { error in
            XCTAssertEqual((error as? CheckpointError)?.field, "bn1.weight", "\(error)")
        }
    }

    func testAURLIsRefusedForTrainingAndAWarningForABuildCheck() throws {
        let text = "_base_ = []\n" + Self.model("pretrained='torchvision://resnet18'")
        let config = try ConfigLoader(read: { $0 == "/m.py" ? text : nil }).load("/m.py")
        XCTAssertThrowsError(try ModelReader.read(config.root["model"]!, files: config.files)) { error in
            XCTAssertTrue("\(error)".contains("pretrained='torchvision://resnet18': Reel cannot download weights"), "\(error)")
        }
        let log = ReadLog(pretrainedURLs: .noted)
        let spec = try ModelReader.read(config.root["model"]!, files: config.files, log: log)
        XCTAssertNil(spec.pretrained)
        XCTAssertEqual(log.notes.count, 1)
        XCTAssertTrue(log.notes[0].description.contains("cannot be downloaded by Reel; built from scratch here"), log.notes[0].description)
        XCTAssertEqual(log.notes[0].severity, .warning)
    }
}
