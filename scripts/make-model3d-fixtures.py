#!/usr/bin/env python3
"""Makes the committed state-dict fixture of Reel's 3-D models (issue 16), once; the tests need no Python.

usage: V/bin/python scripts/make-model3d-fixtures.py
  writes Tests/EngineTests/Models/Fixtures/mmaction2_3d_state_dicts.json: for each model below, the config it was
  built from and mmaction2 0.24.1's state_dict() as [name, shape, dtype] in order. Model3DStateDictTests builds the
  same configs in Reel and compares.

V: a venv with torch (CPU), numpy, mmcv==1.7.2 and mmaction2==0.24.1 (--no-deps), as for make-pth-fixtures.py.
Made with torch 2.13.0+cpu, mmcv 1.7.2, mmaction2 0.24.1 (Python 3.11).
"""
import json, os, sys, types

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Tests', 'EngineTests', 'Models', 'Fixtures')

# configs/_base_/models/i3d_r50.py and slowonly_r50.py as shipped, but pretrained=None (Reel cannot download).
MODELS = {
    'i3d_r50': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=True, pretrained=None, depth=50, "
               "conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, conv_cfg=dict(type='Conv3d'), norm_eval=False, "
               "inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False), "
               "cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', dropout_ratio=0.5, "
               "init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob'))",
    'slowonly_r50': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=50, pretrained=None, "
                    "lateral=False, conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
                    "norm_eval=False), cls_head=dict(type='I3DHead', in_channels=2048, num_classes=400, spatial_type='avg', "
                    "dropout_ratio=0.5), train_cfg=None, test_cfg=dict(average_clips='prob'))",
    'slowonly_r18_b8': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, "
                       "base_channels=8, lateral=False, norm_eval=False), cls_head=dict(type='I3DHead', in_channels=64, "
                       "num_classes=8, spatial_type='avg', dropout_ratio=0.5), test_cfg=dict(average_clips='prob'))",
    'i3d_r18_b8_3x3x3': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, "
                        "base_channels=8, inflate=(1, (1, 0), 0, (0, 1)), inflate_style='3x3x3', temporal_strides=(1, 2, 1, 1), "
                        "with_pool2=False), cls_head=dict(type='I3DHead', in_channels=64, num_classes=5), "
                        "test_cfg=dict(average_clips='score'))",
    'i3d_r50_b8_3x3x3_caffe': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=50, pretrained=None, "
                              "base_channels=8, num_stages=3, out_indices=(2,), spatial_strides=(1, 2, 2), "
                              "temporal_strides=(1, 1, 2), dilations=(1, 1, 2), inflate_style='3x3x3', style='caffe'), "
                              "cls_head=dict(type='I3DHead', in_channels=128, num_classes=5), test_cfg=dict(average_clips='prob'))",
    # configs/_base_/models/slowfast_r50.py as shipped.
    'slowfast_r50': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=8, "
                    "speed_ratio=8, channel_ratio=8, slow_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=True, "
                    "conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
                    "norm_eval=False), fast_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=False, base_channels=8, "
                    "conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, norm_eval=False)), cls_head=dict(type='SlowFastHead', "
                    "in_channels=2304, num_classes=400, spatial_type='avg', dropout_ratio=0.5), train_cfg=None, "
                    "test_cfg=dict(average_clips='prob'))",
    'slowfast_r18_b16_lateral_norm': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, "
                                     "resample_rate=4, speed_ratio=4, channel_ratio=4, slow_pathway=dict(type='resnet3d', depth=18, "
                                     "pretrained=None, lateral=True, lateral_norm=True, fusion_kernel=7, base_channels=16, "
                                     "conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1)), fast_pathway=dict(type='resnet3d', depth=18, "
                                     "pretrained=None, lateral=False, base_channels=4, conv1_kernel=(5, 7, 7))), "
                                     "cls_head=dict(type='SlowFastHead', in_channels=160, num_classes=7), test_cfg=dict(average_clips='score'))",
    # configs/recognition/i3d/i3d_nl_dot_product_r50_32x2x1_100e_kinetics400_rgb.py's backbone (pretrained=None).
    'i3d_nl_dot_product_r50': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=True, pretrained=None, "
                              "depth=50, conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, conv_cfg=dict(type='Conv3d'), "
                              "norm_eval=False, inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False, "
                              "non_local=((0, 0, 0), (0, 1, 0, 1), (0, 1, 0, 1, 0, 1), (0, 0, 0)), non_local_cfg=dict(sub_sample=True, "
                              "use_scale=False, norm_cfg=dict(type='BN3d', requires_grad=True), mode='dot_product')), "
                              "cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', dropout_ratio=0.5, "
                              "init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob'))",
    'i3d_nl_gaussian_r18_b8': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
                              "non_local=(0, (1, 0), 1, 0), non_local_cfg=dict(mode='gaussian')), "
                              "cls_head=dict(type='I3DHead', in_channels=64, num_classes=5), test_cfg=dict(average_clips='score'))",
    # C3D, R(2+1)D, CSN, X3D: configs/_base_/models/c3d_sports1m_pretrained.py, r2plus1d_r34.py, ircsn_r152.py, x3d.py as
    # shipped (pretrained=None), and a small variant of each.
    'c3d': "model = dict(type='Recognizer3D', backbone=dict(type='C3D', pretrained=None, style='pytorch', "
           "conv_cfg=dict(type='Conv3d'), norm_cfg=None, act_cfg=dict(type='ReLU'), dropout_ratio=0.5, init_std=0.005), "
           "cls_head=dict(type='I3DHead', num_classes=101, in_channels=4096, spatial_type=None, dropout_ratio=0.5, "
           "init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='score'))",
    'c3d_bn_out512': "model = dict(type='Recognizer3D', backbone=dict(type='C3D', norm_cfg=dict(type='BN3d'), out_dim=512), "
                     "cls_head=dict(type='I3DHead', num_classes=5, in_channels=4096, spatial_type=None))",
    'r2plus1d_r34': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=34, pretrained=None, "
                    "pretrained2d=False, norm_eval=False, conv_cfg=dict(type='Conv2plus1d'), "
                    "norm_cfg=dict(type='SyncBN', requires_grad=True, eps=1e-3), conv1_kernel=(3, 7, 7), conv1_stride_t=1, "
                    "pool1_stride_t=1, inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2), temporal_strides=(1, 2, 2, 2), "
                    "zero_init_residual=False), cls_head=dict(type='I3DHead', num_classes=400, in_channels=512, "
                    "spatial_type='avg', dropout_ratio=0.5, init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob'))",
    'r2plus1d_r50_b8': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=50, pretrained=None, "
                       "pretrained2d=False, base_channels=8, conv_cfg=dict(type='Conv2plus1d'), inflate=(0, 1, (1, 0, 1, 0, 1, 0), 1), "
                       "inflate_style='3x3x3', temporal_strides=(1, 1, 2, 2)), cls_head=dict(type='I3DHead', num_classes=5, in_channels=256))",
    'ircsn_r152': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, "
                  "depth=152, with_pool2=False, bottleneck_mode='ir', norm_eval=False, zero_init_residual=False), "
                  "cls_head=dict(type='I3DHead', num_classes=400, in_channels=2048, spatial_type='avg', dropout_ratio=0.5, "
                  "init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob', max_testing_views=10))",
    'ipcsn_r50_b8': "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, "
                    "depth=50, base_channels=8, bottleneck_mode='ip', norm_eval=True, bn_frozen=True, inflate_style='3x1x1', "
                    "inflate=(1, 0, 1, 0)), cls_head=dict(type='I3DHead', num_classes=5, in_channels=256))",
    'x3d_m': "model = dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2), "
             "cls_head=dict(type='X3DHead', in_channels=432, num_classes=400, spatial_type='avg', dropout_ratio=0.5, "
             "fc1_bias=False), train_cfg=None, test_cfg=dict(average_clips='prob'))",
    'x3d_w025_all_se': "model = dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=0.25, gamma_b=1.5, gamma_d=1, "
                       "se_style='all', se_ratio=0.25), cls_head=dict(type='X3DHead', in_channels=96, num_classes=5, fc1_bias=True))",
}


def mmaction2():
    import numpy as np
    # Run-time shims for mmaction2 0.24.1 next to numpy 2 / mmcv 1.7.2 / no torchvision (as make-pth-fixtures.py).
    for name, t in {'int': int, 'float': float, 'object': object}.items():
        if not hasattr(np, name):
            setattr(np, name, t)
    tv = types.ModuleType('torchvision'); tv.__path__ = []
    for sub in ['models', 'transforms', 'ops', 'datasets', 'io', 'utils']:
        m = types.ModuleType('torchvision.' + sub); setattr(tv, sub, m); sys.modules['torchvision.' + sub] = m
    sys.modules['torchvision'] = tv
    import mmcv
    mmcv.__version__ = '1.7.0'
    from mmaction.models import build_model
    return build_model


def build(build_model, text):
    scope = {}
    exec(text, {'dict': dict}, scope)   # our own constant model dicts, not a user file
    return build_model(scope['model'])


def main():
    build_model = mmaction2()
    os.makedirs(OUT, exist_ok=True)
    out = {}
    for name, text in MODELS.items():
        sd = build(build_model, text).state_dict()
        out[name] = {'config': text, 'keys': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in sd.items()]}
        print(name, len(sd), 'tensors', sum(v.numel() for v in sd.values()), 'values')
    with open(os.path.join(OUT, 'mmaction2_3d_state_dicts.json'), 'w') as f:
        json.dump(out, f, indent=0)
        f.write('\n')


if __name__ == '__main__':
    main()
