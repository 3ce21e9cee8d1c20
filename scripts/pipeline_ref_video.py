#!/usr/bin/env python3
"""Data-pipeline anchor for video files: the video twin of ../shared/bench/pipeline_ref.py (issue 17).

Subcommands (DIR e.g. /work/bench-videos; not in git):

  gen   DIR     write a video dataset: 40 videos, 340x256, 10 s at 30 fps, h264 (libx264 defaults: keyint 250,
                3 B-frames, as Kinetics files typically are), smooth moving shapes + noise, DIR/video_0000.mp4 ...
                and DIR/ann_videos.txt with lines "video_0000.mp4 label" (VideoDataset's format).
  mm    DIR     mmaction2 0.24.1's own classes (mmaction.datasets.pipelines.Compose) on results dicts shaped
                like VideoDataset's, the TSM train pipeline of pipeline_ref.py with video loading:
                  {Decord,PyAV}Init -> SampleFrames(clip_len=1, frame_interval=1, num_clips=8)
                  -> {Decord,PyAV}Decode -> Resize(-1, 128) -> RandomResizedCrop -> Resize(112, 112)
                  -> Flip(0.5) -> Normalize -> FormatShape(NCHW)
                (configs/bench/pipeline_ref_video.py is the same pipeline for `reel bench --pipeline`),
                plus a decode-only figure per backend: Init + Decode of the same sampled frames, reading the
                file each time (read_decode) and from bytes already in memory (mem_decode).

Every timed run is single-threaded (decord num_threads=1, PyAV without thread_type, cv2.setNumThreads(1),
OMP_NUM_THREADS=1). As pipeline_ref.py: only "clean" calls are timed (this process waited on the run queue for at
most --clean-frac of the call's wall time), cycling clips until --clips clean ones or --budget seconds; one JSON line
per (mode, backend) on stdout, with the same keys as pipeline_ref.py's records.

usage: /work/venv-torch/bin/python scripts/pipeline_ref_video.py gen /work/bench-videos
       /work/venv-torch/bin/python scripts/pipeline_ref_video.py mm /work/bench-videos [--backend decord,pyav]
"""
import argparse
import io
import json
import os
import statistics
import sys
import time
from fractions import Fraction

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
ANN_NAME = "ann_videos.txt"
NUM_CLIPS = 8


# --------------------------------------------------------------------------- gen
def gen(root, videos=40, seconds=10, fps=30, width=340, height=256, crf=23, seed=0):
    import av
    import cv2
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    lines, sizes = [], []
    for v in range(videos):
        name = f"video_{v:04d}.mp4"
        c0, c1 = rng.uniform(30, 220, 3).astype(np.float32), rng.uniform(30, 220, 3).astype(np.float32)
        ang0 = rng.uniform(0, 2 * np.pi)
        shapes = [dict(kind=int(rng.integers(0, 2)), color=tuple(float(c) for c in rng.uniform(0, 255, 3)),
                       x0=rng.uniform(0, width), y0=rng.uniform(0, height), vx=rng.uniform(-3, 3),
                       vy=rng.uniform(-2, 2), r=rng.uniform(12, 40)) for _ in range(int(rng.integers(2, 5)))]
        out = av.open(os.path.join(root, name), "w")
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        s.options = {"crf": str(crf)}   # libx264's defaults otherwise: preset medium, keyint 250, bframes 3
        for f in range(seconds * fps):
            ang = ang0 + 0.01 * f
            t = (np.cos(ang) * xx / width + np.sin(ang) * yy / height)
            t = (t - t.min()) / max(1e-6, t.max() - t.min())
            img = np.ascontiguousarray(c0 * (1 - t[..., None]) + c1 * t[..., None], dtype=np.float32)
            for sh in shapes:
                cx, cy, r = (sh["x0"] + sh["vx"] * f) % width, (sh["y0"] + sh["vy"] * f) % height, sh["r"]
                if sh["kind"] == 0:
                    cv2.circle(img, (int(cx), int(cy)), int(r), sh["color"], -1, cv2.LINE_AA)
                else:
                    cv2.rectangle(img, (int(cx - r), int(cy - 0.6 * r)), (int(cx + r), int(cy + 0.6 * r)), sh["color"], -1)
            img += rng.normal(0, 4, img.shape).astype(np.float32)
            frame = av.VideoFrame.from_ndarray(np.clip(img + 0.5, 0, 255).astype(np.uint8), format="rgb24")
            frame.pts, frame.time_base = f, Fraction(1, fps)
            for p in s.encode(frame):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
        out.close()
        sizes.append(os.path.getsize(os.path.join(root, name)))
        lines.append(f"{name} {v % 10}")
    with open(os.path.join(root, ANN_NAME), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return {"mode": "gen", "dir": root, "videos": videos, "frames_per_video": seconds * fps, "fps": fps,
            "width": width, "height": height, "codec": "h264 (libx264 defaults, crf %d)" % crf, "seed": seed,
            "bytes_mean": int(np.mean(sizes)), "total_mb": round(sum(sizes) / 2**20, 2)}


def read_ann(root):
    with open(os.path.join(root, ANN_NAME)) as fh:
        return [(os.path.join(root, ln.split()[0]), int(ln.split()[1])) for ln in fh if ln.strip()]


# ----------------------------------------------------------- shared measurement (as pipeline_ref.py)
class ForeignCPU:
    """CPU time used by OTHER processes during a block, as a fraction of wall*cores."""

    @staticmethod
    def _busy_s():
        try:
            with open("/proc/stat") as f:
                v = [int(t) for t in f.readline().split()[1:]]
        except OSError:
            return None
        return (sum(v[:8]) - v[3] - (v[4] if len(v) > 4 else 0)) / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.b0, self.t0, self.w0 = self._busy_s(), os.times(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        b1, t1, w1 = self._busy_s(), os.times(), time.perf_counter()
        self.frac = None
        if self.b0 is not None and b1 is not None:
            own = (t1.user - self.t0.user) + (t1.system - self.t0.system)
            self.frac = round(max(0.0, (b1 - self.b0) - own) / ((w1 - self.w0) * (os.cpu_count() or 1)), 3)
        return False


def own_run_delay_s():
    tot = 0
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/schedstat") as f:
                    tot += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
    except OSError:
        return None
    return tot * 1e-9


CLEAN_FRAC = 0.01
BUDGET_S = 90.0


def clean_loop(items, one):
    clean, alltimes, last, i = [], [], None, 0
    t_start = time.perf_counter()
    while len(clean) < len(items) and (time.perf_counter() - t_start) < BUDGET_S:
        d0, t0 = own_run_delay_s(), time.perf_counter()
        last = one(items[i % len(items)])
        dt = time.perf_counter() - t0
        d1 = own_run_delay_s()
        alltimes.append(dt)
        if d0 is None or d1 is None or (d1 - d0) <= CLEAN_FRAC * dt:
            clean.append(dt)
        i += 1
    return (clean or alltimes), alltimes, last


def summarize(name, backend, times_s, frames_per_clip, fc, extra=None, all_times=None):
    tot = sum(times_s)
    rec = {"mode": name, "backend": backend, "clips": len(times_s), "clips_per_s": round(len(times_s) / tot, 2),
           "frames_per_s": round(len(times_s) * frames_per_clip / tot, 1),
           "ms_per_clip_median": round(statistics.median(times_s) * 1e3, 3),
           "ms_per_clip_min": round(min(times_s) * 1e3, 3), "foreign_cpu_frac": fc.frac}
    if all_times is not None:
        rec["clips_all"] = len(all_times)
        rec["ms_per_clip_median_all"] = round(statistics.median(all_times) * 1e3, 3)
    if extra:
        rec.update(extra)
    return rec


def clip_order(n_videos, clips, seed):
    rng = np.random.default_rng(seed)
    order = []
    while len(order) < clips:
        order.extend(rng.permutation(n_videos).tolist())
    return order[:clips]


# ------------------------------------------------------- real mmaction2 pipeline
def mm_pipeline_cfg(backend):
    init, decode = {"decord": ("DecordInit", "DecordDecode"), "pyav": ("PyAVInit", "PyAVDecode")}[backend]
    return [
        dict(type=init),
        dict(type="SampleFrames", clip_len=1, frame_interval=1, num_clips=NUM_CLIPS),
        dict(type=decode),
        dict(type="Resize", scale=(-1, 128)),
        dict(type="RandomResizedCrop", area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
        dict(type="Resize", scale=(112, 112), keep_ratio=False),
        dict(type="Flip", flip_ratio=0.5),
        dict(type="Normalize", mean=MEAN, std=STD, to_bgr=False),
        dict(type="FormatShape", input_format="NCHW"),
    ]


def mm_results(video):
    # the keys VideoDataset.prepare_train_frames hands to the pipeline
    path, label = video
    return dict(filename=path, label=label, start_index=0, modality="RGB")


def bench_mm(root, backends, clips, seed):
    import random
    import cv2
    cv2.setNumThreads(1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mmaction2_shims  # noqa: F401  (numpy 2 / mmcv 1.7.2 / no torchvision)
    import mmcv
    import mmaction
    from mmaction.datasets.pipelines import Compose, SampleFrames
    videos = read_ann(root)
    res = []
    for backend in backends:
        np.random.seed(seed)          # mmaction's transforms draw from the global RNGs
        random.seed(seed)
        pipe = Compose(mm_pipeline_cfg(backend))
        for v in videos:              # warm-up pass (page cache, lazy init)
            pipe(mm_results(v))

        def one(vi):
            out = pipe(mm_results(videos[vi]))
            return np.ascontiguousarray(out["imgs"])     # what collate would copy
        with ForeignCPU() as fc:
            times, alltimes, x = clean_loop(clip_order(len(videos), clips, seed), one)
        impl = {"decord": lambda: "decord " + __import__("decord").__version__,
                "pyav": lambda: "PyAV " + __import__("av").__version__}[backend]()
        res.append(summarize("mmaction2", backend, times, NUM_CLIPS, fc,
                             {"decoder": impl, "out_shape": list(x.shape), "out_dtype": str(x.dtype),
                              "mmcv": mmcv.__version__, "mmaction2": mmaction.__version__}, all_times=alltimes))

        # decode-only: the Init and Decode steps alone on SampleFrames' train draws, from the file and from memory
        init_decode = Compose([mm_pipeline_cfg(backend)[0], mm_pipeline_cfg(backend)[2]])
        sampler = SampleFrames(clip_len=1, frame_interval=1, num_clips=NUM_CLIPS)
        draws = []
        for vi in clip_order(len(videos), clips, seed + 1):
            r = mm_results(videos[vi])
            r["total_frames"] = pipe.transforms[0](dict(r))["total_frames"]
            draws.append(sampler(r))

        def read_decode(r):
            return init_decode(dict(r))["imgs"]
        blobs = {}
        for path, _ in videos:
            with open(path, "rb") as fh:
                blobs[path] = fh.read()
        init_decode_mem = make_mem_decode(backend, blobs)
        for r in draws[:len(videos)]:
            read_decode(r)
        with ForeignCPU() as fc1:
            t_rd, _, _ = clean_loop(draws, read_decode)
        with ForeignCPU() as fc2:
            t_mem, _, _ = clean_loop(draws, init_decode_mem)
        res.append({"mode": "decode_only", "backend": backend, "decoder": impl,
                    "clips_clean": [len(t_rd), len(t_mem)], "frames_per_clip": NUM_CLIPS,
                    "read_decode_frames_per_s": round(len(t_rd) * NUM_CLIPS / sum(t_rd), 1),
                    "mem_decode_frames_per_s": round(len(t_mem) * NUM_CLIPS / sum(t_mem), 1),
                    "read_decode_clips_per_s": round(len(t_rd) / sum(t_rd), 2),
                    "read_decode_ms_per_clip_median": round(statistics.median(t_rd) * 1e3, 3),
                    "mem_decode_ms_per_clip_median": round(statistics.median(t_mem) * 1e3, 3),
                    "foreign_cpu_frac": max(fc1.frac or 0, fc2.frac or 0)})
    return res


def make_mem_decode(backend, blobs):
    """Init + Decode as mmaction2's steps do them, on bytes already in memory (no FileClient read)."""
    if backend == "decord":
        import decord

        def dec(r):
            vr = decord.VideoReader(io.BytesIO(blobs[r["filename"]]), num_threads=1)
            return vr.get_batch(r["frame_inds"]).asnumpy()
        return dec
    import av

    def dec_av(r):
        # PyAVDecode 'accurate': decode in order up to the largest index, keep the asked ones
        inds = r["frame_inds"]
        top, imgs = max(inds), []
        with av.open(io.BytesIO(blobs[r["filename"]])) as c:
            for i, frame in enumerate(c.decode(video=0)):
                if i > top + 1:
                    break
                imgs.append(frame.to_rgb().to_ndarray())
        return [imgs[i] for i in inds]
    return dec_av


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cmd", choices=["gen", "mm"])
    p.add_argument("dir")
    p.add_argument("--videos", type=int, default=40)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--backend", default="decord,pyav", help="comma list of decord, pyav")
    p.add_argument("--clips", type=int, default=128, help="timed clips per backend")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--clean-frac", type=float, default=0.01)
    p.add_argument("--budget", type=float, default=90.0)
    a = p.parse_args()
    global CLEAN_FRAC, BUDGET_S
    CLEAN_FRAC, BUDGET_S = a.clean_frac, a.budget
    if a.cmd == "gen":
        recs = [gen(a.dir, a.videos, a.seconds, seed=a.seed)]
    else:
        recs = bench_mm(a.dir, [b for b in a.backend.split(",") if b], a.clips, a.seed)
    import cv2
    for r in recs:
        r.setdefault("numpy", np.__version__)
        r.setdefault("cv2", cv2.__version__)
        try:
            r["loadavg_1m"] = round(os.getloadavg()[0], 2)
        except OSError:
            pass
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
