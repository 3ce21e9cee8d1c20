# 3-D workload "i3d": an I3D-style model (ResNet3d, depth 18, base width 16, every block inflated to 3x3x3,
# 3x7x7 stem, temporal max-pool after stage 1), 8 clips x 8 frames of 64x64, 10 classes.
_base_ = ['./_bench3d_base.py']
model = dict(
    backbone=dict(type='ResNet3d', depth=18, base_channels=16, pretrained=None, pretrained2d=False,
                  conv1_kernel=(3, 7, 7), conv1_stride_t=1, pool1_stride_t=1, with_pool2=True,
                  inflate=(1, 1, 1, 1), zero_init_residual=False, norm_eval=False),
    cls_head=dict(in_channels=128))
