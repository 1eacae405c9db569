#!/usr/bin/python3
"""If and Loop (scf.if / scf.while) against numpy.

If: a run-time condition choosing between branches that read the enclosing
graph's values, and branches whose shapes differ (the result's dim is dynamic).
Loop: loop-carried values with a scan output over a run-time trip count
(including 0 iterations), a condition that stops the loop early, a loop with
no trip count at all (a while loop on the condition), and the error for scan
outputs without a trip count.

    /usr/bin/python3 test/e2e/control_flow.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
vi = helper.make_tensor_value_info


def save(work, name, graph, opset=13):
    path = os.path.join(work, name + ".onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def const(name, array):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(array, name))


def if_models(work):
    then_g = helper.make_graph([helper.make_node("Add", ["x", "one"], ["t"])], "then", [],
                               [vi("t", F, [2, 3])])
    else_g = helper.make_graph([helper.make_node("Mul", ["x", "x"], ["e"])], "else", [],
                               [vi("e", F, [2, 3])])
    g = helper.make_graph(
        [const("one", np.array(1, np.float32)),
         helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)],
        "if_outer", [vi("c", B, []), vi("x", F, [2, 3])], [vi("y", F, [2, 3])])
    same = save(work, "if_outer", g)
    # Branches of different lengths: the result's dim is dynamic.
    then_g = helper.make_graph([const("a", np.arange(3, dtype=np.float32))], "then", [],
                               [vi("a", F, [3])])
    else_g = helper.make_graph([const("b", np.arange(5, dtype=np.float32) * 2)], "else", [],
                               [vi("b", F, [5])])
    g = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=then_g,
                                            else_branch=else_g)],
                          "if_shapes", [vi("c", B, [])], [vi("y", F, ["n"])])
    return same, save(work, "if_shapes", g)


def loop_model(work, name, with_trip, with_scan, limit=None):
    """y <- y * 0.5 + x for each iteration; cond_out = sum(y) < limit (or the cond in)."""
    nodes = [helper.make_node("Mul", ["y_in", "half"], ["h"]),
             helper.make_node("Add", ["h", "x"], ["y_out"])]
    if limit is None:
        nodes.append(helper.make_node("Identity", ["cond_in"], ["cond_out"]))
    else:
        nodes += [helper.make_node("ReduceSum", ["y_out"], ["s"], keepdims=0),
                  helper.make_node("Less", ["s", "limit"], ["cond_out"])]
    outs = [vi("cond_out", B, []), vi("y_out", F, [3])]
    if with_scan:
        nodes.append(helper.make_node("Mul", ["y_out", "iter_f"], ["scan"]))
        nodes.insert(0, helper.make_node("Cast", ["iter"], ["iter_f"], to=F))
        outs.append(vi("scan", F, [3]))
    body = helper.make_graph(nodes, "body", [vi("iter", I64, []), vi("cond_in", B, []),
                                             vi("y_in", F, [3])], outs)
    inits = [const("half", np.array(0.5, np.float32))]
    if limit is not None:
        inits.append(const("limit", np.array(limit, np.float32)))
    loop_in = ["m" if with_trip else "", "c", "y0"]
    loop_out = ["y"] + (["ys"] if with_scan else [])
    inputs = ([vi("m", I64, [])] if with_trip else []) + [vi("c", B, []), vi("x", F, [3]),
                                                        vi("y0", F, [3])]
    outputs = [vi("y", F, [3])] + ([vi("ys", F, ["n", 3])] if with_scan else [])
    g = helper.make_graph(inits + [helper.make_node("Loop", loop_in, loop_out, body=body)],
                          name, inputs, outputs)
    return save(work, name, g)


def loop_reference(m, c, x, y0, limit=None):
    y, ys, i = y0.astype(np.float32), [], 0
    while c and (m is None or i < m):
        y = (y * np.float32(0.5) + x).astype(np.float32)
        ys.append(y * np.float32(i))
        c = bool(y.sum() < limit) if limit is not None else c
        i += 1
    return y, np.array(ys, np.float32).reshape(len(ys), 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(3)
    problems = []

    def check(name, model, inputs, want):
        case = os.path.join(work, name)
        os.makedirs(case, exist_ok=True)
        problems.extend(f"{name}: {p}" for p in e2e.check_model_outputs(
            args.bin_dir, case, model, inputs, want, rtol=1e-5, atol=1e-6, oracle="numpy"))

    with e2e.work_dir(args.work_dir) as work:
        same, shapes = if_models(work)
        x = rng.standard_normal((2, 3)).astype(np.float32)
        for c in (True, False):
            check(f"if_outer_{c}", same, {"x": x, "c": np.array(c)},
                  {"y": x + 1 if c else x * x})
            check(f"if_shapes_{c}", shapes, {"c": np.array(c)},
                  {"y": np.arange(3, dtype=np.float32) if c
                   else np.arange(5, dtype=np.float32) * 2})
        x = rng.standard_normal(3).astype(np.float32)
        y0 = rng.standard_normal(3).astype(np.float32)
        scan = loop_model(work, "loop_scan", with_trip=True, with_scan=True)
        for m in (4, 0):
            y, ys = loop_reference(m, True, x, y0)
            check(f"loop_scan_m{m}", scan,
                  {"m": np.array(m, np.int64), "c": np.array(True), "x": x, "y0": y0},
                  {"y": y, "ys": ys})
        # The condition stops the loop before the trip count.
        x = np.array([1, 2, 3], np.float32)
        y0 = np.zeros(3, np.float32)
        early = loop_model(work, "loop_early", with_trip=True, with_scan=True, limit=10.0)
        y, ys = loop_reference(100, True, x, y0, limit=10.0)
        assert 1 < len(ys) < 100
        check("loop_early", early,
              {"m": np.array(100, np.int64), "c": np.array(True), "x": x, "y0": y0},
              {"y": y, "ys": ys})
        # No trip count: a while loop on the condition alone.
        whileloop = loop_model(work, "loop_while", with_trip=False, with_scan=False, limit=10.0)
        y, _ = loop_reference(None, True, x, y0, limit=10.0)
        check("loop_while", whileloop, {"c": np.array(True), "x": x, "y0": y0}, {"y": y})
        # Scan outputs need the trip count (the text format cannot omit M).
        no_trip = loop_model(work, "loop_no_trip", with_trip=False, with_scan=True)
        result = e2e.run([e2e.find_tool("kiln-compile", args.bin_dir), no_trip, "--emit=nn"],
                         timeout=60)
        e2e.expect(problems, result.returncode != 0 and
                   "expects a trip count M for a Loop with scan outputs" in result.stderr,
                   "a Loop with scan outputs and no trip count is refused", result)
    return e2e.finish(problems, "If and Loop against numpy")


if __name__ == "__main__":
    sys.exit(main())
