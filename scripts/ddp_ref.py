#!/usr/bin/env python3
"""PyTorch DistributedDataParallel (gloo, CPU) reference for `reel bench --launcher mpi`.

The bench model of ../shared/bench/torch_ref.py (TSM-R18 at the workload's width), each rank on its own batch of
the workload's clips, wrapped in DDP (gloo backend, default 25 MB buckets): the same measurement Reel's
DataParallelBench makes — a fixed number of steps, each starting at a barrier, rank 0's step times — so the two
are compared side by side. `--world 1` times the plain step in one process (no DDP), the 1-rank baseline of the
scaling efficiency: efficiency = clips/s with K ranks / (K × clips/s with 1).

  python scripts/ddp_ref.py --workload medium --world 2 --threads 1
  python scripts/ddp_ref.py --workload medium --world 1 --threads 1
Prints one JSON line.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
from torch_ref import WORKLOADS, TSMResNet18  # noqa: E402


def worker(rank: int, args, out):
    torch.set_num_threads(args.threads)
    cfg = WORKLOADS[args.workload]
    if args.world > 1:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(args.port))
        dist.init_process_group("gloo", rank=rank, world_size=args.world)
    torch.manual_seed(args.seed)
    model = TSMResNet18(cfg["width"], cfg["frames"], cfg["classes"])
    if args.world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    g = torch.Generator().manual_seed(args.seed + rank)
    x = torch.randn(cfg["clips"] * cfg["frames"], 3, cfg["size"], cfg["size"], generator=g)
    y = torch.randint(0, cfg["classes"], (cfg["clips"],), generator=g)
    model.train()
    losses, times = [], []

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        losses.append(step())
    for _ in range(args.steps):
        if args.world > 1:
            dist.barrier()
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    if rank == 0:
        med = statistics.median(times)
        out.put(dict(kind="ddp_ref", workload=args.workload, world=args.world, threads_per_rank=args.threads,
                     clips_per_rank=cfg["clips"], backend="gloo" if args.world > 1 else "none",
                     torch=torch.__version__, train_step_ms_median=round(med * 1000, 2),
                     train_step_ms_min=round(min(times) * 1000, 2),
                     train_step_ms_all=[round(t * 1000, 1) for t in times],
                     clips_per_s=round(args.world * cfg["clips"] / med, 3),
                     loss_first=round(losses[0], 4), loss_last=round(losses[-1], 4)))
    if args.world > 1:
        dist.barrier()
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", default="medium", choices=sorted(WORKLOADS))
    ap.add_argument("--world", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, default=29533)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    if args.world == 1:
        worker(0, args, out)
    else:
        mp.spawn(worker, args=(args, out), nprocs=args.world, join=True)
    print(json.dumps(out.get()))


if __name__ == "__main__":
    main()
