#!/usr/bin/env python3
"""PyTorch reference for Reel's 3-D bench workloads (configs/bench/slowonly_r18w16_small.py, i3d_r18w16_small.py):
the same model built by mmaction2 0.24.1 from the same config file, timed the way ../shared/bench/torch_ref.py times
the 2-D workloads (its clean-call rule and load accounting are imported from it), one JSON line per config.

  PYTHONPATH=scripts /work/venv-torch/bin/python scripts/torch_ref3d.py configs/bench/slowonly_r18w16_small.py [--threads 2]

Train step: forward_train (loss) + backward + SGD(lr 0.01, momentum 0.9, wd 1e-4) step. Eval: forward_test (the
recognizer's average_clips included) under torch.inference_mode. Input: videos_per_gpu × 1 view × C×T×H×W random
values shaped by the config's train pipeline (clip_len, final crop), as `reel bench` does.
"""
import argparse, importlib.util, json, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmaction2_shims  # noqa: E402,F401  (before mmcv/mmaction)
import torch  # noqa: E402
from mmcv import Config  # noqa: E402
from mmaction.models import build_model  # noqa: E402


def load_torch_ref(path):
    spec = importlib.util.spec_from_file_location("torch_ref", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def input_shape(cfg):
    """videos × views(1) × 3 × clip_len × side × side from the train pipeline."""
    clip_len, side = 1, None
    for step in cfg.data.train.pipeline:
        if step['type'] == 'SampleFrames':
            clip_len = step['clip_len']
        if step['type'] == 'Resize' and step.get('keep_ratio', True) is False:
            side = step['scale']
        if step['type'] in ('CenterCrop', 'RandomCrop') and 'crop_size' in step:
            side = (step['crop_size'],) * 2 if isinstance(step['crop_size'], int) else step['crop_size']
    return [cfg.data.videos_per_gpu, 1, 3, clip_len, side[1], side[0]]


def conv_macs(model, x):
    """Conv + linear MACs of one eval forward, from the real modules' output shapes."""
    total = [0]

    def on_conv(m, inp, out):
        k = 1
        for s in m.kernel_size:
            k *= s
        total[0] += out.numel() * (m.in_channels // m.groups) * k

    def on_linear(m, inp, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Conv3d)):
            hooks.append(m.register_forward_hook(on_conv))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(on_linear))
    model.eval()
    with torch.inference_mode():
        model(x, return_loss=False)
    for h in hooks:
        h.remove()
    return total[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-delay", type=float, default=0.01)
    ap.add_argument("--budget-s", type=float, default=240.0)
    ap.add_argument("--torch-ref", default=os.path.join(os.path.dirname(__file__), "../../shared/bench/torch_ref.py"))
    a = ap.parse_args()
    ref = load_torch_ref(a.torch_ref)
    torch.set_num_threads(a.threads)
    for path in a.configs:
        torch.manual_seed(a.seed)
        cfg = Config.fromfile(path)
        model = build_model(cfg.model)
        shape = input_shape(cfg)
        x = torch.randn(*shape)
        classes = cfg.model.cls_head.num_classes
        y = torch.randint(0, classes, (shape[0], 1))
        macs = conv_macs(model, x)
        o = cfg.optimizer
        opt = torch.optim.SGD(model.parameters(), lr=o.lr, momentum=o.get('momentum', 0), weight_decay=o.get('weight_decay', 0))
        model.train()
        losses = []

        def step():
            opt.zero_grad(set_to_none=True)
            out = model(x, y, return_loss=True)
            loss = sum(v for k, v in out.items() if 'loss' in k)
            loss.backward()
            opt.step()
            losses.append(loss.item())

        for _ in range(a.warmup):
            step()
        with ref.MachineLoad() as load_train:
            times, times_all = ref.timed_clean(step, a.steps, a.max_delay, a.budget_s, a.steps * 20)
        model.eval()
        with torch.inference_mode():
            for _ in range(a.warmup):
                model(x, return_loss=False)
            with ref.MachineLoad() as load_eval:
                etimes, etimes_all = ref.timed_clean(lambda: model(x, return_loss=False), a.steps, a.max_delay,
                                                     a.budget_s, a.steps * 20)
        tsel = times if len(times) >= max(3, a.steps // 4) else times_all
        esel = etimes if len(etimes) >= max(3, a.steps // 4) else etimes_all
        n = shape[0]
        fwd_gflop = 2.0 * macs / 1e9
        print(json.dumps(dict(
            config=path, input=shape, threads=torch.get_num_threads(),
            params=sum(p.numel() for p in model.parameters()),
            fwd_gflop=round(fwd_gflop, 4), train_step_gflop=round(3 * fwd_gflop, 4),
            train_step_ms_median=round(statistics.median(tsel), 3), train_step_ms_min=round(min(tsel), 3),
            train_clean_n=len(times), train_runs_n=len(times_all),
            train_step_ms_median_all=round(statistics.median(times_all), 3),
            eval_batch_ms_median=round(statistics.median(esel), 3),
            eval_clips_per_s_median=round(n / (statistics.median(esel) / 1e3), 2),
            eval_clean_n=len(etimes), eval_runs_n=len(etimes_all),
            eval_batch_ms_median_all=round(statistics.median(etimes_all), 3),
            foreign_cpu_train=load_train.foreign, foreign_cpu_eval=load_eval.foreign,
            loss_first=round(losses[0], 5), loss_last=round(losses[-1], 5),
            torch=torch.__version__, cpu_capability=torch.backends.cpu.get_cpu_capability())), flush=True)


if __name__ == "__main__":
    main()
