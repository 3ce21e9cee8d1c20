#!/usr/bin/env python3
"""Differential check of OmniSource training: mmaction2 0.24.1's own `train_model` (OmniSourceRunner) against
`reel train` on the same config, data and initial weights (`load_from`).

A TSN ResNet-18 cut to its first two stages (dropout 0) trains 2 epochs on a main RawframeDataset (5 videos in batches
of 2: the last of 1), an ImageDataset of web images (7 images, batches of 3) and a second RawframeDataset (3 videos,
batches of 2), with train_ratio=[2, 1, 2] by default: after every second main iteration (counted over the run) one
image batch and two batches of the second source, each its own SGD step (momentum, weight decay, grad_clip).
Loaders do not shuffle (train_dataloader=dict(shuffle=False)) and the pipelines draw nothing, so both programs see
the same batches in the same order, the auxiliary loaders starting afresh each epoch.

mmaction2 runs twice, in float32 and in float64 (model and inputs), the reference both float32 programs are measured
against, as in mmaction2_model3d_check.py: every parameter and BN statistic of the final checkpoint (Reel's converted
by `reel convert`), relative to the tensor's update, and each auxiliary source's logged loss per round (Reel logs the
round's batch-weighted mean; mmcv a line per iteration, averaged here the same way). Reel passes where its error is
within 4x PyTorch's own float32 error plus 1e-5.

    PYTHONPATH=/tmp/tvstub VENV/bin/python scripts/mmaction2_omnisource_check.py .build/release/reel [--ratio '[1, 2, 1]']
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmaction2_shims  # noqa: E402,F401  (NumPy 2 names mmaction2 0.24.1 still uses)

import cv2  # noqa: E402
import torch  # noqa: E402

CONFIG = """
model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False, num_stages=2, strides=(1, 2), dilations=(1, 1),
                                                out_indices=(1,)),
             cls_head=dict(type='TSNHead', num_classes=3, in_channels=128, dropout_ratio=0.0, init_std=0.01,
                           consensus=dict(type='AvgConsensus', dim=1), spatial_type='avg'),
             train_cfg=None, test_cfg=dict(average_clips=None))
omnisource = True
norm = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
frames = [dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=4, test_mode=True), dict(type='RawFrameDecode'),
          dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW'),
          dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]), dict(type='ToTensor', keys=['imgs', 'label'])]
images = [dict(type='ImageDecode'), dict(type='Normalize', **norm), dict(type='FormatShape', input_format='NCHW'),
          dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]), dict(type='ToTensor', keys=['imgs', 'label'])]
data = dict(
    videos_per_gpu=2, workers_per_gpu=0, omni_videos_per_gpu=[2, 3, 2], train_ratio=[2, 1, 2],
    train_dataloader=dict(shuffle=False),
    train=[dict(type='RawframeDataset', ann_file='ROOT/main.txt', data_prefix='ROOT/rawframes', pipeline=frames),
           dict(type='ImageDataset', ann_file='ROOT/web.txt', data_prefix='ROOT/web', pipeline=images, num_classes=3),
           dict(type='RawframeDataset', ann_file='ROOT/second.txt', data_prefix='ROOT/rawframes', pipeline=frames)],
    val=dict(type='RawframeDataset', ann_file='ROOT/main.txt', data_prefix='ROOT/rawframes', pipeline=frames),
    test=dict(type='RawframeDataset', ann_file='ROOT/main.txt', data_prefix='ROOT/rawframes', pipeline=frames))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(policy='step', step=[1])
total_epochs = 2
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
dist_params = dict(backend='nccl')
log_level = 'INFO'
load_from = 'ROOT/init.pth'
resume_from = None
workflow = [('train', 1)]
"""


def make_data(root):
    rng = np.random.default_rng(7)
    lines = {'main': [], 'second': []}
    for v in range(8):
        d = os.path.join(root, 'rawframes', f'video_{v}')
        os.makedirs(d)
        for t in range(6):
            img = rng.integers(0, 256, (32, 40, 3), dtype=np.uint8)
            cv2.imwrite(os.path.join(d, f'img_{t + 1:05}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        (lines['main'] if v < 5 else lines['second']).append(f'video_{v} 6 {v % 3}')
    os.makedirs(os.path.join(root, 'web'))
    web = []
    for i in range(7):
        img = rng.integers(0, 256, (32, 40, 3), dtype=np.uint8)
        cv2.imwrite(os.path.join(root, 'web', f'w{i}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        web.append(f'w{i}.jpg {(i * 2) % 3}')
    for name, items in [('main', lines['main']), ('second', lines['second']), ('web', web)]:
        with open(os.path.join(root, f'{name}.txt'), 'w') as f:
            f.write('\n'.join(items) + '\n')


def run_mmaction2(cfg_path, work, double=False):
    """mmaction2's train.py flow; `double`: the model and its inputs in float64 (the reference both float32 runs are
    measured against)."""
    import mmcv
    from mmaction.apis import train_model
    from mmaction.datasets import build_dataset
    from mmaction.models import build_model
    from mmaction.models.recognizers.base import BaseRecognizer
    cfg = mmcv.Config.fromfile(cfg_path)
    cfg.work_dir = work
    cfg.gpu_ids = [0]
    cfg.seed = 0
    model = build_model(cfg.model, train_cfg=cfg.get('train_cfg'), test_cfg=cfg.get('test_cfg'))
    forward = BaseRecognizer.forward
    if double:
        model.double()
        BaseRecognizer.forward = lambda self, imgs, label=None, **kw: forward(self, imgs.double(), label, **kw)
    datasets = [build_dataset(d) for d in cfg.data.train]
    try:
        train_model(model, datasets, cfg, distributed=False, validate=False, timestamp='ref', meta=dict())
    finally:
        BaseRecognizer.forward = forward
    return torch.load(os.path.join(work, 'epoch_2.pth'), map_location='cpu', weights_only=False)['state_dict']


def aux_losses_mmaction2(work, ratio, items, batch, main_iters=3, epochs=2):
    """Each auxiliary source's loss per round, as Reel logs it: the mean of the round's iterations weighted by
    their batch sizes. mmcv logs (interval 1) after every iteration in the runner's fixed order — main iteration g,
    then, when g % ratio[0] == 0, ratio[k] iterations of each source k — and a line's `loss_cls/auxK` is that
    source's latest iteration. Source k cycles through `items[k]` items in batches of `batch[k]`, afresh each epoch."""
    rows = [r for r in map(json.loads, open(os.path.join(work, 'ref.log.json'))) if r.get('mode') == 'train']
    out, at, g = {}, 0, 0
    for _ in range(epochs):
        sizes = [[min(b, n - i) for i in range(0, n, b)] for n, b in zip(items, batch)]
        used = [0] * len(items)
        for _ in range(main_iters):
            at += 1
            if g % ratio[0] == 0:
                for k, times in enumerate(ratio[1:]):
                    total = weight = 0.0
                    for _ in range(times):
                        n = sizes[k][used[k] % len(sizes[k])]
                        used[k] += 1
                        total += rows[at][f'loss_cls/aux{k}'] * n
                        weight += n
                        at += 1
                    if times:
                        out.setdefault(f'loss_cls/aux{k}', []).append(total / weight)
            g += 1
    return out


def aux_losses_reel(work):
    out = {}
    with open(os.path.join(work, 'events.jsonl')) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get('type') != 'iteration':
                continue
            for k, v in rec.get('values', {}).items():
                if k.startswith('loss_cls/aux'):
                    out.setdefault(k, []).append(v)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('reel')
    ap.add_argument('--keep', help='work in this directory and leave it (for a look at both runs)')
    ap.add_argument('--ratio', default='[2, 1, 2]', help='train_ratio (default [2, 1, 2])')
    a = ap.parse_args()
    reel = os.path.abspath(a.reel)
    with tempfile.TemporaryDirectory() as scratch:
        root = a.keep or scratch
        os.makedirs(root, exist_ok=True)
        make_data(root)
        cfg_path = os.path.join(root, 'omni.py')
        with open(cfg_path, 'w') as f:
            f.write(CONFIG.replace('ROOT', root).replace('train_ratio=[2, 1, 2]', f'train_ratio={a.ratio}'))
        # The initial weights, loaded by both (load_from).
        import mmcv
        from mmaction.models import build_model
        torch.manual_seed(3)
        init_model = build_model(mmcv.Config.fromfile(cfg_path).model)
        torch.save({'state_dict': init_model.state_dict()}, os.path.join(root, 'init.pth'))

        ref = run_mmaction2(cfg_path, os.path.join(root, 'mma'))
        ref64 = run_mmaction2(cfg_path, os.path.join(root, 'mma64'), double=True)
        reel_work = os.path.join(root, 'reel')
        subprocess.run([reel, 'train', cfg_path, '--work-dir', reel_work, '--seed', '0'], check=True,
                       stdout=subprocess.DEVNULL)
        converted = os.path.join(root, 'reel_epoch_2.pth')
        subprocess.run([reel, 'convert', os.path.join(reel_work, 'epoch_2.safetensors'), converted], check=True,
                       stdout=subprocess.DEVNULL)
        got = torch.load(converted, map_location='cpu', weights_only=False)
        got = got.get('state_dict', got)
        init = init_model.state_dict()

        # Each float32 result against float64, relative to the tensor's largest update (BN statistics: to their
        # largest value): Reel's error must stay within 4x PyTorch's own (plus 1e-5), as in mmaction2_model3d_check.
        # The first conv's gradient is a small difference of large sums (BatchNorm centres what reaches it), so
        # float32 rounding alone moves it by a percent of its update in either program.
        worst, bad = (0.0, 0.0, '-'), []
        for k, v in ref.items():
            if k not in got:
                bad.append(f'Reel lacks {k}')
                continue
            if not v.is_floating_point():
                if not torch.equal(v, got[k]):
                    bad.append(f'{k}: {v.tolist()} vs {got[k].tolist()}')
                continue
            scale = v.abs().max().item() if 'running' in k else (v - init[k]).abs().max().item()
            e_reel = (got[k].double() - ref64[k]).abs().max().item() / max(scale, 1e-12)
            e_torch = (v.double() - ref64[k]).abs().max().item() / max(scale, 1e-12)
            worst = max(worst, (e_reel, e_torch, k))
            if e_reel > 4 * e_torch + 1e-5:
                bad.append(f'{k}: Reel {e_reel:.1e} of its update from float64, PyTorch {e_torch:.1e}')
        torch_worst = max((ref[k].double() - ref64[k]).abs().max().item() / max(
            (ref[k] - init[k]).abs().max().item() if 'running' not in k else ref[k].abs().max().item(), 1e-12)
            for k in ref if ref[k].is_floating_point())
        print(f'final weights: {len(ref)} tensors; largest float32 error against float64, relative to the update: Reel '
              f'{worst[0]:.2e} ({worst[2]}; PyTorch {worst[1]:.2e} there), PyTorch {torch_worst:.2e} at most')
        # The logged auxiliary losses, round by round, against the float64 run's (as the weights are).
        ratio = json.loads(a.ratio)
        losses = [aux_losses_mmaction2(os.path.join(root, w), ratio, items=[7, 3], batch=[3, 2]) for w in ('mma', 'mma64')]
        reel_losses = aux_losses_reel(reel_work)
        for k in sorted(losses[0]):
            r32, r64, mine = losses[0][k], losses[1][k], reel_losses.get(k, [])
            if len(mine) != len(r64):
                bad.append(f'{k}: mmaction2 logs {len(r64)} rounds, Reel {len(mine)}')
                continue
            e_reel = max(abs(x - y) for x, y in zip(mine, r64))
            e_torch = max(abs(x - y) for x, y in zip(r32, r64))
            print(f'{k}: {len(r64)} rounds; largest loss error against float64: Reel {e_reel:.2e}, PyTorch {e_torch:.2e}')
            if e_reel > 4 * e_torch + 1e-5:
                bad.append(f'{k}: the auxiliary losses differ')
        for b in bad:
            print('  ' + b)
        sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
