import XCTest
import Config
@testable import EngineCore
@testable import EngineData
@testable import EngineTraining

/// The schema (`Registry`: the keys and defaults `config check` and the dashboard's editor show) against what the
/// spec readers really read: configs naming every supported component are read with a `ReadLog`, and each
/// component's keys and defaults are compared with its schema entry. A key one side accepts and the other does not,
/// or a default that differs, fails here (issue 12).
final class SchemaDriftTests: XCTestCase {
    static let pipeline = """
        [dict(type='SampleFrames', clip_len=1, num_clips=2), dict(type='DenseSampleFrames', clip_len=1),
         dict(type='RawFrameDecode'), dict(type='Resize', scale=(-1, 32)), dict(type='RandomRescale', scale_range=(24, 32)),
         dict(type='RandomResizedCrop'), dict(type='MultiScaleCrop', input_size=16), dict(type='RandomCrop', size=16),
         dict(type='CenterCrop', crop_size=16), dict(type='ThreeCrop', crop_size=16), dict(type='TenCrop', crop_size=16),
         dict(type='Flip'), dict(type='Normalize', mean=[1, 2, 3], std=[1, 2, 3]), dict(type='FormatShape', input_format='NCHW'),
         dict(type='Collect', keys=['imgs'], meta_keys=[]), dict(type='ToTensor', keys=['imgs'])]
        """

    static func config(model: String, optimizer: String, lr: String, runner: String = "total_epochs = 4",
                       pipeline: String = SchemaDriftTests.pipeline, dataset: String = "RawframeDataset") -> String {
        """
        model = \(model)
        optimizer = \(optimizer)
        optimizer_config = dict(grad_clip=dict(max_norm=40))
        lr_config = \(lr)
        \(runner)
        checkpoint_config = dict()
        log_config = dict(hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
        evaluation = dict(save_best='top1_acc')
        d = dict(type='\(dataset)', ann_file='ann.txt', pipeline=\(pipeline))
        data = dict(videos_per_gpu=2, workers_per_gpu=0, train=d, val=d, test=d, train_dataloader=dict(),
                    val_dataloader=dict(), test_dataloader=dict())
        workflow = [('train', 1)]

        """
    }

    static let tsn = "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, base_channels=4), "
        + "cls_head=dict(type='TSNHead', num_classes=3, in_channels=32, loss_cls=dict(type='CrossEntropyLoss')), test_cfg=dict())"
    static let tsm = "dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, base_channels=4), "
        + "cls_head=dict(type='TSMHead', num_classes=3, in_channels=32))"
    static let trn = "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, base_channels=4), "
        + "cls_head=dict(type='TRNHead', num_classes=3, in_channels=32, num_segments=2))"
    static let i3d = "dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained=None, depth=18, base_channels=4), "
        + "cls_head=dict(type='I3DHead', num_classes=3, in_channels=32), test_cfg=dict(average_clips='prob'))"
    static let slowOnly = "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', pretrained=None, depth=18, base_channels=4), "
        + "cls_head=dict(type='I3DHead', num_classes=3, in_channels=32))"
    static let slowFast = "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=1, speed_ratio=1, "
        + "slow_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=True, base_channels=8), "
        + "fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, base_channels=1)), "
        + "cls_head=dict(type='SlowFastHead', num_classes=3, in_channels=72))"
    static let c3d = "dict(type='Recognizer3D', backbone=dict(type='C3D', out_dim=512, base_channels=4), "
        + "cls_head=dict(type='I3DHead', num_classes=3, in_channels=4096, spatial_type=None))"
    static let r2plus1d = "dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', pretrained=None, pretrained2d=False, depth=18, "
        + "base_channels=4, conv_cfg=dict(type='Conv2plus1d')), cls_head=dict(type='I3DHead', num_classes=3, in_channels=32))"
    static let csn = "dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained=None, depth=50, base_channels=4), "
        + "cls_head=dict(type='I3DHead', num_classes=3, in_channels=128))"
    static let tpn = "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', pretrained=None, depth=18, base_channels=16, "
        + "out_indices=(2, 3)), neck=dict(type='TPN', in_channels=(64, 128), out_channels=64, "
        + "spatial_modulation_cfg=dict(in_channels=(64, 128), out_channels=128), temporal_modulation_cfg=dict(downsample_scales=(2, 2)), "
        + "upsample_cfg=dict(scale_factor=(1, 1, 1), mode='nearest'), downsample_cfg=dict(downsample_scale=(1, 1, 1)), "
        + "level_fusion_cfg=dict(in_channels=(64, 64), mid_channels=(64, 64), out_channels=64, downsample_scales=((1, 1, 1), (1, 1, 1))), "
        + "aux_head_cfg=dict(out_channels=3, loss_weight=0.5, loss_cls=dict(type='CrossEntropyLoss')), flow_type='cascade'), "
        + "cls_head=dict(type='TPNHead', num_classes=3, in_channels=2048, consensus=dict(type='AvgConsensus', dim=1)))"
    static let x3d = "dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=0.25), "
        + "cls_head=dict(type='X3DHead', num_classes=3, in_channels=64))"
    /// The 2-D pipeline with 3-D clips (FormatShape NCTHW) and one view per training video.
    static let pipeline3D = pipeline.replacingOccurrences(of: "input_format='NCHW'", with: "input_format='NCTHW'")
        .replacingOccurrences(of: "clip_len=1, num_clips=2", with: "clip_len=2, num_clips=1")
        .replacingOccurrences(of: "dict(type='ThreeCrop', crop_size=16), dict(type='TenCrop', crop_size=16),", with: "")
    /// The 2-D pipeline reading a video: the Init step first, the Decode step in RawFrameDecode's place (same lines).
    static func videoPipeline(_ open: String, _ decode: String) -> String {
        pipeline.replacingOccurrences(of: "[dict(type='SampleFrames'", with: "[dict(type='\(open)'), dict(type='SampleFrames'")
            .replacingOccurrences(of: "dict(type='RawFrameDecode')", with: "dict(type='\(decode)')")
    }
    static let policies = [
        "dict(policy='Fixed', warmup='linear', warmup_iters=1)", "dict(policy='Step', step=[2], warmup='linear', warmup_iters=1)",
        "dict(policy='Exp', gamma=0.9, warmup='linear', warmup_iters=1)", "dict(policy='Poly')",
        "dict(policy='Inv', gamma=0.1)", "dict(policy='CosineAnnealing', min_lr=0)", "dict(policy='FlatCosineAnnealing', min_lr=0)",
        "dict(policy='CosineRestart', periods=[4], min_lr=0)", "dict(policy='LinearAnnealing', min_lr=0)",
        "dict(policy='Cyclic', by_epoch=False)", "dict(policy='OneCycle', max_lr=0.1, by_epoch=False)",
    ]

    /// Every supported component read at least once.
    func readEverything() throws -> ReadLog {
        let log = ReadLog()
        var texts = [Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1, paramwise_cfg=dict(custom_keys={'fc': dict()}))",
                                 lr: Self.policies[0])]
        texts.append(Self.config(model: Self.tsm, optimizer: "dict(type='Adam', constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=True))",
                                 lr: Self.policies[1], runner: "runner = dict(type='EpochBasedRunner', max_epochs=4)"))
        texts.append(Self.config(model: Self.tsn, optimizer: "dict(type='AdamW')", lr: Self.policies[2]))
        texts.append(Self.config(model: Self.trn, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0]))
        for p in Self.policies.dropFirst(3) {
            // With a warm-up, so each policy reads the warm-up keys too.
            texts.append(Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1)",
                                     lr: p.dropLast() + ", warmup='linear', warmup_iters=1)"))
        }
        texts.append(Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0],
                                 runner: "runner = dict(type='IterBasedRunner', max_iters=4)"))
        // Each blending, in train_cfg.
        for blending in ["dict(type='MixupBlending', num_classes=3, alpha=0.2)", "dict(type='CutmixBlending', num_classes=3)"] {
            let model = String(Self.tsm.dropLast()) + ", train_cfg=dict(blending=\(blending)))"
            texts.append(Self.config(model: model, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0]))
        }
        // mmaction2's lazy steps and Fuse.
        let lazy = "[dict(type='SampleFrames', clip_len=1, num_clips=2), dict(type='RawFrameDecode'), dict(type='Resize', scale=(-1, 20), lazy=True), "
            + "dict(type='MultiScaleCrop', input_size=16, scales=(1, 0.8), lazy=True), dict(type='Resize', scale=(16, 16), keep_ratio=False, lazy=True), "
            + "dict(type='Flip', flip_ratio=0.5, lazy=True), dict(type='Fuse'), dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1), "
            + "dict(type='FormatShape', input_format='NCHW')]"
        texts.append(Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0], pipeline: lazy))
        // Multi-label: a BCE head on a multi_class dataset, evaluated by mean average precision.
        let multiLabel = Self.tsn.replacingOccurrences(of: "loss_cls=dict(type='CrossEntropyLoss')",
                                                       with: "multi_class=True, label_smooth_eps=0.1, loss_cls=dict(type='BCELossWithLogits', loss_weight=3.0, class_weight=[1.0, 2.0, 1.0])")
        texts.append(Self.config(model: multiLabel, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0])
            .replacingOccurrences(of: "pipeline=\(Self.pipeline))", with: "pipeline=\(Self.pipeline), multi_class=True, num_classes=3)")
            .replacingOccurrences(of: "save_best='top1_acc'", with: "save_best='mean_average_precision', metrics=['mean_average_precision']"))
        for model in [Self.i3d, Self.slowOnly, Self.slowFast, Self.c3d, Self.r2plus1d, Self.csn, Self.x3d, Self.tpn] {
            texts.append(Self.config(model: model, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0], pipeline: Self.pipeline3D))
        }
        // OmniSource: a main dataset, web images (class-balanced) and raw videos, with their own pipelines and batch sizes.
        let web = "[dict(type='ImageDecode'), dict(type='Resize', scale=(-1, 32)), dict(type='BuildPseudoClip', clip_len=1), "
            + "dict(type='FormatShape', input_format='NCHW')]"
        let omni = Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0])
            .replacingOccurrences(of: "train=d,", with: "train=[d, dict(type='ImageDataset', ann_file='web.txt', pipeline=\(web), "
                                  + "sample_by_class=True, power=0.5, dynamic_length=False), dict(type='RawVideoDataset', "
                                  + "ann_file='raw.txt', pipeline=\(Self.videoPipeline("DecordInit", "DecordDecode")), "
                                  + "clipname_tmpl='part_{}.mp4', sampling_strategy='positive')], train_ratio=[2, 1, 1], "
                                  + "omni_videos_per_gpu=[2, 4, 2],") + "omnisource = True\n"
        texts.append(omni)
        // VideoDataset with each backend's Init/Decode pair.
        for (open, decode) in [("DecordInit", "DecordDecode"), ("PyAVInit", "PyAVDecode"), ("OpenCVInit", "OpenCVDecode")] {
            texts.append(Self.config(model: Self.tsn, optimizer: "dict(type='SGD', lr=0.1)", lr: Self.policies[0],
                                     pipeline: Self.videoPipeline(open, decode), dataset: "VideoDataset"))
        }
        for text in texts {
            let config = try ConfigLoader(read: { $0 == "/c.py" ? text : nil }).load("/c.py")
            XCTAssertEqual(SchemaChecker.check(config).filter { $0.severity == .error }.map(\.description), [], text)
            let spec = try RunSpec.read(config, log: log)
            _ = try spec.data.spec(.test)
        }
        return log
    }

    /// The schema's default as a value (nil: required, or not a Python literal).
    func schemaDefault(_ arg: ArgSchema) throws -> ConfigValue? {
        guard let text = arg.defaultText else { return nil }
        let config = try? ConfigLoader(read: { $0 == "/d.py" ? "x = \(text)\n" : nil }).load("/d.py")
        return config?.root["x"]
    }

    static func same(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        if let x = a.number, let y = b.number, a.bool == nil, b.bool == nil { return x == y }
        if let xs = a.elements, let ys = b.elements { return xs.count == ys.count && zip(xs, ys).allSatisfy { same($0, $1) } }
        return a.content == b.content
    }

    func drifts(_ log: ReadLog) throws -> [String] {
        var found: [String] = []
        let typeKeys: Set<String> = ["type", "policy"]
        for schema in Registry.components where schema.support == .supported {
            guard let read = log.entries[schema.name] else {
                found.append("\(schema.name): never read")
                continue
            }
            let readKeys = Set(read.map(\.key)).subtracting(typeKeys)
            let schemaKeys = Set(schema.args.map(\.name)).subtracting(typeKeys)
            for k in schemaKeys.subtracting(readKeys).sorted() { found.append("\(schema.name).\(k): in the schema, never read") }
            if !schema.acceptsExtraArgs {
                for k in readKeys.subtracting(schemaKeys).sorted() { found.append("\(schema.name).\(k): read, not in the schema") }
            }
            for (key, fallback) in read where !typeKeys.contains(key) {
                guard let arg = schema.arg(key) else { continue }
                switch fallback {
                case .read: continue
                case .required:
                    if !arg.isRequired { found.append("\(schema.name).\(key): required by the reader, default \(arg.defaultText!) in the schema") }
                case .value(let c):
                    if arg.isRequired { found.append("\(schema.name).\(key): default \(fallback) in the reader, required in the schema"); continue }
                    guard let d = try schemaDefault(arg) else { found.append("\(schema.name).\(key): schema default \(arg.defaultText!) is not a literal"); continue }
                    if !Self.same(d, ConfigValue(c)) { found.append("\(schema.name).\(key): reader default \(fallback), schema \(arg.defaultText!)") }
                }
            }
        }
        let top = Set(Registry.topLevel.map(\.name))
        for k in (log.entries["config"] ?? []).map(\.key) where !top.contains(k) { found.append("config.\(k): read, not a top-level key of the schema") }
        return found
    }

    func testTheSchemaListsWhatTheReadersReadWithTheirDefaults() throws {
        let found = try drifts(try readEverything())
        XCTAssertEqual(found, [], "\n" + found.joined(separator: "\n"))
    }

    /// The test catches drift: a reader default that differs from the schema's is reported.
    func testADefaultThatDiffersFromTheSchemaIsReported() throws {
        let log = try readEverything()
        let config = try ConfigLoader(read: { _ in "c = dict(interval=3)\n" }).load("/x.py")
        let r = try ConfigReader(config.root["c"]!, name: "checkpoint_config", files: config.files, log: ReadLog())
        _ = try r.int("max_keep_ckpts", 5)
        let drifted = ReadLog()
        for (component, entries) in log.entries where component != "checkpoint_config" {
            for e in entries { drifted.record(component, e.key, e.default) }
        }
        for e in log.entries["checkpoint_config"]! where e.key != "max_keep_ckpts" { drifted.record("checkpoint_config", e.key, e.default) }
        drifted.record("checkpoint_config", "max_keep_ckpts", .value(.int(5)))
        drifted.record("checkpoint_config", "keep_everything", .read)
        XCTAssertEqual(try drifts(drifted).filter { $0.hasPrefix("checkpoint_config") },
                       ["checkpoint_config.keep_everything: read, not in the schema",
                        "checkpoint_config.max_keep_ckpts: reader default 5, schema -1"])
    }
}
