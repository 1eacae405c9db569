#!/usr/bin/python3
"""Run-time checks of ops over dynamic shapes or run-time operands (hostile
review of 2026-12-01, second: findings F3, F5, F8, F9, F10, F11).

Each model has symbolic dims or run-time operands where the static path
checks at compile time. Valid inputs must match an independent oracle
(PyTorch, numpy, Python's range, the ONNX spec's reference formulas);
invalid ones must make kiln-run exit 1 with the check's exact message naming
the node, and write nothing:
  conv      Conv(x[N,1,H,W], w[2,1,3,3]); conv_sd the same with strides 2,
            pads 1, dilations 2; maxpool MaxPool 3x3; avgpool AveragePool
            2x2: a window larger than the padded run-time size is an error
            (it gave an empty tensor, exit 0)
  split     Split(x[N,2], split int64[2]), axis 0: sizes must be
            non-negative and add up to N (rows were dropped or invented);
            split_c the same with constant sizes [2, 3] (checked at run
            time against N; negative constants are a compile error)
  split_eq  Split(x[N,2]) into 2 equal parts (opset 13): N must be even;
            split_n Split(x[N,2], num_outputs=3) (opset 18): ceil(N/3) each,
            the last smaller (both failed to compile with kDynamic numbers)
  revseq    ReverseSequence(x[T,B], lens int64[B]): each length in [0, T]
            (they were clamped); a constant out-of-range length is a compile
            error
  argmax    ArgMax / ArgMin(x[N,3], axis 0): N = 0 is an error (index 0)
  range     Range(int64 start, limit, delta) whose limit - start overflows
            int64: the exact count (it gave 0 elements), also folded from
            constants; range_f Range(float ...): a NaN operand is named
            (a NaN delta said "found 0"), a NaN count from infinities too
  d2s, s2d  DepthToSpace (DCR, CRD) and SpaceToDepth with symbolic C, H, W
            (failed to compile): compiled, with divisibility checks
  layernorm LayerNormalization(x[N,D], scale[4], bias[4]) and
            InstanceNormalization(x[N,C,4], scale[2], bias[2]) (failed to
            compile: result type mismatch)

    /usr/bin/python3 test/e2e/dynamic_checks.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto as T, helper, numpy_helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)
vi = helper.make_tensor_value_info
RNG = np.random.RandomState(7)
W = RNG.rand(2, 1, 3, 3).astype(np.float32)
LN_SCALE = RNG.rand(4).astype(np.float32) + 0.5
LN_BIAS = RNG.rand(4).astype(np.float32)
IN_SCALE = RNG.rand(2).astype(np.float32) + 0.5
Q_SCALE = np.array([0.5, 0.25, 2.0], np.float32)
Q_ZERO = np.array([3, 128, 0], np.uint8)
IN_BIAS = RNG.rand(2).astype(np.float32)


def graph(name, node, inputs, outputs=("y",), inits=(), elem=T.FLOAT):
    return helper.make_graph([node], name, inputs, [vi(o, elem, None) for o in outputs],
                             list(inits))


def models():
    """{name: (graph, opset)}"""
    x4 = lambda c: vi("x", T.FLOAT, ["N", c, "H", "W"])  # noqa: E731
    m = {
        "conv": (graph("conv", helper.make_node("Conv", ["x", "w"], ["y"], name="conv_w"),
                       [x4(1)], inits=[numpy_helper.from_array(W, "w")]), 13),
        "conv_sd": (graph("conv_sd", helper.make_node("Conv", ["x", "w"], ["y"], name="conv_sd",
                                                      strides=[2, 2], pads=[1, 1, 1, 1],
                                                      dilations=[2, 2]),
                          [x4(1)], inits=[numpy_helper.from_array(W, "w")]), 13),
        "maxpool": (graph("maxpool", helper.make_node("MaxPool", ["x"], ["y"], name="pool_max",
                                                      kernel_shape=[3, 3]), [x4(2)]), 13),
        "avgpool": (graph("avgpool", helper.make_node("AveragePool", ["x"], ["y"], name="pool_avg",
                                                      kernel_shape=[2, 2]), [x4(2)]), 13),
        "split": (graph("split", helper.make_node("Split", ["x", "s"], ["y", "z"], name="split_s",
                                                  axis=0),
                        [vi("x", T.FLOAT, ["N", 2]), vi("s", T.INT64, [2])], ("y", "z")), 13),
        "split_c": (graph("split_c", helper.make_node("Split", ["x", "s"], ["y", "z"],
                                                      name="split_c", axis=0),
                          [vi("x", T.FLOAT, ["N", 2])], ("y", "z"),
                          [numpy_helper.from_array(np.array([2, 3], np.int64), "s")]), 13),
        "split_eq": (graph("split_eq", helper.make_node("Split", ["x"], ["y", "z"],
                                                        name="split_eq", axis=0),
                           [vi("x", T.FLOAT, ["N", 2])], ("y", "z")), 13),
        "split_n": (graph("split_n", helper.make_node("Split", ["x"], ["y", "z", "u"],
                                                      name="split_n", axis=0, num_outputs=3),
                          [vi("x", T.FLOAT, ["N", 2])], ("y", "z", "u")), 18),
        "revseq": (graph("revseq", helper.make_node("ReverseSequence", ["x", "l"], ["y"],
                                                    name="revseq_l", batch_axis=1, time_axis=0),
                         [vi("x", T.FLOAT, ["T", "B"]), vi("l", T.INT64, ["B"])]), 13),
        "argmax": (graph("argmax", helper.make_node("ArgMax", ["x"], ["y"], name="argmax_x",
                                                    axis=0, keepdims=1),
                         [vi("x", T.FLOAT, ["N", 3])], elem=T.INT64), 13),
        "argmin": (graph("argmin", helper.make_node("ArgMin", ["x"], ["y"], name="argmin_x",
                                                    axis=0, keepdims=1),
                         [vi("x", T.FLOAT, ["N", 3])], elem=T.INT64), 13),
        "range": (graph("range", helper.make_node("Range", ["a", "b", "c"], ["y"], name="range_abc"),
                        [vi(n, T.INT64, []) for n in "abc"], elem=T.INT64), 13),
        "range_f": (graph("range_f", helper.make_node("Range", ["a", "b", "c"], ["y"],
                                                      name="range_f"),
                          [vi(n, T.FLOAT, []) for n in "abc"]), 13),
        "d2s": (graph("d2s", helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s_x",
                                              blocksize=2), [x4("C")]), 13),
        "d2s_crd": (graph("d2s_crd", helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s_crd",
                                                      blocksize=2, mode="CRD"), [x4("C")]), 13),
        "s2d": (graph("s2d", helper.make_node("SpaceToDepth", ["x"], ["y"], name="s2d_x",
                                              blocksize=2), [x4("C")]), 13),
        "layernorm": (graph("layernorm", helper.make_node("LayerNormalization", ["x", "s", "b"],
                                                          ["y"], name="ln_x", axis=-1),
                            [vi("x", T.FLOAT, ["N", "D"])],
                            inits=[numpy_helper.from_array(LN_SCALE, "s"),
                                   numpy_helper.from_array(LN_BIAS, "b")]), 17),
        "instnorm": (graph("instnorm", helper.make_node("InstanceNormalization", ["x", "s", "b"],
                                                        ["y"], name="in_x"),
                           [vi("x", T.FLOAT, ["N", "C", 4])],
                           inits=[numpy_helper.from_array(IN_SCALE, "s"),
                                  numpy_helper.from_array(IN_BIAS, "b")]), 13),
        # Per-axis (de)quantization of a symbolic axis whose scale is static
        # (it failed with the function's result type ?x? against ?x3).
        "quant": (graph("quant", helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                                                  name="quant_x", axis=1),
                        [vi("x", T.FLOAT, ["N", "C"])], elem=T.UINT8,
                        inits=[numpy_helper.from_array(Q_SCALE, "s"),
                               numpy_helper.from_array(Q_ZERO, "z")]), 13),
        "dequant": (graph("dequant", helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"],
                                                      name="dequant_x", axis=1),
                          [vi("x", T.UINT8, ["N", "C"])],
                          inits=[numpy_helper.from_array(Q_SCALE, "s"),
                                 numpy_helper.from_array(Q_ZERO, "z")]), 13),
    }
    # Range folded from constants: -2^63 .. 2^63 - 1 by 2^62.
    consts = [helper.make_node("Constant", [], [n], name="const_" + n,
                               value=numpy_helper.from_array(np.array(v, np.int64)))
              for n, v in (("a", -2**63), ("b", 2**63 - 1), ("c", 2**62))]
    m["range_const"] = (helper.make_graph(
        consts + [helper.make_node("Range", ["a", "b", "c"], ["y"], name="range_const")],
        "range_const", [], [vi("y", T.INT64, None)]), 13)
    return m


def revseq_ref(x, lens):
    """ONNX ReverseSequence, batch_axis 1, time_axis 0."""
    y = x.copy()
    for b, n in enumerate(lens):
        y[:n, b] = x[:n, b][::-1]
    return y


def d2s_ref(x, bs, mode):
    """DepthToSpace from the ONNX operator documentation's reference."""
    n, c, h, w = x.shape
    if mode == "DCR":
        t = x.reshape(n, bs, bs, c // bs**2, h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        t = x.reshape(n, c // bs**2, bs, bs, h, w).transpose(0, 1, 4, 2, 5, 3)
    return t.reshape(n, c // bs**2, h * bs, w * bs)


def s2d_ref(x, bs):
    n, c, h, w = x.shape
    t = x.reshape(n, c, h // bs, bs, w // bs, bs).transpose(0, 3, 5, 1, 2, 4)
    return t.reshape(n, c * bs**2, h // bs, w // bs)


def norm_ref(x, axes, scale, bias):
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    return ((x64 - mean) / np.sqrt(var + 1e-5)) * scale + bias


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    libs = {}
    for name, (g, opset) in models().items():
        path = os.path.join(work, name + ".onnx")
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)
        libs[name] = os.path.join(work, name + ".so")
        e2e.kiln_compile(compiler, path, libs[name], 600)

    f32 = lambda *s: RNG.rand(*s).astype(np.float32)  # noqa: E731
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    t = torch.from_numpy
    x52 = np.arange(10, dtype=np.float32).reshape(5, 2)
    x32 = np.arange(6, dtype=np.float32).reshape(3, 2)
    x7 = np.arange(14, dtype=np.float32).reshape(7, 2)

    def conv(x, **kw):
        return F.conv2d(t(x), t(W), **kw).numpy()

    good = []  # (model, inputs, {output: expected}, tolerance)
    for h, w in [(3, 3), (4, 5)]:
        x = f32(2, 1, h, w)
        good.append(("conv", {"x": x}, {"y": conv(x)}, 1e-5))
    for h, w in [(3, 3), (4, 6)]:
        x = f32(1, 1, h, w)
        good.append(("conv_sd", {"x": x},
                     {"y": conv(x, stride=2, padding=1, dilation=2)}, 1e-5))
    x = f32(1, 2, 4, 5)
    good.append(("maxpool", {"x": x}, {"y": F.max_pool2d(t(x), 3, 1).numpy()}, 0))
    x = f32(1, 2, 3, 2)
    good.append(("avgpool", {"x": x}, {"y": F.avg_pool2d(t(x), 2, 1).numpy()}, 1e-6))
    for s in [(2, 3), (0, 5), (5, 0)]:
        good.append(("split", {"x": x52, "s": i64(*s)},
                     dict(zip("yz", np.split(x52, [s[0]]))), 0))
    good.append(("split_c", {"x": x52}, dict(zip("yz", np.split(x52, [2]))), 0))
    good.append(("split_eq", {"x": x52[:4]}, dict(zip("yz", np.split(x52[:4], 2))), 0))
    # ONNX (Split-18, num_outputs): ceil(N / 3) rows each, the last smaller.
    good.append(("split_n", {"x": x7}, {"y": x7[:3], "z": x7[3:6], "u": x7[6:]}, 0))
    good.append(("split_n", {"x": x52[:3]}, {"y": x52[:1], "z": x52[1:2], "u": x52[2:3]}, 0))
    for lens in [(3, 1), (0, 2)]:
        good.append(("revseq", {"x": x32, "l": i64(*lens)}, {"y": revseq_ref(x32, lens)}, 0))
    x = f32(4, 3)
    good.append(("argmax", {"x": x}, {"y": np.argmax(x, axis=0)[None]}, 0))
    good.append(("argmin", {"x": x}, {"y": np.argmin(x, axis=0)[None]}, 0))
    for a, b, c in [(-2**63, 2**63 - 1, 2**62), (2**63 - 1, -2**63, -2**62),
                    (-2**63, 2**63 - 1, 2**63 - 1), (0, 10, 3), (5, 1, -2), (1, 1, 1), (10, 0, 3)]:
        good.append(("range", {"a": np.array(a), "b": np.array(b), "c": np.array(c)},
                     {"y": np.array(list(range(a, b, c)), np.int64)}, 0))
    # ONNX Range: max(ceil((limit - start) / delta), 0) elements start + i * delta.
    for a, b, c in [(0.5, 3.0, 0.5), (1.0, -2.0, -0.75), (0.0, 1.0, float("inf")),
                    (float("inf"), 0.0, 1.0), (2.0, 2.0, 1.0)]:
        n = max(int(np.ceil((b - a) / c)), 0) if np.isfinite((b - a) / c) else 0
        want = (np.float32(a) + np.arange(n, dtype=np.float32) * np.float32(c)).astype(np.float32)
        good.append(("range_f", {"a": np.float32(a), "b": np.float32(b), "c": np.float32(c)},
                     {"y": want}, 0))
    good.append(("range_const", {}, {"y": np.array(list(range(-2**63, 2**63 - 1, 2**62)),
                                                   np.int64)}, 0))
    x = f32(2, 8, 3, 2)
    good.append(("d2s", {"x": x}, {"y": d2s_ref(x, 2, "DCR")}, 0))
    good.append(("d2s_crd", {"x": x}, {"y": F.pixel_shuffle(t(x), 2).numpy()}, 0))
    x = f32(2, 3, 4, 6)
    good.append(("s2d", {"x": x}, {"y": s2d_ref(x, 2)}, 0))
    # Empty dims at run time are sizes, not Reshape's "copy the input's dim"
    # (the final review: (0, 0, 4, 6) gave (0, 2, 2, 3), exit 0).
    for shape in [(0, 0, 4, 6), (0, 3, 0, 6), (2, 0, 4, 6), (2, 3, 4, 0)]:
        x = np.zeros(shape, np.float32)
        good.append(("s2d", {"x": x}, {"y": s2d_ref(x, 2)}, 0))
    for shape in [(0, 0, 4, 6), (1, 8, 0, 2), (2, 8, 2, 0)]:
        x = np.zeros(shape, np.float32)
        good.append(("d2s", {"x": x}, {"y": d2s_ref(x, 2, "DCR")}, 0))
    # ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zero_point).
    x = (f32(4, 3) - 0.5) * 600
    good.append(("quant", {"x": x}, {"y": np.clip(np.rint(x / Q_SCALE) + Q_ZERO, 0, 255)
                                          .astype(np.uint8)}, 0))
    q = np.arange(12, dtype=np.uint8).reshape(4, 3) * 20
    good.append(("dequant", {"x": q}, {"y": ((q.astype(np.int32) - Q_ZERO) * Q_SCALE)
                                            .astype(np.float32)}, 1e-6))
    x = f32(3, 4)
    good.append(("layernorm", {"x": x}, {"y": norm_ref(x, (1,), LN_SCALE, LN_BIAS)}, 1e-5))
    x = f32(3, 2, 4)
    good.append(("instnorm", {"x": x},
                 {"y": norm_ref(x, (2,), IN_SCALE[:, None], IN_BIAS[:, None])}, 1e-5))

    for k, (name, inputs, want, tol) in enumerate(good):
        res, out = e2e.run_model(runner, libs[name], inputs, work, f"{name}_ok{k}")
        shown = {n: (v.tolist() if v.size < 4 else list(v.shape)) for n, v in inputs.items()}
        if res.returncode != 0:
            check(False, f"{name} {shown} runs", res)
            continue
        for o, w in want.items():
            got = e2e.load_output(out, o)
            same = (got.shape == w.shape and
                    (np.array_equal(got, w) if tol == 0 else
                     np.allclose(got, w, rtol=tol, atol=tol)))
            check(same, f"{name} {shown}: output {o} matches the oracle "
                        f"(want {w.shape} {w.ravel()[:6]}, got {got.shape} {got.ravel()[:6]})")

    window = "expects the window to fit in spatial dimension {} (padded {}, window {}), " \
             "found a smaller size"
    split = "expects 2 non-negative split sizes adding up to dimension 0, found others"
    revseq = "expects sequence lengths in [0, the time axis size], found one outside"
    bad = [
        ("conv", {"x": f32(1, 1, 1, 1)}, "node 'conv_w' (nn.conv): " + window.format(0, 0, 3)),
        ("conv", {"x": f32(1, 1, 3, 2)}, "node 'conv_w' (nn.conv): " + window.format(1, 0, 3)),
        ("conv", {"x": f32(1, 1, 5, 0)}, "node 'conv_w' (nn.conv): " + window.format(1, 0, 3)),
        ("conv_sd", {"x": f32(2, 1, 2, 2)}, "node 'conv_sd' (nn.conv): " + window.format(0, 2, 5)),
        ("maxpool", {"x": f32(1, 2, 2, 2)},
         "node 'pool_max' (nn.max_pool): " + window.format(0, 0, 3)),
        ("avgpool", {"x": f32(1, 2, 1, 3)},
         "node 'pool_avg' (nn.average_pool): " + window.format(0, 0, 2)),
    ]
    for s in [(2, 2), (7, -2), (6, -1), (-1, 6), (2**62, 5 - 2**62)]:
        bad.append(("split", {"x": x52, "s": i64(*s)}, "node 'split_s' (Split): " + split))
    bad.append(("split_c", {"x": x52[:4]}, "node 'split_c' (Split): " + split))
    bad.append(("split_eq", {"x": x52}, "node 'split_eq' (Split): expects dimension 0 to divide "
                                        "into 2 equal parts, found a size that does not"))
    for lens in [(4, 1), (100, 1), (2**40, 1), (-1, 1), (-2**40, 2)]:
        bad.append(("revseq", {"x": x32, "l": i64(*lens)},
                     "node 'revseq_l' (nn.reverse_sequence): " + revseq))
    for name in ("argmax", "argmin"):
        bad.append((name, {"x": np.zeros((0, 3), np.float32)},
                    f"node '{name}_x' (nn.arg_{name[3:]}): expects a non-empty axis, found size 0"))
    bad.append(("d2s", {"x": f32(1, 6, 2, 2)}, "node 'd2s_x' (DepthToSpace): expects channels "
                                               "divisible by blocksize^2 (4), found others"))
    bad.append(("s2d", {"x": f32(1, 1, 3, 4)}, "node 's2d_x' (SpaceToDepth): expects height and "
                                               "width divisible by blocksize (2), found others"))
    bad.append(("quant", {"x": f32(2, 4)}, "node 'quant_x' (nn.div): expects dim 1 of the "
                "operands to be equal (a dynamic size does not broadcast)"))
    bad.append(("layernorm", {"x": f32(3, 5)}, "node 'ln_x' (nn.mul): expects dim 1 of the "
                "operands to be equal (a dynamic size does not broadcast)"))
    # A NaN operand is named (a NaN delta said "found 0"); infinite operands
    # whose count is NaN (inf - inf, inf / inf) say so.
    nan, inf = float("nan"), float("inf")
    for a, b, c, what in [(0, 5, nan, "delta"), (nan, 5, 1, "start"), (0, nan, 1, "limit"),
                          (nan, nan, nan, "start")]:
        bad.append(("range_f", {"a": np.float32(a), "b": np.float32(b), "c": np.float32(c)},
                    f"node 'range_f' (nn.range): expects a {what} that is not NaN, found NaN"))
    for a, b, c in [(inf, inf, 1), (0, inf, inf)]:
        bad.append(("range_f", {"a": np.float32(a), "b": np.float32(b), "c": np.float32(c)},
                    "node 'range_f' (nn.range): expects a count ceil((limit - start) / delta) "
                    "that is a number, found NaN (from infinite operands)"))
    bad.append(("range_f", {"a": np.float32(0), "b": np.float32(1), "c": np.float32(0)},
                "node 'range_f' (nn.range): expects a non-zero delta, found 0"))
    for k, (name, inputs, message) in enumerate(bad):
        res, out = e2e.run_model(runner, libs[name], inputs, work, f"{name}_bad{k}")
        shown = {n: (v.tolist() if v.size < 4 else list(v.shape)) for n, v in inputs.items()}
        e2e.expect_refused(FAILURES, res, f"entry 'model': {message}",
                           f"{name}: {shown} is a run-time error", output_dir=out, exact=True)

    # Constant lengths: checked at compile time.
    for lens, ok in [((4, 1), False), ((-1, 2), False), ((3, 0), True)]:
        g = helper.make_graph(
            [helper.make_node("ReverseSequence", ["x", "l"], ["y"], name="revseq_c",
                              batch_axis=1, time_axis=0)],
            "revseq_c", [vi("x", T.FLOAT, [3, 2])], [vi("y", T.FLOAT, [3, 2])],
            [numpy_helper.from_array(i64(*lens), "l")])
        path = os.path.join(work, "revseq_c.onnx")
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
        lib = os.path.join(work, "revseq_c.so")
        res = e2e.run([compiler, path, "-o", lib], 600)
        if ok:
            check(res.returncode == 0, f"revseq constant {lens} compiles", res)
            if res.returncode == 0:
                r, out = e2e.run_model(runner, lib, {"x": x32}, work, "revseq_c")
                got = e2e.load_output(out, "y") if r.returncode == 0 else None
                check(got is not None and np.array_equal(got, revseq_ref(x32, lens)),
                      f"revseq constant {lens} matches numpy", r)
        else:
            msg = (f"node 'revseq_c' (ReverseSequence, opset 13): expects sequence lengths in "
                   f"[0, 3], found {min(lens) if min(lens) < 0 else max(lens)}")
            e2e.expect_refused(FAILURES, res, msg, f"revseq constant {lens} is a compile error")

    # Constant split sizes of a dynamic axis: negative ones are a compile error.
    g = helper.make_graph(
        [helper.make_node("Split", ["x", "s"], ["y", "z"], name="split_neg", axis=0)],
        "split_neg", [vi("x", T.FLOAT, ["N", 2])], [vi(o, T.FLOAT, None) for o in "yz"],
        [numpy_helper.from_array(i64(-1, 6), "s")])
    path = os.path.join(work, "split_neg.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    res = e2e.run([compiler, path, "-o", os.path.join(work, "split_neg.so")], 600)
    e2e.expect_refused(FAILURES, res, "node 'split_neg' (Split, opset 13): expects 2 non-negative "
                       "split sizes, found 2: [-1, 6]", "constant split [-1, 6] is a compile error")
    return e2e.finish(FAILURES, "dynamic-shape run-time checks")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-dynamic-checks-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
