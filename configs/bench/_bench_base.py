# Shared settings of Reel's benchmark workloads (the models of ../shared/bench/torch_ref.py):
# a ResNet-18 layout with a reduced width (base_channels, a Reel extension), TSM shift in every block,
# 8 clips x 8 frames per step, SGD lr 0.01 momentum 0.9 wd 1e-4.
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16, num_segments=8, shift_div=8,
                  shift_place='blockres', norm_eval=False),
    cls_head=dict(type='TSMHead', num_classes=10, in_channels=128, num_segments=8, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001, is_shift=True),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
train_pipeline = [
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='RawFrameDecode', decoding_backend='turbojpeg'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
data = dict(videos_per_gpu=8, workers_per_gpu=1,
            train=dict(type='RawframeDataset', ann_file='data/bench/ann.txt', data_prefix='data/bench',
                       pipeline=train_pipeline))
total_epochs = 1
