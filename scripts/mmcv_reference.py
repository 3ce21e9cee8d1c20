#!/usr/bin/env python3
"""Writes mmcv's resolution of every config under a directory as JSON (the reference side of the differential check).

Usage (in a venv with mmcv==1.7.2 from PyPI):
    python scripts/mmcv_reference.py CONFIGS_DIR OUT_DIR

For each *.py below CONFIGS_DIR (the `_base_` files too: each is a config of its own) it writes OUT_DIR/<relative path>.json:
mmcv.Config.fromfile(path) as JSON in the config's key order, tuples and range objects as lists, dict keys as
json.dumps writes them. OUT_DIR/summary.json lists files mmcv itself cannot load and values it cannot convert.
"""
import json
import os
import sys


def to_plain(value, path, problems):
    """Config values -> JSON-able values, keeping order; records what cannot be converted."""
    if isinstance(value, dict):
        return {k: to_plain(v, path + [str(k)], problems) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, path + [str(i)], problems) for i, v in enumerate(value)]
    if isinstance(value, range):
        return list(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    problems.append({"path": ".".join(path), "type": type(value).__name__})
    return repr(value)


def main():
    from mmcv import Config

    root, out = sys.argv[1], sys.argv[2]
    summary = {"loaded": 0, "failed": {}, "conversion_problems": {}}
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            try:
                cfg = Config.fromfile(path)
            except Exception as e:  # mmcv's own failure is data for the report
                summary["failed"][rel] = f"{type(e).__name__}: {e}"
                if isinstance(e, ImportError):
                    try:  # mmcv raises a bare ImportError for custom_imports it cannot import: name them
                        imports = Config.fromfile(path, import_custom_modules=False).get("custom_imports")
                        summary["failed"][rel] += f"custom_imports {imports['imports']!r} not installed"
                    except Exception:
                        pass
                continue
            problems = []
            plain = to_plain(cfg._cfg_dict.to_dict(), [], problems)
            if problems:
                summary["conversion_problems"][rel] = problems
            target = os.path.join(out, rel + ".json")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                json.dump(plain, f, indent=1)
            summary["loaded"] += 1
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"loaded {summary['loaded']}, failed {len(summary['failed'])}, "
          f"with conversion problems {len(summary['conversion_problems'])}")


if __name__ == "__main__":
    main()
