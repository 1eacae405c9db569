#!/usr/bin/python3
"""A symbolic batch end to end: compile once, run at several sizes, refuse bad ones.

The model: s = x + y; r = Relu(s @ W + b); total = ReduceSum(s) (no keepdims).
x and y are float[N,4] with dim_param N; r is float[N,3]. Compiled with
--dim-bound N=8, one artifact must match numpy at N = 1, 3 and 8, and give
zero-size outputs at N = 0; N = 9, inputs with N = 2 and N = 3, and a wrong
static dim must each fail with the runtime's message (exit 1, nothing
written). --input-shape x=2x4 --input-shape y=2x4 must give a static
signature.

    /usr/bin/python3 test/e2e/dynamic_batch.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)

W = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
B = np.array([0.5, -0.25, 0.0], np.float32)


def make_model(path):
    nodes = [helper.make_node("Add", ["x", "y"], ["s"]),
             helper.make_node("MatMul", ["s", "W"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["z"]),
             helper.make_node("Relu", ["z"], ["r"]),
             helper.make_node("ReduceSum", ["s"], ["total"], keepdims=0)]
    graph = helper.make_graph(
        nodes, "dynamic_batch",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("r", TensorProto.FLOAT, ["N", 3]),
         helper.make_tensor_value_info("total", TensorProto.FLOAT, [])],
        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "b")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def main():
    ap = argparse.ArgumentParser()
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir) as work:
        return run_all(args, work)


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    model = os.path.join(work, "dynamic_batch.onnx")
    make_model(model)

    lib = os.path.join(work, "dynamic_batch.so")
    e2e.kiln_compile(compiler, model, lib, 600, extra=["--dim-bound", "N=8"])
    p = e2e.run([runner, lib, "--help"], 60)
    check("bound N 8\ninput x f32 [N,4]\ninput y f32 [N,4]\noutput r f32 [N,3]\n" in p.stdout,
          "the signature carries N and its bound", p)

    rng = np.random.default_rng(8)
    for n in [1, 3, 8, 0]:
        x = rng.standard_normal((n, 4)).astype(np.float32)
        y = rng.standard_normal((n, 4)).astype(np.float32)
        xp = e2e.save_npy(os.path.join(work, f"x{n}.npy"), x)
        yp = e2e.save_npy(os.path.join(work, f"y{n}.npy"), y)
        out = os.path.join(work, f"out{n}")
        res = e2e.run([runner, lib, "--input", f"x={xp}", "--input", f"y={yp}",
                       "--output-dir", out], 120)
        check(res.ok, f"N={n}: runs", res)
        if not res.ok:
            continue
        s = x + y
        want_r = np.maximum(s @ W + B, 0)
        r = e2e.load_npy(e2e.output_path(out, "r"))
        total = e2e.load_npy(e2e.output_path(out, "total"))
        check(r.shape == (n, 3), f"N={n}: r has the actual shape (got {r.shape})")
        check(total.shape == (), f"N={n}: total is a scalar (got {total.shape})")
        if r.shape == (n, 3):
            check(np.allclose(r, want_r, rtol=1e-5, atol=1e-5), f"N={n}: r matches numpy")
        check(np.allclose(total, s.sum(), rtol=1e-5, atol=1e-5), f"N={n}: total matches numpy")

    def refused(x_shape, y_shape, needle, what):
        xp = e2e.save_npy(os.path.join(work, "bad_x.npy"), np.ones(x_shape, np.float32))
        yp = e2e.save_npy(os.path.join(work, "bad_y.npy"), np.ones(y_shape, np.float32))
        out = os.path.join(work, "never")
        res = e2e.run([runner, lib, "--input", f"x={xp}", "--input", f"y={yp}",
                       "--output-dir", out], 60)
        e2e.expect_refused(FAILURES, res, needle, what)
        check(not os.path.exists(out), f"{what}: no output folder is created")

    refused((9, 4), (9, 4), "input 'x': expected dim 0 (N) <= 8 (its bound), got 9",
            "a batch past the bound")
    refused((2, 4), (3, 4), "input 'y': expected dim 0 (N) = 2 as in input 'x', got 3",
            "inputs that disagree on N")
    refused((2, 5), (2, 4), "input 'x': expected shape Nx4, got 2x5", "a wrong static dim")

    fixed = os.path.join(work, "fixed.so")
    e2e.kiln_compile(compiler, model, fixed, 600,
                     extra=["--input-shape", "x=2x4", "--input-shape", "y=2x4"])
    p = e2e.run([runner, fixed, "--help"], 60)
    check("input x f32 [2,4]\ninput y f32 [2,4]\noutput r f32 [2,3]\n" in p.stdout
          and "bound" not in p.stdout.split("model signature:")[-1],
          "--input-shape gives the static signature", p)
    return e2e.finish(FAILURES, "dynamic batch")


if __name__ == "__main__":
    raise SystemExit(main())
