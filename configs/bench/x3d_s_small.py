# 3-D workload "x3d": X3D-S's backbone (gamma_w 1, gamma_b 2.25, gamma_d 2.2: channel-wise 3x3x3 and 5x1x1 convs, SE,
# Swish) and X3DHead, 8 clips x 8 frames of 64x64, 10 classes.
_base_ = ['./_bench3d_base.py']
model = dict(
    backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2),
    cls_head=dict(type='X3DHead', in_channels=432, num_classes=10, spatial_type='avg', dropout_ratio=0.5, fc1_bias=False))
