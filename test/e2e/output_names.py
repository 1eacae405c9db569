#!/usr/bin/python3
"""Output names that look like paths never make --output-dir write outside it.

Models whose outputs are named "../x", "a/b", "..", "tab<TAB>here", a 300-byte
name, and two names that map to the same file are compiled to shared libraries
(and the first to an executable). Every output must land in DIR, as
DIR/<name with '/' and control bytes replaced by '_'>.npy, hold numpy's values,
and nothing may appear outside DIR; the bad names are refused with an exact
message, exit status 1 and nothing run or written; an existing symbolic link at
an output's file name is replaced, not written through.

    /usr/bin/python3 test/e2e/output_names.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e

FAILURES = []
# Soft checks through the shared e2e helpers; every failure is listed at the end.
check = functools.partial(e2e.expect, FAILURES)


def run(cmd, timeout=300):
    return e2e.run(cmd, timeout)






def make_model(path, outputs):
    """x (2x3 f32) -> one output per (name, op) pair."""
    nodes = [helper.make_node(op, ["x"], [name]) for name, op in outputs]
    graph = helper.make_graph(
        nodes, "names", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, [2, 3]) for name, _ in outputs])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def compile_model(bin_dir, model, out):
    p = run([os.path.join(bin_dir, "kiln-compile"), model, "-o", out])
    if p.returncode != 0:
        sys.exit(f"kiln-compile {model} failed:\n{p.stderr}")


def listing(root):
    """Every path under root, relative to it."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    kiln_run = os.path.join(args.bin_dir, "kiln-run")

    x = (np.arange(6, dtype=np.float32) - 2.5).reshape(2, 3)
    x_path = os.path.join(work, "x.npy")
    np.save(x_path, x)
    expected = {"../x": np.maximum(x, 0), "a/b": -x, "..": np.abs(x), "tab\there": x}

    models = os.path.join(work, "models")
    os.makedirs(models)
    make_model(os.path.join(models, "paths.onnx"),
               [("../x", "Relu"), ("a/b", "Neg"), ("..", "Abs"), ("tab\there", "Identity")])
    compile_model(args.bin_dir, os.path.join(models, "paths.onnx"), os.path.join(models, "paths.so"))
    compile_model(args.bin_dir, os.path.join(models, "paths.onnx"), os.path.join(models, "paths"))

    # Every output lands inside DIR under its mapped name; nothing else is written.
    for host_name, host in (("kiln-run", [kiln_run, os.path.join(models, "paths.so")]),
                            ("executable", [os.path.join(models, "paths")])):
        root = os.path.join(work, host_name)
        out = os.path.join(root, "a", "out")
        p = run(host + ["--input", f"x={x_path}", "--output-dir", out])
        check(p.returncode == 0, f"{host_name}: run with path-like output names", p)
        check(listing(root) == {"a", "a/out", "a/out/.._x.npy", "a/out/a_b.npy", "a/out/...npy",
                                "a/out/tab_here.npy"},
              f"{host_name}: files written: {sorted(listing(root))}")
        for name, file in (("../x", ".._x.npy"), ("a/b", "a_b.npy"), ("..", "...npy"),
                           ("tab\there", "tab_here.npy")):
            path = os.path.join(out, file)
            if os.path.isfile(path):
                check(np.array_equal(np.load(path), expected[name]),
                      f"{host_name}: {file} holds output '{name}'")

        # A symbolic link planted at an output's file name is replaced, not followed.
        victim = os.path.join(root, "victim.npy")
        with open(victim, "wb") as f:
            f.write(b"keep me")
        os.remove(os.path.join(out, "a_b.npy"))
        os.symlink(victim, os.path.join(out, "a_b.npy"))
        p = run(host + ["--input", f"x={x_path}", "--output-dir", out])
        check(p.returncode == 0, f"{host_name}: run over a planted symbolic link", p)
        with open(victim, "rb") as f:
            check(f.read() == b"keep me", f"{host_name}: the link's target is untouched")
        link = os.path.join(out, "a_b.npy")
        check(not os.path.islink(link) and np.array_equal(np.load(link), -x),
              f"{host_name}: the link is replaced by the output file")
        check(not any(n.startswith(".kiln-run-") for n in os.listdir(out)),
              f"{host_name}: no temporary file is left behind")

    def expect_refused(model, outputs, message):
        onnx_path = os.path.join(models, model + ".onnx")
        so = os.path.join(models, model + ".so")
        make_model(onnx_path, outputs)
        compile_model(args.bin_dir, onnx_path, so)
        out = os.path.join(work, model + "_out")
        p = run([kiln_run, so, "--input", f"x={x_path}", "--output-dir", out])
        check(p.returncode == 1 and p.stderr == f"kiln-run: {message}\n" and p.stdout == "",
              f"{model}: refused with '{message}'", p)
        check(not os.path.exists(out), f"{model}: nothing written, not even DIR")
        # Without --output-dir, the same model runs.
        p = run([kiln_run, so, "--input", f"x={x_path}"])
        check(p.returncode == 0, f"{model}: runs without --output-dir", p)

    expect_refused("collide", [("a/b", "Relu"), ("a_b", "Neg")],
                   "outputs 'a/b' and 'a_b': expects distinct file names in --output-dir, "
                   "found both written to 'a_b.npy'")
    long_name = "n" * 300
    expect_refused("long", [(long_name, "Relu")],
                   f"output '{long_name}': expects a name of 1 to 251 bytes to write to "
                   "--output-dir, found 300 bytes")

    return e2e.finish(FAILURES, "the output-name checks")


if __name__ == "__main__":
    sys.exit(main())
