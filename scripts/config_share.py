#!/usr/bin/env python3
"""Which of mmaction2 0.24.1's RGB recognition configs Reel can build: runs `reel config check --build` on every
config under CONFIGS/recognition (not `_base_`), counts those of a Recognizer2D/3D on RGB frames or videos (audio,
skeleton, detection and localization live in other folders; flow-modality configs and torchvision/timm/mmcls
backbones are left out, as the issue asks), and prints the pass share per backbone and every failure with its reason.

  python3 scripts/config_share.py /work/mmcfg/mmaction2-0.24.1/configs [--reel .build/release/reel] [--json OUT]

The classification reads each config through `reel config show --json` (Reel's own resolver), so no Python
package is needed. Backbones the issue names (TSN/TSM and the 3-D family) are the goal set.
"""
import argparse, collections, glob, json, os, subprocess, sys, time

GOAL = {"ResNet", "ResNetTSM", "ResNet3d", "ResNet3dSlowOnly", "ResNet3dSlowFast", "C3D", "ResNet2Plus1d",
        "ResNet3dCSN", "X3D"}


def resolved(reel, path):
    out = subprocess.run([reel, "config", "show", "--json", path], capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[:1]
    return json.loads(out.stdout), None


def classify(cfg):
    """(counted, backbone, why not counted)."""
    model = cfg.get("model") or {}
    rtype = model.get("type")
    if rtype not in ("Recognizer2D", "Recognizer3D"):
        return False, None, f"model type {rtype}"
    backbone = (model.get("backbone") or {}).get("type", "?")
    if any(backbone.startswith(p) for p in ("torchvision.", "timm.", "mmcls.")):
        return False, backbone, "external backbone"
    train = ((cfg.get("data") or {}).get("train") or {})
    if isinstance(train, list):  # OmniSource trains on several datasets; the first is the video/frame one
        train = train[0] if train else {}
    while isinstance(train.get("dataset"), dict):  # RepeatDataset and other wrappers
        train = train["dataset"]
    modality = train.get("modality", "RGB")
    if modality != "RGB":
        return False, backbone, f"modality {modality}"
    return True, backbone, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs")
    ap.add_argument("--reel", default=".build/release/reel")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", help="write the per-config results here")
    a = ap.parse_args()
    rows = []
    files = sorted(f for f in glob.glob(os.path.join(a.configs, "recognition", "**", "*.py"), recursive=True)
                   if "/_base_/" not in f)
    for path in files:
        rel = os.path.relpath(path, a.configs)
        cfg, err = resolved(a.reel, path)
        if cfg is None:
            rows.append(dict(config=rel, counted=True, backbone="?", ok=False, reason="resolve: " + " ".join(err)))
            continue
        counted, backbone, why = classify(cfg)
        if not counted:
            rows.append(dict(config=rel, counted=False, backbone=backbone, ok=None, reason=why))
            continue
        t0 = time.time()
        try:
            out = subprocess.run([a.reel, "config", "check", "--build", path], capture_output=True, text=True,
                                 timeout=a.timeout)
            ok = out.returncode == 0
            lines = [l for l in out.stderr.splitlines() if "error:" in l] or out.stderr.strip().splitlines()[-1:]
            reason = None if ok else (lines[0] if lines else f"exit {out.returncode}")
        except subprocess.TimeoutExpired:
            ok, reason = False, f"timed out after {a.timeout:.0f} s"
        rows.append(dict(config=rel, counted=True, backbone=backbone, ok=ok, reason=reason,
                         seconds=round(time.time() - t0, 1)))
        print(f"{'ok  ' if ok else 'FAIL'} {rel}" + ("" if ok else f": {reason}"), file=sys.stderr, flush=True)
    counted = [r for r in rows if r["counted"]]
    goal = [r for r in counted if r["backbone"] in GOAL]
    per = collections.defaultdict(lambda: [0, 0])
    for r in counted:
        per[r["backbone"]][0] += bool(r["ok"])
        per[r["backbone"]][1] += 1
    print(f"RGB recognition configs: {sum(bool(r['ok']) for r in counted)} of {len(counted)} pass `reel config check --build`"
          f"; goal set (TSN/TSM and the 3-D backbones): {sum(bool(r['ok']) for r in goal)} of {len(goal)}")
    print("| backbone | pass | of |")
    print("|---|---|---|")
    for b, (ok, n) in sorted(per.items(), key=lambda kv: -kv[1][1]):
        print(f"| {b}{'' if b in GOAL else ' (not in the goal set)'} | {ok} | {n} |")
    print("\nNot counted:", ", ".join(f"{r['config']} ({r['reason']})" for r in rows if not r["counted"]))
    print("\nFailures:")
    for r in counted:
        if not r["ok"]:
            print(f"- {r['config']} [{r['backbone']}]: {r['reason']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
