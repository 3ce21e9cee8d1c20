#!/usr/bin/env python3
"""Differential check: Reel's `config show --json` against mmcv's own resolution (scripts/mmcv_reference.py).

Usage, over the configs that OpenMMLab packages of the mmcv 1.x era ship (each wheel carries `<pkg>/.mim/configs`):
    python3 scripts/mmcv_diffcheck.py --reel .build/release/reel --work /tmp/mmcfg --python VENV/bin/python \\
        [--repo mmaction2==0.24.1 --repo mmsegmentation==0.30.0 ...] [--only SUBSTRING] [-v]
  For each repo, WORK/NAME-VERSION/configs is filled from the wheel (`pip download --no-deps`, standard pip of this
  python) unless it exists, and WORK/NAME-VERSION/expected by running scripts/mmcv_reference.py under --python (a
  venv with mmcv==1.7.2) unless its summary.json exists. Without --repo: the DEFAULT_REPOS below.
Or over one directory already resolved by mmcv_reference.py:
    python3 scripts/mmcv_diffcheck.py --reel .build/release/reel --configs CONFIGS_DIR --expected OUT_DIR [-v]

Comparison is exact: key order, value types (1 != 1.0 != true) and values. Per repo it prints one line per
differing file (with -v also the identical ones), the differences grouped by cause, and
`NAME VERSION: identical N / M (mmcv cannot load K)`: M counts the files mmcv loads; the K files mmcv itself fails
on (custom_imports of packages not installed, imports) are not Reel's failures and are listed apart.
Exit status 1 if any file differs. Standard library only.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import zipfile

DEFAULT_REPOS = ["mmaction2==0.24.1", "mmsegmentation==0.30.0", "mmpose==0.29.0", "mmocr==0.6.3"]
HERE = os.path.dirname(os.path.abspath(__file__))


def pairs(obj):
    return ("dict", [(k, v) for k, v in obj])


def normalise(v):
    """json.loads(object_pairs_hook=pairs) output -> comparable, order-keeping, type-tagged structure."""
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "dict":
        return ("dict", [(k, normalise(x)) for k, x in v[1]])
    if isinstance(v, list):
        return ("list", [normalise(x) for x in v])
    return (type(v).__name__, v)


def first_difference(a, b, path):
    if a[0] != b[0]:
        return path, a, b
    if a[0] == "dict":
        ka, kb = [k for k, _ in a[1]], [k for k, _ in b[1]]
        if ka != kb:
            return path + ["<keys>"], ka, kb
        for (k, x), (_, y) in zip(a[1], b[1]):
            d = first_difference(x, y, path + [k])
            if d:
                return d
        return None
    if a[0] == "list":
        if len(a[1]) != len(b[1]):
            return path + ["<len>"], len(a[1]), len(b[1])
        for i, (x, y) in enumerate(zip(a[1], b[1])):
            d = first_difference(x, y, path + [str(i)])
            if d:
                return d
        return None
    same = a[1] == b[1] or (a[0] == "float" and a[1] != a[1] and b[1] != b[1])
    return None if same else (path, a, b)


def fetch_configs(spec, work):
    """WORK/NAME-VERSION/configs from the package's wheel; returns that directory."""
    name, version = spec.split("==")
    root = os.path.join(work, f"{name}-{version}")
    configs = os.path.join(root, "configs")
    if os.path.isdir(configs):
        return configs
    wheels = os.path.join(work, "wheels")
    os.makedirs(wheels, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                    "-d", wheels, spec], check=True)
    prefix = name.replace("-", "_").lower() + "-" + version + "-"
    wheel = next(os.path.join(wheels, w) for w in sorted(os.listdir(wheels))
                 if w.lower().startswith(prefix) and w.endswith(".whl"))
    with zipfile.ZipFile(wheel) as z:
        for member in z.namelist():
            m = re.match(r"[^/]+/\.mim/configs/(.+)$", member)
            if m and not member.endswith("/"):
                target = os.path.join(configs, m.group(1))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as f:
                    f.write(z.read(member))
    if not os.path.isdir(configs):
        sys.exit(f"{wheel} ships no .mim/configs")
    return configs


def reference(configs, expected, python):
    if os.path.exists(os.path.join(expected, "summary.json")):
        return
    if not python:
        sys.exit(f"{expected} has no mmcv reference yet: give --python (a venv with mmcv==1.7.2)")
    subprocess.run([python, os.path.join(HERE, "mmcv_reference.py"), configs, expected], check=True)


def cause_of_refusal(stderr):
    """The first line of Reel's error without its location, so equal causes group together."""
    line = stderr.strip().splitlines()[0] if stderr.strip() else "(no message)"
    return "reel refused: " + re.sub(r"^.*?:\d+:\d+: error: |^error: ", "", line)


def cause_of_difference(path, a, b):
    keys = [p for p in path if not p.isdigit() and not p.startswith("<")]
    where = keys[-1] if keys else "<root>"
    kind = path[-1] if path and path[-1].startswith("<") else f"{a[0]} vs {b[0]}" if isinstance(a, tuple) else ""
    return f"differs at '{where}' ({kind})"


def compare(label, reel, configs, expected, only, verbose):
    total = identical = 0
    causes = collections.defaultdict(list)
    for dirpath, _, names in sorted(os.walk(expected)):
        for name in sorted(names):
            if not name.endswith(".py.json") or only not in os.path.join(dirpath, name):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), expected)[: -len(".json")]
            total += 1
            with open(os.path.join(dirpath, name)) as f:
                want = normalise(json.load(f, object_pairs_hook=pairs))
            run = subprocess.run([reel, "config", "show", os.path.join(configs, rel), "--json"],
                                 capture_output=True, text=True, timeout=20)
            if run.returncode != 0:
                print(f"{label} {rel}: reel failed ({run.returncode}): "
                      f"{run.stderr.strip().splitlines()[0] if run.stderr.strip() else ''}")
                causes[cause_of_refusal(run.stderr)].append(rel)
                continue
            got = normalise(json.loads(run.stdout, object_pairs_hook=pairs))
            diff = first_difference(got, want, [])
            if diff:
                path, a, b = diff
                print(f"{label} {rel}: {'.'.join(path)}: reel {a!r} != mmcv {b!r}")
                causes[cause_of_difference(path, a, b)].append(rel)
            else:
                identical += 1
                if verbose:
                    print(f"{label} {rel}: identical")
    summary_path = os.path.join(expected, "summary.json")
    failed = {}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            failed = json.load(f).get("failed", {})
    mmcv_causes = collections.Counter(re.sub(r"'[^']*'", "'…'", e.splitlines()[0])[:100] for e in failed.values())
    for cause, files in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(files):4d}  {cause}  (e.g. {files[0]})")
    for cause, n in mmcv_causes.most_common():
        print(f"  mmcv cannot load {n:4d}: {cause}")
    print(f"{label}: identical {identical} / {total} (mmcv cannot load {len(failed)})")
    return identical, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reel", required=True)
    ap.add_argument("--configs")
    ap.add_argument("--expected")
    ap.add_argument("--work", help="where configs and mmcv's results per repo are kept")
    ap.add_argument("--repo", action="append", help="NAME==VERSION of a package whose wheel ships .mim/configs")
    ap.add_argument("--python", help="the python of a venv with mmcv==1.7.2, to make the reference")
    ap.add_argument("--only", default="")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    results = []
    if args.configs:
        reference(args.configs, args.expected, args.python)
        results.append(compare("configs", args.reel, args.configs, args.expected, args.only, args.v))
    else:
        if not args.work:
            ap.error("give --work (and --repo) or --configs and --expected")
        for spec in args.repo or DEFAULT_REPOS:
            configs = fetch_configs(spec, args.work)
            expected = os.path.join(os.path.dirname(configs), "expected")
            reference(configs, expected, args.python)
            results.append(compare(spec.replace("==", " "), args.reel, configs, expected, args.only, args.v))
    identical, total = sum(r[0] for r in results), sum(r[1] for r in results)
    if len(results) > 1:
        print(f"all: identical {identical} / {total}")
    sys.exit(0 if identical == total else 1)


if __name__ == "__main__":
    main()
