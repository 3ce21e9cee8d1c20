private typealias A = ArgSchema

extension Registry {
    /// `modality` and BaseDataset's class-balanced sampling (`sample_by_class`, `power`, `dynamic_length`), which every
    /// dataset takes; `items` names what it lists.
    static func samplingArgs(_ items: String) -> [ArgSchema] {
        [
            A("modality", .choice(["RGB", "Flow"]), "'RGB'", "Frame modality."),
            A("sample_by_class", .bool, "False", "Draw each epoch's \(items) by class: class c with probability ∝ (its share of the \(items))^power."),
            A("power", .float, "0", "With sample_by_class: 0 weighs the classes equally, 1 the \(items) (plain sampling)."),
            A("dynamic_length", .bool, "False", "With sample_by_class: False draws as many \(items) as the dataset has, with replacement; True takes a share of each class (a shorter epoch)."),
        ]
    }

    static let datasets: [ComponentSchema] = [
        ComponentSchema("RawframeDataset", .dataset, "Videos stored as frame images; annotation lines `frame_dir total_frames label`.", args: [
            A("ann_file", .optional(.string), nil, "Annotation file: one video per line (`frame_dir total_frames label`, several labels with multi_class), or a .json list of {frame_dir, total_frames, label: [..]}. None in a demo/inference config: `reel infer` runs its pipeline on one video, while training and `reel test` need a file."),
            A("pipeline", .components(.pipelineStep), nil, "The transforms applied to every sample."),
            A("data_prefix", .optional(.string), "None", "Directory joined to every frame_dir."),
            A("test_mode", .bool, "False", "Build for testing (samplers use their test_mode too)."),
            A("filename_tmpl", .string, "'img_{:05}.jpg'", "Frame file names; formatted with the 1-based (start_index) frame number."),
            A("with_offset", .bool, "False", "Lines are `frame_dir offset total_frames label`."),
            A("multi_class", .bool, "False", "Several labels per line (multi-hot targets)."),
            A("num_classes", .optional(.int), "None", "Number of classes (required with multi_class)."),
            A("start_index", .int, "1", "Added to every sampled index (rawframes start at img_00001)."),
        ] + samplingArgs("videos") + [
            A("skip_broken", .bool, "False", "Reel extension: log a missing or corrupt frame and resample instead of failing the run."),
        ]),
        ComponentSchema("VideoDataset", .dataset, "Videos stored as files (mp4, avi, mkv…); annotation lines `path label`.", args: [
            A("ann_file", .optional(.string), nil, "Annotation file: one video per line (`path label`, or `path l1 l2 …` with multi_class), or a .json list of {filename, label: [..]} (the HVU configs). None in a demo/inference config: `reel infer` runs its pipeline on one video, while training and `reel test` need a file."),
            A("pipeline", .components(.pipelineStep), nil, "The transforms applied to every sample; it opens the video with an Init step (DecordInit, PyAVInit or OpenCVInit)."),
            A("data_prefix", .optional(.string), "None", "Directory joined to every video path."),
            A("test_mode", .bool, "False", "Build for testing (samplers use their test_mode too)."),
            A("multi_class", .bool, "False", "Several labels per line (multi-hot targets)."),
            A("num_classes", .optional(.int), "None", "Number of classes (required with multi_class)."),
            A("start_index", .int, "0", "Added to every sampled index: video frames count from 0."),
        ] + samplingArgs("videos") + [
            A("skip_broken", .bool, "False", "Reel extension: log a missing, corrupt or undecodable video and resample instead of failing the run."),
        ]),
        ComponentSchema("ImageDataset", .dataset, "OmniSource web images: annotation lines `path label`, one image per item (decode with ImageDecode).", args: [
            A("ann_file", .string, nil, "Annotation file: one image per line (`path label`, or `path l1 l2 …` with multi_class)."),
            A("pipeline", .components(.pipelineStep), nil, "The transforms applied to every image: ImageDecode first, BuildPseudoClip for a 3-D model."),
            A("data_prefix", .optional(.string), "None", "Directory joined to every image path."),
            A("test_mode", .bool, "False", "Build for testing."),
            A("multi_class", .bool, "False", "Several labels per line (multi-hot targets)."),
            A("num_classes", .optional(.int), "None", "Number of classes (required with multi_class)."),
        ] + samplingArgs("images") + [
            A("skip_broken", .bool, "False", "Reel extension: log a missing or corrupt image and resample instead of failing the run."),
        ]),
        ComponentSchema("RawVideoDataset", .dataset, "OmniSource raw videos cut into clip files: lines `video_dir label num_clips positive…` (or a .json list of {video_dir, label, num_clips, positive_clip_inds}); each item is one clip file, drawn per sample.", args: [
            A("ann_file", .string, nil, "Annotation file: one raw video per line (`video_dir label num_clips pos1 pos2 …`, clips counted from 0) or its .json list."),
            A("pipeline", .components(.pipelineStep), nil, "The transforms applied to every clip; it opens the clip file with an Init step (DecordInit, …)."),
            A("clipname_tmpl", .string, "'part_{}.mp4'", "A clip's file name, {} its index; joined to video_dir as a path when it starts with a letter, appended otherwise."),
            A("sampling_strategy", .choice(["positive", "random"]), "'positive'", "positive: a random positive clip (videos without one are dropped); random: any clip."),
            A("data_prefix", .optional(.string), "None", "Directory joined to every video_dir."),
            A("test_mode", .bool, "False", "Build for testing."),
            A("num_classes", .optional(.int), "None", "Number of classes."),
            A("multi_class", .bool, "False", "Must stay False: a raw video has one label."),
        ] + samplingArgs("videos") + [
            A("skip_broken", .bool, "False", "Reel extension: log a missing or undecodable clip and resample instead of failing the run."),
        ]),
    ] + ["AVADataset", "PoseDataset", "ActivityNetDataset", "AudioDataset", "AudioFeatureDataset",
         "HVUDataset", "ConcatDataset", "RepeatDataset", "BaseDataset"].map {
        ComponentSchema($0, .dataset, "mmaction2 dataset \($0).", support: .unsupported("Reel implements RawframeDataset, VideoDataset, ImageDataset and RawVideoDataset"))
    }

    static let lazyArg = ArgSchema("lazy", .bool, "False", "Record the geometry only; a later Fuse step crops the original frames and resizes once. Only lazy steps may come between the first lazy step and Fuse, and a lazy Flip must be the last of them.")

    static let pipelineSteps: [ComponentSchema] = [
        ComponentSchema("SampleFrames", .pipelineStep, "Choose frame indices: num_clips clips of clip_len frames, frame_interval apart.", args: samplerArgs,
                        tips: ["1x1x8 (clip_len × frame_interval × num_clips) is TSN/TSM sampling: one frame from each of 8 segments.",
                               "test_mode=True takes each clip at the centre of its segment (no randomness).",
                               "16x4x10 with test_mode=True is the usual '10 views' test sampling for 3-D models."]),
        ComponentSchema("DenseSampleFrames", .pipelineStep, "SampleFrames within a window of sample_range frames.", args: samplerArgs + [
            A("sample_range", .int, "64", "Window length the clips are taken from."),
            A("num_sample_positions", .int, "10", "Window positions in test mode (num_clips clips each)."),
        ]),
        ComponentSchema("RawFrameDecode", .pipelineStep, "Read and decode the sampled frames (RGB, uint8).", args: [
            A("io_backend", .string, "'disk'", "Storage backend."),
            A("decoding_backend", .choice(["cv2", "turbojpeg", "pillow"]), "'cv2'", "JPEG decoder; Reel decodes with libjpeg-turbo for all three (the same pixels)."),
        ], acceptsExtraArgs: true),
        ComponentSchema("Resize", .pipelineStep, "Resize frames (OpenCV bilinear, pixel-centre aligned).", args: [
            A("scale", .oneOf([.float, .tuple(.int)]), nil, "A factor, or (w, h); (-1, 256) means 'short side 256'. A list is rejected."),
            A("keep_ratio", .bool, "True", "Keep the aspect ratio (scale is then a bound); False: scale is exactly (w, h)."),
            A("interpolation", .choice(["bilinear", "nearest", "bicubic", "area", "lanczos"]), "'bilinear'", "Interpolation."),
            lazyArg,
        ]),
        ComponentSchema("RandomRescale", .pipelineStep, "Resize so the short side is a random integer in scale_range (inclusive).", args: [
            A("scale_range", .tuple(.int), nil, "(low, high) of the short side, low < high."),
            A("interpolation", .choice(["bilinear", "nearest", "bicubic", "area", "lanczos"]), "'bilinear'", "Interpolation."),
        ], tips: ["Usually followed by RandomCrop(size=224) (an int)."]),
        ComponentSchema("RandomResizedCrop", .pipelineStep, "Inception-style crop: random area fraction and aspect ratio (10 tries, else a centre square).", args: [
            A("area_range", .tuple(.float), "(0.08, 1.0)", "Crop area as a fraction of the frame (floats: (0.08, 1) is rejected)."),
            A("aspect_ratio_range", .tuple(.float), "(0.75, 1.3333333333333333)", "Width/height ratio range."),
            lazyArg,
        ], tips: ["Normally followed by Resize(scale=(224, 224), keep_ratio=False) and preceded by a short-side Resize(scale=(-1, 256))."]),
        ComponentSchema("MultiScaleCrop", .pipelineStep, "Crop with sides from base·scales (base = short side), at fixed or random positions.", args: [
            A("input_size", .oneOf([.int, .tuple(.int)]), nil, "Target size; crop sides within 2 px of it snap to it."),
            A("scales", .tuple(.float), "(1,)", "Side scales of the short side (a tuple)."),
            A("max_wh_scale_gap", .int, "1", "Largest index gap between the width and height scales."),
            A("random_crop", .bool, "False", "Random offsets instead of the fixed grid."),
            A("num_fixed_crops", .int, "5", "Fixed positions: 5 (corners + centre) or 13."),
            lazyArg,
        ]),
        ComponentSchema("RandomCrop", .pipelineStep, "Square crop at a random position (never flush with the bottom/right edge).", args: [
            A("size", .int, nil, "Crop side (an int, not a tuple)."), lazyArg,
        ]),
        ComponentSchema("CenterCrop", .pipelineStep, "Centre crop (an odd surplus leaves the extra pixel right/bottom).", args: [
            A("crop_size", .oneOf([.int, .tuple(.int)]), nil, "Side, or (w, h)."), lazyArg,
        ]),
        ComponentSchema("ThreeCrop", .pipelineStep, "Three crops along the long side: left, right, middle (test time).", args: [
            A("crop_size", .oneOf([.int, .tuple(.int)]), nil, "Side, or (w, h); one side must equal the frame's."),
        ], tips: ["Usually Resize(scale=(-1, 256)) then ThreeCrop(crop_size=256): test crops may be larger than training crops; the global pool makes that work."]),
        ComponentSchema("TenCrop", .pipelineStep, "Five crops (4 corners on a 4-step grid + centre), each also flipped horizontally: 10 views.", args: [
            A("crop_size", .oneOf([.int, .tuple(.int)]), nil, "Side, or (w, h)."),
        ], tips: ["10× the test cost of a single crop."]),
        ComponentSchema("Flip", .pipelineStep, "Flip all frames of the sample together with probability flip_ratio.", args: [
            A("flip_ratio", .float, "0.5", "Probability of flipping."),
            A("direction", .choice(["horizontal", "vertical"]), "'horizontal'", "Flip direction."),
            A("flip_label_map", .optional(.dict), "None", "Label remapping when flipped (e.g. left/right classes)."),
            A("left_kp", .optional(.sequence(.int)), "None", "Keypoints swapped on flip (pose)."),
            A("right_kp", .optional(.sequence(.int)), "None", "Keypoints swapped on flip (pose)."),
            lazyArg,
        ]),
        ComponentSchema("ColorJitter", .pipelineStep, "Per video, random brightness, contrast, saturation and hue changes (hue in OpenCV's 8-bit HSV), in a random order; frames stay uint8.", args: [
            A("brightness", .oneOf([.float, .tuple(.float)]), "0.5", "Factor range: v gives (1 − v, 1 + v), at most 1; or a tuple within 0…2."),
            A("contrast", .oneOf([.float, .tuple(.float)]), "0.5", "Blend with the frame's mean grey: v gives (1 − v, 1 + v)."),
            A("saturation", .oneOf([.float, .tuple(.float)]), "0.5", "Blend with the grey image: v gives (1 − v, 1 + v)."),
            A("hue", .oneOf([.float, .tuple(.float)]), "0.1", "Hue shift as a fraction: v gives (−v, v), at most 0.5 (×255, mod 180 in OpenCV's H)."),
        ]),
        ComponentSchema("Fuse", .pipelineStep, "Apply what the lazy=True steps before it recorded: crop the original frames once, resize once to the recorded size, then flip (faster than resizing the whole frame first; the pixels differ slightly from the non-lazy steps).", args: []),
        ComponentSchema("Normalize", .pipelineStep, "(x − mean) / std per channel, on 0–255 pixel values (no division by 255).", args: [
            A("mean", .sequence(.float), nil, "Per-channel mean in output channel order, e.g. [123.675, 116.28, 103.53]."),
            A("std", .sequence(.float), nil, "Per-channel std, e.g. [58.395, 57.12, 57.375]."),
            A("to_bgr", .bool, "False", "Swap RGB to BGR before normalising (mean/std are then in BGR order)."),
            A("adjust_magnitude", .bool, "False", "Flow only."),
        ], tips: ["Frames are RGB after decoding; the ImageNet values above are in RGB order."]),
        ComponentSchema("FormatShape", .pipelineStep, "Lay out the frames for the model: NCHW (2-D) or NCTHW (3-D).", args: [
            A("input_format", .choice(["NCHW", "NCTHW", "NCHW_Flow", "NPTCHW"]), nil, "Target layout."),
            A("collapse", .bool, "False", "Drop a leading dimension of 1 (num_clips must be 1)."),
        ]),
        ComponentSchema("Collect", .pipelineStep, "Keep only these keys of the sample.", args: [
            A("keys", .sequence(.string), nil, "Keys to keep, e.g. ['imgs', 'label']."),
            A("meta_keys", .sequence(.string), "('filename', 'label', 'original_shape', 'img_shape', 'pad_shape', 'flip_direction', 'img_norm_cfg')", "Metadata keys (configs pass [])."),
            A("meta_name", .string, "'img_metas'", "Name of the metadata entry."),
            A("nested", .bool, "False", "Wrap each value in a list."),
        ]),
        ComponentSchema("ToTensor", .pipelineStep, "Convert these keys to tensors.", args: [A("keys", .sequence(.string), nil, "Keys to convert.")]),
        ComponentSchema("ImageDecode", .pipelineStep, "Decode an ImageDataset item's one image (RGB) as the clip's only frame.", args: [
            A("io_backend", .string, "'disk'", "Storage backend."),
            A("decoding_backend", .choice(["cv2", "turbojpeg", "pillow"]), "'cv2'", "Image decoder; Reel decodes JPEG with libjpeg-turbo for all three."),
        ]),
        ComponentSchema("BuildPseudoClip", .pipelineStep, "Repeat the one image into a clip of clip_len frames (web images for a 3-D model).", args: [
            A("clip_len", .int, nil, "Frames of the pseudo clip (the model's clip length)."),
        ]),
    ] + videoSteps + ["PyAVDecodeMotionVector", "PIMSInit", "PIMSDecode", "Imgaug", "PytorchVideoTrans", "TorchvisionTrans", "UntrimmedSampleFrames", "SampleAVAFrames",
         "SampleProposalFrames", "PoseDecode", "AudioDecode", "AudioDecodeInit", "RandomScale", "EntityBoxRescale",
         "PoseCompact", "GeneratePoseTarget", "ImageToTensor", "Transpose", "Rename", "FormatAudioShape", "FrameSelector",
         "AudioAmplify", "MelSpectrogram", "LoadLocalizationFeature", "ArrayDecode"].map {
        ComponentSchema($0, .pipelineStep, "mmaction2 transform \($0).", support: .unsupported("not implemented in Reel"))
    }

    /// The video-file Init/Decode pairs (VideoDataset). Reel decodes all three with FFmpeg, frame-exact.
    static let videoSteps: [ComponentSchema] = [
        ComponentSchema("DecordInit", .pipelineStep, "Open the video (decord in mmaction2; FFmpeg in Reel) and count its frames (total_frames).", args: [
            A("io_backend", .string, "'disk'", "Storage backend."),
            A("num_threads", .int, "1", "Decoding threads for this video (0: FFmpeg chooses)."),
        ], acceptsExtraArgs: true),
        ComponentSchema("DecordDecode", .pipelineStep, "Decode the sampled frames (RGB, uint8).", args: [
            A("mode", .choice(["accurate", "efficient"]), "'accurate'", "'accurate': exactly the sampled frames; 'efficient': the keyframe at or before each (faster, inexact)."),
        ]),
        ComponentSchema("PyAVInit", .pipelineStep, "Open the video (PyAV in mmaction2; FFmpeg in Reel) and count its frames (total_frames).", args: [
            A("io_backend", .string, "'disk'", "Storage backend."),
        ], acceptsExtraArgs: true),
        ComponentSchema("PyAVDecode", .pipelineStep, "Decode the sampled frames (RGB, uint8).", args: [
            A("multi_thread", .bool, "False", "Let the decoder use several threads for this video."),
            A("mode", .choice(["accurate", "efficient"]), "'accurate'", "'accurate': exactly the sampled frames; 'efficient': the keyframe at or before each (faster, inexact)."),
        ]),
        ComponentSchema("OpenCVInit", .pipelineStep, "Open the video (OpenCV in mmaction2; FFmpeg in Reel) and count its frames (total_frames).", args: [
            A("io_backend", .string, "'disk'", "Storage backend."),
        ], acceptsExtraArgs: true),
        ComponentSchema("OpenCVDecode", .pipelineStep, "Decode the sampled frames (RGB, uint8).", args: []),
    ]

    static let samplerArgs: [ArgSchema] = [
        A("clip_len", .int, nil, "Frames per clip."),
        A("frame_interval", .int, "1", "Step between sampled frames of a clip."),
        A("num_clips", .int, "1", "Clips per video (TSN/TSM segments)."),
        A("temporal_jitter", .bool, "False", "Add a random offset in [0, frame_interval) to every index."),
        A("twice_sample", .bool, "False", "Test mode: also sample clips at the segment starts (doubles the clips)."),
        A("out_of_bound_opt", .choice(["loop", "repeat_last"]), "'loop'", "Indices past the end: wrap around, or repeat the clip's last in-bound frame."),
        A("test_mode", .bool, "False", "Deterministic centre-of-segment sampling."),
        A("start_index", .any, "None", "Deprecated: set start_index on the dataset."),
        A("keep_tail_frames", .bool, "False", "Let clips reach the last frames (uniform real offsets)."),
    ]
}
