#!/usr/bin/python3
"""Partial tiles: sizes that are not a multiple of the vector width, against numpy.

The CPU kernels vectorize the last, partial tile of a loop with masked loads
and stores instead of scalar code: a symbolic innermost dim (elementwise ops,
softmax, reductions), a symbolic column count N of a matmul (blocks of one
register block, the last one masked), a symbolic reduction length (attention
weights times values), convolutions over a symbolic batch and image size
(im2col over OH*OW columns, the same blocks), and static column counts with no
divisor of whole vectors (Gemm N=1000, N=127). Each model is compiled once per
target below and run at awkward sizes (0, 1, 7, 33, 127, 1000 ...); every
output is compared with numpy (float64) computed from the ONNX spec.
Oracle: numpy; passes when max|kiln - numpy| / max|numpy| <= 1e-5 (integer
outputs exactly) for every output at every size and target.

Targets: the host, and `--mcpu=x86-64-v3 --mattr=+avx2,-avx512f` (8 lanes, 16
registers: the other vector width, which runs on an AVX-512 host too).

    /usr/bin/python3 test/e2e/partial_tiles.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

TARGETS = {"host": [], "avx2": ["--mcpu=x86-64-v3", "--mattr=+avx2,-avx512f"]}
RNG = np.random.default_rng(0)


def model(name, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def conv2d(x, w, b, stride, pad):
    """ONNX Conv (NCHW, group 1, no dilation) in float64."""
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))
    win = win[:, :, ::stride, ::stride]
    return np.einsum("nchwij,fcij->nfhw", win, w.astype(np.float64)) + b[None, :, None, None]


def maxpool2x2(x):
    """ONNX MaxPool, kernel 2, stride 2, no padding (floor)."""
    win = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(2, 3))[:, :, ::2, ::2]
    return win.max(axis=(4, 5))


def cases():
    """(name, onnx model, [(size tag, inputs, expected outputs)])."""
    out = []

    # W[64,512] @ x[512,N]: a matmul whose column count is symbolic.
    w = f32(64, 512)
    runs = []
    for n in (0, 1, 7, 31, 33, 127, 1000):
        x = f32(512, n)
        runs.append((f"N={n}", {"x": x}, {"y": w.astype(np.float64) @ x}))
    out.append(("matmul_dyn_n", model(
        "matmul_dyn_n", [helper.make_node("MatMul", ["w", "x"], ["y"])],
        [vi("x", TensorProto.FLOAT, [512, "N"])], [vi("y", TensorProto.FLOAT, [64, "N"])],
        [numpy_helper.from_array(w, "w")]), runs))

    # a[M,K] @ b[K,N], both symbolic: row blocks and column blocks together.
    runs = []
    for m, n in ((1, 1), (5, 33), (70, 127)):
        a, b = f32(m, 96), f32(96, n)
        runs.append((f"M={m},N={n}", {"a": a, "b": b}, {"y": a.astype(np.float64) @ b}))
    out.append(("matmul_dyn_mn", model(
        "matmul_dyn_mn", [helper.make_node("MatMul", ["a", "b"], ["y"])],
        [vi("a", TensorProto.FLOAT, ["M", 96]), vi("b", TensorProto.FLOAT, [96, "N"])],
        [vi("y", TensorProto.FLOAT, ["M", "N"])]), runs))

    # Attention over a symbolic sequence S: softmax(q k^T) v, whose first
    # product has S columns and whose second reduces over S.
    runs = []
    for n in (1, 7, 33, 127):
        q, k, v = f32(2, n, 32), f32(2, n, 32), f32(2, n, 32)
        sc = q.astype(np.float64) @ k.transpose(0, 2, 1)
        runs.append((f"S={n}", {"q": q, "k": k, "v": v}, {"y": softmax(sc) @ v}))
    out.append(("attention_dyn_s", model(
        "attention_dyn_s",
        [helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["q", "kt"], ["s"]),
         helper.make_node("Softmax", ["s"], ["p"], axis=-1),
         helper.make_node("MatMul", ["p", "v"], ["y"])],
        [vi(t, TensorProto.FLOAT, [2, "S", 32]) for t in "qkv"],
        [vi("y", TensorProto.FLOAT, [2, "S", 32])]), runs))

    # Elementwise, softmax and reductions over a symbolic innermost dim; the
    # rows are all negative in one place, where a wrong identity for max
    # (0 or a denormal instead of -inf) would show.
    runs = []
    for n in (1, 7, 33, 63, 64, 65, 127, 1000):
        x = f32(4, n)
        x[1] = -np.abs(x[1]) - 1.0
        xi = RNG.integers(-1000, -1, size=(4, n)).astype(np.int32)
        runs.append((f"L={n}", {"x": x, "xi": xi}, {
            "r": np.maximum(x, 0) * 2.0, "s": softmax(x.astype(np.float64)),
            "m": x.max(-1), "t": np.abs(x.astype(np.float64)).sum(-1),
            "mi": xi.max(-1), "mn": x.min(-1)}))
    two = numpy_helper.from_array(np.array(2.0, np.float32), "two")
    out.append(("rows_dyn_l", model(
        "rows_dyn_l",
        [helper.make_node("Relu", ["x"], ["r0"]), helper.make_node("Mul", ["r0", "two"], ["r"]),
         helper.make_node("Softmax", ["x"], ["s"], axis=-1),
         helper.make_node("ReduceMax", ["x"], ["m"], axes=[-1], keepdims=0),
         helper.make_node("ReduceL1", ["x"], ["t"], axes=[-1], keepdims=0),
         helper.make_node("ReduceMax", ["xi"], ["mi"], axes=[-1], keepdims=0),
         helper.make_node("ReduceMin", ["x"], ["mn"], axes=[-1], keepdims=0)],
        [vi("x", TensorProto.FLOAT, [4, "L"]), vi("xi", TensorProto.INT32, [4, "L"])],
        [vi("r", TensorProto.FLOAT, [4, "L"]), vi("s", TensorProto.FLOAT, [4, "L"]),
         vi("m", TensorProto.FLOAT, [4]), vi("t", TensorProto.FLOAT, [4]),
         vi("mi", TensorProto.INT32, [4]), vi("mn", TensorProto.FLOAT, [4])], [two]), runs))

    # Convolutions over a symbolic batch and image size (3x3 padded, 3x3
    # stride 2, 1x1) with a max pool: each image is im2col plus a
    # contraction over OH*OW columns, blocked with a masked last block.
    w1, b1 = f32(16, 8, 3, 3), f32(16)
    w2, b2 = f32(12, 16, 3, 3), f32(12)
    w3, b3 = f32(5, 12, 1, 1), f32(5)
    runs = []
    for n, h, w in ((1, 2, 3), (2, 5, 7), (1, 17, 33), (3, 40, 23)):
        x = f32(n, 8, h, w)
        c1 = np.maximum(conv2d(x, w1, b1, 1, 1), 0)
        c2 = conv2d(c1, w2, b2, 2, 1)
        runs.append((f"N={n},H={h},W={w}", {"x": x}, {
            "y": conv2d(c2, w3, b3, 1, 0), "p": maxpool2x2(c1)}))
    out.append(("conv_dyn_nhw", model(
        "conv_dyn_nhw",
        [helper.make_node("Conv", ["x", "w1", "b1"], ["c1r"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c1r"], ["c1"]),
         helper.make_node("Conv", ["c1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("Conv", ["c2", "w3", "b3"], ["y"]),
         helper.make_node("MaxPool", ["c1"], ["p"], kernel_shape=[2, 2], strides=[2, 2])],
        [vi("x", TensorProto.FLOAT, ["N", 8, "H", "W"])],
        [vi("y", TensorProto.FLOAT, ["N", 5, "OH", "OW"]),
         vi("p", TensorProto.FLOAT, ["N", 16, "PH", "PW"])],
        [numpy_helper.from_array(a, nm) for a, nm in
         ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"), (w3, "w3"), (b3, "b3"))]), runs))

    # Static sizes with no divisor of whole vectors: Gemm N=1000 and N=127
    # (ragged column blocks), and a bias plus sigmoid over rows of 1000.
    for n in (1000, 127):
        b, c, x = f32(n, 256), f32(n), f32(9, 256)
        y = np.maximum(x.astype(np.float64) @ b.T.astype(np.float64) + c, 0)
        out.append((f"gemm_n{n}", model(
            f"gemm_n{n}", [helper.make_node("Gemm", ["x", "b", "c"], ["g"], transB=1),
                           helper.make_node("Relu", ["g"], ["y"])],
            [vi("x", TensorProto.FLOAT, [9, 256])], [vi("y", TensorProto.FLOAT, [9, n])],
            [numpy_helper.from_array(b, "b"), numpy_helper.from_array(c, "c")]),
            [("static", {"x": x}, {"y": y})]))
    x, bias = f32(3, 1000), f32(1000)
    out.append(("sigmoid_1000", model(
        "sigmoid_1000", [helper.make_node("Add", ["x", "bias"], ["a"]),
                         helper.make_node("Sigmoid", ["a"], ["y"])],
        [vi("x", TensorProto.FLOAT, [3, 1000])], [vi("y", TensorProto.FLOAT, [3, 1000])],
        [numpy_helper.from_array(bias, "bias")]),
        [("static", {"x": x}, {"y": 1 / (1 + np.exp(-(x.astype(np.float64) + bias)))})]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    e2e.add_common_args(ap)
    ap.add_argument("--tolerance", type=float, default=1e-5,
                    help="largest allowed max|kiln - numpy| / max|numpy| (default 1e-5)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per tool call")
    args = ap.parse_args()
    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = e2e.find_tool("kiln-run", args.bin_dir)
    except e2e.E2EError as err:
        e2e.die(str(err))

    failures = []
    with e2e.work_dir(args.work_dir, prefix="kiln-partial-tiles-") as work:
        for name, proto, runs in cases():
            path = os.path.join(work, f"{name}.onnx")
            onnx.save(proto, path)
            for target, flags in TARGETS.items():
                lib = os.path.join(work, f"{name}_{target}.so")
                try:
                    e2e.kiln_compile(compiler, path, lib, args.timeout, extra=flags)
                except e2e.E2EError as err:
                    failures.append(f"{name} ({target}): {err}")
                    continue
                for tag, inputs, expected in runs:
                    what = f"{name} ({target}) {tag}"
                    stem = os.path.join(work, f"{name}_{target}_{len(failures)}")
                    paths = [(k, e2e.save_npy(f"{stem}_{k}.npy", v)) for k, v in inputs.items()]
                    out_dir = f"{stem}_out_{tag.replace('=', '').replace(',', '_')}"
                    try:
                        e2e.kiln_run([runner, lib], paths, out_dir, args.timeout)
                    except e2e.E2EError as err:
                        failures.append(f"{what}: {err}")
                        continue
                    worst = 0.0
                    for out_name, want in expected.items():
                        try:
                            got = e2e.load_output(out_dir, out_name)
                        except e2e.E2EError as err:
                            failures.append(f"{what}: {err}")
                            continue
                        if got.shape != want.shape:
                            failures.append(f"{what}: {out_name} has shape {list(got.shape)}, "
                                            f"expected {list(want.shape)}")
                            continue
                        if np.issubdtype(want.dtype, np.integer):
                            if not np.array_equal(got, want):
                                failures.append(f"{what}: {out_name} differs from numpy")
                            continue
                        err = e2e.relative_error(got, want)
                        worst = max(worst, err)
                        if not err <= args.tolerance:  # also catches NaN
                            failures.append(f"{what}: {out_name} relative error {err:.3g} "
                                            f"exceeds {args.tolerance:g}")
                    print(f"{what}: max relative error {worst:.3g}", flush=True)
    return e2e.finish(failures, "partial tiles")


if __name__ == "__main__":
    sys.exit(main())
