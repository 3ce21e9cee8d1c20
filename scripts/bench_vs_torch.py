#!/usr/bin/env python3
"""Reel against the PyTorch reference, side by side in one sitting: `rounds` interleaved rounds of
`reel bench --json` and ../shared/bench/torch_ref.py per workload (same thread count), then a table of the
train-step medians, eval clips/s and their ratios per round, with the CPU and the kernels named.

  python3 scripts/bench_vs_torch.py --torch-python /work/venv-torch/bin/python [--rounds 3] [--threads 2]

The ratios are the issues' targets: for the 2-D workloads (small, medium) train step Reel/PyTorch ≤ 0.8 and eval
clips/s Reel/PyTorch ≥ 1.25 (issue 15); for the 3-D ones (slowonly, i3d: `--workloads slowonly,i3d`, timed by
scripts/torch_ref3d.py, which builds mmaction2's model from the same config) train step ≤ 1.0 (issue 16).
Both tools keep only clean calls (no run-queue wait), so a loaded machine lengthens the run, not the figures.
"""
import argparse, json, os, statistics, subprocess, sys

WORKLOADS = {"small": "configs/bench/tsm_r18w16_small.py", "medium": "configs/bench/tsm_r18w32_medium.py",
             "slowonly": "configs/bench/slowonly_r18w16_small.py", "i3d": "configs/bench/i3d_r18w16_small.py"}
# Targets (step ratio at most, eval ratio at least) per workload.
TARGETS = {"small": (0.8, 1.25), "medium": (0.8, 1.25), "slowonly": (1.0, None), "i3d": (1.0, None)}
HERE = os.path.dirname(os.path.abspath(__file__))


def torch_command(a, w):
    """The PyTorch reference for workload `w`: torch_ref.py for the 2-D ones, torch_ref3d.py on the config for 3-D."""
    if w in ("slowonly", "i3d"):
        return [a.torch_python, os.path.join(HERE, "torch_ref3d.py"), WORKLOADS[w], "--threads", str(a.threads),
                "--torch-ref", a.torch_ref]
    return [a.torch_python, a.torch_ref, "--workload", w, "--threads", str(a.threads)]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def cpu_name():
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch-python", required=True)
    p.add_argument("--torch-ref", default=os.path.join(os.path.dirname(__file__), "../../shared/bench/torch_ref.py"))
    p.add_argument("--reel", default=".build/release/reel")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workloads", default="small,medium")
    a = p.parse_args()
    rows = []
    for r in range(1, a.rounds + 1):
        for w in a.workloads.split(","):
            reel = run_json([a.reel, "bench", "--config", WORKLOADS[w], "--threads", str(a.threads), "--json", "--no-layers"])
            torch = run_json(torch_command(a, w))
            rows.append((r, w, reel, torch))
            print(f"round {r} {w}: reel {reel['train_step_ms_median']:.1f} ms {reel['eval_clips_per_s_median']:.0f} clips/s"
                  f" | torch {torch['train_step_ms_median']:.1f} ms {torch['eval_clips_per_s_median']:.0f} clips/s",
                  file=sys.stderr, flush=True)
    r0 = rows[0][2]
    print(f"CPU {cpu_name()}; OpenBLAS {r0['openblas_core']} kernels"
          f"{' (OPENBLAS_CORETYPE=' + os.environ['OPENBLAS_CORETYPE'] + ')' if 'OPENBLAS_CORETYPE' in os.environ else ''};"
          f" Reel kernels {r0.get('reel_isa', '?')}; {a.threads} threads")
    print("| round | workload | Reel step ms | PyTorch step ms | step ratio | Reel eval clips/s | PyTorch eval clips/s | eval ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r, w, reel, torch in rows:
        sr = reel["train_step_ms_median"] / torch["train_step_ms_median"]
        er = reel["eval_clips_per_s_median"] / torch["eval_clips_per_s_median"]
        print(f"| {r} | {w} | {reel['train_step_ms_median']:.1f} | {torch['train_step_ms_median']:.1f} | {sr:.2f} |"
              f" {reel['eval_clips_per_s_median']:.0f} | {torch['eval_clips_per_s_median']:.0f} | {er:.2f} |")
    for w in a.workloads.split(","):
        sel = [(reel, torch) for _, ww, reel, torch in rows if ww == w]
        sr = statistics.median(x["train_step_ms_median"] / y["train_step_ms_median"] for x, y in sel)
        er = statistics.median(x["eval_clips_per_s_median"] / y["eval_clips_per_s_median"] for x, y in sel)
        step_target, eval_target = TARGETS[w]
        print(f"median {w}: step ratio {sr:.2f} (target ≤ {step_target:.2f}), eval ratio {er:.2f}"
              + (f" (target ≥ {eval_target:.2f})" if eval_target else ""))


if __name__ == "__main__":
    main()
