#!/usr/bin/python3
"""Convolutions on both sides of the direct-or-im2col rule, against PyTorch.

The CPU codegen convolves a stride-1 (or, with 16 lanes, stride-2)
convolution whose output rows are whole vectors, half of one (two rows per
register block), or at stride 1 narrow rows that fill 3/4 of their vector
lanes, directly (no im2col buffer) and keeps im2col for the rest
(docs/lowering-choices.md, "Convolution: direct or im2col"). Each case is
one ONNX Conv (with bias in some), compiled for the host and for an AVX2
target (8 lanes, 16 registers: other register blocks and cache blocks than
AVX-512's 16 lanes, and stride 2 by im2col), and compared with PyTorch's
conv2d within rtol 1e-4, atol 1e-4: pads (asymmetric too), dilations,
kernel shapes, odd channel counts, input channels split into cache blocks,
narrow rows (28, 15, 14 pixels), rows of half a vector, stride 2 (rows read
at twice the width and deinterleaved; with dilation, asymmetric pads, along
one dim only), and the im2col fallbacks (stride 3, groups, rows of 9
pixels, an odd number of 8-pixel rows, narrow rows at stride 2, fewer than
4 filters).

    /usr/bin/python3 test/e2e/conv_direct.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

# (name, input NCHW, filters, kernel (kh, kw), strides, ONNX pads
#  [h_begin, w_begin, h_end, w_end], dilations, group, bias)
CASES = [
    ("direct_3x3", (2, 8, 16, 16), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_asym_pads", (1, 5, 13, 32), 12, (3, 3), (1, 1), [2, 1, 0, 1], (1, 1), 1, False),
    ("direct_dilated", (1, 4, 20, 32), 8, (3, 3), (1, 1), [2, 2, 2, 2], (2, 2), 1, True),
    ("direct_5x5_odd", (1, 7, 11, 20), 20, (5, 5), (1, 1), [0, 0, 0, 0], (1, 1), 1, False),
    ("direct_1x3", (3, 3, 9, 16), 8, (1, 3), (1, 1), [0, 1, 0, 1], (1, 1), 1, True),
    # Padded rows as wide as the output read the unpadded input, each kernel
    # column's window shifted in from one row read (two lanes each way here).
    ("direct_5x5_pad2", (2, 4, 12, 16), 8, (5, 5), (1, 1), [2, 2, 2, 2], (1, 1), 1, True),
    ("direct_3x5_uneven", (1, 6, 10, 32), 16, (3, 5), (1, 1), [0, 3, 2, 1], (1, 1), 1, False),
    ("direct_channel_blocks", (1, 96, 10, 16), 8, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    ("direct_wide", (1, 6, 6, 64), 24, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_narrow_rows", (2, 6, 14, 28), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_narrow_14", (1, 9, 14, 14), 8, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    # Rows of half a vector (8 pixels at 16 lanes, 4 at 8): two output rows
    # per register block; an odd number of rows keeps im2col.
    ("direct_two_rows", (2, 16, 8, 8), 32, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_two_rows_4px", (1, 8, 6, 4), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    # Two rows read unpadded: pads only before, and a 2x2 kernel (a stride-2
    # input gradient's phase).
    ("direct_two_rows_asym", (1, 6, 9, 8), 16, (3, 3), (1, 1), [2, 2, 1, 0], (1, 1), 1, True),
    ("direct_two_rows_2x2", (2, 8, 8, 8), 16, (2, 2), (1, 1), [1, 1, 0, 0], (1, 1), 1, False),
    ("direct_two_rows_dilated", (1, 8, 12, 10), 8, (3, 2), (1, 1), [1, 0, 1, 0], (2, 2), 1, True),
    ("im2col_rows8_odd_height", (1, 8, 7, 8), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    # Rows of 8 pixels at stride 2: both rows' inputs deinterleaved and
    # joined by one shuffle at 16 lanes; im2col at 8.
    ("stride2_8px", (2, 8, 16, 16), 16, (3, 3), (2, 2), [1, 1, 1, 1], (1, 1), 1, True),
    ("im2col_grouped", (1, 8, 16, 16), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 2, False),
    ("direct_narrow_15", (1, 8, 9, 15), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    ("im2col_odd_width", (1, 8, 9, 9), 16, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, False),
    ("im2col_few_filters", (1, 8, 16, 16), 3, (3, 3), (1, 1), [1, 1, 1, 1], (1, 1), 1, True),
    # Stride 2 along the row: twice the lanes read, every other one kept.
    ("direct_stride2", (2, 8, 32, 32), 16, (3, 3), (2, 2), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_stride2_asym", (1, 5, 17, 32), 8, (3, 3), (2, 2), [0, 1, 2, 0], (1, 1), 1, False),
    ("direct_stride_h2", (1, 6, 19, 16), 12, (3, 3), (2, 1), [1, 1, 1, 1], (1, 1), 1, True),
    ("direct_stride_w2", (1, 6, 7, 64), 8, (3, 2), (1, 2), [1, 0, 1, 0], (1, 1), 1, False),
    ("direct_stride2_dilated", (1, 4, 36, 31), 8, (3, 3), (2, 2), [2, 2, 2, 2], (2, 2), 1, True),
    # A narrow row (14 of 16 lanes) at stride 2 keeps im2col.
    ("im2col_stride2_narrow", (1, 8, 28, 28), 16, (3, 3), (2, 2), [1, 1, 1, 1], (1, 1), 1, False),
    ("im2col_stride3", (1, 8, 48, 48), 16, (3, 3), (3, 3), [1, 1, 1, 1], (1, 1), 1, False),
]

TARGETS = [("host", []), ("avx2", ["--mcpu=x86-64-v3", "--mattr=+avx2,-avx512f"])]


def model(path, x_shape, w, b, strides, pads, dilations, group):
    inputs = ["x", "w"] + (["b"] if b is not None else [])
    node = helper.make_node("Conv", inputs, ["y"], strides=list(strides), pads=pads,
                            dilations=list(dilations), group=group,
                            kernel_shape=list(w.shape[2:]))
    inits = [numpy_helper.from_array(w, "w")]
    if b is not None:
        inits.append(numpy_helper.from_array(b, "b"))
    graph = helper.make_graph(
        [node], "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(onnx.shape_inference.infer_shapes(m), path)


def reference(x, w, b, strides, pads, dilations, group):
    import torch
    xt = torch.nn.functional.pad(torch.from_numpy(x), (pads[1], pads[3], pads[0], pads[2]))
    y = torch.nn.functional.conv2d(xt, torch.from_numpy(w),
                                   None if b is None else torch.from_numpy(b),
                                   stride=strides, dilation=dilations, groups=group)
    return y.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    rng = np.random.default_rng(0)
    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = e2e.find_tool("kiln-run", args.bin_dir)
        with e2e.work_dir(args.work_dir) as work:
            for name, x_shape, f, kernel, strides, pads, dilations, group, bias in CASES:
                x = rng.standard_normal(x_shape).astype(np.float32)
                w = rng.standard_normal((f, x_shape[1] // group) + kernel).astype(np.float32)
                b = rng.standard_normal(f).astype(np.float32) if bias else None
                case = os.path.join(work, name)
                os.makedirs(case, exist_ok=True)
                path = os.path.join(case, name + ".onnx")
                model(path, x_shape, w, b, strides, pads, dilations, group)
                want = reference(x, w, b, strides, pads, dilations, group)
                for target, flags in TARGETS:
                    lib = os.path.join(case, f"{name}_{target}.so")
                    e2e.kiln_compile(compiler, path, lib, timeout=300, extra=flags)
                    res, out = e2e.run_model(runner, lib, {"x": x}, case, target)
                    e2e.check(res, f"{name} ({target}): run")
                    problem = e2e.compare(e2e.load_output(out, "y"), want, rtol=1e-4, atol=1e-4,
                                          name=f"{name} ({target}) y")
                    if problem:
                        failures.append(problem)
                    else:
                        print(f"{name} ({target}): y {list(want.shape)} matches PyTorch", flush=True)
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "convolutions direct and by im2col")


if __name__ == "__main__":
    sys.exit(main())
