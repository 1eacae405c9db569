#!/usr/bin/python3
"""Symbolic dims: regressions from the hostile review of 2026-12-01 (F13,
F14, F15, M10; docs/reliability.md).

  softmax   opset-11 Softmax, LogSoftmax and Hardmax (the input coerced to a
            matrix at `axis`) on x3 [N, S, 8] and x4 [N, 4, S, S], several
            axes: two symbolic dims crashed kiln-compile or stopped it with an
            MLIR verifier error. Checked against numpy at two sizes.
  gather    Gather and GatherElements with *constant* indices on a
            symbolic dim of x [N, 4]: indices past the run-time size were
            clamped (exit 0). In range they match numpy; out of range the run
            fails with the check's message naming the node (exit 1, nothing
            written).
  squeeze   Squeeze without axes of x [N, 1, S] (opset 11 and 13): the
            result's rank would depend on whether N or S is 1 at run time; it
            is refused at compile time (exit 1, the message names the node).
            With axes it matches numpy, also at N = 1.
  split     Split-18 whose num_outputs disagrees with its outputs (3, 2^62,
            0), or comes with a split input: refused naming the node; agreeing
            (5 into 2: sizes 3 and 2) it matches numpy.
  shared    outputs that are one tensor (the same value twice, an Identity
            and a Reshape of it) with symbolic dims: kiln-run aborted with a
            double free; each must match numpy at N = 3, 1, 0.

    /usr/bin/python3 test/e2e/dynamic_review.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)
vi = helper.make_tensor_value_info
F = T.FLOAT


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def over_rows(x, axis, kind):
    """ONNX opset-11 Softmax/LogSoftmax/Hardmax: rows of x reshaped to
    [prod(shape[:axis]), prod(shape[axis:])], computed in float64."""
    rows = x.reshape(int(np.prod(x.shape[:axis])), -1).astype(np.float64)
    if kind == "Hardmax":
        y = np.zeros_like(rows)
        if rows.shape[1]:
            y[np.arange(rows.shape[0]), rows.argmax(axis=1)] = 1
    else:
        z = rows - rows.max(axis=1, keepdims=True)
        y = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        if kind == "Softmax":
            y = np.exp(y)
    return y.reshape(x.shape).astype(np.float32)


# (op, input, axis): x3 is [N, S, 8], x4 is [N, 4, S, S].
SOFTMAX_CASES = [("Softmax", "x3", 2), ("LogSoftmax", "x3", -1), ("Softmax", "x3", 1),
                 ("Softmax", "x3", 0), ("Softmax", "x3", 3), ("LogSoftmax", "x3", 1),
                 ("Softmax", "x4", -1), ("Softmax", "x4", 2), ("LogSoftmax", "x4", 1),
                 ("Hardmax", "x3", 2)]


def softmax_model():
    nodes, outputs = [], []
    for k, (op, x, axis) in enumerate(SOFTMAX_CASES):
        nodes.append(helper.make_node(op, [x], [f"y{k}"], name=f"{op}_{k}", axis=axis))
        outputs.append(vi(f"y{k}", F, None))
    return model(nodes, [vi("x3", F, ["N", "S", 8]), vi("x4", F, ["N", 4, "S", "S"])], outputs,
                 opset=11)


def check_softmax(compiler, runner, work):
    path = os.path.join(work, "softmax.onnx")
    onnx.save(softmax_model(), path)
    lib = os.path.join(work, "softmax.so")
    res = e2e.run([compiler, path, "-o", lib], 600)
    check(res.returncode == 0, "opset-11 Softmax/LogSoftmax/Hardmax with two symbolic dims "
          "compile", res)
    if res.returncode != 0:
        return
    rng = np.random.default_rng(11)
    for n, s in ((2, 5), (1, 3)):
        feeds = {"x3": rng.standard_normal((n, s, 8)).astype(np.float32),
                 "x4": rng.standard_normal((n, 4, s, s)).astype(np.float32)}
        res, out = e2e.run_model(runner, lib, feeds, work, f"softmax_{n}x{s}")
        check(res.returncode == 0, f"softmax model runs at N={n}, S={s}", res)
        if res.returncode != 0:
            continue
        for k, (op, x, axis) in enumerate(SOFTMAX_CASES):
            want = over_rows(feeds[x], axis + feeds[x].ndim if axis < 0 else axis, op)
            got = e2e.load_output(out, f"y{k}")
            ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-6)
            check(ok, f"{op} opset 11 of {x} axis {axis} at N={n}, S={s} matches numpy "
                  f"(shape {got.shape}, want {want.shape})")
            if ok:
                print(f"{op} opset 11 {x} axis {axis} N={n} S={s}: ok", flush=True)


def const(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def check_gathers(compiler, runner, work):
    message = "expects indices along axis 0 in [-size, size - 1], found one outside"
    cases = {
        # name: (node, constant indices, numpy on x, message)
        "gather": (helper.make_node("Gather", ["x", "i"], ["y"], name="gather_c", axis=0),
                   [2, -3], lambda x: x[[2, -3]], f"node 'gather_c' (nn.gather): {message}"),
        "elements": (helper.make_node("GatherElements", ["x", "i"], ["y"], name="elements_c",
                                      axis=0),
                     [[2, 0, 1, -3]],
                     lambda x: np.take_along_axis(x, np.array([[2, 0, 1, -3]]) % len(x), 0),
                     f"node 'elements_c' (nn.gather_elements): {message}"),
    }
    for name, (node, indices, ref, msg) in cases.items():
        path = os.path.join(work, f"{name}.onnx")
        onnx.save(model([node], [vi("x", F, ["N", 4])], [vi("y", F, None)],
                        [const("i", indices)]), path)
        lib = os.path.join(work, f"{name}.so")
        e2e.kiln_compile(compiler, path, lib, 600)
        for n in (3, 5):  # in range (-3 and 2 reach both ends at N = 3)
            x = np.arange(n * 4, dtype=np.float32).reshape(n, 4)
            res, out = e2e.run_model(runner, lib, {"x": x}, work, f"{name}_{n}")
            got = e2e.load_output(out, "y") if res.returncode == 0 else None
            check(got is not None and np.array_equal(got, ref(x)),
                  f"{name}: constant indices {indices} into N={n} match numpy (got {got!r})", res)
        for n in (2, 1, 0):  # 2 (or -3) is past the end
            x = np.arange(n * 4, dtype=np.float32).reshape(n, 4)
            res, out = e2e.run_model(runner, lib, {"x": x}, work, f"{name}_bad{n}")
            e2e.expect_refused(FAILURES, res, f"entry 'model': {msg}",
                               f"{name}: constant indices {indices} into N={n} are a run-time "
                               "error", output_dir=out, exact=True)
        print(f"{name}: constant indices on a symbolic axis checked", flush=True)


def check_squeeze(compiler, runner, work):
    for opset in (11, 13):
        path = os.path.join(work, f"squeeze{opset}.onnx")
        onnx.save(model([helper.make_node("Squeeze", ["x"], ["y"], name="squeeze_all")],
                        [vi("x", F, ["N", 1, "S"])], [vi("y", F, None)], opset=opset), path)
        lib = os.path.join(work, f"squeeze{opset}.so")
        res = e2e.run([compiler, path, "-o", lib], 600)
        e2e.expect_refused(
            FAILURES, res,
            f"error: node 'squeeze_all' (Squeeze, opset {opset}): expects axes for Squeeze of an "
            "input with symbolic dims (dim 0 would be removed if it is 1 at run time), found "
            "none; give the axes to remove or static sizes (--input-shape)",
            f"Squeeze-{opset} without axes of x [N, 1, S] is refused")
        check(not os.path.exists(lib), f"refused Squeeze-{opset} wrote no {lib}")
    path = os.path.join(work, "squeeze_axes.onnx")
    onnx.save(model([helper.make_node("Squeeze", ["x", "axes"], ["y"], name="squeeze_1")],
                    [vi("x", F, ["N", 1, "S"])], [vi("y", F, None)], [const("axes", [1])]),
              path)
    lib = os.path.join(work, "squeeze_axes.so")
    e2e.kiln_compile(compiler, path, lib, 600)
    for shape in ((1, 1, 3), (2, 1, 1), (1, 1, 1)):
        x = np.random.default_rng(14).standard_normal(shape).astype(np.float32)
        res, out = e2e.run_model(runner, lib, {"x": x}, work, "squeeze_" + "x".join(map(str, shape)))
        got = e2e.load_output(out, "y") if res.returncode == 0 else None
        want = np.squeeze(x, axis=1)
        check(got is not None and got.shape == want.shape and np.array_equal(got, want),
              f"Squeeze axes [1] of {shape} matches numpy {want.shape} (got {got!r})", res)
    print("squeeze: checked", flush=True)


def check_split(compiler, runner, work):
    def split_model(num, outputs, split=None):
        inputs = ["x"] + (["split"] if split is not None else [])
        inits = [const("split", split)] if split is not None else []
        node = helper.make_node("Split", inputs, outputs, name="split_n", axis=0, num_outputs=num)
        return model([node], [vi("x", F, [5])], [vi(o, F, None) for o in outputs], inits,
                     opset=18)

    refused = [
        (split_model(3, ["a", "b"]), "expects num_outputs equal to the node's 2 outputs, found 3"),
        (split_model(2 ** 62, ["a", "b"]),
         f"expects num_outputs equal to the node's 2 outputs, found {2 ** 62}"),
        (split_model(0, ["a", "b"]), "expects num_outputs equal to the node's 2 outputs, found 0"),
        (split_model(2, ["a", "b"], split=[3, 2]),
         "expects either the split input or num_outputs, found both"),
    ]
    for k, (m, message) in enumerate(refused):
        path = os.path.join(work, f"split_bad{k}.onnx")
        onnx.save(m, path)
        res = e2e.run([compiler, path, "-o", os.path.join(work, f"split_bad{k}.so")], 600)
        e2e.expect_refused(FAILURES, res, f"error: node 'split_n' (Split, opset 18): {message}",
                           f"Split-18: {message}")
    path = os.path.join(work, "split_ok.onnx")
    onnx.save(split_model(2, ["a", "b"]), path)
    lib = os.path.join(work, "split_ok.so")
    e2e.kiln_compile(compiler, path, lib, 600)
    x = np.arange(5, dtype=np.float32)
    res, out = e2e.run_model(runner, lib, {"x": x}, work, "split_ok")
    check(res.returncode == 0, "Split-18 num_outputs 2 of 5 runs", res)
    if res.returncode == 0:
        # ONNX: the last chunk is smaller when the size does not divide.
        for name, want in (("a", x[:3]), ("b", x[3:])):
            got = e2e.load_output(out, name)
            check(np.array_equal(got, want), f"Split-18 output {name} {got!r}, want {want!r}")
    print("split: checked", flush=True)


def check_shared_outputs(compiler, runner, work):
    """Outputs that are one tensor: y0 and y1 (CSE merges the two Relus), y2
    an Identity of y0, y3 a Reshape of it; with symbolic dims each output is
    a buffer handed to the caller, and one buffer handed over four times was
    freed four times (kiln-run aborted: "free(): double free detected")."""
    nodes = [helper.make_node("Relu", ["x"], ["y0"], name="relu_a"),
             helper.make_node("Relu", ["x"], ["y1"], name="relu_b"),
             helper.make_node("Identity", ["y0"], ["y2"], name="same"),
             helper.make_node("Reshape", ["y0", "flat"], ["y3"], name="flatten"),
             helper.make_node("Sigmoid", ["x"], ["y4"], name="other")]
    path = os.path.join(work, "shared.onnx")
    onnx.save(model(nodes, [vi("x", F, ["N", 4])], [vi(f"y{k}", F, None) for k in range(5)],
                    [const("flat", [-1])]), path)
    lib = os.path.join(work, "shared.so")
    e2e.kiln_compile(compiler, path, lib, 600)
    rng = np.random.default_rng(5)
    for n in (3, 1, 0):
        x = rng.standard_normal((n, 4)).astype(np.float32)
        res, out = e2e.run_model(runner, lib, {"x": x}, work, f"shared_{n}")
        check(res.returncode == 0, f"outputs sharing one tensor run at N={n}", res)
        if res.returncode != 0:
            continue
        r = np.maximum(x, 0)
        want = {"y0": r, "y1": r, "y2": r, "y3": r.ravel(), "y4": 1 / (1 + np.exp(-x))}
        for name, w in want.items():
            got = e2e.load_output(out, name)
            check(got.shape == w.shape and np.allclose(got, w, rtol=1e-6, atol=1e-6),
                  f"shared outputs at N={n}: {name} matches numpy")
    print("shared outputs: checked", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    ap.add_argument("--only", choices=["softmax", "gather", "squeeze", "split", "shared"])
    args = ap.parse_args()
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    steps = {"softmax": check_softmax, "gather": check_gathers, "squeeze": check_squeeze,
             "split": check_split, "shared": check_shared_outputs}
    with e2e.work_dir(args.work_dir, prefix="kiln-dynamic-review-") as work:
        for name, step in steps.items():
            if args.only in (None, name):
                step(compiler, runner, work)
        return e2e.finish(FAILURES, "dynamic-shape review regressions")


if __name__ == "__main__":
    sys.exit(main())
