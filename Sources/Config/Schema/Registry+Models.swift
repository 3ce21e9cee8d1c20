private typealias A = ArgSchema

extension Registry {
    static let resnetArgs: [ArgSchema] = [
        A("depth", .int, nil, "ResNet depth: 18 or 34 (BasicBlock), 50, 101 or 152 (Bottleneck)."),
        A("pretrained", .optional(.string), "None", "A checkpoint to initialise from; None = Kaiming init (Reel cannot download torchvision weights)."),
        A("torchvision_pretrain", .bool, "True", "Whether `pretrained` uses torchvision's key names (downsample.0/.1, bn1 …)."),
        A("in_channels", .int, "3", "Input channels (3 for RGB)."),
        A("num_stages", .int, "4", "Number of residual stages used (1–4)."),
        A("out_indices", .sequence(.int), "(3,)", "Stages whose outputs are returned; one index gives a tensor."),
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

    static let models: [ComponentSchema] = [
        ComponentSchema("Recognizer2D", .recognizer, "2-D recognizer (TSN, TSM): frames of a clip go through the backbone as a batch; the head averages them.", args: [
            A("backbone", .component(.backbone), nil, "The backbone network."),
            A("cls_head", .optional(.component(.head)), "None", "The classification head."),
            A("neck", .optional(.dict), "None", "An optional neck between backbone and head (e.g. TPN)."),
            A("train_cfg", .optional(.dict), "None", "Training options (aux_info, blending); usually None."),
            A("test_cfg", .optional(.section("test_cfg")), "None", "Inference options: how clip scores are averaged."),
        ], tips: ["Input is batch × (clips·frames) × C × H × W; frames become extra batch items for the 2-D backbone."]),
        ComponentSchema("Recognizer3D", .recognizer, "3-D recognizer (I3D, SlowOnly, C3D).", support: .unsupported("3-D models arrive after the first milestone")),
        ComponentSchema("AudioRecognizer", .recognizer, "Audio recognizer.", support: .unsupported("audio models are not implemented")),
        ComponentSchema("ResNet", .backbone, "mmaction2's 2-D ResNet (TSN's backbone).", args: resnetArgs,
                        tips: ["pretrained=None gives Kaiming (fan_out) init; with no ImageNet weights, train longer or use a smaller model (base_channels)."]),
        ComponentSchema("ResNetTSM", .backbone, "ResNet with temporal shift modules (TSM): part of the channels move one frame forward/back in time.",
                        args: resnetArgs + [
                            A("num_segments", .int, "8", "Frames per clip (T): the shift moves channels between these frames."),
                            A("is_shift", .bool, "True", "Insert the temporal shift (False gives a plain ResNet)."),
                            A("non_local", .sequence(.any), "(0, 0, 0, 0)", "Non-local blocks per stage (not implemented in Reel: keep zeros)."),
                            A("non_local_cfg", .dict, "dict()", "Non-local block settings."),
                            A("shift_div", .int, "8", "1/shift_div of the channels shift forward and 1/shift_div backward; the rest stay."),
                            A("shift_place", .choice(["blockres", "block"]), "'blockres'", "blockres: shift only the residual branch before conv1; block: shift the block input."),
                            A("temporal_pool", .bool, "False", "Halve the frames with a temporal max-pool before layer2."),
                        ],
                        tips: ["num_segments must equal the sampler's num_clips × clip_len and the head's num_segments."]),
    ] + ["ResNet3d", "ResNet3dSlowOnly", "ResNet3dSlowFast", "ResNet3dCSN", "ResNet2Plus1d", "C3D", "X3D", "ResNetTIN",
         "TANet", "MobileNetV2", "MobileNetV2TSM", "TimeSformer", "ResNetAudio", "STGCN", "ResNet3dLayer", "ResNet2Plus1d"]
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        .map { ComponentSchema($0, .backbone, "mmaction2 backbone \($0).", support: .unsupported("only ResNet and ResNetTSM are implemented (3-D backbones come after the first milestone)")) }

    static let headCommonArgs: [ArgSchema] = [
        A("num_classes", .int, nil, "Number of classes."),
        A("in_channels", .int, nil, "Feature channels from the backbone (512 for ResNet-18/34 at base 64, 2048 for ResNet-50)."),
        A("loss_cls", .component(.loss), "dict(type='CrossEntropyLoss')", "Classification loss."),
        A("spatial_type", .optional(.choice(["avg"])), "'avg'", "Spatial pooling before the classifier."),
        A("consensus", .dict, "dict(type='AvgConsensus', dim=1)", "How segment outputs are combined (average)."),
        A("multi_class", .bool, "False", "Multi-label classification (sigmoid/BCE style)."),
        A("label_smooth_eps", .float, "0.0", "Label smoothing, only used with multi_class=True."),
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
    ] + ["I3DHead", "SlowFastHead", "X3DHead", "TPNHead", "TRNHead", "TimeSformerHead", "AudioTSNHead", "STGCNHead", "TSNAudioHead"]
        .map { ComponentSchema($0, .head, "mmaction2 head \($0).", support: .unsupported("only TSNHead and TSMHead are implemented")) }
        + [
            ComponentSchema("CrossEntropyLoss", .loss, "Cross entropy on logits, mean over the batch.", args: [
                A("loss_weight", .float, "1.0", "Multiplier of the loss."),
                A("class_weight", .optional(.sequence(.float)), "None", "Per-class weights (weighted mean)."),
            ]),
            ComponentSchema("BCELossWithLogits", .loss, "Binary cross entropy (multi-label).", support: .unsupported("multi-label losses are not implemented")),
            ComponentSchema("NLLLoss", .loss, "Negative log-likelihood.", support: .unsupported("not implemented")),
            ComponentSchema("HVULoss", .loss, "HVU multi-task loss.", support: .unsupported("not implemented")),
        ]

    static let testCfg = ComponentSchema("test_cfg", .section, "Inference options of a recognizer.", args: [
        A("average_clips", .optional(.choice(["score", "prob"])), "None", "'prob': softmax per view then mean; 'score': mean of raw scores; None: rows as they are (only when the head already gives one row per video, as TSN)."),
        A("max_testing_views", .optional(.int), "None", "Evaluate at most this many views at once (memory)."),
        A("feature_extraction", .bool, "False", "Return pooled features instead of scores."),
        A("fcn_test", .bool, "False", "Fully-convolutional testing (mmaction2 TSN option; Reel tests with the regular head)."),
    ])
}
