#!/usr/bin/python3
"""A memory plan sized at --dim-bound bounds, end to end.

A PyTorch model with two inputs, exported with a symbolic batch N shared by
both and a symbolic length S of the second: a small CNN on x[N,3,8,8]
(conv, relu, residual add, max-pool, linear) and a projection of t[N,S,6]
averaged over S. Compiled once with --dim-bound N=8 --report:

- the report plans the CNN's buffers at N = 8 ("sized at N=8"), its arena is
  the signature's workspace, and it lists what is left to run time and why:
  the two outputs (8 x 10 + 8 x 5 floats = 480 bytes at the bound) and the
  buffers of the S path (unbounded symbol S);
- the artifact matches PyTorch at N = 1, 3 and 8 (and gives empty outputs at
  N = 0), with S = 2 and 7;
- N = 9 is refused before anything runs, with the runtime's bound message;
- under valgrind (when installed; the model compiled for x86-64-v3, AVX2:
  valgrind's CPU lacks AVX-512 and newer extensions such as GFNI and
  AVX-VNNI, and the runtime refuses code compiled for features the CPU it
  sees lacks) runs at N = 3 and 8 read and write nothing outside the
  workspace and the other blocks they were given, and write no uninitialized
  byte to the outputs.

Compiled without the bound, the same buffers go back to a per-run allocation
(the report says "unbounded symbol N") and the arena holds the static ones
only.

    /usr/bin/python3 test/e2e/bounded_plan.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import re
import shutil

import numpy as np
import torch
from torch import nn

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)
BOUND = 8


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 10)
        self.proj = nn.Linear(6, 5)

    def forward(self, x, t):
        y = torch.relu(self.c1(x))
        y = torch.relu(self.c2(y)) + y
        y = nn.functional.max_pool2d(y, 2)
        logits = self.fc(y.flatten(1))
        pooled = torch.relu(self.proj(t)).mean(1)
        return logits, pooled


def arena_row(report):
    """(arena, sum, planned, at the bounds, sized at) of the model's row."""
    m = re.search(r"^\| model \| (\d+) \| (\d+) \| [-0-9.]+ \| (\d+)(?: \((\d+) at the bounds\))? "
                  r"\| ([^|]*) \|$", report, re.M)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4) or 0),
            m.group(5).strip())


def main():
    ap = argparse.ArgumentParser()
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir) as work:
        return run_all(args, work)


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    torch.manual_seed(0)
    model = Model().eval()
    path = os.path.join(work, "bounded_plan.onnx")
    torch.onnx.export(model, (torch.randn(2, 3, 8, 8), torch.randn(2, 4, 6)), path,
                      input_names=["x", "t"], output_names=["logits", "pooled"],
                      dynamic_axes={"x": {0: "N"}, "t": {0: "N", 1: "S"},
                                    "logits": {0: "N"}, "pooled": {0: "N"}},
                      opset_version=13)

    lib = os.path.join(work, "bounded.so")
    res = e2e.run([compiler, path, "--dim-bound", f"N={BOUND}", "--report", "-o", lib], 600)
    check(res.ok, "compiles with --dim-bound and --report", res)
    if not res.ok:
        return e2e.finish(FAILURES, "bounded plan")
    report = res.stdout
    print(report)
    row = arena_row(report)
    check(row is not None, "the report has the model's arena row", res)
    if row:
        arena, total, planned, bounded, sized_at = row
        check(sized_at == f"N={BOUND}", f"the arena is sized at N={BOUND} (got '{sized_at}')")
        check(bounded > 0 and arena > 0 and arena <= total,
              f"buffers planned at the bound: {bounded} of {planned}, arena {arena} <= sum {total}")
        sig = e2e.run([runner, lib, "--help"], 60)
        check(f"bound N {BOUND}\n" in sig.stdout and f"workspace {arena}\n" in sig.stdout,
              f"the signature bounds N and records the workspace of {arena} bytes", sig)
    out_bytes = BOUND * (10 + 5) * 4
    check(f"| model | 2 | {out_bytes} | output handed to the caller |" in report,
          f"the outputs are allocated at run time, {out_bytes} bytes at the bound")
    check(re.search(r"^\| model \| \d+ \| unknown \| unbounded symbol S( \(.*\))? \|$", report,
                    re.M) is not None, "the S path is allocated at run time for S")
    check("unbounded symbol N" not in report, "nothing is left to run time for N")

    rng = np.random.default_rng(8)
    for n, s in [(1, 2), (3, 7), (BOUND, 2), (BOUND, 7), (0, 3)]:
        x = rng.standard_normal((n, 3, 8, 8)).astype(np.float32)
        t = rng.standard_normal((n, s, 6)).astype(np.float32)
        with torch.no_grad():
            want = [w.numpy() for w in model(torch.from_numpy(x), torch.from_numpy(t))]
        xp = e2e.save_npy(os.path.join(work, f"x{n}_{s}.npy"), x)
        tp = e2e.save_npy(os.path.join(work, f"t{n}_{s}.npy"), t)
        out = os.path.join(work, f"out{n}_{s}")
        res = e2e.run([runner, lib, "--input", f"x={xp}", "--input", f"t={tp}",
                       "--output-dir", out], 120)
        check(res.ok, f"N={n} S={s}: runs", res)
        if not res.ok:
            continue
        for name, expected in zip(["logits", "pooled"], want):
            got = e2e.load_npy(e2e.output_path(out, name))
            ok = got.shape == expected.shape and (
                expected.size == 0 or e2e.relative_error(got, expected) <= 1e-4)
            check(ok, f"N={n} S={s}: {name} {got.shape} matches PyTorch "
                      f"(relative error {e2e.relative_error(got, expected) if ok else '-'})")

    # Past the bound: the runtime's message, and nothing runs.
    xp = e2e.save_npy(os.path.join(work, "x9.npy"), np.ones((BOUND + 1, 3, 8, 8), np.float32))
    tp = e2e.save_npy(os.path.join(work, "t9.npy"), np.ones((BOUND + 1, 2, 6), np.float32))
    never = os.path.join(work, "never")
    res = e2e.run([runner, lib, "--input", f"x={xp}", "--input", f"t={tp}",
                   "--output-dir", never], 60)
    check(res.returncode == 1 and f"input 'x': expected dim 0 (N) <= {BOUND} (its bound), got "
          f"{BOUND + 1}" in res.stderr and not os.path.exists(never),
          "a batch past the bound is refused before the run", res)

    # Without the bound the same buffers are allocated at run time, per run.
    free = os.path.join(work, "unbounded.so")
    res = e2e.run([compiler, path, "--report", "-o", free], 600)
    check(res.ok and re.search(r"^\| model \| \d+ \| unknown \| unbounded symbol N", res.stdout,
                               re.M) is not None,
          "unbounded, the report gives the batch's buffers to run time", res)
    unbounded_row = arena_row(res.stdout) if res.ok else None
    if row and unbounded_row:
        print(f"arena at N={BOUND}: {row[0]} bytes (sum of planned buffers {row[1]}); "
              f"unbounded: {unbounded_row[0]} bytes")
        check(unbounded_row[3] == 0 and unbounded_row[0] < row[0],
              "unbounded, only static buffers are planned")

    valgrind = shutil.which("valgrind")
    if not valgrind:
        print("valgrind not found: the memory check is skipped")
        return e2e.finish(FAILURES, "bounded plan")
    if e2e.built_with_asan(runner):
        # ASan's shadow memory and valgrind exclude each other; the generated
        # model is not instrumented, so this check runs only in `make test`.
        print("kiln-run is built with AddressSanitizer, which valgrind cannot run: "
              "the memory check is skipped")
        return e2e.finish(FAILURES, "bounded plan")
    vlib = os.path.join(work, "bounded_avx2.so")
    e2e.kiln_compile(compiler, path, vlib, 600,
                     extra=["--dim-bound", f"N={BOUND}", "--mcpu=x86-64-v3"])
    for n, s in [(3, 7), (BOUND, 2)]:
        xp, tp = (os.path.join(work, f"{v}{n}_{s}.npy") for v in "xt")
        res = e2e.run([valgrind, "--error-exitcode=99", "--quiet", runner, vlib,
                       "--input", f"x={xp}", "--input", f"t={tp}",
                       "--output-dir", os.path.join(work, f"vg{n}")], 600)
        check(res.ok and "Invalid" not in res.stderr and "uninitialised" not in res.stderr,
              f"N={n} S={s}: valgrind finds no invalid access", res)
    return e2e.finish(FAILURES, "bounded plan")


if __name__ == "__main__":
    raise SystemExit(main())
