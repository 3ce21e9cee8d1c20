# 3-D workload "slowonly": a SlowOnly-R18-style model (ResNet3dSlowOnly, depth 18, base width 16: temporal
# 3x1x1 kernels only in stages 3-4), 8 clips x 8 frames of 64x64, 10 classes.
_base_ = ['./_bench3d_base.py']
model = dict(
    backbone=dict(type='ResNet3dSlowOnly', depth=18, base_channels=16, pretrained=None, lateral=False,
                  conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1),
                  norm_eval=False),
    cls_head=dict(in_channels=128))
