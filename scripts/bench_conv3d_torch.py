#!/usr/bin/env python3
"""PyTorch's side of `reel bench-conv3d`: the same 3-D convolutions (Sources/Engine/Training/Bench/Conv3dBench.swift),
timed the same way — forward, and forward+backward minus the forward median — with torch.set_num_threads(2).

Usage: python scripts/bench_conv3d_torch.py [--batch 8] [--calls 7] [--threads 2]
Run it in the same sitting as `reel bench-conv3d` (the machine is shared; medians of every call are printed).
"""
import argparse
import statistics
import time

import torch

# name, in, out, groups, (T, H, W), kernel, stride, padding, input gradient
LAYERS = [
    ('stem 1x7x7/2', 3, 32, 1, (8, 64, 64), (1, 7, 7), (1, 2, 2), (0, 3, 3), False),
    ('s1 1x3x3', 32, 32, 1, (8, 16, 16), (1, 3, 3), (1, 1, 1), (0, 1, 1), True),
    ('s2 1x3x3/2', 32, 64, 1, (8, 16, 16), (1, 3, 3), (1, 2, 2), (0, 1, 1), True),
    ('s2 1x3x3', 64, 64, 1, (8, 8, 8), (1, 3, 3), (1, 1, 1), (0, 1, 1), True),
    ('s3 3x3x3/2', 64, 128, 1, (8, 8, 8), (3, 3, 3), (1, 2, 2), (1, 1, 1), True),
    ('s3 3x3x3', 128, 128, 1, (8, 4, 4), (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ('s4 3x3x3/2', 128, 256, 1, (8, 4, 4), (3, 3, 3), (1, 2, 2), (1, 1, 1), True),
    ('s4 3x3x3', 256, 256, 1, (8, 2, 2), (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ('i3d 3x1x1', 64, 64, 1, (8, 16, 16), (3, 1, 1), (1, 1, 1), (1, 0, 0), True),
    ('i3d 3x3x3', 32, 32, 1, (8, 16, 16), (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ('csn dw 3x3x3', 64, 64, 64, (8, 16, 16), (3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ('x3d dw 3x3x3/2', 54, 54, 54, (8, 32, 32), (3, 3, 3), (1, 2, 2), (1, 1, 1), True),
]


def timed(fn, warmup, calls):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--calls', type=int, default=7)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, batch {a.batch}, medians and minima of every call (ms)')
    print('layer            fwd ms  fwd GF/s   bwd ms  bwd GF/s  fwd min  bwd min')
    for name, cin, cout, groups, (t, h, w), k, s, p, grad_in in LAYERS:
        conv = torch.nn.Conv3d(cin, cout, k, stride=s, padding=p, groups=groups, bias=False)
        x = torch.rand(a.batch, cin, t, h, w) * 2 - 1
        x.requires_grad_(grad_in)
        with torch.no_grad():
            y = conv(x)
        dy = torch.rand_like(y) * 2 - 1
        macs = cout * (cin // groups) * k[0] * k[1] * k[2] * y[0, 0].numel() * a.batch

        def fwd():
            with torch.no_grad():
                conv(x)

        def fwd_bwd():
            conv.zero_grad(set_to_none=True)
            if x.grad is not None:
                x.grad = None
            conv(x).backward(dy)

        # Training-mode forward (with autograd) is what a train step runs; time it for the backward subtraction.
        def fwd_train():
            conv(x)

        fs = timed(fwd_train, 2, a.calls)
        fbs = timed(fwd_bwd, 2, a.calls)
        f = statistics.median(fs)
        b = max(1e-9, statistics.median(fbs) - f)
        # The minimum backward as Reel's: the fastest forward+backward less the forward median.
        bmin = max(1e-9, min(fbs) - f)
        print(f'{name:<16} {f * 1000:7.2f} {2 * macs / f / 1e9:9.1f} {b * 1000:8.2f} '
              f'{2 * macs * (2 if grad_in else 1) / b / 1e9:9.1f} {min(fs) * 1000:8.2f} {bmin * 1000:8.2f}')


if __name__ == '__main__':
    main()
