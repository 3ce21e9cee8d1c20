#!/usr/bin/env python3
"""Makes the committed test fixtures of Reel's PyTorch .pth reader (issue 13), once; the tests need no Python.

usage: V/bin/python scripts/make-pth-fixtures.py [--mmaction2]
  writes Tests/EngineTests/Checkpoint/Fixtures/:
    mmcv_layout.pth       torch.save (zip) of mmcv's {'meta', 'state_dict', 'optimizer'} with 'module.' keys, float32,
                          float16, bfloat16, float64 and int64 tensors, a Parameter, a transposed (strided) view and
                          two tensors sharing one storage
    bare_state_dict.pth   torch.save of an nn.Module's state_dict() (OrderedDict with _metadata)
    legacy.pth            the same state dict in the pre-1.6 format (_use_new_zipfile_serialization=False)
    hostile_reduce.pth    a zip checkpoint whose pickle calls os.system (must be refused, never run)
    pth_expected.json     for each tensor of the files above: dtype, shape and values as float32/int64
  with --mmaction2 also mmaction2_state_dicts.json: the state-dict names and shapes of mmaction2 0.24.1's TSM-R50,
  TSN-R50 and TSM-R18 (Kinetics-400 heads), with the model configs they were built from.

V: a venv with torch (CPU) and numpy; for --mmaction2 also mmcv==1.7.2 and mmaction2==0.24.1 (--no-deps), e.g.
  python3 -m venv V && V/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu numpy
  V/bin/pip install mmcv==1.7.2 && V/bin/pip install --no-deps mmaction2==0.24.1
Made with torch 2.13.0+cpu, numpy 2.4.6, mmcv 1.7.2, mmaction2 0.24.1 (Python 3.11).
"""
import collections, json, os, sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Tests', 'EngineTests', 'Checkpoint', 'Fixtures')


def expected(sd):
    rows = {}
    for k, v in sd.items():
        if not torch.is_tensor(v):
            continue
        k = k[7:] if k.startswith('module.') else k
        rows[k] = {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape),
                   'values': (v.to(torch.float32) if v.is_floating_point() else v.to(torch.int64)).flatten().tolist()}
    return rows


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 2, 1, bias=False)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(2, 3)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    exp = {}
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5
    shared = torch.linspace(-1, 1, 10)
    sd = collections.OrderedDict()
    sd['module.backbone.conv1.conv.weight'] = torch.nn.Parameter(torch.randn(2, 3, 1, 1))
    sd['module.backbone.conv1.bn.running_mean'] = torch.tensor([0.25, -0.5])
    sd['module.backbone.conv1.bn.num_batches_tracked'] = torch.tensor(7)
    sd['module.half'] = torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16)
    sd['module.bf16'] = torch.tensor([1.0, -3.5, 0.0078125], dtype=torch.bfloat16)
    sd['module.double'] = torch.tensor([[1e-3, 2.5], [3.0, -4.0]], dtype=torch.float64)
    sd['module.transposed'] = base.t()               # strides (1, 4), not contiguous
    sd['module.shared_a'] = shared[2:6]              # views of one storage, offset 2 and 5
    sd['module.shared_b'] = shared[5:]
    sd['module.cls_head.fc_cls.bias'] = torch.zeros(0)
    meta = {'mmaction2_version': '0.24.1', 'config': "model = dict(type='Recognizer2D')\n", 'epoch': 3, 'iter': 120,
            'hook_msgs': {'last_ckpt': 'work_dirs/x/epoch_3.pth', 'best_score': 0.625}, 'time': 'Thu Dec  3 08:00:00 2026',
            'seed': 42, 'env_info': 'sys.platform: linux', 'CLASSES': ('a', 'b'), 'flag': True, 'none': None}
    opt = {'state': {0: {'momentum_buffer': torch.ones(2, 3, 1, 1)}}, 'param_groups': [{'lr': 0.01, 'params': [0]}]}
    torch.save({'meta': meta, 'state_dict': sd, 'optimizer': opt}, os.path.join(OUT, 'mmcv_layout.pth'))
    exp['mmcv_layout.pth'] = {'tensors': expected(sd), 'meta': meta}

    tiny = Tiny()
    with torch.no_grad():
        tiny.bn.running_var.fill_(2.0)
    torch.save(tiny.state_dict(), os.path.join(OUT, 'bare_state_dict.pth'))
    torch.save(tiny.state_dict(), os.path.join(OUT, 'legacy.pth'), _use_new_zipfile_serialization=False)
    exp['bare_state_dict.pth'] = {'tensors': expected(tiny.state_dict())}
    exp['legacy.pth'] = {'tensors': expected(tiny.state_dict())}

    class Hostile:
        def __reduce__(self):
            return (os.system, ('echo reel-was-made-to-run-this > /tmp/reel-pth-pwned',))
    torch.save({'state_dict': {'w': torch.ones(1)}, 'meta': Hostile()}, os.path.join(OUT, 'hostile_reduce.pth'))

    with open(os.path.join(OUT, 'pth_expected.json'), 'w') as f:
        json.dump(exp, f, indent=1, sort_keys=True)
        f.write('\n')
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))
    if '--mmaction2' in sys.argv:
        mmaction2_state_dicts()


MODELS = {
    'tsm_r50': "model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', pretrained=None, depth=50, norm_eval=False, "
               "shift_div=8, num_segments=8), cls_head=dict(type='TSMHead', num_classes=400, in_channels=2048, num_segments=8, "
               "spatial_type='avg', consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001, is_shift=True))",
    'tsn_r50': "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', pretrained=None, depth=50, norm_eval=False), "
               "cls_head=dict(type='TSNHead', num_classes=400, in_channels=2048, spatial_type='avg', "
               "consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.4, init_std=0.01))",
    'tsm_r18': "model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', pretrained=None, depth=18, norm_eval=False, "
               "shift_div=8, num_segments=8), cls_head=dict(type='TSMHead', num_classes=400, in_channels=512, num_segments=8, "
               "spatial_type='avg', consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001, is_shift=True))",
}


def mmaction2_state_dicts():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mmaction2_shims  # noqa: F401  (numpy 2 / mmcv 1.7.2 / no torchvision)
    from mmaction.models import build_model
    out = {}
    for name, text in MODELS.items():
        scope = {}
        exec(text, {'dict': dict}, scope)   # our own constant model dicts, not a user file
        model = build_model(scope['model'])
        sd = model.state_dict()
        out[name] = {'config': text, 'keys': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in sd.items()]}
        print(name, len(sd), 'tensors', sum(v.numel() for v in sd.values()), 'values')
    with open(os.path.join(OUT, 'mmaction2_state_dicts.json'), 'w') as f:
        json.dump(out, f, indent=0)
        f.write('\n')


if __name__ == '__main__':
    main()
