#!/usr/bin/python3
"""Long float32 sums keep their precision: ReduceSum, ReduceMean, ReduceL2 and
GlobalAveragePool over millions of elements, against numpy in float64.

A single float32 running total stops growing once it is large: 2^25 ones add
up to 2^24, and the mean of 2^24 values in [1, 2) came out as 1.6667 instead
of 1.5. kiln-cpu-tile-and-vectorize blocks a float sum (its `sum-block`
option, 4096 elements): each block is summed into zeros, as vector trees, and
the block sums are added to the output. This test runs such sums over
symbolic and static dims, reduced axes inner and outer, and around the block
size (4095, 4096, 4097 ...), compiled for the host and for AVX2.

Oracle: numpy in float64 on the same float32 inputs. Passes when every output
is within a relative error of 2e-6 (1e-4 for a sum over a symbolic outer
axis, blocked one level deep; a single running total is off by 0.5 on 2^25
ones and by 0.11 on the mean in [1, 2)). The error of numpy's own
float32 sum (pairwise) is printed beside Kiln's for reference.

    /usr/bin/python3 test/e2e/large_sums.py --bin-dir build/bin [--work-dir DIR]
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


def model(name, nodes, inputs, outputs):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def full_reductions(x):
    """ReduceSum, ReduceMean and ReduceL2 over all of `x` (keepdims=0), float64."""
    x = x.astype(np.float64)
    return {"s": np.array(x.sum()), "m": np.array(x.mean()),
            "l2": np.array(np.sqrt((x * x).sum()))}


def full_model(name, shape):
    return model(name, [
        helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
        helper.make_node("ReduceMean", ["x"], ["m"], keepdims=0),
        helper.make_node("ReduceL2", ["x"], ["l2"], keepdims=0)],
        [vi("x", shape)], [vi("s", []), vi("m", []), vi("l2", [])])


def cases():
    """(name, onnx model, [(tag, inputs, expected outputs, rtol)])."""
    out = []
    # Over a symbolic length: the cases of the report (2^25 ones, the mean
    # of 2^24 values in [1, 2)), the constant 0.1, and lengths around the
    # block size.
    runs = [("ones 2^25", {"x": np.ones(1 << 25, np.float32)}, 2e-6),
            ("uniform[1,2) 2^24", {"x": RNG.uniform(1, 2, 1 << 24).astype(np.float32)}, 2e-6),
            ("0.1 x 2^23", {"x": np.full(1 << 23, 0.1, np.float32)}, 2e-6)]
    for n in (1, 4095, 4096, 4097, 3 * 4096 + 5):
        runs.append((f"normal {n}", {"x": RNG.standard_normal(n).astype(np.float32) + 1}, 2e-6))
    out.append(("sums_dyn", full_model("sums_dyn", ["N"]),
                [(t, i, full_reductions(i["x"]), r) for t, i, r in runs]))
    # The same over a static length that no block divides.
    x = RNG.uniform(1, 2, (1 << 24) + 3 * 4096 + 7).astype(np.float32)
    out.append(("sums_static", full_model("sums_static", [x.size]),
                [("uniform[1,2)", {"x": x}, full_reductions(x), 2e-6)]))
    # An outer reduced axis: ReduceSum over axis 0 of [N, 8] (a running
    # vector of 8 sums, one per column). Static, in blocks of 4096 rows
    # holding blocks of 64; symbolic, in blocks of 4096 rows only (a level
    # costs a fill and an add of the 8 sums per block, paid even when the
    # length turns out short), so within 1e-4 there.
    axes = numpy_helper.from_array(np.array([0], np.int64), "axes")
    tenth = np.full((1 << 22, 8), 0.1, np.float32)
    for name, rows, cases_, rtol in (
            ("axis0_dyn", "N", ((1 << 22, tenth), (4097, None)), 1e-4),
            ("axis0_static", 1 << 22, ((1 << 22, tenth),), 2e-6)):
        runs = []
        for n, x in cases_:
            if x is None:
                x = RNG.standard_normal((n, 8)).astype(np.float32) + 1
            runs.append((f"N={n}", {"x": x}, {"y": x.astype(np.float64).sum(0)}, rtol))
        proto = model(name, [helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)],
                      [vi("x", [rows, 8])], [vi("y", [8])])
        proto.graph.initializer.append(axes)
        out.append((name, proto, runs))
    # Two reduced axes, neither fitting a block with the other: [3, 70, 70]
    # and [3, 70, W] over axes 1 and 2 (blocks of 35 rows of 70).
    x = RNG.standard_normal((3, 70, 70)).astype(np.float32) + 1
    out.append(("two_axes_static", model("two_axes_static", [
        helper.make_node("ReduceMean", ["x"], ["y"], axes=[1, 2], keepdims=0)],
        [vi("x", [3, 70, 70])], [vi("y", [3])]),
        [("static", {"x": x}, {"y": x.astype(np.float64).mean((1, 2))}, 2e-6)]))
    runs = []
    for w in (70, 4097):
        x = RNG.standard_normal((3, 70, w)).astype(np.float32) + 1
        runs.append((f"W={w}", {"x": x}, {"y": x.astype(np.float64).mean((1, 2))}, 2e-6))
    out.append(("two_axes_dyn", model("two_axes_dyn", [
        helper.make_node("ReduceMean", ["x"], ["y"], axes=[1, 2], keepdims=0)],
        [vi("x", [3, 70, "W"])], [vi("y", [3])]), runs))
    # ReduceLogSumExp with infinities: ONNX's log(sum(exp(x))) is +inf with
    # a +inf element and -inf when all are -inf (the max shift made NaN).
    runs = []
    for tag, row in (("+inf", [np.inf, 1, 2]), ("-inf", [-np.inf] * 3),
                     ("two +inf", [np.inf, np.inf, 0]), ("finite", [1, 2, 3])):
        x = np.array([row], np.float32)
        with np.errstate(over="ignore", divide="ignore"):
            want = np.log(np.exp(x.astype(np.float64)).sum(1))
        runs.append((tag, {"x": x}, {"y": want}, 2e-6))
    out.append(("logsumexp_inf", model("logsumexp_inf", [
        helper.make_node("ReduceLogSumExp", ["x"], ["y"], axes=[1], keepdims=0)],
        [vi("x", [1, 3])], [vi("y", [1])]), runs))
    # GlobalAveragePool over 2048 x 2048 images, and AveragePool with windows
    # of the whole image and of 2048 x 1024 (a sum pooling over more than a
    # block becomes a blocked generic).
    x = RNG.uniform(1, 2, (1, 2, 2048, 2048)).astype(np.float32)
    x64 = x.astype(np.float64)
    out.append(("gap_static", model("gap_static", [
        helper.make_node("GlobalAveragePool", ["x"], ["y"]),
        helper.make_node("AveragePool", ["x"], ["p"], kernel_shape=[2048, 2048]),
        helper.make_node("AveragePool", ["x"], ["q"], kernel_shape=[2048, 1024],
                         strides=[1, 1024])],
        [vi("x", [1, 2, 2048, 2048])],
        [vi("y", [1, 2, 1, 1]), vi("p", [1, 2, 1, 1]), vi("q", [1, 2, 1, 2])]),
        [("2048x2048", {"x": x}, {"y": x64.mean((2, 3), keepdims=True),
                                  "p": x64.mean((2, 3), keepdims=True),
                                  "q": np.stack([x64[:, :, :, :1024].mean((2, 3)),
                                                 x64[:, :, :, 1024:].mean((2, 3))], -1)[:, :, None]},
          2e-6)]))
    return out


def numpy_f32_error(name, inputs, expected):
    """numpy's own float32 error on the first output, for reference (or None)."""
    x = inputs["x"]
    f = {"s": lambda: x.sum(), "m": lambda: x.mean(), "y": None}.get(name)
    if f is None:
        return None
    return e2e.relative_error(np.float32(f()), expected)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    e2e.add_common_args(ap)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per tool call")
    args = ap.parse_args()
    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = e2e.find_tool("kiln-run", args.bin_dir)
    except e2e.E2EError as err:
        e2e.die(str(err))
    failures = []
    with e2e.work_dir(args.work_dir, prefix="kiln-large-sums-") as work:
        for name, proto, runs in cases():
            path = os.path.join(work, f"{name}.onnx")
            onnx.save(proto, path)
            libs = {}
            for target, flags in TARGETS.items():
                libs[target] = os.path.join(work, f"{name}_{target}.so")
                try:
                    e2e.kiln_compile(compiler, path, libs[target], args.timeout, extra=flags)
                except e2e.E2EError as err:
                    failures.append(f"{name} ({target}): {err}")
                    del libs[target]
            for i, (tag, inputs, expected, rtol) in enumerate(runs):
                paths = [(k, e2e.save_npy(os.path.join(work, f"{name}_{i}_{k}.npy"), v))
                         for k, v in inputs.items()]
                for target, lib in libs.items():
                    what = f"{name} ({target}) {tag}"
                    out_dir = os.path.join(work, f"{name}_{target}_{i}_out")
                    try:
                        e2e.kiln_run([runner, lib], paths, out_dir, args.timeout)
                        errors = []
                        for out, want in expected.items():
                            got = e2e.load_output(out_dir, out)
                            if got.shape != want.shape:
                                raise e2e.E2EError(f"{out}: shape {list(got.shape)}, "
                                                   f"expected {list(want.shape)}")
                            # Infinities must match exactly; the rest relatively.
                            finite = np.isfinite(want)
                            if (got.astype(np.float64)[~finite] != want[~finite]).any():
                                err = np.inf
                            else:
                                err = (e2e.relative_error(got[finite], want[finite])
                                       if finite.any() else 0.0)
                            ref = numpy_f32_error(out, inputs, want)
                            errors.append(f"{out} {err:.1e}" +
                                          (f" (numpy f32 {ref:.1e})" if ref is not None else ""))
                            if not err <= rtol:
                                raise e2e.E2EError(f"{out}: relative error {err:.3g} above "
                                                   f"{rtol:g} (got {got.ravel()[:4]}, "
                                                   f"expected {want.ravel()[:4]})")
                        print(f"ok: {what}: {', '.join(errors)}")
                    except e2e.E2EError as err:
                        failures.append(f"{what}: {err}")
                os.remove(paths[0][1])
    for f in failures:
        print(f"FAIL: {f}")
    print(f"large sums: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
