#!/usr/bin/env python3
"""Checks nn gradient rules against central finite differences in float64.

For each public function @f of an MLIR file (nn dialect, float64), the pass
nn-generate-gradient adds @f_grad(x..., dy...) -> (y..., dx...). Both are
compiled into one artifact. At a random point x and random seeds dy, with
L(x) = sum_i <f(x)_i, dy_i>, the gradient's projection on random directions
v is compared with the central difference (L(x + eps v) - L(x - eps v)) /
(2 eps), and tensors of at most 8 elements are also checked element by
element. The oracle is the forward function alone, evaluated by the same
compiled code; the gradient code it checks is independent of it.

Input ranges come from comment lines of the file:
    // gradcheck: FUNCTION INPUT=positive          (uniform in [0.5, 2])
    // gradcheck: FUNCTION INPUT=int:LOW:HIGH      (integer indices, high exclusive)
    // gradcheck: FUNCTION INPUT=away:C            (uniform in [-1, 1], at least 0.05 from C)
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

EPS = 1e-6
DTYPES = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32,
          "bool": np.bool_}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("command failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def signature(bin_dir, so):
    text = subprocess.run([os.path.join(bin_dir, "kiln-run"), so, "--help"],
                          capture_output=True, text=True).stdout
    entries, cur = {}, None
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == "entry":
            cur = entries.setdefault(f[1], {"inputs": [], "outputs": []})
        elif cur is not None and len(f) == 4 and f[0] in ("input", "output"):
            dims = [int(d) for d in f[3].strip("[]").split(",") if d]
            cur[f[0] + "s"].append((f[1], f[2], dims))
    return entries


def hints(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*//\s*gradcheck:\s*(\S+)\s+(.*)", line)
        if m:
            for kv in m.group(2).split():
                k, v = kv.split("=", 1)
                out[(m.group(1), k)] = v
    return out


class Runner:
    def __init__(self, bin_dir, so, work):
        self.bin_dir, self.so, self.work, self.count = bin_dir, so, work, 0

    def __call__(self, entry, inputs, outputs):
        self.count += 1
        d = os.path.join(self.work, "run%d" % self.count)
        os.makedirs(d, exist_ok=True)
        cmd = [os.path.join(self.bin_dir, "kiln-run"), self.so, "--entry", entry,
               "--output-dir", d]
        for name, value in inputs.items():
            f = os.path.join(d, "in_%d.npy" % len(cmd))
            np.save(f, value)
            cmd += ["--input", "%s=%s" % (name, f)]
        run(cmd)
        return [np.load(os.path.join(d, name + ".npy")) for name, _, _ in outputs]


def sample(rng, fn, name, dtype, dims, hint):
    h = hint.get((fn, name), "")
    if h.startswith("int:"):
        lo, hi = (int(x) for x in h[4:].split(":"))
        return rng.integers(lo, hi, size=dims).astype(DTYPES[dtype])
    if dtype == "bool":
        return rng.integers(0, 2, size=dims).astype(np.bool_)
    if h == "positive":
        return rng.uniform(0.5, 2.0, size=dims).astype(DTYPES[dtype])
    x = rng.uniform(-1.0, 1.0, size=dims)
    if h.startswith("away:"):
        c = float(h[5:])
        x = np.where(np.abs(x - c) < 0.05, c + 0.05 * np.sign(x - c + 1e-12), x)
    return x.astype(DTYPES[dtype])


def check_function(fn, sig, call, rng, hint, tol):
    fwd, grad = sig[fn], sig[fn + "_grad"]
    x = {n: sample(rng, fn, n, t, d, hint) for n, t, d in fwd["inputs"]}
    floats = [n for n, t, _ in fwd["inputs"] if t == "f64"]
    seeds = {}
    for n, t, d in fwd["outputs"]:
        if t == "f64":
            seeds["d_" + n] = rng.standard_normal(d)
    outs = call(fn + "_grad", {**x, **seeds}, grad["outputs"])
    by_name = {n: v for (n, _, _), v in zip(grad["outputs"], outs)}
    dx = {n: by_name["d_" + n] for n in floats}

    def loss(point):
        ys = call(fn, point, fwd["outputs"])
        return sum(float(np.sum(y * seeds["d_" + n])) for (n, t, _), y in zip(fwd["outputs"], ys)
                   if t == "f64")

    def fd(direction):
        plus = {n: (x[n] + EPS * direction[n] if n in direction else x[n]) for n in x}
        minus = {n: (x[n] - EPS * direction[n] if n in direction else x[n]) for n in x}
        return (loss(plus) - loss(minus)) / (2 * EPS)

    worst = 0.0
    checks = []
    for _ in range(2):
        checks.append({n: rng.standard_normal(x[n].shape) for n in floats})
    for n in floats:
        if 0 < x[n].size <= 8:
            for i in range(x[n].size):
                e = np.zeros(x[n].size)
                e[i] = 1.0
                checks.append({n: e.reshape(x[n].shape)})
    for v in checks:
        analytic = sum(float(np.sum(dx[n] * v[n])) for n in v)
        numeric = fd(v)
        err = abs(analytic - numeric) / max(1.0, abs(numeric))
        worst = max(worst, err)
        if err > tol:
            return False, "%s: gradient %.10g vs finite difference %.10g along %s" % (
                fn, analytic, numeric, "a random direction" if len(v) > 1 or v[next(iter(v))].size > 8
                else "one element of " + next(iter(v)))
    return True, "%s: %d checks, worst relative error %.2e" % (fn, len(checks), worst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    failed = 0
    for path in args.files:
        base = os.path.join(args.work_dir, os.path.splitext(os.path.basename(path))[0])
        grad_mlir, so = base + ".grad.mlir", base + ".so"
        run([os.path.join(args.bin_dir, "kiln-opt"), "--nn-generate-gradient", path, "-o", grad_mlir])
        run([os.path.join(args.bin_dir, "kiln-compile"), grad_mlir, "-o", so])
        sig = signature(args.bin_dir, so)
        call = Runner(args.bin_dir, so, base + ".runs")
        rng = np.random.default_rng(args.seed)
        hint = hints(path)
        for fn in sig:
            if fn.endswith("_grad") or fn + "_grad" not in sig:
                continue
            ok, msg = check_function(fn, sig, call, rng, hint, args.tol)
            print(("ok   " if ok else "FAIL ") + msg)
            failed += not ok
    if failed:
        sys.exit("%d function(s) failed the gradient check" % failed)


if __name__ == "__main__":
    main()
