# TSN on the demo dataset: the same backbone without temporal shift. TSN averages frame features, so it cannot
# see the order of frames: compare its accuracy with tsm_r18_demo.py.
_base_ = ['./_demo_base.py']
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', pretrained=None, depth=18, base_channels=16, norm_eval=False),
    cls_head=dict(type='TSNHead', num_classes=8, in_channels=128, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001),
    train_cfg=None,
    test_cfg=dict(average_clips=None))
work_dir = './work_dirs/tsn_r18_demo'
