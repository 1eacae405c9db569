#!/usr/bin/python3
"""Integer, float16 and bfloat16 element types end to end, against numpy.

For each of uint8, uint16, uint32, uint64, int8 and int16 one model computes
Add, Sub, Mul, Div, Mod, Max, Min, Less, ArgMax and a Cast to float32 (with
BitShift for the unsigned types and MaxPool for the 8-bit ones); float16 one
with Add, Mul, Div, Max, Sqrt and Casts; bfloat16 one with Casts and Add.
numpy computes every expected value independently: integers wrap in their
width, x / 0 and x % 0 are 0 (Kiln's documented answer), float16 arithmetic
is numpy's own (computed in float32, rounded to nearest even), and bfloat16
keeps the high 16 bits of a float32 (ONNX 1.12's Cast). bfloat16 travels
through .npy files as its uint16 bits.

    /usr/bin/python3 test/e2e/dtypes.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e

INTS = {
    np.uint8: TensorProto.UINT8, np.uint16: TensorProto.UINT16,
    np.uint32: TensorProto.UINT32, np.uint64: TensorProto.UINT64,
    np.int8: TensorProto.INT8, np.int16: TensorProto.INT16,
}


ELEM = {np.dtype(k): v for k, v in INTS.items()}
ELEM.update({np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float16): TensorProto.FLOAT16,
             np.dtype(np.int64): TensorProto.INT64, np.dtype(np.bool_): TensorProto.BOOL})


def outputs_of(want, bf16=()):
    """Graph outputs typed like the expected arrays (the `bf16` ones hold bfloat16 bits)."""
    return [helper.make_tensor_value_info(
        k, TensorProto.BFLOAT16 if k in bf16 else ELEM[v.dtype], list(v.shape))
        for k, v in want.items()]


def save(work, name, nodes, inputs, outputs, opset=14):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    path = os.path.join(work, name + ".onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def int_operands(dtype, rng):
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, size=(3, 8), endpoint=True, dtype=dtype)
    b = rng.integers(info.min, info.max, size=(3, 8), endpoint=True, dtype=dtype)
    a[0, :4] = [info.max, info.min, 7, 0]
    b[0, :4] = [3, 1, 0, 5]  # a zero divisor
    b[1, :3] = [1, 2, 3]     # small divisors give non-trivial quotients
    return a, b


def int_expected(a, b, dtype):
    signed = np.issubdtype(dtype, np.signedinteger)
    wide_a, wide_b = a.astype(object), b.astype(object)
    safe = np.where(wide_b == 0, 1, wide_b)
    div = np.array([[0 if y == 0 else (abs(x) // abs(y)) * (1 if (x < 0) == (y < 0) else -1)
                     for x, y in zip(ra, rb)] for ra, rb in zip(wide_a, wide_b)], dtype=object)
    mod = np.where(wide_b == 0, 0, wide_a % safe)  # Python's % is floored, as ONNX Mod
    width = np.dtype(dtype).itemsize * 8

    def wrap(v):
        bits = np.array([int(x) % (1 << width) for x in v.ravel()], dtype=np.uint64)
        unsigned = np.dtype(f"u{np.dtype(dtype).itemsize}")
        return bits.astype(unsigned).view(dtype).reshape(v.shape)

    want = {
        "add": wrap(wide_a + wide_b), "sub": wrap(wide_a - wide_b), "mul": wrap(wide_a * wide_b),
        "div": wrap(div), "mod": wrap(mod),
        "max": np.maximum(a, b), "min": np.minimum(a, b), "less": a < b,
        "argmax": np.argmax(a, axis=0).astype(np.int64),
        "tofloat": a.astype(np.float32),
    }
    if not signed:
        def shift(x, n, left):
            if n >= width:
                return 0
            return (x << n) % (1 << width) if left else x >> n
        n = (np.arange(a.size).reshape(a.shape) % (width + 3)).astype(dtype)
        want["shl"] = np.vectorize(lambda x, k: shift(int(x), int(k), True))(a, n).astype(dtype)
        want["shr"] = np.vectorize(lambda x, k: shift(int(x), int(k), False))(a, n).astype(dtype)
        return want, n
    return want, None


def check_int(args, work, dtype, rng):
    t = INTS[dtype]
    name = np.dtype(dtype).name
    a, b = int_operands(dtype, rng)
    want, n = int_expected(a, b, dtype)
    nodes = [helper.make_node("Add", ["a", "b"], ["add"]),
             helper.make_node("Sub", ["a", "b"], ["sub"]),
             helper.make_node("Mul", ["a", "b"], ["mul"]),
             helper.make_node("Div", ["a", "b"], ["div"]),
             helper.make_node("Mod", ["a", "b"], ["mod"]),
             helper.make_node("Max", ["a", "b"], ["max"]),
             helper.make_node("Min", ["a", "b"], ["min"]),
             helper.make_node("Less", ["a", "b"], ["less"]),
             helper.make_node("ArgMax", ["a"], ["argmax"], axis=0, keepdims=0),
             helper.make_node("Cast", ["a"], ["tofloat"], to=TensorProto.FLOAT)]
    inputs = [helper.make_tensor_value_info(v, t, [3, 8]) for v in ("a", "b")]
    feeds = {"a": a, "b": b}
    if n is not None:
        nodes += [helper.make_node("BitShift", ["a", "n"], ["shl"], direction="LEFT"),
                  helper.make_node("BitShift", ["a", "n"], ["shr"], direction="RIGHT")]
        inputs.append(helper.make_tensor_value_info("n", t, [3, 8]))
        feeds["n"] = n
    if np.dtype(dtype).itemsize == 1:
        x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, size=(1, 2, 4, 4),
                         endpoint=True, dtype=dtype)
        nodes.append(helper.make_node("MaxPool", ["x"], ["pool"], kernel_shape=[2, 2],
                                      strides=[2, 2]))
        inputs.append(helper.make_tensor_value_info("x", t, [1, 2, 4, 4]))
        feeds["x"] = x
        want["pool"] = x.reshape(1, 2, 2, 2, 2, 2).max(axis=(3, 5))
    outputs = outputs_of(want)
    model = save(work, name, nodes, inputs, outputs)
    print(f"{name}:", flush=True)
    return e2e.check_model_outputs(args.bin_dir, os.path.join(work, name), model, feeds, want,
                                   rtol=0, atol=0, oracle="numpy")


def check_float16(args, work, rng):
    a = rng.normal(size=(4, 5)).astype(np.float16)
    b = (rng.normal(size=(4, 5)) + 3).astype(np.float16)
    f = rng.normal(size=(4, 5)).astype(np.float32)
    want = {"add": a + b, "mul": a * b, "div": a / b, "max": np.maximum(a, b),
            "sqrt": np.sqrt(b), "widen": a.astype(np.float32), "narrow": f.astype(np.float16)}
    nodes = [helper.make_node("Add", ["a", "b"], ["add"]),
             helper.make_node("Mul", ["a", "b"], ["mul"]),
             helper.make_node("Div", ["a", "b"], ["div"]),
             helper.make_node("Max", ["a", "b"], ["max"]),
             helper.make_node("Sqrt", ["b"], ["sqrt"]),
             helper.make_node("Cast", ["a"], ["widen"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["f"], ["narrow"], to=TensorProto.FLOAT16)]
    inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT16, [4, 5]),
              helper.make_tensor_value_info("b", TensorProto.FLOAT16, [4, 5]),
              helper.make_tensor_value_info("f", TensorProto.FLOAT, [4, 5])]
    outputs = outputs_of(want)
    model = save(work, "float16", nodes, inputs, outputs)
    print("float16:", flush=True)
    return e2e.check_model_outputs(args.bin_dir, os.path.join(work, "float16"), model,
                                   {"a": a, "b": b, "f": f}, want, rtol=0, atol=0, oracle="numpy")


def bf16_bits(x):
    """float32 -> bfloat16 bits (uint16) by truncation, as ONNX 1.12's Cast."""
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def bf16_value(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def check_bfloat16(args, work, rng):
    f = rng.normal(size=(3, 4)).astype(np.float32)
    f[0, :3] = [np.inf, -np.inf, np.nan]
    a = bf16_bits(rng.normal(size=(3, 4)))
    b = bf16_bits(rng.normal(size=(3, 4)))
    want = {"narrow": bf16_bits(f), "widen": bf16_value(a),
            "add": bf16_bits(bf16_value(a) + bf16_value(b))}
    nodes = [helper.make_node("Cast", ["f"], ["narrow"], to=TensorProto.BFLOAT16),
             helper.make_node("Cast", ["a"], ["widen"], to=TensorProto.FLOAT),
             helper.make_node("Add", ["a", "b"], ["add"])]
    inputs = [helper.make_tensor_value_info("f", TensorProto.FLOAT, [3, 4]),
              helper.make_tensor_value_info("a", TensorProto.BFLOAT16, [3, 4]),
              helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [3, 4])]
    outputs = outputs_of(want, bf16=("narrow", "add"))
    model = save(work, "bfloat16", nodes, inputs, outputs)
    print("bfloat16:", flush=True)
    return e2e.check_model_outputs(args.bin_dir, os.path.join(work, "bfloat16"), model,
                                   {"f": f, "a": a, "b": b}, want, rtol=0, atol=0, oracle="numpy")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(9)
    problems = []
    with e2e.work_dir(args.work_dir) as work:
        for dtype in INTS:
            os.makedirs(os.path.join(work, np.dtype(dtype).name), exist_ok=True)
            problems += check_int(args, work, dtype, rng)
        for name in ("float16", "bfloat16"):
            os.makedirs(os.path.join(work, name), exist_ok=True)
        problems += check_float16(args, work, rng)
        problems += check_bfloat16(args, work, rng)
    return e2e.finish(problems, "integer, float16 and bfloat16 element types")


if __name__ == "__main__":
    sys.exit(main())
