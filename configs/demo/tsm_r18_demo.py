# TSM on the demo dataset: ResNet-18 layout at base width 16 (a Reel extension), temporal shift in every block.
_base_ = ['./_demo_base.py']
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNetTSM', pretrained=None, depth=18, base_channels=16, num_segments=8, shift_div=8,
                  shift_place='blockres', norm_eval=False),
    cls_head=dict(type='TSMHead', num_classes=8, in_channels=128, num_segments=8, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001, is_shift=True),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
work_dir = './work_dirs/tsm_r18_demo'
