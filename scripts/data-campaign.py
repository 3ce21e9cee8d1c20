#!/usr/bin/env python3
"""Bad-data campaign: 48 kinds of broken rawframe data × (train, train with skip_broken=True, test).

Each case is a copy of four demo videos (labels 0-3) with one thing broken. Every run is limited to 6 GB of
address space (`ulimit -v 6000000`) and a timeout. Prints a Markdown table and a summary; the campaign passes when
no run crashes (exit >= 128) or times out, and every failing run's message names a file of the case.

    .build/release/reel data demo data/demo        # once
    python3 scripts/data-campaign.py [--reel .build/release/reel] [--out /tmp/reel-datafz] [--only NAME]

Needs only python3 and libturbojpeg (for the CMYK, grayscale and progressive frames).
"""
import argparse, ctypes, os, random, shutil, struct, subprocess, sys, time, zlib

CONFIG = "configs/demo/tsm_r18_demo.py"
MODES = ["train", "skip_broken", "test"]


# --- JPEG and PNG writers ------------------------------------------------------------------------------------------

TJ = ctypes.CDLL("libturbojpeg.so.0")
TJ.tjInitCompress.restype = ctypes.c_void_p
TJPF_RGB, TJPF_GRAY, TJPF_CMYK = 0, 6, 11
TJSAMP_444, TJSAMP_420, TJSAMP_GRAY = 0, 2, 3
TJFLAG_PROGRESSIVE = 16384


def jpeg(width, height, pixels, pf=TJPF_RGB, subsamp=TJSAMP_420, flags=0, quality=90):
    h = ctypes.c_void_p(TJ.tjInitCompress())
    buf, size = ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
    rc = TJ.tjCompress2(h, pixels, width, 0, height, pf, ctypes.byref(buf), ctypes.byref(size), subsamp, quality, flags)
    assert rc == 0, "tjCompress2 failed"
    data = ctypes.string_at(buf, size.value)
    TJ.tjFree(buf)
    TJ.tjDestroy(h)
    return data


def rgb(width, height, seed=0):
    """A horizontal gradient, the same on every row."""
    return bytes((x * 7 + seed) % 256 for x in range(width * 3)) * height


def png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def patched_sof(data, width, height):
    i = data.index(b"\xff\xc0")
    return data[:i + 5] + struct.pack(">HH", height, width) + data[i + 9:]


# --- cases ---------------------------------------------------------------------------------------------------------

def frame(case, video="video_0", n=5):
    return os.path.join(case, "rawframes", video, "img_%05d.jpg" % n)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def replace(path, data):
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    write(path, data)


def whole_video(case, width, height, frames=16, **kw):
    for n in range(1, frames + 1):
        replace(frame(case, n=n), jpeg(width, height, rgb(width, height, n), **kw))


def ann(case, text):
    write(os.path.join(case, "list.txt"), text.encode() if isinstance(text, str) else text)


def lines(case):
    with open(os.path.join(case, "list.txt")) as f:
        return f.read().splitlines()


def set_line0(case, line):
    ls = lines(case)
    ls[0] = line
    ann(case, "\n".join(ls) + "\n")


def huge_frames(case):
    # A real 8000×8000 video (two frames, each sampled four times by the 8-clip sampler).
    shutil.rmtree(os.path.join(case, "rawframes", "video_0"))
    os.makedirs(os.path.join(case, "rawframes", "video_0"))
    for n in (1, 2):
        write(frame(case, n=n), jpeg(8000, 8000, rgb(8000, 8000, n), quality=85))
    set_line0(case, "video_0 2 0")


def frames56(change):
    """Applies `change(path)` to img_00005 and img_00006 of video_0: the training sampler reads one of them, the
    test sampler reads img_00006."""
    return lambda c: [change(frame(c, n=n)) for n in (5, 6)]


def remove(path):
    os.remove(path)


CASES = {
    # frames: img_00005 and img_00006 of video_0 unless said otherwise
    "corrupt_header": frames56(lambda f: replace(f, bytes([0xFF, 0xD8]) + random.Random(1).randbytes(600))),
    "truncated": frames56(lambda f: replace(f, open(f, "rb").read()[:300])),
    "zero_byte": frames56(lambda f: replace(f, b"")),
    "png": frames56(lambda f: replace(f, png(64, 64))),
    "text": frames56(lambda f: replace(f, b"hello, I am not a picture\n")),
    "cmyk": frames56(lambda f: replace(f, jpeg(64, 64, bytes(64 * 64 * 4), pf=TJPF_CMYK, subsamp=TJSAMP_444))),
    "grayscale_video": lambda c: [replace(frame(c, n=n), jpeg(64, 64, bytes(x % 256 for x in range(64 * 64)), pf=TJPF_GRAY,
                                                          subsamp=TJSAMP_GRAY)) for n in range(1, 17)],
    "progressive_video": lambda c: whole_video(c, 64, 64, flags=TJFLAG_PROGRESSIVE),
    "odd_size_video_65x37": lambda c: whole_video(c, 65, 37),
    "one_pixel_video": lambda c: whole_video(c, 1, 1),
    "one_odd_frame_8x8": frames56(lambda f: replace(f, jpeg(8, 8, rgb(8, 8)))),
    "video_8000x8000": huge_frames,
    "dimension_bomb": frames56(lambda f: replace(f, patched_sof(jpeg(8, 8, rgb(8, 8)), 65000, 65000))),
    "missing_frame": frames56(remove),
    "frame_is_dir": frames56(lambda f: (os.remove(f), os.mkdir(f))),
    "frame_symlink_dev_zero": frames56(lambda f: (os.remove(f), os.symlink("/dev/zero", f))),
    "frame_is_fifo": frames56(lambda f: (os.remove(f), os.mkfifo(f))),
    "missing_video_dir": lambda c: shutil.rmtree(os.path.join(c, "rawframes", "video_0")),
    "empty_video_dir": lambda c: [os.remove(frame(c, n=n)) for n in range(1, 17)],
    # annotation lines
    "ann_1_column": lambda c: set_line0(c, "video_0"),
    "ann_2_columns": lambda c: set_line0(c, "video_0 16"),
    "ann_4_columns": lambda c: set_line0(c, "video_0 16 0 1"),
    "ann_blank_line": lambda c: ann(c, "\n".join(lines(c)[:2] + [""] + lines(c)[2:]) + "\n"),
    "ann_tabs": lambda c: ann(c, "\n".join("\t".join(l.split()) for l in lines(c)) + "\n"),
    "ann_crlf": lambda c: ann(c, "\r\n".join(lines(c)) + "\r\n"),
    "ann_no_final_newline": lambda c: ann(c, "\n".join(lines(c))),
    "total_frames_-5": lambda c: set_line0(c, "video_0 -5 0"),
    "total_frames_0": lambda c: set_line0(c, "video_0 0 0"),
    "total_frames_16.5": lambda c: set_line0(c, "video_0 16.5 0"),
    "total_frames_abc": lambda c: set_line0(c, "video_0 abc 0"),
    "total_frames_40": lambda c: set_line0(c, "video_0 40 0"),
    "total_frames_1e12": lambda c: set_line0(c, "video_0 1000000000000 0"),
    "total_frames_2^63-1": lambda c: set_line0(c, "video_0 %d 0" % (2**63 - 1)),
    "total_frames_2^64": lambda c: set_line0(c, "video_0 %d 0" % 2**64),
    "label_-1": lambda c: set_line0(c, "video_0 16 -1"),
    "label_8": lambda c: set_line0(c, "video_0 16 8"),
    "label_999999": lambda c: set_line0(c, "video_0 16 999999"),
    "label_2^63-1": lambda c: set_line0(c, "video_0 16 %d" % (2**63 - 1)),
    "label_x": lambda c: set_line0(c, "video_0 16 x"),
    # annotation files
    "ann_empty": lambda c: ann(c, ""),
    "ann_blank": lambda c: ann(c, "\n  \n\t\n"),
    "ann_binary": lambda c: ann(c, random.Random(2).randbytes(4096)),
    "ann_is_dir": lambda c: (os.remove(os.path.join(c, "list.txt")), os.mkdir(os.path.join(c, "list.txt"))),
    "ann_symlink_dev_zero": lambda c: (os.remove(os.path.join(c, "list.txt")), os.symlink("/dev/zero", os.path.join(c, "list.txt"))),
    "path_traversal": lambda c: set_line0(c, "../../" + os.path.basename(c) + "/rawframes/video_0 16 0"),
    "absolute_path": lambda c: set_line0(c, os.path.join(c, "rawframes", "video_0") + " 16 0"),
    "one_item": lambda c: ann(c, lines(c)[0] + "\n"),
    "line_10MB": lambda c: set_line0(c, "v" * (10 << 20) + " 16 0"),
}


def make_case(root, name, demo):
    case = os.path.join(root, "cases", name)
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(os.path.join(case, "rawframes"))
    with open(os.path.join(demo, "train_list.txt")) as f:
        picked = {}
        for line in f:
            d, total, label = line.split()
            if int(label) < 4 and int(label) not in picked:
                picked[int(label)] = d
    for label, d in sorted(picked.items()):
        shutil.copytree(os.path.join(demo, "rawframes", d), os.path.join(case, "rawframes", "video_%d" % label))
    ann(case, "".join("video_%d 16 %d\n" % (label, label) for label in sorted(picked)))
    CASES[name](case)
    return case


# --- runs ----------------------------------------------------------------------------------------------------------

def run(reel, args, timeout):
    cmd = "ulimit -v 6000000; exec %s %s" % (reel, " ".join("'%s'" % a.replace("'", "'\\''") for a in args))
    start = time.time()
    try:
        p = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(errors="replace")
    if isinstance(rc, int) and rc < 0:
        rc = 128 - rc  # killed by a signal, as a shell reports it
    return rc, out, err, time.time() - start


def mode_args(mode, case, root, ckpt):
    a = os.path.join(case, "list.txt")
    p = os.path.join(case, "rawframes")
    if mode == "test":
        return ["test", CONFIG, ckpt, "--cfg-options", "data.test.ann_file=" + a, "data.test.data_prefix=" + p]
    opts = ["total_epochs=1", "checkpoint_config.interval=100", "data.train.ann_file=" + a, "data.train.data_prefix=" + p]
    if mode == "skip_broken":
        opts.append("data.train.skip_broken=True")
    return ["train", CONFIG, "--no-tui", "--seed", "0", "--work-dir", os.path.join(root, "work", os.path.basename(case), mode),
            "--cfg-options"] + opts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reel", default=".build/release/reel")
    ap.add_argument("--demo", default="data/demo")
    ap.add_argument("--out", default="/tmp/reel-datafz")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--only", action="append")
    o = ap.parse_args()
    reel = os.path.abspath(o.reel)
    os.makedirs(o.out, exist_ok=True)
    # A checkpoint for `reel test`, trained on the clean demo data.
    ckpt = os.path.join(o.out, "ckpt", "epoch_1.safetensors")
    if not os.path.exists(ckpt):
        rc, _, err, _ = run(reel, ["train", CONFIG, "--no-tui", "--seed", "0", "--work-dir", os.path.dirname(ckpt),
                                   "--cfg-options", "total_epochs=1", "checkpoint_config.interval=1"], 600)
        assert rc == 0, err
    names = o.only or list(CASES)
    print("| case | mode | exit | s | message (last stderr line, or the skip warnings) |")
    print("|---|---|---|---|---|")
    crashes, unnamed, results = [], [], []
    for name in names:
        case = make_case(o.out, name, o.demo)
        for mode in MODES:
            rc, out, err, secs = run(reel, mode_args(mode, case, o.out, ckpt), o.timeout)
            last = (err.strip().splitlines() or [""])[-1]
            skips = [l for l in out.splitlines() if "skip_broken: skipped" in l]
            shown = last if rc != 0 else ("%d skip warning(s): %s" % (len(skips), skips[0]) if skips else "ok")
            if len(shown) > 300:
                shown = shown[:300] + "…"
            print("| %s | %s | %s | %.1f | %s |" % (name, mode, rc, secs, shown.replace("|", "\\|").replace(o.out, "<out>")))
            sys.stdout.flush()
            results.append((name, mode, rc))
            if rc == "timeout" or rc >= 128:
                crashes.append((name, mode, rc))
            elif rc != 0 and "/cases/" + name + "/" not in last:
                unnamed.append((name, mode, last))
    ok = sum(1 for r in results if r[2] == 0)
    errors = sum(1 for r in results if r[2] not in (0, "timeout") and r[2] < 128)
    print("\n%d runs: %d exit 0, %d clear errors (exit 1-127), %d crashes or timeouts, %d errors without the case's file"
          % (len(results), ok, errors, len(crashes), len(unnamed)))
    for c in crashes:
        print("CRASH", *c)
    for u in unnamed:
        print("UNNAMED", *u)
    sys.exit(1 if crashes or unnamed else 0)


if __name__ == "__main__":
    main()
