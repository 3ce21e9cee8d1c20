private typealias A = ArgSchema

extension Registry {
    static let resnetArgs: [ArgSchema] = [
        A("depth", .int, nil, "ResNet depth: 18 or 34 (BasicBlock), 50, 101 or 152 (Bottleneck)."),
        A("pretrained", .optional(.string), "None", "A checkpoint to initialise from; None = Kaiming init (Reel cannot download torchvision weights)."),
        A("torchvision_pretrain", .bool, "True", "Whether `pretrained` uses torchvision's key names (downsample.0/.1, bn1 …)."),
        A("in_channels", .int, "3", "Input channels (3 for RGB)."),
        A("num_stages", .int, "4", "Number of residual stages used (1–4)."),
        A("out_indices", .sequence(.int), "(3,)", "Stages whose outputs are returned: the last alone, or several ending with it for a TPN neck, e.g. (2, 3)."),
        A("strides", .sequence(.int), "(1, 2, 2, 2)", "Spatial stride of the first block of each stage."),
        A("dilations", .sequence(.int), "(1, 1, 1, 1)", "Dilation of each stage's 3×3 convs."),
        A("style", .choice(["pytorch", "caffe"]), "'pytorch'", "Where a Bottleneck puts its stride: the 3×3 conv (pytorch) or the first 1×1 (caffe)."),
        A("frozen_stages", .int, "-1", "Stages (and the stem, for 0 or more) kept in eval mode with frozen weights; -1 freezes nothing."),
        A("conv_cfg", .dict, "dict(type='Conv')", "Convolution type (Conv/Conv2d)."),
        A("norm_cfg", .dict, "dict(type='BN2d', requires_grad=True)", "Norm layer; requires_grad=False freezes BN affine weights."),
        A("act_cfg", .dict, "dict(type='ReLU', inplace=True)", "Activation."),
        A("norm_eval", .bool, "False", "Keep every BatchNorm in eval mode while training (running stats frozen, not used for batch stats)."),
        A("partial_bn", .bool, "False", "Freeze every BatchNorm except the first (TSN's partial BN)."),
        A("with_cp", .bool, "False", "Gradient checkpointing to save memory (a GPU memory trick; no effect in Reel)."),
        A("base_channels", .int, "64", "Reel extension: width of the first stage (stages are ×1, ×2, ×4, ×8); smaller models for demos and benches."),
    ]

    /// ResNet3d's arguments; ResNet3dSlowOnly changes five defaults.
    static func resnet3dArgs(slowOnly: Bool) -> [ArgSchema] {
        [
            A("depth", .int, nil, "Depth: 18 or 34 (BasicBlock3d), 50, 101 or 152 (Bottleneck3d)."),
            A("pretrained", .optional(.string), nil, "None (from-scratch init), or a local weights file (.pth/.safetensors); URLs cannot be fetched."),
            A("pretrained2d", .bool, "True", "`pretrained` is a 2-D ResNet (torchvision names): kernels are repeated along time and divided by its length."),
            A("stage_blocks", .optional(.sequence(.int)), "None", "Blocks per stage (Reel: None, the depth decides)."),
            A("in_channels", .int, "3", "Input channels (3 for RGB)."),
            A("num_stages", .int, "4", "Number of residual stages used (1–4)."),
            A("base_channels", .int, "64", "Width of the stem and first stage (stages are ×1, ×2, ×4, ×8)."),
            A("out_indices", .sequence(.int), "(3,)", "Stages whose outputs are returned: the last alone, or several ending with it for a TPN neck, e.g. (2, 3)."),
            A("spatial_strides", .sequence(.int), "(1, 2, 2, 2)", "Spatial stride of the first block of each stage."),
            A("temporal_strides", .sequence(.int), "(1, 1, 1, 1)", "Temporal stride of the first block of each stage."),
            A("dilations", .sequence(.int), "(1, 1, 1, 1)", "Spatial dilation of each stage."),
            A("conv1_kernel", .oneOf([.int, .sequence(.int)]), slowOnly ? "(1, 7, 7)" : "(3, 7, 7)", "Stem kernel (t, h, w); padding (k − 1) // 2."),
            A("conv1_stride_s", .int, "2", "Stem spatial stride."),
            A("conv1_stride_t", .int, "1", "Stem temporal stride."),
            A("pool1_stride_s", .int, "2", "Spatial stride of the stem's 1×3×3 max-pool."),
            A("pool1_stride_t", .int, "1", "Temporal stride of the stem's max-pool."),
            A("with_pool1", .bool, "True", "Max-pool after the stem."),
            A("with_pool2", .bool, slowOnly ? "False" : "True", "Temporal max-pool (2×1×1, stride 2) after layer1."),
            A("style", .choice(["pytorch", "caffe"]), "'pytorch'", "Where a Bottleneck3d puts its stride: conv2 (pytorch) or conv1 (caffe)."),
            A("frozen_stages", .int, "-1", "Stages (and the stem, for 0 or more) kept in eval mode with frozen weights; -1 freezes nothing."),
            A("inflate", .oneOf([.int, .sequence(.any)]), slowOnly ? "(0, 0, 1, 1)" : "(1, 1, 1, 1)", "Temporal kernels per stage (an int for all blocks, or a tuple per block; 1 = inflated)."),
            A("inflate_style", .choice(["3x1x1", "3x3x3"]), "'3x1x1'", "Inflated Bottleneck3d: 3×1×1 on conv1, or 3×3×3 on conv2."),
            A("conv_cfg", .dict, "dict(type='Conv3d')", "Convolution type (Conv3d)."),
            A("norm_cfg", .dict, "dict(type='BN3d', requires_grad=True)", "Norm layer (BN3d); requires_grad=False freezes BN affine weights."),
            A("act_cfg", .dict, "dict(type='ReLU', inplace=True)", "Activation (ReLU)."),
            A("norm_eval", .bool, "False", "Keep every BatchNorm in eval mode while training."),
            A("with_cp", .bool, "False", "Gradient checkpointing to save memory (a GPU memory trick; no effect in Reel)."),
            A("non_local", .oneOf([.int, .sequence(.any)]), "(0, 0, 0, 0)", "NonLocal3d after the blocks whose entry is 1 (an int per stage, or a tuple per block)."),
            A("non_local_cfg", .dict, "dict()", "NonLocal3d settings: sub_sample (False), use_scale (True), mode ('embedded_gaussian', 'dot_product', 'gaussian'), norm_cfg (None or BN3d after conv_out), reduction (2)."),
            A("zero_init_residual", .bool, "True", "From-scratch init sets each block's last BN weight to 0."),
        ]
    }

    static let models: [ComponentSchema] = [
        ComponentSchema("Recognizer2D", .recognizer, "2-D recognizer (TSN, TSM): frames of a clip go through the backbone as a batch; the head averages them.", args: [
            A("backbone", .component(.backbone), nil, "The backbone network."),
            A("cls_head", .optional(.component(.head)), "None", "The classification head (TPNHead after a TPN neck)."),
            A("neck", .optional(.component(.neck)), "None", "TPN over the backbone's out_indices stages, each video's frames taken as one clip (TPN-TSM); its temporal pooling must bring the clip to one step."),
            A("train_cfg", .optional(.section("train_cfg")), "None", "Training options: mixup/cutmix blending of each batch; usually None."),
            A("test_cfg", .optional(.section("test_cfg")), "None", "Inference options: how clip scores are averaged."),
        ], tips: ["Input is batch × (clips·frames) × C × H × W; frames become extra batch items for the 2-D backbone."]),
        ComponentSchema("Recognizer3D", .recognizer, "3-D recognizer (I3D, SlowOnly): each view (clip × crop) goes through the 3-D backbone as one volume; the head scores every view.", args: [
            A("backbone", .component(.backbone), nil, "The 3-D backbone network (ResNet3d, ResNet3dSlowOnly, ResNet3dSlowFast, C3D, ResNet2Plus1d, ResNet3dCSN, X3D)."),
            A("cls_head", .optional(.component(.head)), "None", "The classification head (I3DHead, X3DHead; SlowFastHead for ResNet3dSlowFast; TPNHead after a TPN neck)."),
            A("neck", .optional(.component(.neck)), "None", "TPN between a multi-output backbone (out_indices) and TPNHead."),
            A("train_cfg", .optional(.section("train_cfg")), "None", "Training options: mixup/cutmix blending of each batch; usually None."),
            A("test_cfg", .optional(.section("test_cfg")), "None", "Inference options: how the views' scores are averaged."),
        ], tips: ["Input is batch × views × C × T × H × W (FormatShape NCTHW); training takes one view per video (num_clips=1).",
                  "Test with several clips/crops and average_clips='prob' (softmax per view, then the mean)."]),
        ComponentSchema("AudioRecognizer", .recognizer, "Audio recognizer.", support: .unsupported("audio models are not implemented")),
        ComponentSchema("ResNet", .backbone, "mmaction2's 2-D ResNet (TSN's backbone).", args: resnetArgs,
                        tips: ["pretrained=None gives Kaiming (fan_out) init; with no ImageNet weights, train longer or use a smaller model (base_channels)."]),
        ComponentSchema("ResNetTSM", .backbone, "ResNet with temporal shift modules (TSM): part of the channels move one frame forward/back in time.",
                        args: resnetArgs + [
                            A("num_segments", .int, "8", "Frames per clip (T): the shift moves channels between these frames."),
                            A("is_shift", .bool, "True", "Insert the temporal shift (False gives a plain ResNet)."),
                            A("non_local", .sequence(.any), "(0, 0, 0, 0)", "Per stage, a tuple with 1 for each block followed by a NonLocal3d over the video's segments (NL3DWrapper); only with a non-empty non_local_cfg, on Bottleneck depths (50+) and shift_place='blockres'."),
                            A("non_local_cfg", .dict, "dict()", "NonLocal3d settings: sub_sample (False), use_scale (True), mode ('embedded_gaussian', 'dot_product', 'gaussian'), norm_cfg (None or BN3d after conv_out), reduction (2). Empty: no non-local blocks."),
                            A("shift_div", .int, "8", "1/shift_div of the channels shift forward and 1/shift_div backward; the rest stay."),
                            A("shift_place", .choice(["blockres", "block"]), "'blockres'", "blockres: shift only the residual branch before conv1; block: shift the block input."),
                            A("temporal_pool", .bool, "False", "Halve the frames with a temporal max-pool before layer2."),
                        ],
                        tips: ["num_segments must equal the sampler's num_clips × clip_len and the head's num_segments."]),
        ComponentSchema("ResNet3d", .backbone, "mmaction2's 3-D ResNet (I3D): 2-D ResNet blocks with temporal kernels where `inflate` says.",
                        args: resnet3dArgs(slowOnly: false),
                        tips: ["The shipped I3D inflates every other block: inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0))."]),
        ComponentSchema("ResNet3dSlowOnly", .backbone, "SlowOnly: the slow pathway of SlowFast alone, a ResNet3d with temporal kernels in stages 3–4 only and no temporal downsampling.",
                        args: resnet3dArgs(slowOnly: true) + [
                            A("lateral", .bool, "False", "Lateral connections from a fast pathway (SlowOnly has none: keep False)."),
                            A("lateral_norm", .bool, "False", "Norm in lateral connections (unused without them)."),
                            A("speed_ratio", .int, "8", "Fast/slow frame ratio (unused without lateral connections)."),
                            A("channel_ratio", .int, "8", "Slow/fast channel ratio (unused without lateral connections)."),
                            A("fusion_kernel", .int, "5", "Temporal kernel of lateral connections (unused without them)."),
                        ],
                        tips: ["A small SlowOnly for the CPU: depth=18, base_channels=16, 8 frames of 56×56."]),
        ComponentSchema("ResNet3dSlowFast", .backbone, "SlowFast: a slow pathway on every resample_rate-th frame and a thin fast pathway on every (resample_rate // speed_ratio)-th, with lateral connections from fast to slow.",
                        args: [
                            A("pretrained", .optional(.string), nil, "None, or a local 3-D SlowFast backbone state dict (loaded strictly)."),
                            A("resample_rate", .int, "8", "τ: the slow pathway takes every τ-th frame of the clip (nearest interpolation, as mmaction2)."),
                            A("speed_ratio", .int, "8", "α: the fast pathway takes α× as many frames; lateral convs have temporal stride α."),
                            A("channel_ratio", .int, "8", "β⁻¹: the fast pathway is β⁻¹× thinner; a lateral conv maps fast C to 2C channels."),
                            A("slow_pathway", .dict, nil, "ResNet3d arguments (ResNet3d's defaults) + type='resnet3d', lateral=True, fusion_kernel (5), lateral_norm (False: a bare conv; True: BN3d + ReLU after it)."),
                            A("fast_pathway", .dict, nil, "ResNet3d arguments + type='resnet3d', lateral=False; base_channels = slow base_channels // channel_ratio."),
                        ],
                        tips: ["The head is SlowFastHead with in_channels = slow + fast feature channels (2048 + 256 for R50).",
                               "with_pool1/with_pool2 of a pathway are ignored (SlowFast always pools after the stem, never after layer1), as in mmaction2.",
                               "The clip length should be a multiple of resample_rate so both pathways' frame counts line up at the lateral connections."]),
    ] + family3DBackbones + ["ResNetTIN",
         "TANet", "MobileNetV2", "MobileNetV2TSM", "TimeSformer", "ResNetAudio", "STGCN", "ResNet3dLayer"]
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        .map { ComponentSchema($0, .backbone, "mmaction2 backbone \($0).", support: .unsupported("only ResNet, ResNetTSM, ResNet3d, ResNet3dSlowOnly, ResNet3dSlowFast, C3D, ResNet2Plus1d, ResNet3dCSN and X3D are implemented")) }

    static let headCommonArgs: [ArgSchema] = [
        A("num_classes", .int, nil, "Number of classes."),
        A("in_channels", .int, nil, "Feature channels from the backbone (512 for ResNet-18/34 at base 64, 2048 for ResNet-50)."),
        A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
        A("spatial_type", .optional(.choice(["avg"])), "'avg'", "Spatial pooling before the classifier."),
        A("consensus", .dict, "dict(type='AvgConsensus', dim=1)", "How segment outputs are combined (average)."),
        A("multi_class", .bool, "False", "Multi-label targets: the dataset's label sets as multi-hot vectors (the dataset needs multi_class=True too), no top-k accuracies logged; use loss_cls=dict(type='BCELossWithLogits')."),
        A("label_smooth_eps", .float, "0.0", "With multi_class=True: targets become (1 − ε)·y + ε/num_classes. Without it, no effect (a warning says so)."),
        A("topk", .oneOf([.int, .tuple(.int)]), "(1, 5)", "Batch top-k accuracies logged during training."),
    ]

    static let heads: [ComponentSchema] = [
        ComponentSchema("TSNHead", .head, "TSN head: average-pool, average the features of all segments, dropout, fc.",
                        args: headCommonArgs + [
                            A("dropout_ratio", .float, "0.4", "Dropout before the fc (0 removes it); kept activations scale by 1/(1−p)."),
                            A("init_std", .float, "0.01", "Std of the fc's normal init (bias 0)."),
                        ],
                        tips: ["TSN averages features over segments before the fc, so frame order is invisible to it."]),
        ComponentSchema("TSMHead", .head, "TSM head: average-pool, dropout, fc per frame, then average the logits over num_segments.",
                        args: headCommonArgs + [
                            A("num_segments", .int, "8", "Frames per clip; must match the backbone's num_segments."),
                            A("dropout_ratio", .float, "0.8", "Dropout before the fc (0 removes it)."),
                            A("init_std", .float, "0.001", "Std of the fc's normal init (bias 0)."),
                            A("is_shift", .bool, "True", "Whether the backbone shifts (with temporal_pool it halves the segments)."),
                            A("temporal_pool", .bool, "False", "Must match the backbone's temporal_pool."),
                        ]),
        ComponentSchema("TRNHead", .head, "TRN head: average-pool, dropout, fc to hidden_dim per frame, then a relation module over num_segments frames.",
                        args: [
                            A("num_classes", .int, nil, "Number of classes."),
                            A("in_channels", .int, nil, "Feature channels from the backbone (2048 for ResNet-50)."),
                            A("num_segments", .int, "8", "Frames per clip the relation module reads (its own count)."),
                            A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
                            A("spatial_type", .optional(.choice(["avg"])), "'avg'", "Spatial pooling before fc_cls."),
                            A("relation_type", .choice(["TRNMultiScale", "TRN"]), "'TRNMultiScale'", "TRN: one MLP on all frames in order; TRNMultiScale: an MLP per scale T…2 on up to 3 random ordered frame subsets each, summed."),
                            A("hidden_dim", .int, "256", "fc_cls's output width (the relation MLPs' input per frame)."),
                            A("dropout_ratio", .float, "0.8", "Dropout before fc_cls (0 removes it)."),
                            A("init_std", .float, "0.001", "Std of fc_cls's normal init (bias 0)."),
                            A("multi_class", .bool, "False", "Multi-label targets: the dataset's label sets as multi-hot vectors (the dataset needs multi_class=True too), no top-k accuracies logged; use loss_cls=dict(type='BCELossWithLogits')."),
                            A("label_smooth_eps", .float, "0.0", "With multi_class=True: targets become (1 − ε)·y + ε/num_classes. Without it, no effect (a warning says so)."),
                            A("topk", .oneOf([.int, .tuple(.int)]), "(1, 5)", "Batch top-k accuracies logged during training."),
                        ]),
        ComponentSchema("I3DHead", .head, "I3D head: average-pool the whole T×H×W map, dropout, fc: one row of scores per view.",
                        args: [
                            A("num_classes", .int, nil, "Number of classes."),
                            A("in_channels", .int, nil, "Feature channels from the backbone (2048 for a ResNet3d-50, 512 for -18 at base 64)."),
                            A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
                            A("spatial_type", .optional(.choice(["avg"])), "'avg'", "'avg' pools the map to 1×1×1; None flattens it (only for flat features)."),
                            A("dropout_ratio", .float, "0.5", "Dropout before the fc (0 removes it); kept activations scale by 1/(1−p)."),
                            A("init_std", .float, "0.01", "Std of the fc's normal init (bias 0)."),
                            A("multi_class", .bool, "False", "Multi-label targets: the dataset's label sets as multi-hot vectors (the dataset needs multi_class=True too), no top-k accuracies logged; use loss_cls=dict(type='BCELossWithLogits')."),
                            A("label_smooth_eps", .float, "0.0", "With multi_class=True: targets become (1 − ε)·y + ε/num_classes. Without it, no effect (a warning says so)."),
                            A("topk", .oneOf([.int, .tuple(.int)]), "(1, 5)", "Batch top-k accuracies logged during training."),
                        ]),
        ComponentSchema("SlowFastHead", .head, "SlowFast head: average-pool each pathway's map, concatenate (fast channels first, as mmaction2), dropout, fc.",
                        args: [
                            A("num_classes", .int, nil, "Number of classes."),
                            A("in_channels", .int, nil, "Slow + fast feature channels (2304 = 2048 + 256 for the R50 SlowFast)."),
                            A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
                            A("spatial_type", .optional(.choice(["avg"])), "'avg'", "Pooling of each pathway's map ('avg' only; mmaction2 has no other)."),
                            A("dropout_ratio", .float, "0.8", "Dropout before the fc (0 removes it)."),
                            A("init_std", .float, "0.01", "Std of the fc's normal init (bias 0)."),
                            A("multi_class", .bool, "False", "Multi-label targets: the dataset's label sets as multi-hot vectors (the dataset needs multi_class=True too), no top-k accuracies logged; use loss_cls=dict(type='BCELossWithLogits')."),
                            A("label_smooth_eps", .float, "0.0", "With multi_class=True: targets become (1 − ε)·y + ε/num_classes. Without it, no effect (a warning says so)."),
                            A("topk", .oneOf([.int, .tuple(.int)]), "(1, 5)", "Batch top-k accuracies logged during training."),
                        ]),
    ] + family3DHeads + ["TimeSformerHead", "AudioTSNHead", "STGCNHead", "TSNAudioHead"]
        .map { ComponentSchema($0, .head, "mmaction2 head \($0).", support: .unsupported("only TSNHead, TSMHead, TRNHead, I3DHead, SlowFastHead and X3DHead are implemented")) }
        + [
            ComponentSchema("CrossEntropyLoss", .loss, "Cross entropy on logits, mean over the batch.", args: [
                A("loss_weight", .float, "1.0", "Multiplier of the loss."),
                A("class_weight", .optional(.sequence(.float)), "None", "Per-class weights (weighted mean)."),
            ]),
            ComponentSchema("BCELossWithLogits", .loss, "Binary cross entropy on each class's logit, mean over all batch × class terms (multi-label: needs multi_class=True on the head and the dataset).", args: [
                A("loss_weight", .float, "1.0", "Multiplier of the loss (mmaction2's multi-label configs use the class count's order, e.g. 160 or 333)."),
                A("class_weight", .optional(.sequence(.float)), "None", "Per-class weights (scale each class's terms; the mean still divides by batch × classes)."),
            ]),
            ComponentSchema("NLLLoss", .loss, "Negative log-likelihood.", support: .unsupported("not implemented")),
            ComponentSchema("HVULoss", .loss, "HVU multi-task loss.", support: .unsupported("not implemented")),
        ] + [
            ("MixupBlending", "Mixup: each video becomes λ·itself + (1−λ)·another of the batch, labels likewise (soft labels), λ ~ Beta(alpha, alpha)."),
            ("CutmixBlending", "CutMix: a box of area ≈ (1−λ)·H·W from another video of the batch is pasted into every frame, labels mixed by the pasted area, λ ~ Beta(alpha, alpha)."),
        ].map { name, what in
            // mmaction2's mini-batch blendings (`train_cfg.blending`): the same two arguments.
            ComponentSchema(name, .blending, what, args: [
                A("num_classes", .int, nil, "Classes of the one-hot labels: the head's num_classes."),
                A("alpha", .float, "0.2", "Beta(alpha, alpha) parameter: small values keep most blends close to one video."),
            ], tips: ["Training logs no top-k accuracy with blending (mmaction2 computes it only for class-index labels)."])
        }

    static let trainCfg = ComponentSchema("train_cfg", .section, "Training options of a recognizer.", args: [
        A("blending", .optional(.component(.blending)), "None", "MixupBlending or CutmixBlending over each training batch."),
        A("aux_info", .list(.string), "[]", "Extra batch keys passed to the model (refused by Reel when not empty)."),
    ])

    static let testCfg = ComponentSchema("test_cfg", .section, "Inference options of a recognizer.", args: [
        A("average_clips", .optional(.choice(["score", "prob"])), "None", "'prob': softmax per view then mean; 'score': mean of raw scores; None: rows as they are (only when the head already gives one row per video, as TSN)."),
        A("max_testing_views", .optional(.int), "None", "Evaluate at most this many views at once (memory)."),
        A("feature_extraction", .bool, "False", "Return pooled features instead of scores."),
        A("fcn_test", .bool, "False", "Recognizer2D with a TPN neck and TPNHead: test on clips of num_segs frames, each scored by the pooled map (fc_cls as a 1×1×1 conv), averaged per average_clips. Recognizer3D ignores it."),
        A("num_segs", .optional(.int), "None", "With fcn_test: frames per clip; None takes ResNetTSM's num_segments (a plain ResNet needs it given)."),
        A("flip", .bool, "False", "With fcn_test: mirror every test frame left–right first."),
    ])
}
