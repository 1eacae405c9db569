#!/usr/bin/python3
"""Special values with one defined answer: Cast out of range, Sign, ArgMax and
ArgMin of NaN, integer Pow, against numpy and exact Python integers.

- Cast from float to an integer type saturates (LLVM's fptosi.sat): a value
  beyond the type's range gives its bound, NaN gives 0. ONNX leaves these
  undefined; a bare conversion is poison, and on a constant input LLVM stored
  register contents (a different answer, pointer values, on every run).
- Sign of NaN is NaN, numpy's sign (ONNX's reference).
- ArgMax and ArgMin count a NaN as the extreme: the first NaN, or with
  select_last_index the last, as numpy's argmax (ONNX's reference) gives.
- Pow of integers is exact and wraps, as numpy's power: it used to go through
  double (3^39 was off in its last digits, overflow gave INT64_MIN). numpy
  refuses negative exponents; Kiln gives 1 / x truncated (1, -1 or 1 by
  parity for -1, else 0).

Each input is fed twice, at run time and as a constant (folded or not).

    /usr/bin/python3 test/e2e/special_values.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

FLOATS = np.array([1e20, -1e20, np.nan, np.inf, -np.inf, -1.5, 2.5, 3e9, -3e9, 255.9, 256.0,
                   -0.0, 9.3e18, -9.3e18, 2147483520.0, -2147483648.0], np.float32)
INTS = {TensorProto.INT64: np.int64, TensorProto.INT32: np.int32,
        TensorProto.UINT8: np.uint8, TensorProto.UINT64: np.uint64, TensorProto.INT8: np.int8}


def saturating_cast(x, dtype):
    info = np.iinfo(dtype)
    out = []
    for v in x.astype(np.float64):
        if math.isnan(v):
            out.append(0)
        elif math.isinf(v):
            out.append(info.max if v > 0 else info.min)
        else:
            out.append(min(max(math.trunc(v), int(info.min)), int(info.max)))
    return np.array(out, dtype=object).astype(dtype)


def arg_reduce(x, largest, last):
    """numpy's argmax/argmin (NaN counts as the extreme); `last` by flipping,
    as ONNX's reference implements select_last_index."""
    fn = np.argmax if largest else np.argmin
    if last:
        return np.int64(len(x) - 1 - fn(x[::-1]))
    return np.int64(fn(x))


def int_pow(base, exp, dtype):
    bits = np.iinfo(dtype).bits
    out = []
    for x, n in zip(base.tolist(), exp.tolist()):
        if n < 0:
            r = 1 if x == 1 else ((-1 if n % 2 else 1) if x == -1 else 0)
        else:
            r = pow(x, n, 1 << bits)
        r %= 1 << bits
        if np.iinfo(dtype).min < 0 and r >= 1 << (bits - 1):
            r -= 1 << bits
        out.append(r)
    return np.array(out, dtype=dtype)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir) as work:
        n = len(FLOATS)
        nodes, outs, inits, want = [], [], [], {}
        inits.append(numpy_helper.from_array(FLOATS, "fc"))
        for onnx_type, dtype in INTS.items():
            name = np.dtype(dtype).name
            for src in ("f", "fc"):
                out = f"cast_{src}_{name}"
                nodes.append(helper.make_node("Cast", [src], [out], to=onnx_type))
                outs.append(helper.make_tensor_value_info(out, onnx_type, [n]))
                want[out] = saturating_cast(FLOATS, dtype)
        # Sign, and the arg reductions over rows holding NaN.
        sign_in = np.array([np.nan, -0.0, 2.0, -np.inf, 0.5, -3.0], np.float32)
        arg_in = np.array([[1, np.nan, 3, 2, np.nan], [1, 5, 3, 5, 0],
                           [np.nan, 1, 1, 0, np.nan], [-np.inf, -np.inf, 2, 2, 2]], np.float32)
        inits += [numpy_helper.from_array(sign_in, "sc"), numpy_helper.from_array(arg_in, "ac")]
        for src in ("s", "sc"):
            nodes.append(helper.make_node("Sign", [src], [f"sign_{src}"]))
            outs.append(helper.make_tensor_value_info(f"sign_{src}", TensorProto.FLOAT, [6]))
            want[f"sign_{src}"] = np.sign(sign_in)
        for src in ("a", "ac"):
            for op, largest in (("ArgMax", True), ("ArgMin", False)):
                for last in (0, 1):
                    out = f"{op.lower()}_{src}_{last}"
                    nodes.append(helper.make_node(op, [src], [out], axis=1, keepdims=0,
                                                  select_last_index=last))
                    outs.append(helper.make_tensor_value_info(out, TensorProto.INT64, [4]))
                    want[out] = np.array([arg_reduce(r, largest, last) for r in arg_in], np.int64)
        # Integer Pow: int64 and int32 bases, int64 exponents.
        imin = np.iinfo(np.int64).min
        base64 = np.array([3, 7, 5, -3, 3, 7, imin, 2, 2, 1, -1, -1, 2, 0, 3, -2], np.int64)
        exp64 = np.array([39, 22, 27, 39, 40, 30, 2, 63, 64, -5, -3, -4, -1, 0, 1 << 40, 61],
                         np.int64)
        base32 = np.array([3, 3, -7, 2, 46341, 1, -1, 5], np.int32)
        exp32 = np.array([20, 19, 11, 31, 2, -9, 7, 0], np.int64)
        inits += [numpy_helper.from_array(base64, "b64c"), numpy_helper.from_array(exp64, "e64c"),
                  numpy_helper.from_array(base32, "b32c"), numpy_helper.from_array(exp32, "e32c")]
        for b, e, dtype, onnx_type, size in (("b64", "e64", np.int64, TensorProto.INT64, 16),
                                             ("b32", "e32", np.int32, TensorProto.INT32, 8)):
            for suffix in ("", "c"):
                out = f"pow_{b}{suffix}"
                nodes.append(helper.make_node("Pow", [b + suffix, e + suffix], [out]))
                outs.append(helper.make_tensor_value_info(out, onnx_type, [size]))
        want["pow_b64"] = want["pow_b64c"] = int_pow(base64, exp64, np.int64)
        want["pow_b32"] = want["pow_b32c"] = int_pow(base32, exp32, np.int32)
        ins = [helper.make_tensor_value_info("f", TensorProto.FLOAT, [n]),
               helper.make_tensor_value_info("s", TensorProto.FLOAT, [6]),
               helper.make_tensor_value_info("a", TensorProto.FLOAT, [4, 5]),
               helper.make_tensor_value_info("b64", TensorProto.INT64, [16]),
               helper.make_tensor_value_info("e64", TensorProto.INT64, [16]),
               helper.make_tensor_value_info("b32", TensorProto.INT32, [8]),
               helper.make_tensor_value_info("e32", TensorProto.INT64, [8])]
        graph = helper.make_graph(nodes, "special_values", ins, outs, inits)
        model = os.path.join(work, "special_values.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model)
        inputs = {"f": FLOATS, "s": sign_in, "a": arg_in, "b64": base64, "e64": exp64,
                  "b32": base32, "e32": exp32}
        problems = e2e.check_model_outputs(args.bin_dir, work, model, inputs, want,
                                           rtol=0, atol=0, oracle="numpy")
        return e2e.finish(problems, "Cast out of range, Sign and ArgMax of NaN, integer Pow")


if __name__ == "__main__":
    sys.exit(main())
