#!/usr/bin/env python3
"""Differential check: Reel's `config show --json` against mmcv's own resolution (scripts/mmcv_reference.py).

Usage:
    python3 scripts/mmcv_diffcheck.py --reel .build/release/reel --configs CONFIGS_DIR --expected OUT_DIR [-v]

Comparison is exact: key order, value types (1 != 1.0 != true) and values. Prints one line per differing file
and ends with `identical: N / M`; exit status 1 if any file differs. Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reel", required=True)
    ap.add_argument("--configs", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--only", default="")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    total = identical = 0
    for dirpath, _, names in sorted(os.walk(args.expected)):
        for name in sorted(names):
            if not name.endswith(".py.json") or args.only not in os.path.join(dirpath, name):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), args.expected)[: -len(".json")]
            total += 1
            with open(os.path.join(dirpath, name)) as f:
                expected = normalise(json.load(f, object_pairs_hook=pairs))
            run = subprocess.run([args.reel, "config", "show", os.path.join(args.configs, rel), "--json"],
                                 capture_output=True, text=True, timeout=20)
            if run.returncode != 0:
                print(f"{rel}: reel failed ({run.returncode}): {run.stderr.strip().splitlines()[0] if run.stderr else ''}")
                continue
            got = normalise(json.loads(run.stdout, object_pairs_hook=pairs))
            diff = first_difference(got, expected, [])
            if diff:
                path, a, b = diff
                print(f"{rel}: {'.'.join(path)}: reel {a!r} != mmcv {b!r}")
            else:
                identical += 1
                if args.v:
                    print(f"{rel}: identical")
    print(f"identical: {identical} / {total}")
    sys.exit(0 if identical == total else 1)


if __name__ == "__main__":
    main()
