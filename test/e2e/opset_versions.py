#!/usr/bin/python3
"""Opsets 18 to 21 read by Kiln's own version rules, against numpy and PyTorch.

ONNX 1.12 (the linked libonnx) knows opsets up to 17. Kiln reads the default
domain up to opset 21 with its own per-operator rules: ReduceX axes as an input
and Split's num_outputs (18), Pad's axes input (18), GroupNormalization (18:
scale and bias per group; 21: per channel), Col2Im (18). The models are built
by hand with an explicit opset_import (onnx.checker is older than they are).
Two models that libonnx's shape inference gets wrong or throws on are typed by
Kiln's own: MaxPool with ceil_mode whose last window would start in the right
padding (PyTorch drops it: 1x2x5x5 -> 1x2x3x3) and Reshape to
Concat(empty int64 tensor, [3, 2]).

    /usr/bin/python3 test/e2e/opset_versions.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

F = TensorProto.FLOAT


def model(name, opset, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info(n, F, s) for n, s in inputs],
                              [helper.make_tensor_value_info(n, F, s) for n, s in outputs],
                              list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def i64(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def group_norm(x, scale, bias, groups, eps, per_channel):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1).astype(np.float64)
    g = (g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps)
    if not per_channel:
        g = g * scale.reshape(groups, 1) + bias.reshape(groups, 1)
        return g.reshape(x.shape).astype(np.float32)
    y = g.reshape(x.shape)
    shape = (c,) + (1,) * (x.ndim - 2)
    return (y * scale.reshape(shape) + bias.reshape(shape)).astype(np.float32)


def cases(rng):
    """(name, model, inputs, expected outputs, oracle)."""
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    yield ("reduce18", model("reduce18", 18, [
        helper.make_node("ReduceMean", ["x", "one"], ["mean"], keepdims=0),
        helper.make_node("ReduceMax", ["x", "ax"], ["max"]),
        helper.make_node("ReduceSumSquare", ["x"], ["ssq"], keepdims=0),
        helper.make_node("ReduceMin", ["x", "none"], ["noop"], noop_with_empty_axes=1),
    ], [("x", [2, 3, 4])], [("mean", [2, 4]), ("max", [1, 3, 1]), ("ssq", []),
                            ("noop", [2, 3, 4])],
        [i64("one", [1]), i64("ax", [0, -1]), i64("none", [])]),
        {"x": x}, {"mean": x.mean(1), "max": x.max((0, 2), keepdims=True),
                   "ssq": np.array((x.astype(np.float64) ** 2).sum(), np.float32), "noop": x},
        "numpy")

    s = rng.standard_normal((7, 2)).astype(np.float32)
    yield ("split18", model("split18", 18, [
        helper.make_node("Split", ["s"], ["a", "b", "c"], num_outputs=3)],
        [("s", [7, 2])], [("a", [3, 2]), ("b", [3, 2]), ("c", [1, 2])]),
        {"s": s}, {"a": s[:3], "b": s[3:6], "c": s[6:]}, "numpy")

    p = rng.standard_normal((2, 3)).astype(np.float32)
    yield ("pad18", model("pad18", 18, [
        helper.make_node("Pad", ["p", "pads", "value", "axes"], ["padded"])],
        [("p", [2, 3])], [("padded", [2, 6])],
        [i64("pads", [1, 2]), numpy_helper.from_array(np.array(0.5, np.float32), "value"),
         i64("axes", [-1])]),
        {"p": p}, {"padded": np.pad(p, ((0, 0), (1, 2)), constant_values=0.5)}, "numpy")

    g = rng.standard_normal((2, 6, 3, 4)).astype(np.float32)
    sg, bg = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    yield ("group_norm18", model("group_norm18", 18, [
        helper.make_node("GroupNormalization", ["g", "sg", "bg"], ["gn"], num_groups=3,
                         epsilon=1e-3)],
        [("g", [2, 6, 3, 4])], [("gn", [2, 6, 3, 4])],
        [numpy_helper.from_array(sg, "sg"), numpy_helper.from_array(bg, "bg")]),
        {"g": g}, {"gn": group_norm(g, sg, bg, 3, 1e-3, per_channel=False)}, "numpy")

    sc, bc = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    torch_gn = torch.nn.functional.group_norm(torch.from_numpy(g), 2, torch.from_numpy(sc),
                                              torch.from_numpy(bc), eps=1e-5).numpy()
    yield ("group_norm21", model("group_norm21", 21, [
        helper.make_node("GroupNormalization", ["g", "sc", "bc"], ["gn"], num_groups=2)],
        [("g", [2, 6, 3, 4])], [("gn", [2, 6, 3, 4])],
        [numpy_helper.from_array(sc, "sc"), numpy_helper.from_array(bc, "bc")]),
        {"g": g}, {"gn": torch_gn}, "PyTorch")

    # Col2Im is torch.nn.functional.fold: a 6x7 image, 2x3 blocks, stride
    # (2, 1) with a partial last stride, dilation (1, 2), pads (1, 0, 0, 1).
    image, block, strides, dil, pads = (6, 7), (2, 3), (2, 1), (1, 2), (1, 0, 0, 1)
    counts = [(image[i] + pads[i] + pads[i + 2] - dil[i] * (block[i] - 1) - 1) // strides[i] + 1
              for i in range(2)]
    cols = rng.standard_normal((2, 3 * 6, counts[0] * counts[1])).astype(np.float32)
    # PyTorch pads symmetrically: fold into the padded image, then crop.
    padded = torch.nn.functional.fold(
        torch.from_numpy(cols), (image[0] + pads[0] + pads[2], image[1] + pads[1] + pads[3]),
        block, dilation=dil, stride=strides).numpy()
    folded = padded[:, :, pads[0]:pads[0] + image[0], pads[1]:pads[1] + image[1]]
    yield ("col2im18", model("col2im18", 18, [
        helper.make_node("Col2Im", ["cols", "image", "block"], ["im"], strides=list(strides),
                         dilations=list(dil), pads=list(pads))],
        [("cols", list(cols.shape))], [("im", [2, 3, 6, 7])],
        [i64("image", image), i64("block", block)]),
        {"cols": cols}, {"im": folded}, "PyTorch")

    # libonnx 1.12 says 4x4 (and throws on the declared 3x3).
    m = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    pooled = torch.nn.functional.max_pool2d(torch.from_numpy(m), 2, 2, padding=1,
                                            ceil_mode=True).numpy()
    assert pooled.shape == (1, 2, 3, 3)
    yield ("maxpool_ceil", model("maxpool_ceil", 12, [
        helper.make_node("MaxPool", ["m"], ["pool"], kernel_shape=[2, 2], strides=[2, 2],
                         pads=[1, 1, 1, 1], ceil_mode=1)],
        [("m", [1, 2, 5, 5])], [("pool", [1, 2, 3, 3])]),
        {"m": m}, {"pool": pooled}, "PyTorch")

    # libonnx 1.12 throws on the empty Concat operand.
    r = rng.standard_normal(6).astype(np.float32)
    yield ("reshape_concat_empty", model("reshape_concat_empty", 13, [
        helper.make_node("Concat", ["empty", "dims"], ["shape"], axis=0),
        helper.make_node("Reshape", ["r", "shape"], ["reshaped"])],
        [("r", [6])], [("reshaped", [3, 2])], [i64("empty", []), i64("dims", [3, 2])]),
        {"r": r}, {"reshaped": r.reshape(3, 2)}, "numpy")

    # Opsets 19 to 21 changed only types for these ops.
    for opset in (19, 20, 21):
        a = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
        yield (f"opset{opset}", model(f"opset{opset}", opset, [
            helper.make_node("AveragePool", ["a"], ["avg"], kernel_shape=[2, 2]),
            helper.make_node("Relu", ["avg"], ["r"]),
            helper.make_node("Reshape", ["r", "flat"], ["out"])],
            [("a", [2, 3, 4, 4])], [("out", [2, 27])], [i64("flat", [2, -1])]),
            {"a": a}, {"out": np.maximum(np.stack(
                [a[:, :, i:i + 2, j:j + 2].mean((2, 3)) for i in range(3) for j in range(3)],
                -1), 0).reshape(2, 27)},
            "numpy")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(18)
    problems = []
    with e2e.work_dir(args.work_dir) as work:
        for name, m, inputs, want, oracle in cases(rng):
            path = os.path.join(work, name + ".onnx")
            onnx.save(m, path)
            case_dir = os.path.join(work, name)
            os.makedirs(case_dir, exist_ok=True)
            problems += [f"{name}: {p}" for p in e2e.check_model_outputs(
                args.bin_dir, case_dir, path, inputs, want, rtol=1e-4, atol=1e-5, oracle=oracle)]
    return e2e.finish(problems, "opsets 18 to 21 by Kiln's version rules")


if __name__ == "__main__":
    sys.exit(main())
