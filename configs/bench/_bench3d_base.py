# Shared settings of Reel's 3-D benchmark workloads (scripts/torch_ref3d.py builds the same model with mmaction2):
# 8 clips of 8 frames at 64x64 per step, 10 classes, SGD lr 0.01 momentum 0.9 wd 1e-4.
model = dict(
    type='Recognizer3D',
    cls_head=dict(type='I3DHead', num_classes=10, spatial_type='avg', dropout_ratio=0.5, init_std=0.01),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
train_pipeline = [
    dict(type='SampleFrames', clip_len=8, frame_interval=1, num_clips=1),
    dict(type='RawFrameDecode', decoding_backend='turbojpeg'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
data = dict(videos_per_gpu=8, workers_per_gpu=1,
            train=dict(type='RawframeDataset', ann_file='data/bench/ann.txt', data_prefix='data/bench',
                       pipeline=train_pipeline))
total_epochs = 1
