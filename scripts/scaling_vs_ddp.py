#!/usr/bin/env python3
"""Data-parallel scaling side by side: Reel on Open MPI against PyTorch DDP (gloo), interleaved rounds.

Each round runs, one after the other: Reel with 1 rank, Reel with K ranks (`mpirun -np N reel bench --config C
--launcher mpi --threads T`), PyTorch without DDP, PyTorch DDP with K ranks (scripts/ddp_ref.py), and K independent 1-rank Reel processes at
once (no communication: the machine's own bound on K ranks, its shared caches and memory bandwidth). Efficiency =
clips/s with K ranks / (K × clips/s with 1 rank), each framework against its own 1-rank figure.

  /work/venv-torch/bin/python scripts/scaling_vs_ddp.py --rounds 3      # medium workload, 2 ranks × 1 thread
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def run_json(cmd):
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--world", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--workload", default="medium")
    ap.add_argument("--config", default="configs/bench/tsm_r18w32_medium.py")
    ap.add_argument("--reel", default=".build/release/reel")
    args = ap.parse_args()
    mpirun = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-x", "OPENBLAS_CORETYPE"] if os.environ.get(
        "OPENBLAS_CORETYPE") else ["mpirun", "--allow-run-as-root", "--oversubscribe"]
    reel = lambda k: run_json(mpirun + ["-np", str(k), args.reel, "bench", "--config", args.config, "--launcher", "mpi",
                                        "--threads", str(args.threads), "--steps", str(args.steps), "--json"])
    torch = lambda k: run_json([sys.executable, os.path.join(HERE, "ddp_ref.py"), "--workload", args.workload, "--world",
                                str(k), "--threads", str(args.threads), "--steps", str(args.steps)])
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"CPU {cpu}; {args.world} ranks × {args.threads} threads vs 1 × {args.threads}; {args.config}")
    def machine_bound():
        # K independent 1-rank jobs at once, no communication: what K ranks can do on this machine at best.
        # Separate mpirun jobs would each bind their rank to core 0: --bind-to none lets the kernel spread them.
        cmd = mpirun + ["--bind-to", "none", "-np", "1", args.reel, "bench", "--config", args.config, "--launcher", "mpi", "--threads",
                        str(args.threads), "--steps", str(args.steps), "--json"]
        procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for _ in range(args.world)]
        outs = [json.loads([l for l in p.communicate()[0].splitlines() if l.startswith("{")][-1]) for p in procs]
        return sum(o["clips_per_s"] for o in outs)

    rows = []
    for r in range(args.rounds):
        r1, rk, t1, tk, alone = reel(1), reel(args.world), torch(1), torch(args.world), machine_bound()
        e_reel = rk["clips_per_s"] / (args.world * r1["clips_per_s"])
        e_torch = tk["clips_per_s"] / (args.world * t1["clips_per_s"])
        rows.append((e_reel, e_torch, rk["clips_per_s"], tk["clips_per_s"]))
        print(f"round {r + 1}: Reel {r1['clips_per_s']:.2f} → {rk['clips_per_s']:.2f} clips/s (efficiency {e_reel:.1%}; "
              f"allreduce {rk['allreduce_blocking_ms_median']:.1f} ms blocking, {rk['allreduce_exposed_ms_median']:.1f} ms "
              f"exposed); PyTorch {t1['clips_per_s']:.2f} → {tk['clips_per_s']:.2f} clips/s (efficiency {e_torch:.1%}); "
              f"Reel/PyTorch with {args.world} ranks {rk['clips_per_s'] / tk['clips_per_s']:.2f}×; machine bound "
              f"({args.world} independent Reel processes) {alone:.2f} clips/s = {alone / (args.world * r1['clips_per_s']):.1%}, "
              f"lockstep without the all-reduce {rk['lockstep_clips_per_s'] / (args.world * r1['clips_per_s']):.1%}")
    print(f"median: Reel efficiency {statistics.median(r[0] for r in rows):.1%}, PyTorch DDP {statistics.median(r[1] for r in rows):.1%}; "
          f"Reel/PyTorch {statistics.median(r[2] / r[3] for r in rows):.2f}×")


if __name__ == "__main__":
    main()
