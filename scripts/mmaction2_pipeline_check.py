#!/usr/bin/env python3
"""Differential check of Reel's data pipeline against mmaction2 0.24.1's own classes (issue 4).

Runs deterministic (test-mode) pipelines through `reel inspect pipeline --save-npy` and through
mmaction.datasets.pipelines.Compose on the same rawframe dataset, and compares the float32 outputs; then
compares SampleFrames test-mode indices (`reel inspect frames --json`) for many settings and video lengths.

usage: V/bin/python scripts/mmaction2_pipeline_check.py REEL FRAMES_DIR
  REEL        the reel binary (.build/release/reel)
  FRAMES_DIR  a rawframe dataset with ann_rawframes.txt, e.g. from ../shared/bench/pipeline_ref.py gen DIR
  V           a venv with mmcv==1.7.2, mmaction2==0.24.1 (--no-deps), numpy, opencv-python-headless,
              'PyTurboJPEG<2', torch (torchvision is stubbed below: only its import is needed).
"""
import json, os, subprocess, sys, tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmaction2_shims  # noqa: E402,F401  (numpy 2 / mmcv 1.7.2 / no torchvision)
from mmcv import Config  # noqa: E402
from mmaction.datasets.pipelines import Compose, SampleFrames  # noqa: E402

NORM = "dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)"
TAIL = "dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]), dict(type='ToTensor', keys=['imgs'])"
PIPELINES = {
    'short-side resize 100 + CenterCrop 88, NCHW (turbojpeg)':
        f"[dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True), dict(type='RawFrameDecode', decoding_backend='turbojpeg'), dict(type='Resize', scale=(-1, 100)), dict(type='CenterCrop', crop_size=88), {NORM}, dict(type='FormatShape', input_format='NCHW'), {TAIL}]",
    'twice_sample, upscale 150, ThreeCrop, to_bgr (cv2)':
        f"[dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True, twice_sample=True), dict(type='RawFrameDecode', decoding_backend='cv2'), dict(type='Resize', scale=(-1, 150)), dict(type='ThreeCrop', crop_size=150), dict(type='Normalize', mean=[104, 117, 128], std=[1, 1, 1], to_bgr=True), dict(type='FormatShape', input_format='NCHW'), {TAIL}]",
    'clips of 4, fixed-size resize, TenCrop, NCTHW (pillow)':
        f"[dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=3, test_mode=True), dict(type='RawFrameDecode', decoding_backend='pillow'), dict(type='Resize', scale=(64, 48), keep_ratio=False), dict(type='TenCrop', crop_size=40), {NORM}, dict(type='FormatShape', input_format='NCTHW'), {TAIL}]",
    'repeat_last, keep_ratio (long, short) scale, CenterCrop (w, h)':
        f"[dict(type='SampleFrames', clip_len=2, frame_interval=3, num_clips=5, test_mode=True, out_of_bound_opt='repeat_last'), dict(type='RawFrameDecode'), dict(type='Resize', scale=(120, 70), keep_ratio=True), dict(type='CenterCrop', crop_size=(60, 50)), {NORM}, dict(type='FormatShape', input_format='NCHW'), {TAIL}]",
}
SAMPLERS = [dict(clip_len=1, frame_interval=1, num_clips=8), dict(clip_len=1, frame_interval=1, num_clips=8, twice_sample=True),
            dict(clip_len=4, frame_interval=2, num_clips=3), dict(clip_len=8, frame_interval=8, num_clips=10),
            dict(clip_len=2, frame_interval=3, num_clips=5, out_of_bound_opt='repeat_last'),
            dict(clip_len=32, frame_interval=2, num_clips=1), dict(clip_len=1, frame_interval=1, num_clips=16, keep_tail_frames=True)]


def compare(reel, cfg_path, npy, name, items):
    """Runs the test pipeline of the config at `cfg_path` through mmaction2's Compose on each (dataset index,
    results dict) of `items` and through `reel inspect pipeline --save-npy` on the same index, prints one line
    (max and mean |diff| over the items) and returns whether it is within the tolerance (max 0.05, mean 0.005)."""
    compose = Compose(Config.fromfile(cfg_path).data.test.pipeline)
    worst, means = 0.0, []
    for idx, results in items:
        theirs = compose(results)['imgs'].numpy()
        subprocess.run([reel, 'inspect', 'pipeline', cfg_path, '--split', 'test', '--index', str(idx), '--save-npy', npy],
                       check=True, capture_output=True)
        ours = np.load(npy)
        if ours.shape != theirs.shape:
            print(f'FAIL {name}: shape {ours.shape} vs {theirs.shape}')
            return False
        diff = np.abs(ours - theirs)
        worst = max(worst, float(diff.max())); means.append(float(diff.mean()))
    ok = worst <= 0.05 and float(np.mean(means)) <= 0.005
    print(f"{'ok  ' if ok else 'FAIL'} {name}: shape {list(theirs.shape)}, max |diff| {worst:.3g}, mean {np.mean(means):.3g}")
    return ok


def main():
    reel, frames = sys.argv[1], os.path.abspath(sys.argv[2])
    ann = os.path.join(frames, 'ann_rawframes.txt')
    lines = [l.split() for l in open(ann) if l.strip()]
    tmp = tempfile.mkdtemp()
    cfg_path, npy = os.path.join(tmp, 'p.py'), os.path.join(tmp, 'r.npy')
    failed = False
    for name, pipeline in PIPELINES.items():
        with open(cfg_path, 'w') as f:
            f.write(f"p = {pipeline}\ndata = dict(videos_per_gpu=1, test=dict(type='RawframeDataset', ann_file='{ann}', "
                    f"data_prefix='{frames}', pipeline=p))\n")
        ok = compare(reel, cfg_path, npy, name, [
            (idx, dict(frame_dir=os.path.join(frames, d), total_frames=int(n), label=int(label),
                       filename_tmpl='img_{:05}.jpg', start_index=1, modality='RGB'))
            for idx, (d, n, label) in ((i, lines[i][:3]) for i in range(0, len(lines), max(1, len(lines) // 8)))])
        failed |= not ok
    cases = mismatches = 0
    for st in SAMPLERS:
        args = ', '.join(f'{k}={v!r}' for k, v in st.items())
        with open(cfg_path, 'w') as f:
            f.write(f"data = dict(test=dict(type='RawframeDataset', ann_file='x', data_prefix='x', "
                    f"pipeline=[dict(type='SampleFrames', {args}, test_mode=True)]))\n")
        for total in list(range(1, 101)) + [150, 300]:
            out = subprocess.run([reel, 'inspect', 'frames', cfg_path, '--split', 'test', '--total-frames', str(total), '--json'],
                                 check=True, capture_output=True, text=True).stdout
            theirs = SampleFrames(**st, test_mode=True)(dict(total_frames=total, start_index=1))['frame_inds'].tolist()
            cases += 1
            if json.loads(out)['frame_inds'] != theirs:
                mismatches += 1
                print(f'FAIL SampleFrames({args}) total_frames={total}')
    print(f"{'ok  ' if mismatches == 0 else 'FAIL'} SampleFrames test-mode indices: {cases} cases, {mismatches} mismatches")
    sys.exit(1 if failed or mismatches else 0)


if __name__ == '__main__':
    main()
