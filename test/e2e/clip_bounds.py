#!/usr/bin/python3
"""Clip with min > max computes ONNX's result, against numpy.

ONNX defines Clip as min(max(x, min), max), so a min above the max makes
every element max. Kiln refused such constant bounds with a verifier error
that did not name the node. Each case is compiled and run, and compared with
numpy's np.minimum(np.maximum(x, lo), hi): constant bounds (Clip-13, float
and int32), bounds given at run time, bounds as attributes (Clip-6), and a
constant input (folded at compile time).

    /usr/bin/python3 test/e2e/clip_bounds.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

import kiln_e2e as e2e


def clip(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)


def const(name, value):
    return helper.make_node("Constant", [], [name], name="const_" + name,
                            value=numpy_helper.from_array(value))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    vi = helper.make_tensor_value_info
    x = np.array([-3.5, -1.0, 0.0, 0.25, 1.5, 4.0], np.float32)
    k = np.array([-7, 0, 1, 2, 3, 9], np.int32)
    folded = np.array([-2.0, 0.5, 8.0], np.float32)
    problems = []
    with e2e.work_dir(args.work_dir, prefix="kiln-clip-bounds-") as work:
        nodes = [const("lo", np.array(2.0, np.float32)), const("hi", np.array(1.0, np.float32)),
                 const("klo", np.array(5, np.int32)), const("khi", np.array(-1, np.int32)),
                 const("c", folded),
                 helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip_const"),
                 helper.make_node("Clip", ["k", "klo", "khi"], ["yk"], name="clip_int"),
                 helper.make_node("Clip", ["x", "rlo", "rhi"], ["yr"], name="clip_runtime"),
                 helper.make_node("Clip", ["c", "lo", "hi"], ["yc"], name="clip_folded")]
        graph = helper.make_graph(
            nodes, "clip13",
            [vi("x", T.FLOAT, [6]), vi("k", T.INT32, [6]), vi("rlo", T.FLOAT, []),
             vi("rhi", T.FLOAT, [])],
            [vi("y", T.FLOAT, [6]), vi("yk", T.INT32, [6]), vi("yr", T.FLOAT, [6]),
             vi("yc", T.FLOAT, [3])])
        sub = os.path.join(work, "clip13")
        os.makedirs(sub, exist_ok=True)
        model = os.path.join(sub, "clip13.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model)
        rlo, rhi = np.array(0.5, np.float32), np.array(-0.5, np.float32)
        want = {"y": clip(x, np.float32(2), np.float32(1)), "yk": clip(k, 5, -1).astype(np.int32),
                "yr": clip(x, rlo, rhi), "yc": clip(folded, np.float32(2), np.float32(1))}
        problems += e2e.check_model_outputs(args.bin_dir, sub, model,
                                            {"x": x, "k": k, "rlo": rlo, "rhi": rhi},
                                            want, rtol=0, atol=0, oracle="numpy")

        graph = helper.make_graph(
            [helper.make_node("Clip", ["x"], ["y"], name="clip6", min=3.0, max=-2.0)], "clip6",
            [vi("x", T.FLOAT, [6])], [vi("y", T.FLOAT, [6])])
        sub = os.path.join(work, "clip6")
        os.makedirs(sub, exist_ok=True)
        model = os.path.join(sub, "clip6.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 6)]), model)
        problems += e2e.check_model_outputs(args.bin_dir, sub, model, {"x": x},
                                            {"y": clip(x, np.float32(3), np.float32(-2))},
                                            rtol=0, atol=0, oracle="numpy")
    return e2e.finish(problems, "Clip with min > max")


if __name__ == "__main__":
    sys.exit(main())
