#!/usr/bin/python3
"""Run-time index checks: out-of-range data indices fail the run, also in
loop and branch bodies.

ONNX (Gather, GatherElements, GatherND, ScatterElements, opset 13) makes an
index outside [-size, size - 1] an error. Models whose indices are graph
inputs or computed at run time:
  gather    Gather(x float[3,4], i int64[2], axis=1)
  elements  GatherElements(x float[3,4], i int64[3,2], axis=1)
  nd        GatherND(x float[3,4], i int64[2,2])
  loop      Loop(M) over a float sum: each iteration adds x[iter + off]
            (Gather in the body, x float[4], off a scalar input)
  if        If(c): then Gather(x, i), else GatherElements(x, i)
            (x float[4], i int64[2])
  scatter   Loop(M) whose body scatters 1.0 into a carried float[4] at
            [iter + off] (ScatterElements in the body)
  nll       NegativeLogLikelihoodLoss(x float[3,4], t int64[3]), mean,
            ignore_index -1 (opset 13)
  sce       SoftmaxCrossEntropyLoss(x float[3,4], t int64[3]), mean
  onehot    OneHot(t int64[3], depth float scalar, values [0, 1]): a depth
            below 1, from 2^40, infinite or NaN is an error (indices outside
            [-depth, depth - 1] are not: their row is all off_value, as ONNX
            says)
Indices in range (negative ones too) must match numpy; one index past either
end must make kiln-run exit 1 with the check's exact message naming the node,
and write nothing. In a loop body the failing iteration's check ends the run
with the same message (docs/model-abi.md: checks in loop and branch bodies).

    /usr/bin/python3 test/e2e/index_errors.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)
vi = helper.make_tensor_value_info
GATHER_MESSAGE = "expects indices along axis {} in [-size, size - 1], found one outside"
ND_MESSAGE = "expects every index in [-size, size - 1] of the dim it indexes, found one outside"


def loop_model(body_nodes, carried, carried_type):
    """Loop(m, , init) with body inputs (iter, cond_in, acc_in) and outputs
    (cond_out, acc_out); `off` and `x` come from the enclosing graph."""
    body = helper.make_graph(
        [helper.make_node("Add", ["iter", "off"], ["k"], name="body_k")] + body_nodes
        + [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
        "body", [vi("iter", T.INT64, []), vi("cond_in", T.BOOL, []), vi("acc_in", *carried_type)],
        [vi("cond_out", T.BOOL, []), vi("acc_out", *carried_type)])
    return helper.make_graph(
        [helper.make_node("Loop", ["m", "", "init"], ["y"], name="loop", body=body)], "loop",
        [vi("x", T.FLOAT, [4]), vi("off", T.INT64, []), vi("m", T.INT64, [])],
        [vi("y", *carried_type)], [carried])


def models():
    one_node = {
        "gather": (helper.make_node("Gather", ["x", "i"], ["y"], name="gather_i", axis=1), [2]),
        "elements": (helper.make_node("GatherElements", ["x", "i"], ["y"], name="elements_i",
                                      axis=1), [3, 2]),
        "nd": (helper.make_node("GatherND", ["x", "i"], ["y"], name="nd_i"), [2, 2]),
    }
    graphs = {}
    for name, (node, ishape) in one_node.items():
        graphs[name] = helper.make_graph(
            [node], name, [vi("x", T.FLOAT, [3, 4]), vi("i", T.INT64, ishape)],
            [vi("y", T.FLOAT, None)])
    graphs["loop"] = loop_model(
        [helper.make_node("Gather", ["x", "k"], ["g"], name="loop_gather", axis=0),
         helper.make_node("Add", ["acc_in", "g"], ["acc_out"], name="body_acc")],
        helper.make_tensor("init", T.FLOAT, [], [0.0]), (T.FLOAT, []))
    graphs["scatter"] = loop_model(
        [helper.make_node("Unsqueeze", ["k", "zero"], ["k1"], name="body_k1"),
         helper.make_node("ScatterElements", ["acc_in", "k1", "one"], ["acc_out"],
                          name="loop_scatter", axis=0)],
        helper.make_tensor("init", T.FLOAT, [4], [0.0] * 4), (T.FLOAT, [4]))
    graphs["scatter"].initializer.extend([helper.make_tensor("zero", T.INT64, [1], [0]),
                                          helper.make_tensor("one", T.FLOAT, [1], [1.0])])
    then_g = helper.make_graph([helper.make_node("Gather", ["x", "i"], ["t"], name="then_gather")],
                               "then", [], [vi("t", T.FLOAT, [2])])
    else_g = helper.make_graph(
        [helper.make_node("GatherElements", ["x", "i"], ["e"], name="else_elements")],
        "else", [], [vi("e", T.FLOAT, [2])])
    graphs["if"] = helper.make_graph(
        [helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g,
                          else_branch=else_g)], "if",
        [vi("c", T.BOOL, []), vi("x", T.FLOAT, [4]), vi("i", T.INT64, [2])],
        [vi("y", T.FLOAT, [2])])
    losses = {
        "nll": helper.make_node("NegativeLogLikelihoodLoss", ["x", "t"], ["y"], name="nll_t",
                                reduction="mean", ignore_index=-1),
        "sce": helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t"], ["y"], name="sce_t",
                                reduction="mean"),
    }
    for name, node in losses.items():
        graphs[name] = helper.make_graph(
            [node], name, [vi("x", T.FLOAT, [3, 4]), vi("t", T.INT64, [3])],
            [vi("y", T.FLOAT, [])])
    graphs["onehot"] = helper.make_graph(
        [helper.make_node("OneHot", ["t", "depth", "values"], ["y"], name="onehot_t")], "onehot",
        [vi("t", T.INT64, [3]), vi("depth", T.FLOAT, [])], [vi("y", T.FLOAT, None)],
        [helper.make_tensor("values", T.FLOAT, [2], [0.0, 1.0])])
    return graphs


def nll_ref(x, t, ignore=None):
    """ONNX NegativeLogLikelihoodLoss, reduction mean, from the spec."""
    keep = [k for k in range(len(t)) if t[k] != ignore]
    return np.float32(-sum(x[k, t[k]] for k in keep) / len(keep))


def log_softmax(x):
    z = x.astype(np.float64) - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    libs = {}
    for name, graph in models().items():
        path = os.path.join(work, name + ".onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
        libs[name] = os.path.join(work, name + ".so")
        e2e.kiln_compile(compiler, path, libs[name], 600)

    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    x4 = np.array([1, 2, 4, 8], np.float32)

    def run(name, inputs, tag):
        return e2e.run_model(runner, libs[name], inputs, work, tag)

    def scatter_ref(off, m):
        acc = np.zeros(4, np.float32)
        for it in range(m):
            acc[it + off] = 1.0
        return acc

    i2 = lambda *v: np.array(v, np.int64)  # noqa: E731
    s64 = lambda v: np.array(v, np.int64)  # noqa: E731
    good = [
        ("gather", {"x": x, "i": i2(-1, 2)}, x[:, [-1, 2]]),
        ("elements", {"x": x, "i": np.array([[0, -4], [3, 1], [-1, 2]], np.int64)},
         np.take_along_axis(x, np.array([[0, 0], [3, 1], [3, 2]]), axis=1)),
        ("nd", {"x": x, "i": np.array([[2, -1], [-3, 0]], np.int64)}, np.array([x[2, 3], x[0, 0]])),
        ("loop", {"x": x4, "off": s64(1), "m": s64(3)}, np.float32(2 + 4 + 8)),
        ("loop", {"x": x4, "off": s64(-4), "m": s64(4)}, np.float32(15)),
        ("loop", {"x": x4, "off": s64(9), "m": s64(0)}, np.float32(0)),
        ("scatter", {"x": x4, "off": s64(1), "m": s64(3)}, scatter_ref(1, 3)),
        ("if", {"c": np.array(True), "x": x4, "i": i2(3, -4)}, x4[[3, -4]]),
        ("if", {"c": np.array(False), "x": x4, "i": i2(-1, 2)}, x4[[-1, 2]]),
    ]
    logits = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    t = i2(3, -1, 0)
    good += [
        ("nll", {"x": logits, "t": t}, nll_ref(logits, t, ignore=-1)),
        ("sce", {"x": logits, "t": i2(3, 1, 0)}, nll_ref(log_softmax(logits), i2(3, 1, 0))),
        ("onehot", {"t": i2(0, -1, 7), "depth": np.array(3, np.float32)},
         np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], np.float32)),
    ]
    for k, (name, inputs, want) in enumerate(good):
        res, out = run(name, inputs, f"{name}_ok{k}")
        got = e2e.load_output(out, "y") if res.returncode == 0 else None
        exact = got is not None and got.dtype == np.float32 and np.array_equal(got, want)
        close = (got is not None and name in ("nll", "sce") and got.shape == want.shape
                 and np.allclose(got, want, rtol=1e-5, atol=1e-6))
        check(exact or close, f"{name} with indices in range matches numpy ({want!r}, got {got!r})",
              res)

    gather = "node 'gather_i' (nn.gather): " + GATHER_MESSAGE.format(1)
    elements = "node 'elements_i' (nn.gather_elements): " + GATHER_MESSAGE.format(1)
    nd = "node 'nd_i' (nn.gather_nd): " + ND_MESSAGE
    in_loop = "node 'loop_gather' (nn.gather): " + GATHER_MESSAGE.format(0)
    in_then = "node 'then_gather' (nn.gather): " + GATHER_MESSAGE.format(0)
    in_else = "node 'else_elements' (nn.gather_elements): " + GATHER_MESSAGE.format(0)
    scatter = "node 'loop_scatter' (nn.scatter_elements): " + GATHER_MESSAGE.format(0)
    bad = [
        ("gather", {"x": x, "i": i2(0, 4)}, gather),
        ("gather", {"x": x, "i": i2(-5, 0)}, gather),
        ("elements", {"x": x, "i": np.array([[0, 0], [4, 0], [0, 0]], np.int64)}, elements),
        ("elements", {"x": x, "i": np.array([[0, 0], [0, 0], [0, -5]], np.int64)}, elements),
        ("nd", {"x": x, "i": np.array([[3, 0], [0, 0]], np.int64)}, nd),
        ("nd", {"x": x, "i": np.array([[0, 0], [0, -5]], np.int64)}, nd),
        # The third iteration reads x[4]; the first, x[-5].
        ("loop", {"x": x4, "off": s64(2), "m": s64(3)}, in_loop),
        ("loop", {"x": x4, "off": s64(-5), "m": s64(2)}, in_loop),
        ("scatter", {"x": x4, "off": s64(2), "m": s64(3)}, scatter),
        ("if", {"c": np.array(True), "x": x4, "i": i2(0, 4)}, in_then),
        ("if", {"c": np.array(False), "x": x4, "i": i2(-5, 0)}, in_else),
    ]
    targets = "expects every target in [0, C){}, found one outside"
    bad += [
        ("nll", {"x": logits, "t": i2(0, 4, 1)},
         "node 'nll_t' (nn.nll_loss): " + targets.format(" or ignore_index -1")),
        ("nll", {"x": logits, "t": i2(0, -2, 1)},
         "node 'nll_t' (nn.nll_loss): " + targets.format(" or ignore_index -1")),
        ("sce", {"x": logits, "t": i2(0, 1, -1)},
         "node 'sce_t' (nn.nll_loss): " + targets.format("")),
        ("onehot", {"t": i2(0, 1, 2), "depth": np.array(0, np.float32)},
         "node 'onehot_t' (nn.one_hot): expects a depth of at least 1, found a smaller one"),
        ("onehot", {"t": i2(0, 1, 2), "depth": np.array(-np.inf, np.float32)},
         "node 'onehot_t' (nn.one_hot): expects a depth of at least 1, found a smaller one"),
    ]
    # A float depth is checked before it becomes an integer (NaN, an
    # infinity or 1e30 converted to poison).
    huge = ("node 'onehot_t' (nn.one_hot): expects a depth below 2^40, found a larger one, an "
            "infinity or NaN")
    bad += [("onehot", {"t": i2(0, 1, 2), "depth": np.array(v, np.float32)}, huge)
            for v in (np.nan, np.inf, 1e30, 2.0**40)]
    for k, (name, inputs, message) in enumerate(bad):
        res, out = run(name, inputs, f"{name}_bad{k}")
        shown = {n: v.tolist() for n, v in inputs.items() if n != "x"}
        e2e.expect_refused(FAILURES, res, f"entry 'model': {message}",
                           f"{name}: {shown} out of range is a run-time error", output_dir=out,
                           exact=True)
    return e2e.finish(FAILURES, "run-time index checks")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-index-errors-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
