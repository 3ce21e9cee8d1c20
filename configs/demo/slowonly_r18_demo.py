# A 3-D model on the demo dataset (`reel data demo data/demo` writes it): SlowOnly (ResNet3dSlowOnly) in the
# ResNet-18 layout at base width 16 (a Reel extension). Every stage has 3x1x1 temporal kernels (inflate=(1, 1, 1, 1);
# SlowOnly's default (0, 0, 1, 1) puts them only at 4x4 and 2x2 here and reached 80 %), so it sees the motion
# that tells the class pairs apart directly; compare with tsn_r18_demo.py (order-blind) and tsm_r18_demo.py
# (temporal shift). The settings of _demo_base.py, with clips of 8 frames (NCTHW) for pipelines.
_base_ = ['./_demo_base.py']
model = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3dSlowOnly', pretrained=None, depth=18, base_channels=16, lateral=False,
                  conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(1, 1, 1, 1), norm_eval=False),
    cls_head=dict(type='I3DHead', in_channels=128, num_classes=8, spatial_type='avg', dropout_ratio=0.5, init_std=0.01),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
# One clip of 8 frames, every second one (the whole 16-frame video), as a volume (FormatShape NCTHW); no Flip, as in
# the 2-D demos.
train_pipeline = [
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1),
    dict(type='RawFrameDecode', decoding_backend='turbojpeg'),
    dict(type='MultiScaleCrop', input_size=56, scales=(1, 0.875, 0.75), random_crop=False, max_wh_scale_gap=1),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
val_pipeline = [
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1, test_mode=True),
    dict(type='RawFrameDecode', decoding_backend='turbojpeg'),
    dict(type='CenterCrop', crop_size=56),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])
]
test_pipeline = val_pipeline
# The base's data dict holds its own (2-D) pipelines: these replace them.
data = dict(train=dict(pipeline=train_pipeline), val=dict(pipeline=val_pipeline), test=dict(pipeline=test_pipeline))
total_epochs = 60
work_dir = './work_dirs/slowonly_r18_demo'
