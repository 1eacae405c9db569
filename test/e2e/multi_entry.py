#!/usr/bin/python3
"""Two entry points in one artifact, each run by name, against numpy.

The model (test/Pipelines/multi-entry.mlir) has `infer` = relu(relu(x)) on a
2x3 input, the default entry, and `double` = x + x on a 4-element input.
It is compiled to a shared library and to an executable; kiln-run and the
executable run each entry (`--entry NAME`, the default without it), and the
outputs must equal numpy's exactly.

    /usr/bin/python3 test/e2e/multi_entry.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "Pipelines", "multi-entry.mlir")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = args.work_dir
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    compile_ = os.path.join(args.bin_dir, "kiln-compile")
    so, exe = os.path.join(work, "model.so"), os.path.join(work, "model")
    run([compile_, MODEL, "-o", so])
    run([compile_, MODEL, "-o", exe])

    rng = np.random.default_rng(7)
    x23 = rng.standard_normal((2, 3)).astype(np.float32)
    x4 = rng.standard_normal(4).astype(np.float32)
    np.save(os.path.join(work, "x23.npy"), x23)
    np.save(os.path.join(work, "x4.npy"), x4)
    cases = [  # (entry option, input file, output name, expected)
        ([], "x23.npy", "output_0", np.maximum(x23, 0)),
        (["--entry", "infer"], "x23.npy", "output_0", np.maximum(x23, 0)),
        (["--entry", "double"], "x4.npy", "y", x4 + x4),
    ]
    failures = 0
    for host in ([os.path.join(args.bin_dir, "kiln-run"), so], [exe]):
        for i, (entry, x, out_name, expected) in enumerate(cases):
            out = os.path.join(work, f"out_{os.path.basename(host[-1])}_{i}")
            run(host + entry + ["--input", f"x={os.path.join(work, x)}", "--output-dir", out])
            got = np.load(os.path.join(out, out_name + ".npy"))
            ok = got.dtype == expected.dtype and got.shape == expected.shape and \
                (got == expected).all()
            print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(host[-1])} {' '.join(entry)}")
            failures += not ok
    if failures:
        sys.exit(f"{failures} case(s) differ from numpy")
    print("all entries match numpy")


if __name__ == "__main__":
    main()
