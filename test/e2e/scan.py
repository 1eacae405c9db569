#!/usr/bin/python3
"""Scan (opsets 8 and 11) against a numpy loop written from the spec.

Scan-11: a state and two scan inputs, one read along axis 1 backwards, and
two scan outputs, one written along axis 1 backwards. Scan-8: a batch of
two, the scan input read backwards. Errors: scan inputs of different
lengths, Scan-8's sequence_lens and inputs of different batches.

    /usr/bin/python3 test/e2e/scan.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e

F = TensorProto.FLOAT
vi = helper.make_tensor_value_info


def save(work, name, node, inputs, outputs, opset):
    path = os.path.join(work, name + ".onnx")
    graph = helper.make_graph([node], name, inputs, outputs)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def body11():
    """s' = s + x_t; y_t = s' * w_t; z_t = s'."""
    return helper.make_graph(
        [helper.make_node("Add", ["s", "xt"], ["s2"]),
         helper.make_node("Mul", ["s2", "wt"], ["yt"]),
         helper.make_node("Identity", ["s2"], ["zt"])], "body",
        [vi("s", F, [2]), vi("xt", F, [2]), vi("wt", F, [2])],
        [vi("s2", F, [2]), vi("yt", F, [2]), vi("zt", F, [2])])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(9)
    problems = []
    with e2e.work_dir(args.work_dir) as work:
        def check(name, model, inputs, want):
            case = os.path.join(work, name)
            os.makedirs(case, exist_ok=True)
            problems.extend(f"{name}: {p}" for p in e2e.check_model_outputs(
                args.bin_dir, case, model, inputs, want, rtol=1e-5, atol=1e-6, oracle="numpy"))

        node = helper.make_node("Scan", ["s0", "x", "w"], ["s", "y", "z"], name="scan11",
                                body=body11(), num_scan_inputs=2, scan_input_axes=[0, 1],
                                scan_input_directions=[0, 1], scan_output_axes=[-1, 0],
                                scan_output_directions=[1, 0])
        model = save(work, "scan11", node,
                     [vi("s0", F, [2]), vi("x", F, [4, 2]), vi("w", F, [2, 4])],
                     [vi("s", F, None), vi("y", F, None), vi("z", F, None)], 11)
        s0 = rng.standard_normal(2).astype(np.float32)
        x = rng.standard_normal((4, 2)).astype(np.float32)
        w = rng.standard_normal((2, 4)).astype(np.float32)
        s, ys, zs = s0.copy(), [], []
        for t in range(4):
            s = s + x[t]
            ys.append(s * w[:, 3 - t])
            zs.append(s.copy())
        y = np.stack(ys[::-1], axis=1)  # written backwards along axis 1
        check("scan11", model, {"s0": s0, "x": x, "w": w}, {"s": s, "y": y, "z": np.stack(zs)})

        body8 = helper.make_graph(
            [helper.make_node("Add", ["s", "xt"], ["s2"]),
             helper.make_node("Identity", ["s2"], ["yt"])], "body",
            [vi("s", F, [2]), vi("xt", F, [2])], [vi("s2", F, [2]), vi("yt", F, [2])])
        node = helper.make_node("Scan", ["", "s0", "x"], ["s", "y"], name="scan8", body=body8,
                                num_scan_inputs=1, directions=[1])
        model = save(work, "scan8", node, [vi("s0", F, [2, 2]), vi("x", F, [2, 3, 2])],
                     [vi("s", F, None), vi("y", F, None)], 8)
        s0 = rng.standard_normal((2, 2)).astype(np.float32)
        x = rng.standard_normal((2, 3, 2)).astype(np.float32)
        steps = s0[:, None, :] + np.cumsum(x[:, ::-1, :], axis=1)
        check("scan8", model, {"s0": s0, "x": x}, {"s": steps[:, -1], "y": steps})

        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        node = helper.make_node("Scan", ["s0", "x", "w"], ["s", "y", "z"], name="scan_len",
                                body=body11(), num_scan_inputs=2)
        bad = save(work, "scan_len", node,
                   [vi("s0", F, [2]), vi("x", F, [4, 2]), vi("w", F, [3, 2])],
                   [vi("s", F, None), vi("y", F, None), vi("z", F, None)], 11)
        result = e2e.run([compiler, bad, "--emit=nn"], timeout=60)
        e2e.expect(problems, result.returncode != 0 and
                   "node 'scan_len' (Scan, opset 11): expects scan inputs of one length, "
                   "found 4 and 3" in result.stderr,
                   "scan inputs of different lengths are refused", result)
        node = helper.make_node("Scan", ["lens", "s0", "x"], ["s", "y"], name="scan_lens",
                                body=body8, num_scan_inputs=1)
        bad = save(work, "scan_lens", node,
                   [vi("lens", TensorProto.INT64, [2]), vi("s0", F, [2, 2]),
                    vi("x", F, [2, 3, 2])], [vi("s", F, None), vi("y", F, None)], 8)
        result = e2e.run([compiler, bad, "--emit=nn"], timeout=60)
        e2e.expect(problems, result.returncode != 0 and
                   "node 'scan_lens' (Scan, opset 8): sequence_lens is not supported" in
                   result.stderr, "Scan-8's sequence_lens is refused", result)
        node = helper.make_node("Scan", ["", "s0", "x"], ["s", "y"], name="scan_batch",
                                body=body8, num_scan_inputs=1)
        bad = save(work, "scan_batch", node, [vi("s0", F, [2, 2]), vi("x", F, [3, 3, 2])],
                   [vi("s", F, None), vi("y", F, None)], 8)
        result = e2e.run([compiler, bad, "--emit=nn"], timeout=60)
        e2e.expect(problems, result.returncode != 0 and
                   "node 'scan_batch' (Scan, opset 8): expects a static batch dimension shared "
                   "by every input, found 'tensor<3x3x2xf32>'" in result.stderr,
                   "Scan-8 inputs of different batches are refused", result)
    return e2e.finish(problems, "Scan against numpy")


if __name__ == "__main__":
    sys.exit(main())
