# torch_ref.py workload "medium": ResNetTSM-18 at base width 32, 8 clips x 8 frames of 112x112, 10 classes.
_base_ = ['./_bench_base.py']
model = dict(backbone=dict(base_channels=32), cls_head=dict(in_channels=256))
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
data = dict(train=dict(pipeline=train_pipeline))
