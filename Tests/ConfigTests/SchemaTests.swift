import XCTest
@testable import Config

/// `reel config check`: located errors with suggestions, warnings for known-unsupported features, a clean TSM config.
final class SchemaTests: XCTestCase {
    let tsmBase = """
        model = dict(
            type='Recognizer2D',
            backbone=dict(type='ResNetTSM', pretrained=None, depth=50, norm_eval=False, shift_div=8),
            cls_head=dict(type='TSMHead', num_classes=400, in_channels=2048, spatial_type='avg',
                          consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001, is_shift=True),
            train_cfg=None,
            test_cfg=dict(average_clips='prob'))
        optimizer = dict(type='SGD', constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=True),
                         lr=0.01, momentum=0.9, weight_decay=0.0001)
        optimizer_config = dict(grad_clip=dict(max_norm=20, norm_type=2))
        lr_config = dict(policy='step', step=[20, 40])
        total_epochs = 50
        checkpoint_config = dict(interval=5)
        log_config = dict(interval=20, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
        evaluation = dict(interval=5, metrics=['top_k_accuracy', 'mean_class_accuracy'], save_best='auto')
        workflow = [('train', 1)]
        """

    func config(_ child: String) -> String {
        """
        img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
        train_pipeline = [
            dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
            dict(type='RawFrameDecode'),
            dict(type='Resize', scale=(-1, 256)),
            dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66), random_crop=False, max_wh_scale_gap=1, num_fixed_crops=13),
            dict(type='Resize', scale=(224, 224), keep_ratio=False),
            dict(type='Flip', flip_ratio=0.5),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='FormatShape', input_format='NCHW'),
            dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
            dict(type='ToTensor', keys=['imgs', 'label'])
        ]
        data = dict(videos_per_gpu=8, workers_per_gpu=2,
                    train=dict(type='RawframeDataset', ann_file='a.txt', data_prefix='d', pipeline=train_pipeline))
        \(child)
        """
    }

    func check(_ child: String) throws -> [ConfigError] {
        let files = Files(["/c/base.py": tsmBase, "/c/t.py": "_base_ = 'base.py'\n" + config(child)])
        return SchemaChecker.check(try files.load("/c/t.py"))
    }

    func testRealisticTSMConfigIsClean() throws {
        XCTAssertEqual(try check("").map(\.description), [])
    }

    func testUnknownPipelineStepWithSuggestion() throws {
        let problems = try check("val_pipeline = [dict(type='SampleFrame', clip_len=1)]\ndata['val'] = dict(type='RawframeDataset', ann_file='v', pipeline=val_pipeline)\n")
        XCTAssertEqual(problems.map(\.description), ["""
            /c/t.py:17:27: error: unknown pipeline step type 'SampleFrame'
                val_pipeline = [dict(type='SampleFrame', clip_len=1)]
                                          ^
                note: did you mean 'SampleFrames'? supported: BuildPseudoClip, CenterCrop, Collect, ColorJitter, DecordDecode, DecordInit, \
            DenseSampleFrames, Flip, FormatShape, Fuse, ImageDecode, MultiScaleCrop, Normalize, OpenCVDecode, OpenCVInit, PyAVDecode, PyAVInit, \
            RandomCrop, RandomRescale, RandomResizedCrop, RawFrameDecode, Resize, SampleFrames, TenCrop, ThreeCrop, ToTensor
            """])
    }

    func testUnknownArgumentWrongTypeAndChoice() throws {
        let problems = try check("""
            checkpoint_config = dict(intervl=5)
            evaluation = dict(interval='5', rule='greatr')
            """)
        XCTAssertEqual(problems.map(\.description), [
            """
            /c/t.py:17:26: error: unknown argument 'intervl' for checkpoint_config
                checkpoint_config = dict(intervl=5)
                                         ^
                note: did you mean 'interval'?
            """,
            """
            /c/t.py:18:28: error: 'interval' must be an int, not a str
                evaluation = dict(interval='5', rule='greatr')
                                           ^
            """,
            """
            /c/t.py:18:38: error: 'rule' must be one of 'greater', 'less', not 'greatr'
                evaluation = dict(interval='5', rule='greatr')
                                                     ^
                note: did you mean 'greater'?
            """,
        ])
    }

    func testMissingRequiredArgument() throws {
        let problems = try check("lr_config = dict(_delete_=True, policy='step')\n")
        XCTAssertEqual(problems.map(\.description), ["""
            /c/t.py:17:13: error: Step needs 'step' (Milestones (epochs or iterations) or a period; all > 0.)
                lr_config = dict(_delete_=True, policy='step')
                            ^
            """])
    }

    func testLowercasePolicyNamesAreNormalisedLikeMmcv() throws {
        XCTAssertEqual(try check("lr_config = dict(_delete_=True, policy='cosineannealing', min_lr=0)\n").map(\.description), ["""
            /c/t.py:17:40: error: unknown lr_config policy 'cosineannealing' (mmcv looks up 'Cosineannealing')
                lr_config = dict(_delete_=True, policy='cosineannealing', min_lr=0)
                                                       ^
                note: did you mean 'CosineAnnealing'? supported: CosineAnnealing, CosineRestart, Cyclic, Exp, \
            Fixed, FlatCosineAnnealing, Inv, LinearAnnealing, OneCycle, Poly, Step
            """])
        XCTAssertEqual(try check("lr_config = dict(_delete_=True, policy='CosineAnnealing', min_lr=0)\n"), [])
    }

    func testKnownButUnsupportedFeaturesAreWarnings() throws {
        let problems = try check("fp16 = dict(loss_scale=512.)\ndata['test'] = dict(type='AVADataset', ann_file='t', pipeline=[])\n")
        XCTAssertEqual(problems.map(\.severity), [.warning, .warning])
        XCTAssertEqual(problems.map(\.message), [
            "'fp16' is not supported by Reel yet: CPU mixed precision is planned after the first milestone; training runs in float32",
            "dataset 'AVADataset' is not supported by Reel yet: Reel implements RawframeDataset, VideoDataset, ImageDataset and RawVideoDataset",
        ])
        XCTAssertEqual(problems.map(\.location.line), [17, 18])
    }

    func testErrorsInBaseFilesPointIntoTheBase() throws {
        let files = Files(["/c/base.py": "checkpoint_config = dict(interval=5, max_keep=3)\n", "/c/t.py": "_base_ = 'base.py'\n"])
        let problems = SchemaChecker.check(try files.load("/c/t.py")).filter { $0.severity == .error }
        XCTAssertEqual(problems.map { "\($0.location)" }, ["/c/base.py:1:38"])
        XCTAssertEqual(problems.first?.note, "did you mean 'max_keep_ckpts'?")
    }

    func testEveryRegistryEntryIsDocumentedAndDefaultsParse() throws {
        for c in Registry.components {
            XCTAssertFalse(c.doc.isEmpty, c.name)
            for a in c.args {
                XCTAssertFalse(a.doc.isEmpty, "\(c.name).\(a.name)")
                guard let d = a.defaultText, !d.contains("<"), !d.hasPrefix("True ("), !d.hasPrefix("None ") else { continue }
                XCTAssertNoThrow(try SourceEdit.parseExpression(d), "\(c.name).\(a.name) default \(d)")
            }
        }
        XCTAssertEqual(Set(Registry.components.map { "\($0.kind)/\($0.name)" }).count, Registry.components.count, "duplicates")
    }

    func testHelpForAFieldFindsItsComponentAndArgument() throws {
        let c = try Files(["/c/base.py": tsmBase, "/c/t.py": "_base_ = 'base.py'\n" + config("")]).load("/c/t.py")
        let h = try XCTUnwrap(Registry.help(at: ["data", "train", "pipeline", "0", "num_clips"], in: c.root))
        XCTAssertEqual(h.component?.name, "SampleFrames")
        XCTAssertEqual(h.arg?.name, "num_clips")
        // The helper variable a pipeline is written in gets the same help as data.train.pipeline.
        let t = try XCTUnwrap(Registry.help(at: ["train_pipeline", "0", "num_clips"], in: c.root))
        XCTAssertEqual([t.component?.name, t.arg?.name], ["SampleFrames", "num_clips"])
        XCTAssertNil(Registry.help(at: ["img_norm_cfg", "mean"], in: c.root), "other helper variables have no schema")
        XCTAssertEqual(Registry.help(at: ["lr_config", "step"], in: c.root)?.component?.name, "Step")
        XCTAssertEqual(Registry.help(at: ["model", "backbone", "shift_div"], in: c.root)?.arg?.defaultText, "8")
        XCTAssertEqual(Registry.help(at: ["evaluation", "save_best"], in: c.root)?.component?.name, "evaluation")
        // OmniSource's list of train datasets: each entry gets its dataset's help.
        let omni = try Files(["/c/o.py": "omnisource = True\ndata = dict(train=[dict(type='RawframeDataset', ann_file='a', pipeline=[]), "
                                + "dict(type='ImageDataset', ann_file='w', pipeline=[dict(type='ImageDecode')], sample_by_class=True)])\n"]).load("/c/o.py")
        let o = try XCTUnwrap(Registry.help(at: ["data", "train", "1", "sample_by_class"], in: omni.root))
        XCTAssertEqual([o.component?.name, o.arg?.name], ["ImageDataset", "sample_by_class"])
        XCTAssertEqual(Registry.help(at: ["data", "train", "1", "pipeline", "0"], in: omni.root)?.component?.name, "ImageDecode")
        XCTAssertEqual(Suggestion.closest(to: "intervl", in: ["interval", "by_epoch"]), "interval")
        XCTAssertNil(Suggestion.closest(to: "zzz", in: ["interval"]))
    }
}
