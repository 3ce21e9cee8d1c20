# The video twin of pipeline_ref.py: the same train pipeline with DecordInit/DecordDecode on a VideoDataset, as
# scripts/pipeline_ref_video.py runs it through mmaction2 0.24.1's own classes, for
# `reel bench --config configs/bench/pipeline_ref_video.py --pipeline`. Make the videos with
# `/work/venv-torch/bin/python scripts/pipeline_ref_video.py gen data/bench-videos` (40 h264 videos, 340x256,
# 10 s at 30 fps, libx264's default GOP of 250) or point data_prefix at an existing directory of them.
_base_ = ['./tsm_r18w32_medium.py']
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
data = dict(train=dict(type='VideoDataset', ann_file='data/bench-videos/ann_videos.txt', data_prefix='data/bench-videos',
                       pipeline=train_pipeline))
