#!/usr/bin/env python3
"""Quick self-check of the config loader against mutated configs (not the permanent fuzz harness).

Makes N mutants of the configs under configs/ (truncations, bit flips, byte edits, a token repeated up to 50,000
times, line repeats, splices of two files), runs `reel config show MUTANT --json` on each with a 5 s timeout and
`ulimit -v 4000000`, and prints the count of each outcome. A crash (exit >= 128) or a timeout is a bug; exit 0 must
print strict JSON. Usage: scripts/config-fuzz-check.py [N] [SEED]   (from the repository root, after a release build)
"""
import collections, json, os, random, resource, shutil, subprocess, sys, tempfile

REEL = os.path.abspath(".build/release/reel")
TOKENS = ["{", "[", "(", "-", "+", "not ", "~", "**2", "+1", "*1", "[0]", "(1)", "{{", "}}", "'{'", "{**", "1 if 1 else ",
          " for i in range(9)", "f'{", "dict(a=", "a = [a]\n", "a = a + a\n", "\\\n", "lambda: ", "'", '"""', "\0", "\x1b[2J"]


def mutate(rng, seeds):
    name, text = rng.choice(seeds)
    b = bytearray(text.encode())
    kind = rng.randrange(6)
    if kind == 0:                                   # truncation
        b = b[: rng.randrange(len(b) + 1)]
    elif kind == 1:                                 # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b)); b[i] ^= 1 << rng.randrange(8)
    elif kind == 2:                                 # byte edits from the syntax alphabet
        alphabet = b"()[]{},:='\"#\\.+-*/%<>!@0123456789eE_ abxyz\n\t"
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.choice(alphabet)
    elif kind == 3:                                 # one token repeated up to 50,000 times
        tok = rng.choice(TOKENS).encode()
        n = rng.choice([10, 100, 1000, 5000, 20000, 50000])
        i = rng.randrange(len(b) + 1)
        b[i:i] = tok * n
    elif kind == 4:                                 # a line repeated
        lines = text.splitlines(keepends=True)
        k = rng.randrange(len(lines))
        lines[k:k + 1] = [lines[k]] * rng.choice([2, 100, 10000])
        b = bytearray("".join(lines).encode())
    else:                                           # splice two files
        other = rng.choice(seeds)[1].encode()
        b = b[: rng.randrange(len(b) + 1)] + other[rng.randrange(len(other) + 1):]
    return name, bytes(b), kind


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (4_000_000 * 1024, 4_000_000 * 1024))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    work = tempfile.mkdtemp(prefix="reel-cfgfuzz-")
    shutil.copytree("configs", os.path.join(work, "configs"))
    seeds = []
    for root, _, files in os.walk(os.path.join(work, "configs")):
        for f in files:
            if f.endswith(".py"):
                p = os.path.join(root, f)
                seeds.append((p, open(p).read()))
    outcomes, bad = collections.Counter(), []
    kinds = ["truncate", "bitflip", "edit", "repeat-token", "repeat-line", "splice"]
    for k in range(n):
        seed_path, data, kind = mutate(rng, seeds)
        path = os.path.join(os.path.dirname(seed_path), f"mutant_{k}.py")
        with open(path, "wb") as f:
            f.write(data)
        try:
            r = subprocess.run([REEL, "config", "show", path, "--json"], capture_output=True, timeout=5,
                               preexec_fn=limit)
            code = r.returncode if r.returncode >= 0 else 128 - r.returncode
            outcome = f"exit {code}"
            if code == 0:
                try:
                    json.loads(r.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                except ValueError:
                    outcome = "exit 0, not strict JSON"
            elif code == 2 and b"error:" not in r.stderr:
                outcome = "exit 2 without a located error"
        except subprocess.TimeoutExpired:
            outcome = "timeout (5 s)"
        outcomes[outcome] += 1
        if outcome not in ("exit 0", "exit 2"):
            keep = os.path.join(work, f"bad_{k}_{kinds[kind]}.py")
            shutil.copy(path, keep)
            bad.append((outcome, keep))
        os.remove(path)
    for outcome, count in sorted(outcomes.items()):
        print(f"{count:6d}  {outcome}")
    for outcome, keep in bad[:20]:
        print(f"  {outcome}: {keep}")
    if not bad:
        shutil.rmtree(work)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
