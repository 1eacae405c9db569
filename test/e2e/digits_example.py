#!/usr/bin/python3
"""Compile the bundled digits CNN three ways and check each against PyTorch.

examples/digits/digits_cnn.onnx is (a) compiled to a shared library and run
with kiln-run, (b) compiled to a standalone executable and run, and (c) run
through kiln-c-example (a C program using the runtime API) on the library from
(a). Oracle: examples/digits/expected_logits.npy, PyTorch's logits for
examples/digits/input.npy. (a) and (b) must match it within rtol 1e-4,
atol 1e-5; all three must predict PyTorch's class (its argmax), which for the
bundled input is also the true label in label.txt.

    /usr/bin/python3 test/e2e/digits_example.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import re
import sys

import numpy as np

import kiln_e2e as e2e

EXAMPLE_DIR = os.path.join(e2e.REPO_ROOT, "examples", "digits")


def check_logits(out_dir, expected, predicted, args):
    """Problems with the `logits` output in out_dir (empty list when it matches)."""
    actual = e2e.load_output(out_dir, "logits")
    problems = []
    mismatch = e2e.compare(actual, expected, args.rtol, args.atol, "logits")
    if mismatch:
        problems.append(mismatch)
    elif int(actual.argmax()) != predicted:
        problems.append(f"argmax {int(actual.argmax())}, PyTorch predicts {predicted}")
    if not mismatch:
        print(f"  logits match (max abs err {np.abs(actual - expected).max():.3g}), "
              f"argmax {int(actual.argmax())}", flush=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    ap.add_argument("--example-dir", default=EXAMPLE_DIR,
                    help="folder with digits_cnn.onnx, input.npy, expected_logits.npy, label.txt")
    ap.add_argument("--c-example", default=None,
                    help="path of kiln-c-example (default: found like the other tools)")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per command (default 300)")
    args = ap.parse_args()

    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = e2e.find_tool("kiln-run", args.bin_dir)
        c_example = args.c_example or e2e.find_tool("kiln-c-example", args.bin_dir)
    except e2e.E2EError as err:
        e2e.die(str(err))

    model = os.path.join(args.example_dir, "digits_cnn.onnx")
    input_path = os.path.join(args.example_dir, "input.npy")
    expected = e2e.load_npy(os.path.join(args.example_dir, "expected_logits.npy"))
    with open(os.path.join(args.example_dir, "label.txt")) as f:
        label = int(f.read().strip())
    predicted = int(expected.argmax())
    print(f"digits example: true label {label}, PyTorch predicts {predicted}", flush=True)
    if predicted != label:
        print("  note: PyTorch misclassifies the bundled input; checking against its prediction",
              flush=True)

    failures = []
    with e2e.work_dir(args.work_dir, prefix="kiln-digits-") as work:
        library = os.path.join(work, "digits_cnn.so")
        executable = os.path.join(work, "digits_cnn")
        inputs = [("image", input_path)]

        print("(a) shared library + kiln-run", flush=True)
        try:
            e2e.kiln_compile(compiler, model, library, args.timeout, echo=True)
            out_dir = os.path.join(work, "out_so")
            e2e.kiln_run([runner, library], inputs, out_dir, args.timeout, echo=True)
            failures += [f"(a) {p}" for p in check_logits(out_dir, expected, predicted, args)]
        except e2e.E2EError as err:
            failures.append(f"(a) {err}")

        print("(b) standalone executable", flush=True)
        try:
            e2e.kiln_compile(compiler, model, executable, args.timeout, echo=True)
            out_dir = os.path.join(work, "out_exe")
            e2e.kiln_run([executable], inputs, out_dir, args.timeout, echo=True)
            failures += [f"(b) {p}" for p in check_logits(out_dir, expected, predicted, args)]
        except e2e.E2EError as err:
            failures.append(f"(b) {err}")

        # kiln-c-example prints only the argmax of each output, so that is what is checked.
        print("(c) kiln-c-example (C runtime API)", flush=True)
        if not os.path.isfile(library):
            failures.append("(c) skipped: no shared library from (a)")
        else:
            res = e2e.run([c_example, library, f"image={input_path}"], args.timeout, echo=True)
            print(res.stdout.rstrip(), flush=True)
            found = re.findall(r"argmax=(-?\d+)", res.stdout)
            if not res.ok:
                failures.append(f"(c) {res.why()}")
            elif len(found) != 1:
                failures.append(f"(c) expected one line with argmax=K (one output), "
                                f"found {len(found)}")
            elif int(found[0]) != predicted:
                failures.append(f"(c) argmax {found[0]}, PyTorch predicts {predicted}")

    return e2e.finish(failures, "digits example")


if __name__ == "__main__":
    sys.exit(main())
