#!/usr/bin/python3
"""Zero pads that share one fill, in f32 and f64, against numpy.

CSE merges the zero fills of same-shaped nn.pad results into one tensor. A
one-row reduction padded into that fill was vectorized into a write of
vector<N> into row 0 of it; the write bufferized out of place (the other pads
still need the fill), and MLIR 19's One-Shot Bufferize took it for a write of
the whole tensor, so the new buffer got no copy of the zeros: its other rows
held whatever the memory held (kiln-expand-partial-transfer-writes). Two
models: the smallest one (two pads of 1x7 rows into 3x7) and the gradient of
an edge pad plus a reflect pad of a 3x4 input, where it was found. numpy
computes the expected values independently: np.pad for the pads, and for the
gradient np.add.at over np.pad of an index array (each padded element adds
its gradient to the input element it was copied from). Every entry runs
twice in one process-less sequence of runs, so leftover values of the first
run would show in the second.

    /usr/bin/python3 test/e2e/shared_pad_fill.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np

import kiln_e2e as e2e

# out = pad(reduce_sum(b), rows 0..2) + pad(c, rows 2..0); the pads of a feed
# only dead values.
SMALL = """
func.func @small_{t}(%a: tensor<1x7x{t}> {{kiln.name = "a"}}, %b: tensor<1x7x{t}> {{kiln.name = "b"}}, %c: tensor<1x7x{t}> {{kiln.name = "c"}}) -> tensor<3x7x{t}> {{
  %0 = nn.pad %a {{low = array<i64: 1, 0>, high = array<i64: 1, 0>, value = 0.0 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %r = nn.reduce_sum %b {{axes = array<i64: 0>, keep_dims = true}} : (tensor<1x7x{t}>) -> tensor<1x7x{t}>
  %1 = nn.pad %r {{low = array<i64: 0, 0>, high = array<i64: 2, 0>, value = 0.0 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %2 = nn.pad %c {{low = array<i64: 2, 0>, high = array<i64: 0, 0>, value = 0.0 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %3 = nn.add %1, %2 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %4 = nn.mul %0, %3 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %5 = nn.add %0, %4 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  return %3 : tensor<3x7x{t}>
}}
"""

# The reverse-mode gradient of y0 = edge pad, y1 = reflect pad of x (3x4,
# pads begin (1, 2), end (2, 1)) as Kiln's differentiation wrote it:
# d_x from d_output_0 (edge) and d_output_1 (reflect).
BORDER_PAD_GRAD = """
func.func @border_pad_grad_{t}(%arg0: tensor<3x4x{t}> {{kiln.name = "x"}}, %arg1: tensor<6x7x{t}> {{kiln.name = "d_output_0"}}, %arg2: tensor<6x7x{t}> {{kiln.name = "d_output_1"}}) -> tensor<3x4x{t}> attributes {{kiln.result_names = ["d_x"]}} {{
  %3 = nn.slice %arg2 {{offsets = array<i64: 1, 0>, sizes = array<i64: 3, 7>, strides = array<i64: 1, 1>}} : (tensor<6x7x{t}>) -> tensor<3x7x{t}>
  %4 = nn.slice %arg2 {{offsets = array<i64: 0, 0>, sizes = array<i64: 1, 7>, strides = array<i64: -1, 1>}} : (tensor<6x7x{t}>) -> tensor<1x7x{t}>
  %5 = nn.pad %4 {{high = array<i64: 1, 0>, low = array<i64: 1, 0>, value = 0.000000e+00 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %6 = nn.add %3, %5 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %7 = nn.slice %arg2 {{offsets = array<i64: 5, 0>, sizes = array<i64: 2, 7>, strides = array<i64: -1, 1>}} : (tensor<6x7x{t}>) -> tensor<2x7x{t}>
  %8 = nn.pad %7 {{high = array<i64: 1, 0>, low = array<i64: 0, 0>, value = 0.000000e+00 : f64}} : (tensor<2x7x{t}>) -> tensor<3x7x{t}>
  %9 = nn.add %6, %8 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %10 = nn.slice %9 {{offsets = array<i64: 0, 2>, sizes = array<i64: 3, 4>, strides = array<i64: 1, 1>}} : (tensor<3x7x{t}>) -> tensor<3x4x{t}>
  %11 = nn.slice %9 {{offsets = array<i64: 0, 1>, sizes = array<i64: 3, 2>, strides = array<i64: 1, -1>}} : (tensor<3x7x{t}>) -> tensor<3x2x{t}>
  %12 = nn.pad %11 {{high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.000000e+00 : f64}} : (tensor<3x2x{t}>) -> tensor<3x4x{t}>
  %13 = nn.add %10, %12 : (tensor<3x4x{t}>, tensor<3x4x{t}>) -> tensor<3x4x{t}>
  %14 = nn.slice %9 {{offsets = array<i64: 0, 6>, sizes = array<i64: 3, 1>, strides = array<i64: 1, -1>}} : (tensor<3x7x{t}>) -> tensor<3x1x{t}>
  %15 = nn.pad %14 {{high = array<i64: 0, 1>, low = array<i64: 0, 2>, value = 0.000000e+00 : f64}} : (tensor<3x1x{t}>) -> tensor<3x4x{t}>
  %16 = nn.add %13, %15 : (tensor<3x4x{t}>, tensor<3x4x{t}>) -> tensor<3x4x{t}>
  %17 = nn.slice %arg1 {{offsets = array<i64: 1, 0>, sizes = array<i64: 3, 7>, strides = array<i64: 1, 1>}} : (tensor<6x7x{t}>) -> tensor<3x7x{t}>
  %18 = nn.slice %arg1 {{offsets = array<i64: 0, 0>, sizes = array<i64: 1, 7>, strides = array<i64: 1, 1>}} : (tensor<6x7x{t}>) -> tensor<1x7x{t}>
  %19 = nn.reduce_sum %18 {{axes = array<i64: 0>, keep_dims = true}} : (tensor<1x7x{t}>) -> tensor<1x7x{t}>
  %20 = nn.pad %19 {{high = array<i64: 2, 0>, low = array<i64: 0, 0>, value = 0.000000e+00 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %21 = nn.add %17, %20 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %22 = nn.slice %arg1 {{offsets = array<i64: 4, 0>, sizes = array<i64: 2, 7>, strides = array<i64: 1, 1>}} : (tensor<6x7x{t}>) -> tensor<2x7x{t}>
  %23 = nn.reduce_sum %22 {{axes = array<i64: 0>, keep_dims = true}} : (tensor<2x7x{t}>) -> tensor<1x7x{t}>
  %24 = nn.pad %23 {{high = array<i64: 0, 0>, low = array<i64: 2, 0>, value = 0.000000e+00 : f64}} : (tensor<1x7x{t}>) -> tensor<3x7x{t}>
  %25 = nn.add %21, %24 : (tensor<3x7x{t}>, tensor<3x7x{t}>) -> tensor<3x7x{t}>
  %26 = nn.slice %25 {{offsets = array<i64: 0, 2>, sizes = array<i64: 3, 4>, strides = array<i64: 1, 1>}} : (tensor<3x7x{t}>) -> tensor<3x4x{t}>
  %27 = nn.slice %25 {{offsets = array<i64: 0, 0>, sizes = array<i64: 3, 2>, strides = array<i64: 1, 1>}} : (tensor<3x7x{t}>) -> tensor<3x2x{t}>
  %28 = nn.reduce_sum %27 {{axes = array<i64: 1>, keep_dims = true}} : (tensor<3x2x{t}>) -> tensor<3x1x{t}>
  %29 = nn.pad %28 {{high = array<i64: 0, 3>, low = array<i64: 0, 0>, value = 0.000000e+00 : f64}} : (tensor<3x1x{t}>) -> tensor<3x4x{t}>
  %30 = nn.add %26, %29 : (tensor<3x4x{t}>, tensor<3x4x{t}>) -> tensor<3x4x{t}>
  %31 = nn.slice %25 {{offsets = array<i64: 0, 6>, sizes = array<i64: 3, 1>, strides = array<i64: 1, 1>}} : (tensor<3x7x{t}>) -> tensor<3x1x{t}>
  %32 = nn.reduce_sum %31 {{axes = array<i64: 1>, keep_dims = true}} : (tensor<3x1x{t}>) -> tensor<3x1x{t}>
  %33 = nn.pad %32 {{high = array<i64: 0, 0>, low = array<i64: 0, 3>, value = 0.000000e+00 : f64}} : (tensor<3x1x{t}>) -> tensor<3x4x{t}>
  %34 = nn.add %30, %33 : (tensor<3x4x{t}>, tensor<3x4x{t}>) -> tensor<3x4x{t}>
  %35 = nn.add %16, %34 : (tensor<3x4x{t}>, tensor<3x4x{t}>) -> tensor<3x4x{t}>
  return %35 : tensor<3x4x{t}>
}}
"""

PADS = ((1, 2), (2, 1))


def pad_vjp(shape, mode, d_out):
    """The gradient of np.pad(x, PADS, mode) with respect to x, given d_out."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    source = np.pad(index, PADS, mode=mode)
    d_x = np.zeros(index.size, np.float64)
    np.add.at(d_x, source.ravel(), d_out.astype(np.float64).ravel())
    return d_x.reshape(shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    failures = []
    with e2e.work_dir(args.work_dir) as work:
        tools = {t: e2e.find_tool(t, args.bin_dir) for t in ("kiln-compile", "kiln-run")}
        module = os.path.join(work, "shared_pad_fill.mlir")
        with open(module, "w") as f:
            for t in ("f32", "f64"):
                f.write(SMALL.format(t=t))
                f.write(BORDER_PAD_GRAD.format(t=t))
        lib = os.path.join(work, "shared_pad_fill.so")
        e2e.kiln_compile(tools["kiln-compile"], module, lib, timeout=300)
        rng = np.random.default_rng(11)
        for t, dtype, rtol in (("f32", np.float32, 1e-6), ("f64", np.float64, 1e-12)):
            a, b, c = (rng.standard_normal((1, 7)).astype(dtype) for _ in range(3))
            small = (np.pad(b.sum(axis=0, keepdims=True), ((0, 2), (0, 0)))
                     + np.pad(c, ((2, 0), (0, 0))))
            x = rng.standard_normal((3, 4)).astype(dtype)
            d0, d1 = (rng.standard_normal((6, 7)).astype(dtype) for _ in range(2))
            grad = (pad_vjp(x.shape, "edge", d0) + pad_vjp(x.shape, "reflect", d1)).astype(dtype)
            cases = [(f"small_{t}", {"a": a, "b": b, "c": c}, "output_0", small.astype(dtype)),
                     (f"border_pad_grad_{t}", {"x": x, "d_output_0": d0, "d_output_1": d1},
                      "d_x", grad)]
            for entry, inputs, name, want in cases:
                npys = [(n, e2e.save_npy(os.path.join(work, f"{entry}_{n}.npy"), v))
                        for n, v in inputs.items()]
                out = os.path.join(work, entry)
                e2e.kiln_run([tools["kiln-run"], lib, "--entry", entry], npys, out, timeout=60)
                problem = e2e.compare(e2e.load_output(out, name), want, rtol=rtol, atol=rtol,
                                      name=f"{entry} {name}")
                e2e.expect(failures, problem is None, str(problem))
                if problem is None:
                    print(f"  {entry}: {name} {list(want.shape)} matches numpy", flush=True)
    return e2e.finish(failures, "zero pads sharing one fill against numpy")


if __name__ == "__main__":
    sys.exit(main())
