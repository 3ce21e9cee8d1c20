private typealias A = ArgSchema

/// C3D, ResNet2Plus1d, ResNet3dCSN, X3D and X3DHead (mmaction2 0.24.1's other 3-D backbones and X3D's head).
extension Registry {
    /// `args` with the arguments of the same name replaced (a subclass's own defaults).
    static func replacing(_ args: [ArgSchema], with changes: [ArgSchema]) -> [ArgSchema] {
        args.map { a in changes.first { $0.name == a.name } ?? a }
    }

    static let family3DBackbones: [ComponentSchema] = [
        ComponentSchema("C3D", .backbone, "C3D: eight 3×3×3 convs with max-pools, then fc6 and fc7 (4096 wide): flat features for I3DHead(spatial_type=None).", args: [
            A("pretrained", .optional(.string), "None", "None (from-scratch init), or a local C3D weights file (.pth/.safetensors); URLs cannot be fetched."),
            A("style", .choice(["pytorch", "caffe"]), "'pytorch'", "Stored by mmaction2's C3D and never used."),
            A("conv_cfg", .optional(.dict), "None", "Convolution type (None or Conv3d)."),
            A("norm_cfg", .optional(.dict), "None", "None: no norm (convs with bias); dict(type='BN3d', …): BatchNorm3d after each conv."),
            A("act_cfg", .optional(.dict), "None", "Activation (None or ReLU)."),
            A("out_dim", .int, "8192", "fc6's input: the flattened pool5 map, 512·T'·H'·W' (8192 for 16×112×112 clips)."),
            A("dropout_ratio", .float, "0.5", "Dropout between fc6 and fc7."),
            A("init_std", .float, "0.005", "Std of the fcs' normal init."),
            A("base_channels", .int, "64", "Reel extension: conv1a's width (the others ×2, ×4, ×4, ×8 …); smaller models for demos and benches."),
        ], tips: ["out_dim depends on the clip size: 512 × ⌊T/16⌋ × (⌊H/32⌋+1) × (⌊W/32⌋+1) for sizes that divide evenly."]),
        ComponentSchema("ResNet2Plus1d", .backbone, "R(2+1)D: a ResNet3d whose convolutions are each a spatial 1×k×k conv, BN, ReLU and a temporal k×1×1 conv (Conv2plus1d).",
                        args: replacing(resnet3dArgs(slowOnly: false), with: [
                            A("pretrained2d", .bool, "True", "Must be False (mmaction2 asserts it): R(2+1)D loads 3-D weights only."),
                            A("with_pool2", .bool, "True", "Read and ignored: R(2+1)D has no pool2."),
                            A("dilations", .sequence(.int), "(1, 1, 1, 1)", "Must be 1 (Conv2plus1d ignores dilation)."),
                            A("conv_cfg", .dict, "dict(type='Conv3d')", "Must be dict(type='Conv2plus1d') (mmaction2 asserts it)."),
                            A("norm_cfg", .dict, "dict(type='BN3d', requires_grad=True)", "BN3d or SyncBN (the same on one process), with requires_grad, eps, momentum."),
                        ]),
                        tips: ["Conv2plus1d's middle width is ⌊3·Cin·Cout·k² / (Cin·k² + 3·Cout)⌋ (mmaction2 fixes t = 3)."]),
        ComponentSchema("ResNet3dCSN", .backbone, "CSN: a ResNet3d-50/101/152 whose bottlenecks use a depthwise 3×3×3 conv ('ir'), after a 1×1×1 conv ('ip').",
                        args: replacing(resnet3dArgs(slowOnly: false), with: [
                            A("depth", .int, nil, "Depth: 50, 101 or 152."),
                            A("temporal_strides", .sequence(.int), "(1, 2, 2, 2)", "Temporal stride of the first block of each stage."),
                            A("inflate_style", .choice(["3x1x1", "3x3x3"]), "'3x3x3'", "Inflated blocks: depthwise 3×3×3 conv2 (or 3×1×1 conv1 and 1×3×3 conv2)."),
                            A("pretrained2d", .bool, "True", "Must be False when `pretrained` is a file: CSN loads 3-D weights only."),
                            A("norm_cfg", .dict, "dict(type='BN3d', requires_grad=True, eps=1e-3)", "BN3d or SyncBN, with requires_grad, eps, momentum."),
                        ]) + [
                            A("bottleneck_mode", .choice(["ir", "ip"]), "'ir'", "'ir': conv2 is a depthwise conv; 'ip': a 1×1×1 conv + BN, then the depthwise conv."),
                            A("bn_frozen", .bool, "False", "With norm_eval=True, also freeze every BatchNorm's weight and bias."),
                        ]),
        ComponentSchema("X3D", .backbone, "X3D: a stem, four stages of inverted bottlenecks with channel-wise 3×3×3 convs, SE units and Swish, then conv5.", args: [
            A("gamma_w", .float, "1.0", "Width factor: the stem's 24 channels × gamma_w, rounded to a multiple of 8."),
            A("gamma_b", .float, "1.0", "Bottleneck width factor (blocks' inner width and conv5's)."),
            A("gamma_d", .float, "1.0", "Depth factor: blocks per stage (1, 2, 5, 3) × gamma_d, rounded up."),
            A("pretrained", .optional(.string), "None", "None (from-scratch init), or a local X3D weights file (.pth/.safetensors)."),
            A("in_channels", .int, "3", "Input channels (3 for RGB)."),
            A("num_stages", .int, "4", "Number of stages used (1–4)."),
            A("spatial_strides", .sequence(.int), "(2, 2, 2, 2)", "Spatial stride of the first block of each stage."),
            A("frozen_stages", .int, "-1", "Stages (and the stem, for 0 or more) kept in eval mode with frozen weights; -1 freezes nothing."),
            A("se_style", .choice(["half", "all"]), "'half'", "SE units in every other block of a stage (half) or in all."),
            A("se_ratio", .optional(.float), "0.0625", "SE reduction ratio (1/16); None: no SE units."),
            A("use_swish", .bool, "True", "Ignored by mmaction2 0.24.1 (Swish is always used), and by Reel."),
            A("conv_cfg", .dict, "dict(type='Conv3d')", "Convolution type (Conv3d)."),
            A("norm_cfg", .dict, "dict(type='BN3d', requires_grad=True)", "BN3d or SyncBN, with requires_grad, eps, momentum."),
            A("act_cfg", .dict, "dict(type='ReLU', inplace=True)", "Activation (ReLU)."),
            A("norm_eval", .bool, "False", "Keep every BatchNorm in eval mode while training."),
            A("with_cp", .bool, "False", "Gradient checkpointing to save memory (a GPU memory trick; no effect in Reel)."),
            A("zero_init_residual", .bool, "True", "From-scratch init sets each block's conv3 BN weight to 0."),
        ], tips: ["X3D-S/M: gamma_w=1, gamma_b=2.25, gamma_d=2.2 (feature width 432); gamma_w=0.25 gives a tiny model for the CPU."]),
    ]

    static let necks: [ComponentSchema] = [
        ComponentSchema("TPN", .neck, "Temporal Pyramid Network: the backbone's out_indices stages brought to one size (spatial modulation), pooled over time (temporal modulation), mixed top-down and bottom-up, fused to 2048 channels; an auxiliary head adds a loss in training.", args: [
            A("in_channels", .tuple(.int), nil, "Channels of the backbone's out_indices stages, e.g. (1024, 2048)."),
            A("out_channels", .int, nil, "Channels of each level after the temporal modulation (a multiple of 32)."),
            A("spatial_modulation_cfg", .optional(.dict), "None", "dict(in_channels=…, out_channels=top level's channels): stride-2 convs per lower level."),
            A("temporal_modulation_cfg", .optional(.dict), "None", "dict(downsample_scales=(8, 8)): the max-pool over time per level (equal scales)."),
            A("upsample_cfg", .optional(.dict), "None", "dict(scale_factor=(1, 1, 1)) turns the top-down flow on (scale 1 only in Reel); None leaves it out."),
            A("downsample_cfg", .optional(.dict), "None", "dict(downsample_scale=(1, 1, 1)) turns the bottom-up flow on (scale 1 only in Reel); None leaves it out."),
            A("level_fusion_cfg", .optional(.dict), "None", "dict(in_channels=(out,)*levels, mid_channels=…, out_channels=…, downsample_scales=((1, 1, 1), …))."),
            A("aux_head_cfg", .optional(.dict), "None", "dict(out_channels=num_classes, loss_weight=0.5): the auxiliary head on the second-to-last stage."),
            A("flow_type", .choice(["cascade", "parallel"]), "'cascade'", "cascade: bottom-up after top-down; parallel: both from the modulated levels."),
        ], acceptsExtraArgs: false),
    ]

    static let family3DHeads: [ComponentSchema] = [
        ComponentSchema("TPNHead", .head, "TPN's head (a TSNHead): it average-pools the neck's T×H×W map, applies dropout and fc_cls, like I3DHead (on Recognizer3D, and on Recognizer2D after TPN).", args: [
            A("num_classes", .int, nil, "Number of classes."),
            A("in_channels", .int, nil, "2048: what TPN's pyramid fusion gives."),
            A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
            A("spatial_type", .optional(.choice(["avg"])), "'avg'", "'avg' (the only pooling TPNHead can run)."),
            A("consensus", .dict, "dict(type='AvgConsensus', dim=1)", "TSNHead's segment consensus (unused on 3-D maps)."),
            A("dropout_ratio", .float, "0.4", "Dropout before the fc (0 removes it)."),
            A("init_std", .float, "0.01", "Std of the fc's normal init (bias 0)."),
            A("multi_class", .bool, "False", "Multi-label targets (needs multi_class=True on the dataset; TPN's aux head then must be off)."),
            A("label_smooth_eps", .float, "0.0", "With multi_class=True: targets become (1 − ε)·y + ε/num_classes."),
            A("topk", .oneOf([.int, .tuple(.int)]), "(1, 5)", "Batch top-k accuracies logged during training."),
        ]),
        ComponentSchema("X3DHead", .head, "X3D head: average-pool, fc1 to 2048 + ReLU, dropout, fc2.", args: [
            A("num_classes", .int, nil, "Number of classes."),
            A("in_channels", .int, nil, "Feature channels from the backbone (X3D's conv5 width, 432 for X3D-M)."),
            A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
            A("spatial_type", .choice(["avg"]), "'avg'", "Global pooling before fc1 ('max' is not implemented in Reel)."),
            A("dropout_ratio", .float, "0.5", "Dropout between fc1 and fc2 (0 removes it)."),
            A("init_std", .float, "0.01", "Std of both fcs' normal init (biases 0)."),
            A("fc1_bias", .bool, "False", "Whether fc1 has a bias."),
        ]),
    ]
}
