#!/usr/bin/env python3
"""Differential check of Reel's video reader (issue 17) against decord, PyAV and OpenCV.

Makes its own videos with PyAV in a temp dir (h264 and mpeg4; odd sizes; B-frames; variable frame rate; a display
matrix; a long GOP; colour tags; an edit list) and for each compares
  (a) frame counts: Reel's frameCount (`reel inspect video --json`) vs decord len(), PyAV stream.frames (the
      container's nb_frames), OpenCV CAP_PROP_FRAME_COUNT, and the frames PyAV actually decodes;
  (b) pixels of random index lists (unsorted, with repeats) decoded by Reel (`reel inspect video --frames --raw`)
      vs decord get_batch (its accurate seek) and PyAV (every frame decoded in order, frame.to_rgb()).
Prints a markdown table (per video and backend: max and mean absolute difference, share of identical pixels).

Tolerance (exit 1 beyond it), on the videos not marked as a known difference (the Known column):
  - Reel's frame count equals the frames PyAV decodes and decord's len();
  - against PyAV and decord: max |diff| <= MAX_ABS and mean |diff| <= MEAN_ABS per video (uint8 RGB).
The known differences (KNOWN, per video and backend) are reported, not enforced; docs/video-differential.md
explains each.

usage: /work/venv-torch/bin/python scripts/video_differential.py REEL [--markdown OUT.md] [--keep DIR] [--seed N]
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

import numpy as np
import av

MAX_ABS = 3
MEAN_ABS = 0.25

try:
    import decord
except ImportError:  # decord has no wheels for some platforms: PyAV alone then
    decord = None
try:
    import cv2
except ImportError:
    cv2 = None


def content(i, w, h, seed):
    """Frame i: a drifting two-colour gradient, saturated moving boxes (chroma edges) and noise."""
    rng = np.random.default_rng(seed * 100003 + i)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(0.05 * i) * xx / w + np.sin(0.05 * i) * yy / h + 1) / 3
    img = np.stack([40 + 180 * t, 200 - 150 * t, 90 + 60 * np.sin(xx / 7 + i / 5)], -1)
    for k, col in enumerate([(250, 20, 20), (20, 220, 40), (30, 40, 240)]):
        x0 = int((i * (3 + 2 * k) + 17 * k) % max(1, w - 10))
        y0 = int((i * (2 + k) + 11 * k) % max(1, h - 8))
        img[y0:y0 + 8, x0:x0 + 10] = col
    img += rng.normal(0, 5, img.shape)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def encode(path, codec, w, h, n, seed, pix_fmt="yuv420p", options=None, durations=None, rotation=None,
           colorspace=None, color_range=None, rate=30):
    """Writes n frames of `content` with PyAV; durations (in 1/rate units) make the frame rate variable."""
    out = av.open(path, "w")
    s = out.add_stream(codec, rate=rate)
    s.width, s.height, s.pix_fmt = w, h, pix_fmt
    s.codec_context.time_base = Fraction(1, rate)
    if options:
        s.options = options
    if colorspace is not None:  # tag the stream BT.709 (matrix, primaries, transfer), as HD camera files are
        cs = int(getattr(av.video.reformatter.Colorspace, colorspace))
        s.codec_context.colorspace = cs
        s.codec_context.color_primaries = cs
        s.codec_context.color_trc = cs
    if color_range is not None:
        s.codec_context.color_range = color_range
    if rotation is not None:
        s.set_display_rotation(rotation)
    pts = 0
    for i in range(n):
        f = av.VideoFrame.from_ndarray(content(i, w, h, seed), format="rgb24")
        if colorspace is not None or color_range is not None:
            f = f.reformat(format=pix_fmt, dst_colorspace=colorspace, dst_color_range=color_range)
        f.pts, f.time_base = pts, Fraction(1, rate)
        pts += durations[i] if durations else 1
        for p in s.encode(f):
            out.mux(p)
    for p in s.encode():
        out.mux(p)
    out.close()


def make_videos(d, seed):
    """(name, path) for every test video."""
    x264 = lambda **kw: {"crf": "20", **{k.replace("_", "-"): str(v) for k, v in kw.items()}}  # noqa: E731
    vids = []

    def add(name, **kw):
        p = os.path.join(d, name)
        encode(p, seed=seed, **kw)
        vids.append((name, p))

    add("h264_bframes.mp4", codec="libx264", w=160, h=120, n=60, options=x264(bf=3, g=12, keyint_min=12))
    add("h264_odd_yuv444p.mp4", codec="libx264", w=65, h=37, n=40, pix_fmt="yuv444p", options=x264(bf=2, g=15))
    add("h264_bframes.mkv", codec="libx264", w=96, h=64, n=50, options=x264(bf=2, g=10))
    add("mpeg4_odd.avi", codec="mpeg4", w=65, h=37, n=40, options={"qscale": "3", "bf": "1", "g": "12"})
    add("mpeg4_bframes.mp4", codec="mpeg4", w=96, h=64, n=45, options={"qscale": "3", "bf": "2", "g": "15"})
    add("h264_vfr.mp4", codec="libx264", w=96, h=64, n=48, durations=[3 if i % 4 == 0 else 1 for i in range(48)],
        options=x264(bf=2, g=16))
    add("h264_rotated90.mp4", codec="libx264", w=96, h=64, n=30, rotation=90, options=x264(bf=1, g=10))
    add("h264_long_gop.mp4", codec="libx264", w=340, h=256, n=300, options=x264(bf=3))  # x264 default keyint 250
    add("h264_bt709.mp4", codec="libx264", w=160, h=120, n=30, colorspace="ITU709", options=x264(bf=2, g=12))
    add("h264_fullrange.mp4", codec="libx264", w=160, h=120, n=30, pix_fmt="yuvj420p", options=x264(bf=2, g=12))
    # A stream copy cut mid-GOP: the mp4 gets an edit list starting after a keyframe (ffmpeg's CLI, if present).
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        src = os.path.join(d, "h264_bframes.mp4")
        p = os.path.join(d, "h264_editlist.mp4")
        r = subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", "0.5", "-i", src, "-c", "copy", p])
        if r.returncode == 0:
            vids.append(("h264_editlist.mp4", p))
    return vids


def reel_info(reel, path, frames=None, raw=None):
    args = [reel, "inspect", "video", path, "--json"]
    if frames is not None:
        args += ["--frames", ",".join(map(str, frames)), "--raw", raw]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"reel inspect video {path}: status {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def pyav_all(path):
    """Every frame PyAV decodes, in order, as RGB (frame.to_rgb(), what mmaction2's PyAVDecode keeps)."""
    with av.open(path) as c:
        s = c.streams.video[0]
        nb = s.frames
        frames = [f.to_rgb().to_ndarray() for f in c.decode(video=0)]
    return nb, frames


def stats(a, b):
    d = np.abs(a.astype(np.int16) - b.astype(np.int16))
    same = (d.max(axis=-1) == 0).mean()
    return int(d.max()), float(d.mean()), float(same)


def check(reel, vids, seed, tmp):
    rng = np.random.default_rng(seed)
    rows, failures = [], []
    for name, path in vids:
        info = reel_info(reel, path)
        n = info["frame_count"]
        nb, pyframes = pyav_all(path)
        counts = {"reel": n, "pyav_decoded": len(pyframes), "pyav_nb_frames": nb}
        vr = None
        if decord is not None:
            vr = decord.VideoReader(path, num_threads=1)
            counts["decord"] = len(vr)
        if cv2 is not None:
            cap = cv2.VideoCapture(path)
            counts["cv2"] = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            cap.release()
        if counts["pyav_decoded"] != n:
            failures.append(f"{name}: frame counts {counts}")
        if counts.get("decord", n) != n and (name, "decord") not in KNOWN:
            failures.append(f"{name}: frame counts {counts}")
        m = min(n, len(pyframes), counts.get("decord", n))
        picks = rng.integers(0, m, size=12).tolist()
        picks += [picks[0], picks[5], m - 1, 0]
        rng.shuffle(picks)
        raw = os.path.join(tmp, name + ".rgb")
        reel_info(reel, path, picks, raw)
        ours = np.fromfile(raw, np.uint8).reshape(len(picks), info["height"], info["width"], 3)
        backends = {"pyav": np.stack([pyframes[i] for i in picks])}
        if vr is not None:
            backends["decord"] = vr.get_batch(picks).asnumpy()
        for b, theirs in backends.items():
            note = KNOWN.get((name, b))
            mine = ours
            if theirs.shape != ours.shape and theirs.shape == np.rot90(ours, 1, axes=(1, 2)).shape:
                # decord applies the display matrix: compare with Reel's frames turned 90° counter-clockwise
                mine, b = np.rot90(ours, 1, axes=(1, 2)), b + " (Reel's frames rot90)"
            if theirs.shape != mine.shape:
                rows.append((name, b, counts, None, note))
                if note is None:
                    failures.append(f"{name}: {b} frames are {theirs.shape}, Reel's {ours.shape}")
                continue
            st = stats(mine, theirs)
            rows.append((name, b, counts, st, note))
            if note is None and (st[0] > MAX_ABS or st[1] > MEAN_ABS):
                failures.append(f"{name} vs {b}: max {st[0]}, mean {st[1]:.3f}")
    return rows, failures


def versions():
    v = {"PyAV": av.__version__, "PyAV's FFmpeg libavcodec": ".".join(map(str, av.library_versions["libavcodec"]))}
    if decord is not None:
        v["decord"] = decord.__version__
    if cv2 is not None:
        v["OpenCV"] = cv2.__version__
    v["numpy"] = np.__version__
    try:
        v["Reel's FFmpeg (system) libavcodec"] = subprocess.run(["pkg-config", "--modversion", "libavcodec"],
                                                                capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return v


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def markdown(rows, failures):
    out = [f"Machine: {cpu_model()}; Python {platform.python_version()}; "
           + "; ".join(f"{k} {v}" for k, v in versions().items()) + ".", ""]
    if decord is None:
        out += ["decord is not installed: pixels and counts are compared with PyAV only.", ""]
    out += [f"Tolerance enforced (exit 1 beyond it) where the Known column is empty: Reel's frame count equals the frames "
            f"PyAV decodes and decord's len(); max |diff| <= {MAX_ABS}, mean |diff| <= {MEAN_ABS} (uint8 RGB) per video "
            f"over 16 random indices (unsorted, with repeats).", "",
            "| video | Reel frames | decord len | PyAV nb_frames | PyAV decoded | cv2 count | vs | max abs | mean abs "
            "| identical px | Known |", "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    for name, b, c, st, note in rows:
        s = ("shape differs", "", "") if st is None else (str(st[0]), f"{st[1]:.3f}", f"{100 * st[2]:.1f} %")
        out.append(f"| {name} | {c['reel']} | {c.get('decord', '–')} | {c['pyav_nb_frames']} | {c['pyav_decoded']} | "
                   f"{c.get('cv2', '–')} | {b} | {s[0]} | {s[1]} | {s[2]} | {note or ''} |")
    out += ["", "Result: " + ("within tolerance" if not failures else "FAILED: " + "; ".join(failures))]
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reel")
    p.add_argument("--markdown", help="also write the table to this file")
    p.add_argument("--keep", help="make the videos in this directory and keep them")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="reel-vdiff-")
    os.makedirs(tmp, exist_ok=True)
    try:
        vids = make_videos(tmp, a.seed)
        rows, failures = check(a.reel, vids, a.seed, tmp)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    text = markdown(rows, failures)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")
    sys.exit(1 if failures else 0)


# (video, backend) pairs whose difference is understood (docs/video-differential.md): reported, not enforced.
KNOWN = {
    ("mpeg4_odd.avi", "pyav"): "odd width, 4:2:0: FFmpeg 8's swscale (PyAV 18) converts differently from FFmpeg 5.1's "
                               "(Reel) and decord's; same YUV, Reel = decord exactly",
    ("mpeg4_odd.avi", "decord"): "decord's get_batch seeks wrongly in an AVI with B-frames (asked 30, gave 19); "
                                 "decoded in order it equals Reel exactly",
    ("mpeg4_bframes.mp4", "decord"): "decord's seek lands 2 frames late on MPEG-4 part 2 with B-frames "
                                     "(asked 30, gave 32); in order it equals Reel",
    ("h264_rotated90.mp4", "decord"): "decord 0.6.0 applies the display matrix; Reel and PyAV give the stored frames",
    ("h264_editlist.mp4", "decord"): "decord ignores the edit list: it counts the 3 cut frames (48) and its frame i "
                                     "is Reel's and PyAV's i-3",
}

if __name__ == "__main__":
    main()
