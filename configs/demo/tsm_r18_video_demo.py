# The TSM demo on the demo dataset's videos: `reel data demo data/demo --format mp4` (or `both`) writes the same
# clips as h264 files in data/demo/videos, listed in data/demo/{train,val}_list_videos.txt (`path label`).
# Only the data differ from tsm_r18_demo.py: a VideoDataset whose pipelines open each video (DecordInit) before
# sampling and decode the sampled frames (DecordDecode).
_base_ = ['./tsm_r18_demo.py']
dataset_type = 'VideoDataset'
data_root = 'data/demo'
ann_file_train = 'data/demo/train_list_videos.txt'
ann_file_val = 'data/demo/val_list_videos.txt'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='DecordDecode'),
    dict(type='MultiScaleCrop', input_size=56, scales=(1, 0.875, 0.75), random_crop=False, max_wh_scale_gap=1),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='CenterCrop', crop_size=56),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])
]
test_pipeline = val_pipeline
data = dict(
    train=dict(type=dataset_type, ann_file=ann_file_train, data_prefix=data_root, pipeline=train_pipeline),
    val=dict(type=dataset_type, ann_file=ann_file_val, data_prefix=data_root, pipeline=val_pipeline),
    test=dict(type=dataset_type, ann_file=ann_file_val, data_prefix=data_root, pipeline=test_pipeline))
work_dir = './work_dirs/tsm_r18_video_demo'
