#!/usr/bin/python3
"""A chain of 20000 elementwise nodes compiles in bounded time and computes
numpy's answer.

Elementwise fusion cloned the whole growing fused body for every node of a
chain, and nn-shorten-live-ranges walked the whole chain above every node:
both were O(n^2), so 8000 nodes took 47 s to reach linalg and 10^5 would have
taken hours (sixth hostile review). Fused bodies now stop at 128 ops and
moved groups at 256; 20000 nodes compile in about 15 s on a quiet 2-core
machine. The compile is given 240 s (before: about 5 minutes to reach linalg alone).

    /usr/bin/python3 test/e2e/long_chain.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

NODES = 20000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir) as work:
        nodes, prev = [], "x"
        for i in range(NODES):
            op = "Add" if i % 2 else "Mul"
            nodes.append(helper.make_node(op, [prev, "c"], [f"t{i}"], name=f"n{i}"))
            prev = f"t{i}"
        nodes.append(helper.make_node("Identity", [prev], ["y"]))
        c = np.float32(0.999)
        graph = helper.make_graph(nodes, "long_chain",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
                                  [numpy_helper.from_array(c, "c")])
        model = os.path.join(work, "long_chain.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model)
        x = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
        y = x.copy()
        for i in range(NODES):  # in float32, step by step, as the graph is
            y = (y + c) if i % 2 else (y * c)
        problems = e2e.check_model_outputs(args.bin_dir, work, model, {"x": x}, {"y": y},
                                           rtol=1e-4, atol=1e-4, oracle="numpy",
                                           compile_timeout=240)
        return e2e.finish(problems, f"a chain of {NODES} elementwise nodes")


if __name__ == "__main__":
    sys.exit(main())
