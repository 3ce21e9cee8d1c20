"""Run-time shims that let mmaction2 0.24.1 import next to numpy 2, mmcv 1.7.2 and no torchvision (scratch
venvs for the differential checks and the PyTorch references only). Import this module before mmcv/mmaction."""
import sys
import types

import numpy as np

for _name, _type in {'int': int, 'float': float, 'object': object}.items():
    if not hasattr(np, _name):
        setattr(np, _name, _type)
if 'torchvision' not in sys.modules:
    _tv = types.ModuleType('torchvision')
    _tv.__path__ = []
    for _sub in ['models', 'transforms', 'ops', 'datasets', 'io', 'utils']:
        _m = types.ModuleType('torchvision.' + _sub)
        setattr(_tv, _sub, _m)
        sys.modules['torchvision.' + _sub] = _m
    sys.modules['torchvision'] = _tv

import mmcv  # noqa: E402

mmcv.__version__ = '1.7.0'  # mmaction2 0.24.1 asserts mmcv <= 1.7.0; 1.7.2 behaves the same for what it uses
