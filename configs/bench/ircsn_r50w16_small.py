# 3-D workload "csn": an ir-CSN-50 at base width 16 (depthwise 3x3x3 conv2 in every bottleneck, temporal strides
# (1, 2, 2, 2)), 8 clips x 8 frames of 64x64, 10 classes.
_base_ = ['./_bench3d_base.py']
model = dict(
    backbone=dict(type='ResNet3dCSN', depth=50, base_channels=16, pretrained=None, pretrained2d=False, with_pool2=False,
                  bottleneck_mode='ir', norm_eval=False, zero_init_residual=False),
    cls_head=dict(in_channels=512))
