#!/usr/bin/python3
"""Run-time index checks of the gathers: out-of-range data indices fail the run.

ONNX (Gather, GatherElements, GatherND, opset 13) makes an index outside
[-size, size - 1] an error. Three models whose indices are graph inputs:
  gather    Gather(x float[3,4], i int64[2], axis=1)
  elements  GatherElements(x float[3,4], i int64[3,2], axis=1)
  nd        GatherND(x float[3,4], i int64[2,2])
Indices in range (negative ones too) must match numpy; one index past either
end must make kiln-run exit 1 with the check's message naming the node, and
write nothing.

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


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    vi = helper.make_tensor_value_info
    models = {
        "gather": (helper.make_node("Gather", ["x", "i"], ["y"], name="gather_i", axis=1), [2]),
        "elements": (helper.make_node("GatherElements", ["x", "i"], ["y"], name="elements_i",
                                      axis=1), [3, 2]),
        "nd": (helper.make_node("GatherND", ["x", "i"], ["y"], name="nd_i"), [2, 2]),
    }
    libs = {}
    for name, (node, ishape) in models.items():
        graph = helper.make_graph([node], name, [vi("x", T.FLOAT, [3, 4]), vi("i", T.INT64, ishape)],
                                  [vi("y", T.FLOAT, None)])
        path = os.path.join(work, name + ".onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
        libs[name] = os.path.join(work, name + ".so")
        e2e.kiln_compile(compiler, path, libs[name], 600)

    x = np.arange(12, dtype=np.float32).reshape(3, 4)

    def run(name, i, tag):
        cmd = [runner, libs[name], "--input", "x=" + e2e.save_npy(os.path.join(work, "x.npy"), x),
               "--input", "i=" + e2e.save_npy(os.path.join(work, tag + "_i.npy"), i)]
        out = os.path.join(work, "out_" + tag)
        return e2e.run(cmd + ["--output-dir", out], 120), out

    good = {
        "gather": (np.array([-1, 2], np.int64), lambda i: x[:, i]),
        "elements": (np.array([[0, -4], [3, 1], [-1, 2]], np.int64),
                     lambda i: np.take_along_axis(x, i % 4, axis=1)),
        "nd": (np.array([[2, -1], [-3, 0]], np.int64), lambda i: x[tuple((i % [3, 4]).T)]),
    }
    for name, (i, ref) in good.items():
        res, out = run(name, i, name + "_ok")
        check(res.returncode == 0 and np.array_equal(e2e.load_output(out, "y"), ref(i)),
              f"{name} with indices in range matches numpy", res)

    bad = {
        "gather": [np.array([0, 4], np.int64), np.array([-5, 0], np.int64)],
        "elements": [np.array([[0, 0], [4, 0], [0, 0]], np.int64),
                     np.array([[0, 0], [0, 0], [0, -5]], np.int64)],
        "nd": [np.array([[3, 0], [0, 0]], np.int64), np.array([[0, 0], [0, -5]], np.int64)],
    }
    label = {"gather": "node 'gather_i' (nn.gather)", "elements": "node 'elements_i' (nn.gather_elements)",
             "nd": "node 'nd_i' (nn.gather_nd)"}
    for name, cases in bad.items():
        for k, i in enumerate(cases):
            res, out = run(name, i, f"{name}_bad{k}")
            written = os.listdir(out) if os.path.isdir(out) else []
            check(res.returncode == 1 and label[name] in res.stderr
                  and "in [-size, size - 1]" in res.stderr and "found one outside" in res.stderr
                  and not written,
                  f"{name}: index {i.tolist()} out of range is a run-time error", res)
    return e2e.finish(FAILURES, "run-time index checks of the gathers")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-index-errors-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
