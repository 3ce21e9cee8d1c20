#!/usr/bin/env python3
"""Reference values for the 3-D recognizers' layers (Tests/EngineTests/Layers/Layer3dReferenceTests.swift).

Usage (a venv with torch, mmcv 1.7.2 and mmaction2 0.24.1; torchvision is stubbed, only its import is needed):
    python scripts/make-layer3d-fixtures.py [OUT_JSON]

For each case it builds mmcv's / mmaction2's own module (NonLocal3d, Conv2plus1d, X3D's SEModule, Swish, Sigmoid,
AdaptiveAvgPool3d, a channel-wise Conv3d), gives every parameter and BatchNorm buffer seeded random values, runs a
training-mode forward on a seeded input and a backward of L = sum(y * r) for a seeded r, and writes: the input, r,
the output and dL/dx channel-major (C, N, ...: Reel's layout), every state-dict tensor in PyTorch's layout under
its state-dict name (and the ordered list of names and shapes), and the parameter gradients. Float32 values are written exactly (repr of the double).
"""
import json
import os
import sys
import types

import numpy as np

# Run-time shims for mmaction2 0.24.1 next to numpy 2 / mmcv 1.7.2 / no torchvision (as make-pth-fixtures.py).
for name, t in {'int': int, 'float': float, 'object': object}.items():
    if not hasattr(np, name):
        setattr(np, name, t)
tv = types.ModuleType('torchvision'); tv.__path__ = []
for sub in ['models', 'transforms', 'ops', 'datasets', 'io', 'utils']:
    m = types.ModuleType('torchvision.' + sub); setattr(tv, sub, m); sys.modules['torchvision.' + sub] = m
sys.modules['torchvision'] = tv
import mmcv  # noqa: E402
mmcv.__version__ = '1.7.0'
import torch  # noqa: E402
from mmcv.cnn import NonLocal3d, Swish  # noqa: E402
from mmaction.models.backbones.x3d import SEModule  # noqa: E402
from mmaction.models.common import Conv2plus1d  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), '..', 'Tests', 'EngineTests', 'Layers', 'Fixtures', 'layers3d.json')


def channel_major(t):
    return t.detach().transpose(0, 1).contiguous().flatten().tolist()


def case(module, x_shape, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.rand_like(p) * 2 - 1)
        for name, b in module.named_buffers():
            if name.endswith('running_mean'):
                b.copy_(torch.rand_like(b) - 0.5)
            elif name.endswith('running_var'):
                b.copy_(torch.rand_like(b) + 0.5)
    x = torch.rand(x_shape) * 2 - 1
    state = {k: v.detach().flatten().tolist() for k, v in module.state_dict().items()
             if not k.endswith('num_batches_tracked')}
    module.train()
    x.requires_grad_(True)
    y = module(x)
    r = torch.rand(y.shape) * 2 - 1
    (y * r).sum().backward()
    out = {
        'x_shape': [x_shape[1], x_shape[0]] + list(x_shape[2:]),
        'x': channel_major(x), 'r': channel_major(r), 'y': channel_major(y), 'dx': channel_major(x.grad),
        'y_shape': [y.shape[1], y.shape[0]] + list(y.shape[2:]),
        'keys': [[k, list(v.shape)] for k, v in module.state_dict().items()],
        'state': state,
        'grads': {k: p.grad.flatten().tolist() for k, p in module.named_parameters()},
    }
    return out


def main():
    bn = dict(type='BN3d', requires_grad=True)
    cases = {
        # The configs' form: sub_sample, no scale, BN3d after conv_out; odd width (the pool floors).
        'nonlocal_embedded_subsample_bn': case(NonLocal3d(8, sub_sample=True, use_scale=False, norm_cfg=bn,
                                                          mode='embedded_gaussian'), (2, 8, 2, 4, 5), 1),
        'nonlocal_embedded_scale': case(NonLocal3d(6, mode='embedded_gaussian'), (2, 6, 2, 3, 3), 2),
        'nonlocal_gaussian_subsample': case(NonLocal3d(4, sub_sample=True, mode='gaussian', norm_cfg=bn),
                                            (2, 4, 2, 4, 4), 3),
        'nonlocal_dot_product': case(NonLocal3d(6, mode='dot_product', reduction=3), (1, 6, 3, 2, 3), 4),
        'conv2plus1d': case(Conv2plus1d(4, 6, 3, stride=(2, 2, 2), padding=1), (2, 4, 4, 5, 5), 5),
        'se_module': case(SEModule(16, 1 / 16), (2, 16, 2, 3, 3), 6),
        'swish': case(Swish(), (2, 3, 2, 2, 2), 7),
        'sigmoid': case(torch.nn.Sigmoid(), (2, 3, 2, 2, 2), 8),
        'adaptive_pool_1': case(torch.nn.AdaptiveAvgPool3d(1), (2, 3, 3, 5, 7), 9),
        'adaptive_pool_233': case(torch.nn.AdaptiveAvgPool3d((2, 3, 3)), (1, 2, 3, 5, 7), 10),
        # CSN's 'ir' conv2 (3×3×3 depthwise, temporal and spatial stride 2), X3D's conv2 (spatial stride 2) and
        # its stem's conv1_t ((5, 1, 1), groups = channels).
        'depthwise_333_s222': case(torch.nn.Conv3d(5, 5, 3, stride=2, padding=1, groups=5, bias=False), (2, 5, 5, 7, 6), 11),
        'depthwise_333_s122': case(torch.nn.Conv3d(4, 4, 3, stride=(1, 2, 2), padding=1, groups=4, bias=True), (2, 4, 3, 8, 9), 12),
        'depthwise_511': case(torch.nn.Conv3d(3, 3, (5, 1, 1), padding=(2, 0, 0), groups=3, bias=False), (2, 3, 4, 3, 5), 13),
    }
    meta = {'torch': torch.__version__, 'mmcv': '1.7.2', 'mmaction2': '0.24.1'}
    with open(OUT, 'w') as f:
        json.dump({'versions': meta, 'cases': cases}, f)
        f.write('\n')
    print('wrote', OUT, len(cases), 'cases')


if __name__ == '__main__':
    main()
