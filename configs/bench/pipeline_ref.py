# The data pipeline of ../shared/bench/pipeline_ref.py (its `mm` mode runs mmaction2 0.24.1's own classes on it), for
# `reel bench --config configs/bench/pipeline_ref.py --pipeline`. Its frames: `python3 pipeline_ref.py gen data/bench-frames`
# (64 videos x 48 frames, 171x128 JPEG).
train_pipeline = [
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='RawFrameDecode', decoding_backend='turbojpeg'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
data = dict(videos_per_gpu=8, workers_per_gpu=1,
            train=dict(type='RawframeDataset', ann_file='data/bench-frames/ann_rawframes.txt',
                       data_prefix='data/bench-frames', pipeline=train_pipeline))
