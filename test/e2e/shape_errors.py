#!/usr/bin/python3
"""Run-time shape errors in generated code: a clear message, never a crash.

Models whose shapes are only known at run time, each compiled once:
  add      z = x + y, x float[A,3] and y float[B,3] (two different symbols)
  reshape  r = Relu(Reshape(x, s)), x float[N,6], s int64[2] a graph input
  fill     c = ConstantOfShape(s), s int64[2] a graph input
  pad      q = Pad(x, p, 0.5), x float[N,3], p int64[4] a graph input
  tile     t = Tile(x, r), x float[4], r int64[1] a graph input; tile2 the
           same with x float[2,2], r int64[2]
  loop     a Loop whose body fills a buffer of the outer input's size s
  attn     softmax(x x^T) x, x float[S,4]: SxS temporaries in one shared buffer
  empty    Relu and ReduceSum of x float[A,B] (and [A,B,C]), given empty inputs
  count    ReduceSum(ConstantOfShape(s)) of ones (a reduction reading no element)
Valid inputs must match numpy; each bad input below must make kiln-run exit 1
with the check's message naming the node, write nothing, and not crash:
A != B (a dynamic size does not broadcast), a shape with the wrong element
count, two -1s, a shape whose element count wraps around 2^64 to the input's
(2^61+3 x 8 = 24 mod 2^64), a ConstantOfShape past 1 TiB, a negative or
huge pad, and Tile repeats whose result size wraps around 2^64 (4 x 2^62
to 0 elements, 4 x (2^62 + 1) to 4; 2-D repeats [2^31, 2^31] whose dims fit
but whose element count 2^64 wraps to 0) or passes 1 TiB, and empty inputs whose
dims, counting 0 as 1, pass 2^31 (their loops ran for minutes). A MatMul of
empty inputs (2^31 x 0 by 0 x 2^31) whose output's byte count wraps is refused by
the runtime before the run; a 64 GiB ConstantOfShape, a 100000x100000
MatMul product and a 64 GiB buffer in a Loop body (it crashed) under a
4 GiB RLIMIT_AS fail their run-time allocation with a message naming the
node, and attention's shared buffer at S=50000 with one saying what it is
(skipped when kiln-run is built with ASan).

    /usr/bin/python3 test/e2e/shape_errors.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import resource
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)


def save_model(path, nodes, inputs, outputs):
    value = helper.make_tensor("v", T.FLOAT, [], [0.5])
    used = any("v" in n.input for n in nodes)
    graph = helper.make_graph(nodes, os.path.basename(path), inputs, outputs,
                              [value] if used else [])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def run_all(args, work):
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    vi = helper.make_tensor_value_info
    models = {
        "add": ([helper.make_node("Add", ["x", "y"], ["z"], name="add_xy")],
                [vi("x", T.FLOAT, ["A", 3]), vi("y", T.FLOAT, ["B", 3])], [vi("z", T.FLOAT, None)]),
        "reshape": ([helper.make_node("Reshape", ["x", "s"], ["t"], name="reshape_xs"),
                     helper.make_node("Relu", ["t"], ["r"], name="relu")],
                    [vi("x", T.FLOAT, ["N", 6]), vi("s", T.INT64, [2])], [vi("r", T.FLOAT, None)]),
        "fill": ([helper.make_node("ConstantOfShape", ["s"], ["c"], name="fill_s")],
                 [vi("s", T.INT64, [2])], [vi("c", T.FLOAT, None)]),
        "pad": ([helper.make_node("Pad", ["x", "p", "v"], ["q"], name="pad_xp")],
                [vi("x", T.FLOAT, ["N", 3]), vi("p", T.INT64, [4])], [vi("q", T.FLOAT, None)]),
        "tile": ([helper.make_node("Tile", ["x", "r"], ["t"], name="tile_xr")],
                 [vi("x", T.FLOAT, [4]), vi("r", T.INT64, [1])], [vi("t", T.FLOAT, None)]),
        "tile2": ([helper.make_node("Tile", ["x", "r"], ["t"], name="tile2_xr")],
                  [vi("x", T.FLOAT, [2, 2]), vi("r", T.INT64, [2])], [vi("t", T.FLOAT, None)]),
        "mm": ([helper.make_node("MatMul", ["a", "b"], ["y"], name="mm_ab")],
               [vi("a", T.FLOAT, ["M", "K"]), vi("b", T.FLOAT, ["K2", "N"])],
               [vi("y", T.FLOAT, None)]),
    }
    # A Loop whose body allocates a run-time buffer: a ConstantOfShape of
    # the outer input s, its CumSum's max added to the carried sum.
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"], name="body_cond"),
         helper.make_node("ConstantOfShape", ["s"], ["c"], name="body_fill",
                          value=helper.make_tensor("one", T.FLOAT, [1], [1.0])),
         helper.make_node("CumSum", ["c", "axis"], ["cs"], name="body_cumsum"),
         helper.make_node("ReduceMax", ["cs"], ["m"], name="body_max", keepdims=0),
         helper.make_node("Add", ["acc", "m"], ["acc_out"], name="body_add")],
        "body", [vi("i", T.INT64, []), vi("cond", T.BOOL, []), vi("acc", T.FLOAT, [])],
        [vi("cond_out", T.BOOL, []), vi("acc_out", T.FLOAT, [])],
        [helper.make_tensor("axis", T.INT64, [], [0])])
    models["loop"] = ([helper.make_node("Loop", ["trips", "", "a0"], ["acc"], name="loop_fill",
                                        body=body)],
                      [vi("trips", T.INT64, []), vi("s", T.INT64, [1]), vi("a0", T.FLOAT, [])],
                      [vi("acc", T.FLOAT, [])])
    # An If whose then-branch allocates at run time (a ConstantOfShape of
    # the outer s, summed) and yields a static scalar: a failed size check
    # there was recorded but the branch went on, allocating with the bad
    # size (s = [-1]: a heap overflow; [2^40]: SIGSEGV).
    then_branch = helper.make_graph(
        [helper.make_node("ConstantOfShape", ["s"], ["f"], name="then_fill",
                          value=helper.make_tensor("one", T.FLOAT, [1], [1.0])),
         helper.make_node("ReduceSum", ["f"], ["r"], name="then_sum", keepdims=0)],
        "then", [], [vi("r", T.FLOAT, [])])
    else_branch = helper.make_graph(
        [helper.make_node("Constant", [], ["r2"], name="else_zero",
                          value=helper.make_tensor("zero", T.FLOAT, [], [0.0]))],
        "else", [], [vi("r2", T.FLOAT, [])])
    models["iffill"] = ([helper.make_node("If", ["c"], ["y"], name="if_fill",
                                          then_branch=then_branch, else_branch=else_branch)],
                        [vi("c", T.BOOL, []), vi("s", T.INT64, [1])], [vi("y", T.FLOAT, [])])
    # Empty results whose other dims come from data: a run-time reshape of
    # an empty input, and two empty inputs broadcast against each other.
    models["reshape_empty"] = (
        [helper.make_node("Reshape", ["x", "s"], ["f"], name="reshape_empty"),
         helper.make_node("Relu", ["f"], ["y"], name="relu_empty"),
         helper.make_node("ReduceSum", ["y"], ["r"], name="sum_empty", keepdims=0)],
        [vi("x", T.FLOAT, ["A", "B"]), vi("s", T.INT64, [2])], [vi("r", T.FLOAT, None)])
    models["broadcast_empty"] = (
        [helper.make_node("Add", ["a", "b"], ["y"], name="add_empty"),
         helper.make_node("ReduceSum", ["y"], ["r"], name="sum_bc", keepdims=0)],
        [vi("a", T.FLOAT, ["A", 1, "C"]), vi("b", T.FLOAT, [1, "B", "C"])],
        [vi("r", T.FLOAT, None)])
    # Self-attention over a run-time sequence S: its SxS temporaries share
    # one allocation per run, which no one node owns.
    models["attn"] = ([helper.make_node("Transpose", ["x"], ["xt"], name="attn_t", perm=[1, 0]),
                       helper.make_node("MatMul", ["x", "xt"], ["s"], name="attn_scores"),
                       helper.make_node("Softmax", ["s"], ["p"], name="attn_softmax", axis=-1),
                       helper.make_node("MatMul", ["p", "x"], ["y"], name="attn_out")],
                      [vi("x", T.FLOAT, ["S", 4])], [vi("y", T.FLOAT, None)])
    # A sum of ones over a run-time shape (its reduction reads no element).
    models["count"] = ([helper.make_node("ConstantOfShape", ["s"], ["c"], name="count_ones",
                                         value=helper.make_tensor("one", T.FLOAT, [1], [1.0])),
                        helper.make_node("ReduceSum", ["c"], ["n"], name="count_sum", keepdims=0)],
                       [vi("s", T.INT64, [1])], [vi("n", T.FLOAT, None)])
    # Work on a run-time shape that may be empty.
    for name, rank in (("empty", 2), ("empty3", 3)):
        models[name] = ([helper.make_node("Relu", ["x"], ["y"], name="relu"),
                         helper.make_node("ReduceSum", ["y"], ["s"], name="sum", keepdims=0)],
                        [vi("x", T.FLOAT, ["A", "B", "C"][:rank])],
                        [vi("y", T.FLOAT, None), vi("s", T.FLOAT, None)])
    libs = {}
    for name, (nodes, inputs, outputs) in models.items():
        save_model(os.path.join(work, name + ".onnx"), nodes, inputs, outputs)
        libs[name] = os.path.join(work, name + ".so")
        e2e.kiln_compile(compiler, os.path.join(work, name + ".onnx"), libs[name], 600)

    def run(name, arrays, tag):
        return e2e.run_model(runner, libs[name], arrays, work, tag)

    x23 = np.arange(6, dtype=np.float32).reshape(2, 3)
    x33 = np.ones((3, 3), np.float32)
    res, out = run("add", {"x": x23, "y": x23}, "add_ok")
    check(res.returncode == 0 and np.array_equal(e2e.load_output(out, "z"), x23 + x23),
          "add with A == B matches numpy", res)
    x46 = np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6)
    res, out = run("reshape", {"x": x46, "s": np.array([3, -1], np.int64)}, "reshape_ok")
    check(res.returncode == 0
          and np.array_equal(e2e.load_output(out, "r"), np.maximum(x46.reshape(3, 8), 0)),
          "reshape to (3, -1) matches numpy", res)

    res, out = run("pad", {"x": x23, "p": np.array([1, 0, 0, 2], np.int64)}, "pad_ok")
    check(res.returncode == 0 and np.array_equal(
        e2e.load_output(out, "q"), np.pad(x23, ((1, 0), (0, 2)), constant_values=0.5)),
        "pad by run-time amounts matches numpy", res)

    x4 = np.array([1, -2, 3.5, 4], np.float32)
    res, out = run("tile", {"x": x4, "r": np.array([3], np.int64)}, "tile_ok")
    check(res.returncode == 0 and np.array_equal(e2e.load_output(out, "t"), np.tile(x4, 3)),
          "tile by run-time repeats matches numpy", res)
    x22 = np.array([[1, -2], [3.5, 4]], np.float32)
    res, out = run("tile2", {"x": x22, "r": np.array([2, 3], np.int64)}, "tile2_ok")
    check(res.returncode == 0 and np.array_equal(e2e.load_output(out, "t"), np.tile(x22, (2, 3))),
          "2-D tile by run-time repeats matches numpy", res)

    loop_in = {"trips": np.array(3, np.int64), "a0": np.array(0.5, np.float32)}
    res, out = run("loop", {**loop_in, "s": np.array([5], np.int64)}, "loop_ok")
    check(res.returncode == 0 and np.array_equal(
        e2e.load_output(out, "acc"), np.float32(0.5 + 3 * np.cumsum(np.ones(5)).max())),
        "a Loop body allocating at run time matches numpy", res)

    xs = np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4)
    res, out = run("attn", {"x": xs}, "attn_ok")
    scores = xs.astype(np.float64) @ xs.T
    probs = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    check(res.returncode == 0 and np.allclose(e2e.load_output(out, "y"), probs @ xs,
                                              rtol=1e-5, atol=1e-6),
          "self-attention over a run-time sequence matches numpy", res)

    for size in (5, 64, 200):
        res, out = run("count", {"s": np.array([size], np.int64)}, f"count_{size}")
        check(res.returncode == 0
              and e2e.load_output(out, "n") == np.ones(size, np.float32).sum(),
              f"a ReduceSum of {size} ones from a run-time ConstantOfShape matches numpy "
              "(it gave 1 for 5: one step per vector)", res)

    def refused(name, arrays, tag, needle, what):
        res, out = run(name, arrays, tag)
        e2e.expect_refused(FAILURES, res, needle, what, output_dir=out)

    # An empty buffer's dims, counting 0 as 1, are held to 2^31 like an
    # input's: the loops over it still run that often (the review's [2^40,
    # 0] reshape ran for minutes, [2^62, 0] for centuries).
    x0 = np.zeros((0, 0), np.float32)  # a 0 in the shape copies its dim 1
    res, out = run("reshape_empty", {"x": x0, "s": np.array([3, 0], np.int64)}, "rsz_ok")
    check(res.returncode == 0 and e2e.load_output(out, "r") == np.float32(0),
          "a sum over an empty reshape matches numpy", res)
    empty_extent = ("could not allocate a run-time buffer of type memref<?x?xf32>: it is empty, "
                    "but its dims, counting 0 as 1, multiply past 2^31")
    refused("reshape_empty", {"x": x0, "s": np.array([2**40, 0], np.int64)}, "rsz_2p40",
            "node 'relu_empty': " + empty_extent, "an empty input reshaped to [2^40, 0]")
    refused("reshape_empty", {"x": x0, "s": np.array([2**62, 0], np.int64)}, "rsz_2p62",
            "node 'relu_empty': " + empty_extent, "an empty input reshaped to [2^62, 0]")
    refused("broadcast_empty", {"a": np.zeros((2**16, 1, 0), np.float32),
                                "b": np.zeros((1, 2**16, 0), np.float32)}, "bc_2p32",
            "node 'add_empty': could not allocate a run-time buffer of type memref<?x?x?xf32>: "
            "it is empty, but its dims, counting 0 as 1, multiply past 2^31",
            "two empty inputs broadcast to [2^16, 2^16, 0]")
    res, out = run("broadcast_empty", {"a": np.zeros((4, 1, 0), np.float32),
                                       "b": np.zeros((1, 5, 0), np.float32)}, "bc_ok")
    check(res.returncode == 0 and e2e.load_output(out, "r") == np.float32(0),
          "two small empty inputs broadcast and summed match numpy", res)

    yes = np.array(True)
    res, out = run("iffill", {"c": yes, "s": np.array([7], np.int64)}, "iffill_ok")
    check(res.returncode == 0 and e2e.load_output(out, "y") == np.float32(7),
          "an If branch allocating at run time matches numpy", res)
    refused("iffill", {"c": yes, "s": np.array([-1], np.int64)}, "iffill_negative",
            "node 'then_fill' (nn.constant_of_shape): expects",
            "a negative size in an If branch (a heap overflow: the branch went on)")
    # In a branch the 1 TiB check is recorded and the allocation then fails
    # (NULL), which the guard catches; ASan aborts on such a request instead
    # of returning NULL.
    if asan_built(runner):
        print("SKIP a 4 TiB allocation in an If branch: kiln-run is built with ASan")
    else:
        refused("iffill", {"c": yes, "s": np.array([2**40], np.int64)}, "iffill_huge",
                "node 'then_fill' (nn.constant_of_shape): expects a result of at most 2^40 "
                "bytes", "a ConstantOfShape past 1 TiB in an If branch (SIGSEGV)")

    refused("add", {"x": x23, "y": x33}, "add_bad",
            "node 'add_xy' (nn.add): expects dim 0 of the operands to be equal", "A != B")
    count = "node 'reshape_xs' (nn.dynamic_reshape): expects the shape to hold as many elements"
    refused("reshape", {"x": x46, "s": np.array([5, 5], np.int64)}, "reshape_count", count,
            "a shape with the wrong element count")
    refused("reshape", {"x": x46, "s": np.array([-1, -1], np.int64)}, "reshape_two",
            "expects at most one -1 in the shape", "two -1s")
    refused("reshape", {"x": x46, "s": np.array([2**61 + 3, 8], np.int64)}, "reshape_wrap", count,
            "an element count that wraps around 2^64 to the input's")
    refused("fill", {"s": np.array([2**40, 1], np.int64)}, "fill_huge",
            "node 'fill_s' (nn.constant_of_shape): expects a result of at most 2^40 bytes",
            "a ConstantOfShape past 1 TiB")
    refused("fill", {"s": np.array([2**62, 4], np.int64)}, "fill_wrap",
            "expects a result of at most 2^40 bytes", "a ConstantOfShape whose size wraps")
    refused("pad", {"x": x23, "p": np.array([0, -1, 0, 0], np.int64)}, "pad_negative",
            "node 'pad_xp' (nn.dynamic_pad): expects pads from 0 to 2^40", "a negative pad")
    refused("pad", {"x": x23, "p": np.array([2**62, 0, 2**62, 0], np.int64)}, "pad_huge",
            "node 'pad_xp' (nn.dynamic_pad): expects pads from 0 to 2^40", "pads that would wrap")

    wrap = ("node 'tile_xr' (nn.dynamic_tile): expects the tiled size of each dimension "
            "(input size x repeat count) to fit in 64 bits, found a larger one")
    refused("tile", {"x": x4, "r": np.array([2**62], np.int64)}, "tile_wrap0", wrap,
            "4 x 2^62 (wrapped to 0 elements)")
    refused("tile", {"x": x4, "r": np.array([2**62 + 1], np.int64)}, "tile_wrap4", wrap,
            "4 x (2^62 + 1) (wrapped to 4 elements)")
    refused("tile", {"x": x4, "r": np.array([2**40], np.int64)}, "tile_huge",
            "node 'tile_xr' (nn.dynamic_tile): expects a result of at most 2^40 bytes",
            "a tile past 1 TiB")
    # Two dims that each fit while their product wraps: 2^32 x 2^32 elements
    # is 2^64, 0 mod 2^64.
    refused("tile2", {"x": x22, "r": np.array([2**31, 2**31], np.int64)}, "tile2_wrap",
            "node 'tile2_xr' (nn.dynamic_tile): expects a result of at most 2^40 bytes",
            "2-D repeats whose element count wraps around 2^64 to 0")
    refused("tile2", {"x": x22, "r": np.array([2, 2**62], np.int64)}, "tile2_dim_wrap",
            "node 'tile2_xr' (nn.dynamic_tile): expects the tiled size of each dimension",
            "2-D repeats with one dim past 64 bits")
    refused("tile", {"x": x4, "r": np.array([-1], np.int64)}, "tile_negative",
            "node 'tile_xr' (nn.dynamic_tile): expects non-negative repeat counts",
            "a negative repeat count")

    # Empty inputs (legal .npy files of 0 elements) whose product's byte count
    # wraps around 2^64: the runtime refuses the output's shape before the run.
    def header_only(tag, shape):
        path = os.path.join(work, tag + ".npy")
        with open(path, "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f4", "fortran_order": False, "shape": shape})
        return path

    res = e2e.run([runner, libs["mm"], "--input", "a=" + header_only("mm_a", (2**31, 0)),
                   "--input", "b=" + header_only("mm_b", (0, 2**31)),
                   "--output-dir", os.path.join(work, "out_mm_wrap")], 120)
    e2e.expect_refused(FAILURES, res,
                       "entry 'model': output 'y': its shape 2147483648x2147483648 is too large",
                       "a MatMul output whose byte count wraps",
                       output_dir=os.path.join(work, "out_mm_wrap"))

    # An empty input whose other dims are huge: the generated loops still run
    # over them (an empty [2^40, 0] ran for minutes), so an input's dims,
    # counting 0 as 1, are held to 2^31 like a tensor's elements. Within the
    # limit an empty input gives numpy's (empty) result.
    res, out = run("empty", {"x": np.zeros((2**16, 0), np.float32)}, "empty_ok")
    check(res.returncode == 0 and e2e.load_output(out, "y").shape == (2**16, 0)
          and e2e.load_output(out, "s") == np.float32(0),
          "an empty [2^16, 0] input gives an empty Relu and a sum of 0, as numpy", res)
    extent = ("kiln-run: input 'x': expected dims whose product, counting a dim of 0 as 1, "
              "is at most 2147483648 (2^31, the most elements a tensor may have; the loops of an "
              "empty tensor still run over its other dims), got ")
    for tag, shape in (("empty_2p40", (2**40, 0)), ("empty_2p31", (2**31 + 1, 0)),
                       ("empty_split", (0, 2**16, 2**16)), ("empty_rows", (0, 2**62))):
        out = os.path.join(work, "out_" + tag)
        res = e2e.run([runner, libs["empty3" if len(shape) == 3 else "empty"], "--input",
                       "x=" + header_only(tag, shape), "--output-dir", out], 120)
        e2e.expect_refused(FAILURES, res, extent + "x".join(map(str, shape)) + "\n",
                           f"an empty input of shape {shape}", output_dir=out)

    # Run-time allocations the generated code makes that fail: a 64 GiB
    # ConstantOfShape (under the 1 TiB cap) and a 100000x100000 MatMul product
    # (40 GB) under a 4 GiB address-space limit, so they fail without taking
    # memory. An ASan-built kiln-run reserves more than that at start.
    if asan_built(runner):
        print("SKIP failed allocations: kiln-run is built with ASan (RLIMIT_AS)")
    else:
        def limited():
            resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

        def refused_limited(cmd, tag, needle, what):
            out = os.path.join(work, "out_" + tag)
            proc = subprocess.run([*cmd, "--output-dir", out], capture_output=True, text=True,
                                  timeout=120, preexec_fn=limited)
            res = e2e.Result(cmd, proc.returncode, proc.stdout, proc.stderr, 0, False, 120)
            e2e.expect_refused(FAILURES, res, needle, what, output_dir=out)

        oom = ("could not allocate a run-time buffer of type memref<?x?xf32>: out of memory")
        s_path = e2e.save_npy(os.path.join(work, "fill_64g_s.npy"), np.array([2**34, 1], np.int64))
        refused_limited([runner, libs["fill"], "--input", "s=" + s_path], "fill_64g",
                        "entry 'model': node 'fill_s': " + oom,
                        "a 64 GiB ConstantOfShape under a 4 GiB limit")
        refused_limited([runner, libs["mm"], "--input", "a=" + header_only("mm_a2", (100000, 0)),
                         "--input", "b=" + header_only("mm_b2", (0, 100000))], "mm_oom",
                        "entry 'model': node 'mm_ab': " + oom,
                        "a 100000x100000 MatMul product under a 4 GiB limit")
        loop_args = []
        for key, value in {**loop_in, "s": np.array([2**34], np.int64)}.items():
            loop_args += ["--input", key + "=" + e2e.save_npy(
                os.path.join(work, "loop_oom_" + key + ".npy"), value)]
        refused_limited([runner, libs["loop"], *loop_args], "loop_oom",
                        "entry 'model': node 'body_fill': could not allocate a run-time "
                        "buffer of type memref<?xf32>: out of memory",
                        "a 64 GiB buffer in a Loop body under a 4 GiB limit")
        x_path = e2e.save_npy(os.path.join(work, "attn_x.npy"),
                              np.ones((50000, 4), np.float32))
        refused_limited([runner, libs["attn"], "--input", "x=" + x_path], "attn_oom",
                        "entry 'model': could not allocate the buffer shared by 3 intermediate "
                        "results sized at run time (of 'attn_scores') of type "
                        "memref<?x?x128xi8>: out of memory",
                        "self-attention's shared buffer at S=50000 under a 4 GiB limit")
    return e2e.finish(FAILURES, "run-time shape errors")


def asan_built(tool):
    """Whether `tool` carries AddressSanitizer's runtime (it cannot start
    under a small RLIMIT_AS)."""
    with open(tool, "rb") as f:
        return b"__asan_init" in f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-shape-errors-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
