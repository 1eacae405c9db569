#!/usr/bin/python3
"""Integer Div and Mod never trap: division by zero and INT_MIN / -1, against numpy.

ONNX leaves integer division by zero undefined; Kiln defines x / 0 and x % 0
as 0 (numpy's answer) and INT_MIN / -1 as the wrapped INT_MIN. Without that,
the generated code died of SIGFPE, and a constant divisor holding one zero
made the whole output garbage once LLVM folded the poison. numpy computes
every expected value independently: truncated division for Div, floored
(Python) remainder for Mod, truncated (C fmod) for Mod with fmod=1.

    /usr/bin/python3 test/e2e/integer_division.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e


def expected(a, b):
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    safe = np.where(b64 == 0, 1, b64)
    div = np.where(b64 == 0, 0, np.trunc(a64 / safe).astype(np.int64))
    # INT_MIN / -1 wraps back to INT_MIN in 32 bits.
    div = div.astype(np.int64).astype(np.uint64).astype(np.uint32).view(np.int32)
    mod = np.where(b64 == 0, 0, np.mod(a64, safe)).astype(np.int32)
    fmod = np.where(b64 == 0, 0, np.fmod(a64, safe)).astype(np.int32)
    return {"div": div, "mod": mod, "fmod": fmod}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir) as work:
        imin = np.iinfo(np.int32).min
        a = np.array([7, -7, 9, imin, imin, 5, 0, -3], np.int32)
        b = np.array([2, 2, 0, -1, 1, -3, 0, 0], np.int32)
        # A constant divisor with zeros: LLVM folded the division to poison.
        c_values = np.array([1, 0, 2, -1, 0, 3, 1, 0], np.int32)
        c = numpy_helper.from_array(c_values, "c")
        nodes = [helper.make_node("Div", ["a", "b"], ["div"]),
                 helper.make_node("Mod", ["a", "b"], ["mod"]),
                 helper.make_node("Mod", ["a", "b"], ["fmod"], fmod=1),
                 helper.make_node("Div", ["a", "c"], ["div_const"])]
        outs = [helper.make_tensor_value_info(n, TensorProto.INT32, [8]) for n in ("div", "mod", "fmod")]
        outs.append(helper.make_tensor_value_info("div_const", TensorProto.INT32, [8]))
        graph = helper.make_graph(nodes, "integer_division",
                                  [helper.make_tensor_value_info("a", TensorProto.INT32, [8]),
                                   helper.make_tensor_value_info("b", TensorProto.INT32, [8])],
                                  outs, [c])
        model = os.path.join(work, "integer_division.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model)
        want = expected(a, b)
        want["div_const"] = expected(a, c_values)["div"]
        problems = e2e.check_model_outputs(args.bin_dir, work, model, {"a": a, "b": b},
                                           want, rtol=0, atol=0, oracle="numpy")
        return e2e.finish(problems, "integer Div and Mod by zero and INT_MIN / -1")


if __name__ == "__main__":
    sys.exit(main())
