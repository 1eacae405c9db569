#!/usr/bin/python3
"""Det (opset 11) against numpy.linalg.det: batched, float and double, pivoting.

Kiln computes each determinant by Gaussian elimination with partial pivoting
(nn.det). The cases: a batch [2, 3, 4, 4] of random matrices, matrices whose
leading entries are 0 (only a row swap can proceed), a singular one (0), 1x1,
a double [5, 5], and a batch whose size is a symbolic dimension run at two
sizes.

    /usr/bin/python3 test/e2e/det.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e


def det_model(path, shape, elem):
    graph = helper.make_graph([helper.make_node("Det", ["x"], ["d"])], "det",
                              [helper.make_tensor_value_info("x", elem, shape)],
                              [helper.make_tensor_value_info("d", elem, shape[:-2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]), path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    problems = []
    with e2e.work_dir(args.work_dir) as work:
        batch = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
        # Zero leading entries: the elimination has to swap rows.
        batch[0, 0] = [[0, 2, 1, 3], [0, 0, 4, 1], [5, 1, 0, 2], [1, 3, 2, 0]]
        batch[0, 1] = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
        batch[1, 2] = [[1, 2, 3, 4], [2, 4, 6, 8], [0, 1, 1, 1], [3, 1, 4, 1]]  # singular
        cases = [("det_batch", [2, 3, 4, 4], TensorProto.FLOAT, batch),
                 ("det_1x1", [3, 1, 1], TensorProto.FLOAT,
                  rng.standard_normal((3, 1, 1)).astype(np.float32)),
                 ("det_double", [5, 5], TensorProto.DOUBLE, rng.standard_normal((5, 5)))]
        for name, shape, elem, x in cases:
            model = os.path.join(work, name + ".onnx")
            det_model(model, shape, elem)
            case = os.path.join(work, name)
            os.makedirs(case, exist_ok=True)
            want = np.linalg.det(x.astype(np.float64)).astype(x.dtype)
            problems += [f"{name}: {p}" for p in e2e.check_model_outputs(
                args.bin_dir, case, model, {"x": x}, {"d": want}, rtol=1e-4, atol=1e-5,
                oracle="numpy")]
        # A symbolic batch: one library, two batch sizes.
        model = os.path.join(work, "det_dynamic.onnx")
        det_model(model, ["N", 3, 3], TensorProto.FLOAT)
        for n in (1, 7):
            x = rng.standard_normal((n, 3, 3)).astype(np.float32)
            case = os.path.join(work, f"det_dynamic_{n}")
            os.makedirs(case, exist_ok=True)
            problems += [f"det_dynamic N={n}: {p}" for p in e2e.check_model_outputs(
                args.bin_dir, case, model, {"x": x},
                {"d": np.linalg.det(x.astype(np.float64)).astype(np.float32)},
                rtol=1e-4, atol=1e-5, oracle="numpy")]
    return e2e.finish(problems, "Det against numpy.linalg.det")


if __name__ == "__main__":
    sys.exit(main())
