import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// No key is accepted silently with a value that would change the run (issue 13): every key a reader accepts and
/// does not use carries a decision; a `.noted` one warns (located) at any value other than its default, and the
/// settings Reel now honours or refuses are read as such.
final class UnusedKeyTests: XCTestCase {
    func read(_ text: String) throws -> RunSpec {
        try RunSpec.read(try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py"))
    }

    static let base = SchemaDriftTests.config(model: SchemaDriftTests.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: "dict(policy='Fixed')")

    /// For each `.noted` key, a config giving it a non-default value: each must warn at that value.
    static let nonDefault: [String: String] = [
        "config.cudnn_benchmark": "cudnn_benchmark = True",
        "config.log_level": "log_level = 'WARNING'",
        "ResNet.with_cp": "model['backbone']['with_cp'] = True",
        "ResNetTSM.with_cp": "model['backbone']['with_cp'] = True",
        "ResNet3d.with_cp": "model['backbone']['with_cp'] = True",
        "ResNet3dSlowOnly.with_cp": "model['backbone']['with_cp'] = True",
        "ResNet2Plus1d.with_cp": "model['backbone']['with_cp'] = True",
        "ResNet3dCSN.with_cp": "model['backbone']['with_cp'] = True",
        "X3D.with_cp": "model['backbone']['with_cp'] = True",
        "X3D.use_swish": "model['backbone']['use_swish'] = False",
        "slow_pathway.with_cp": "model['backbone']['slow_pathway']['with_cp'] = True",
        "slow_pathway.with_pool1": "model['backbone']['slow_pathway']['with_pool1'] = False",
        "slow_pathway.with_pool2": "model['backbone']['slow_pathway']['with_pool2'] = False",
        "fast_pathway.with_cp": "model['backbone']['fast_pathway']['with_cp'] = True",
        "fast_pathway.with_pool1": "model['backbone']['fast_pathway']['with_pool1'] = False",
        "fast_pathway.with_pool2": "model['backbone']['fast_pathway']['with_pool2'] = False",
        "DenseSampleFrames.start_index": "data['train']['pipeline'][1]['start_index'] = 1",
        "SampleFrames.start_index": "data['train']['pipeline'][0]['start_index'] = 0",
        "Collect.nested": "data['train']['pipeline'][14]['nested'] = True",
        "dataloader.pin_memory": "data['train_dataloader'] = dict(pin_memory=False)",
        "dataloader.persistent_workers": "data['train_dataloader'] = dict(persistent_workers=True)",
        "dataloader.prefetch_factor": "data['train_dataloader'] = dict(prefetch_factor=4)",
        "checkpoint_config.file_client_args": "checkpoint_config = dict(file_client_args=dict(backend='disk'))",
        "checkpoint_config.filename_tmpl": "checkpoint_config = dict(filename_tmpl='ep_{}.pth')",
        "checkpoint_config.create_symlink": "checkpoint_config = dict(create_symlink=False)",
        "evaluation.file_client_args": "evaluation = dict(file_client_args=dict(backend='disk'))",
        "TextLoggerHook.file_client_args": "log_config = dict(hooks=[dict(type='TextLoggerHook', out_dir='/o', file_client_args=dict(backend='disk'))])",
    ]

    func testEveryAcceptedKeyCarriesADecisionAndEveryNotedOneWarnsOffItsDefault() throws {
        let log = try SchemaDriftTests(name: "readEverything", testClosure: { _ in }).readEverything()
        var noted: Set<String> = []
        for (component, keys) in log.decisions {
            for (key, decision) in keys {
                switch decision {
                case .inert(let why): XCTAssertFalse(why.isEmpty, "\(component).\(key): no reason")
                case .noted: noted.insert("\(component).\(key)")
                }
            }
        }
        XCTAssertEqual(noted, Set(Self.nonDefault.keys), "a noted key without a test here, or a test for a key no longer noted")
        // The base config itself has no warning (defaults need no note).
        XCTAssertEqual(try read(Self.base).warnings.map(\.description), [])
        let tsmBase = SchemaDriftTests.config(model: SchemaDriftTests.tsm, optimizer: "dict(type='SGD', lr=0.1)", lr: "dict(policy='Fixed')")
        XCTAssertEqual(tsmBase.split(separator: "\n", omittingEmptySubsequences: false).count, Self.base.split(separator: "\n", omittingEmptySubsequences: false).count)
        func base3D(_ model: String) -> String {
            SchemaDriftTests.config(model: model, optimizer: "dict(type='SGD', lr=0.1)", lr: "dict(policy='Fixed')",
                                    pipeline: SchemaDriftTests.pipeline3D)
        }
        let bases = ["ResNetTSM": tsmBase, "ResNet3d": base3D(SchemaDriftTests.i3d), "ResNet3dSlowOnly": base3D(SchemaDriftTests.slowOnly),
                     "ResNet2Plus1d": base3D(SchemaDriftTests.r2plus1d), "ResNet3dCSN": base3D(SchemaDriftTests.csn),
                     "X3D": base3D(SchemaDriftTests.x3d), "slow_pathway": base3D(SchemaDriftTests.slowFast),
                     "fast_pathway": base3D(SchemaDriftTests.slowFast),
                     "VideoDataset": SchemaDriftTests.config(model: SchemaDriftTests.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: "dict(policy='Fixed')",
                                                             pipeline: SchemaDriftTests.videoPipeline("DecordInit", "DecordDecode"), dataset: "VideoDataset")]
        for (name, line) in Self.nonDefault {
            let warnings = try read((bases[String(name.split(separator: ".")[0])] ?? Self.base) + line + "\n").warnings
            let key = String(name.split(separator: ".").last!)
            XCTAssertEqual(warnings.count, 1, "\(name): \(warnings.map(\.description))")
            guard let w = warnings.first else { continue }
            XCTAssertEqual(w.severity, .warning)
            XCTAssertTrue(w.message.contains("\(key)=") && w.message.contains(" is ignored: "), w.message)
            XCTAssertEqual(w.location.line, Self.base.split(separator: "\n", omittingEmptySubsequences: false).count, "\(name) is located at its line")
        }
    }

    func testCudnnBenchmarkSaysWhyItHasNoEffect() throws {
        let w = try read(Self.base + "cudnn_benchmark = True\n").warnings
        XCTAssertEqual(w.map(\.message), ["cudnn_benchmark=True is ignored: a cuDNN (GPU) setting; it has no effect on a CPU"])
        XCTAssertEqual(w.first?.location.column, 19)
    }

    func testSettingsThatWouldChangeTheRunAreRefused() throws {
        let cases: [(String, String)] = [
            ("model['test_cfg']['fcn_test'] = True", "fcn_test=True calls the head with fcn_test=True, which only TPNHead after a TPN neck takes"),
            ("model['train_cfg'] = dict(blending=dict(type='MixupBlending', num_classes=4, alpha=.2))", "MixupBlending: num_classes=4 must equal the head's num_classes (3)"),
            ("model['train_cfg'] = dict(aux_info=['x'])", "train_cfg.aux_info (extra batch keys) is not supported by Reel"),
            ("model['backbone']['act_cfg'] = dict(type='GELU')", "act_cfg type 'GELU' is not supported (ReLU)"),
            ("evaluation = dict(test_fn='f')", "test_fn is not supported by Reel"),
            ("evaluation = dict(save_best='mAP')", "save_best='mAP' is not a key the configured metrics produce (they give: top1_acc, top5_acc)"),
            ("evaluation = dict(save_best='loss')", "save_best='loss' is not a key the configured metrics produce"),
            ("log_config = dict(hooks=[dict(type='TextLoggerHook', file_client_args=dict(backend='disk'))])", "file_client_args needs out_dir"),
            ("workflow = [('val', 1), ('train', 1)]", "workflow phase 1 must be 'train', not 'val'"),
            ("workflow = [['train', 1]]", "workflow entries are (mode, epochs) tuples"),
            ("workflow = [('train', 1), ('val', 1), ('train', 1)]", "workflow must be [('train', n)] or [('train', n), ('val', m)]"),
        ]
        for (line, message) in cases {
            XCTAssertThrowsError(try read(Self.base + line + "\n"), line) { e in
                guard let e = e as? ConfigError else { return XCTFail("\(e)") }
                XCTAssertTrue(e.message.contains(message), "\(line): \(e.message)")
                XCTAssertEqual(e.location.line, Self.base.split(separator: "\n", omittingEmptySubsequences: false).count, line)
            }
        }
    }

    /// mmcv 1.7.2's rule inference: equal to a greater key, to a less key, then containing one; the lists replace
    /// the defaults.
    func testGreaterAndLessKeysReplaceTheInferenceLists() throws {
        XCTAssertEqual(try read(Self.base + "evaluation = dict(metrics=['mean_class_accuracy'], save_best='mean_class_accuracy')\n").evaluation.greater, true)
        let less = try read(Self.base + "evaluation = dict(metrics=['mean_class_accuracy'], save_best='mean_class_accuracy', less_keys=['mean_class_accuracy'])\n")
        XCTAssertEqual(less.evaluation.greater, false)
        XCTAssertEqual(less.evaluation.lessKeys, ["mean_class_accuracy"])
        XCTAssertThrowsError(try read(Self.base + "evaluation = dict(save_best='top1_acc', greater_keys=['auc'])\n")) { e in
            XCTAssertTrue("\(e)".contains("cannot infer the rule for save_best='top1_acc'"), "\(e)")
        }
        XCTAssertEqual(EvalHook.isGreaterBetter(key: "top1_acc", rule: nil, greaterKeys: ["x"], lessKeys: ["TOP1_ACC"]), false)
    }

    func testOutDirsAndTheValWorkflowAreRead() throws {
        let s = try read(Self.base + "evaluation = dict(out_dir='/best')\nworkflow = [('train', 2), ('val', 3)]\n"
                         + "log_config = dict(hooks=[dict(type='TextLoggerHook', out_dir='/logs', keep_local=False, out_suffix='.log')])\n")
        XCTAssertEqual(s.evaluation.outDir, "/best")
        XCTAssertEqual(s.workflow, Workflow(trainEpochs: 2, valEpochs: 3))
        XCTAssertEqual(s.workflow.description, "[('train', 2), ('val', 3)]")
        XCTAssertEqual(s.valWorkflow?.loader, try s.data.loaderSettings(.train))
        XCTAssertEqual(s.valWorkflow?.split, .val)
        let text = try XCTUnwrap(s.log?.hooks.first)
        XCTAssertEqual(text.outDir, "/logs")
        XCTAssertEqual(text.outSuffix, [".log"])
        XCTAssertFalse(text.keepLocal)
        XCTAssertEqual(EvalHook.bestDirectory(outDir: s.evaluation.outDir, workDir: "/runs/w/"), "/best/w")
        XCTAssertEqual(EvalHook.bestDirectory(outDir: s.evaluation.outDir, workDir: "/best"), "/best")
        XCTAssertEqual(EvalHook.bestDirectory(outDir: nil, workDir: "/runs/w"), "/runs/w")
    }
}
