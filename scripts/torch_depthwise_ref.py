#!/usr/bin/env python3
"""PyTorch reference for Reel's channel-wise (depthwise) 3-D convolutions on CSN/X3D shapes (issue 16): median
forward and backward (input + weight gradients) milliseconds of nn.Conv3d(groups=C) per shape, to set beside the
`depthwise` rows of `reel bench --config configs/bench/{ircsn_r50w16_small,x3d_s_small}.py --threads 2`.

  /work/venv-torch/bin/python scripts/torch_depthwise_ref.py [--threads 2]
"""
import argparse, statistics, time

import torch

SHAPES = [  # (name, C, N, T, H, W, kernel, stride)
    ('csn layer1 conv2', 16, 8, 8, 16, 16, (3, 3, 3), 1),
    ('csn layer2.0 conv2 /2', 32, 8, 8, 16, 16, (3, 3, 3), 2),
    ('csn layer2 conv2', 32, 8, 4, 8, 8, (3, 3, 3), 1),
    ('csn layer3 conv2', 64, 8, 2, 4, 4, (3, 3, 3), 1),
    ('x3d conv1_t 5x1x1', 24, 8, 8, 32, 32, (5, 1, 1), 1),
    ('x3d layer2.0 conv2 /2', 108, 8, 8, 16, 16, (3, 3, 3), 2),
    ('x3d layer2 conv2', 108, 8, 8, 8, 8, (3, 3, 3), 1),
    ('x3d layer3 conv2', 216, 8, 8, 4, 4, (3, 3, 3), 1),
    ('x3d layer4 conv2', 432, 8, 8, 2, 2, (3, 3, 3), 1),
]


def median_ms(fn, reps=30):
    for _ in range(5):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    torch.set_num_threads(ap.parse_args().threads)
    for name, c, n, t, h, w, k, s in SHAPES:
        conv = torch.nn.Conv3d(c, c, k, stride=(1, s, s), padding=tuple(x // 2 for x in k), groups=c, bias=False)
        x = torch.randn(n, c, t, h, w, requires_grad=True)
        y = conv(x)
        dy = torch.randn_like(y)
        fwd = median_ms(lambda: conv(x))
        def bwd():
            x.grad = None; conv.weight.grad = None
            torch.autograd.grad(y, [x, conv.weight], dy, retain_graph=True)
        print(f'{name:24s} [{c}, {n}, {t}, {h}, {w}] k{k} /{s}: fwd {fwd:.2f} ms, bwd {median_ms(bwd):.2f} ms')


if __name__ == '__main__':
    main()
