#!/usr/bin/python3
"""Data-dependent indexing operators against PyTorch and numpy.

Each model is one ONNX node built by hand (run-time inputs where the ONNX
operator takes them as inputs: pads, k, depth, thresholds), compiled once and
run on inputs chosen to hit the edge cases: ties, negative indices, repeated
indices, empty selections. Oracles:
  Pad edge/reflect      numpy.pad and torch.nn.functional.pad (replicate, reflect)
  TopK                  torch.topk (ties: lower index first, as ONNX says)
  ScatterElements       torch.Tensor.scatter / scatter_reduce (sum, prod, amax, amin)
  ScatterND             a loop written from the ONNX spec
  OneHot                numpy.eye
  NonZero, Compress     numpy.nonzero, numpy.compress
  Unique                numpy.unique (return_index/inverse/counts, axis)
  MaxPool Indices       torch.nn.functional.max_pool2d(return_indices=True)
  MaxUnpool             torch.nn.functional.max_unpool2d
  NonMaxSuppression     torchvision.ops.nms per batch entry and class
Run-time index errors: an out-of-range ScatterElements/ScatterND/MaxUnpool
index makes kiln-run exit 1 with the node's message and write nothing.

    /usr/bin/python3 test/e2e/indexing.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto as T, helper

import kiln_e2e as e2e

FAILURES = []
warnings.filterwarnings("ignore", message="scatter_reduce")
check = functools.partial(e2e.expect, FAILURES)
vi = helper.make_tensor_value_info
DT = {np.float32: T.FLOAT, np.int64: T.INT64, np.int32: T.INT32, np.bool_: T.BOOL}


class Runner:
    def __init__(self, args, work):
        self.compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        self.runner = e2e.find_tool("kiln-run", args.bin_dir)
        self.work = work
        self.libs = {}

    def model(self, name, node, inputs, outputs, opset=13, inits=()):
        """Compiles one node with `inputs` [(name, dtype, shape)] and `outputs`
        [(name, dtype)] (outputs of unknown shape)."""
        graph = helper.make_graph(
            [node], name, [vi(n, DT[t], s) for n, t, s in inputs],
            [vi(n, DT[t], None) for n, t in outputs], list(inits))
        path = os.path.join(self.work, name + ".onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
        lib = os.path.join(self.work, name + ".so")
        res = e2e.run([self.compiler, path, "-o", lib], 600)
        check(res.returncode == 0, f"{name}: compiles", res)
        self.libs[name] = lib if res.returncode == 0 else None

    def run(self, name, arrays, tag):
        if not self.libs.get(name):
            return None, None
        return e2e.run_model(self.runner, self.libs[name], arrays, self.work, tag)

    def expect(self, name, arrays, want, tag, what):
        """Runs and compares each output in `want` exactly (floats within 1e-6)."""
        res, out = self.run(name, arrays, tag)
        if res is None:
            return
        if res.returncode != 0:
            check(False, f"{what}: runs", res)
            return
        for k, w in want.items():
            got = e2e.load_output(out, k)
            w = np.asarray(w)
            ok = got.shape == w.shape and got.dtype == w.dtype and (
                np.allclose(got, w, rtol=1e-6, atol=1e-6) if w.dtype.kind == "f"
                else np.array_equal(got, w))
            check(ok, f"{what}: output {k} {got.shape} {got.dtype} matches {w.shape} {w.dtype}"
                  + ("" if ok else f"\n  got {got.tolist()}\n  want {w.tolist()}"))

    def refused(self, name, arrays, tag, needle, what):
        res, out = self.run(name, arrays, tag)
        if res is None:
            return
        e2e.expect_refused(FAILURES, res, needle, what, output_dir=out)


def pads_cases(r):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) * 0.5 - 7
    for mode, torch_mode in (("edge", "replicate"), ("reflect", "reflect")):
        r.model(f"pad_{mode}", helper.make_node("Pad", ["x", "p"], ["y"], mode=mode, name="pad"),
                [("x", np.float32, ["N", 3, 4, 5]), ("p", np.int64, [8])], [("y", np.float32)])
        for tag, p in (("a", [0, 0, 1, 2, 0, 0, 3, 1]), ("b", [1, 0, 0, 3, 0, 2, 2, 0]),
                       ("zero", [0] * 8)):
            p = np.array(p, np.int64)
            want = np.pad(x, list(zip(p[:4], p[4:])), mode=mode)
            r.expect(f"pad_{mode}", {"x": x, "p": p}, {"y": want}, f"pad_{mode}_{tag}",
                     f"Pad {mode} with run-time pads {p.tolist()} (numpy)")
        # PyTorch pads the last two dims: (left, right, top, bottom).
        p = np.array([0, 0, 2, 3, 0, 0, 1, 4], np.int64)
        want = F.pad(torch.from_numpy(x), (3, 4, 2, 1), mode=torch_mode).numpy()
        r.expect(f"pad_{mode}", {"x": x, "p": p}, {"y": want}, f"pad_{mode}_torch",
                 f"Pad {mode} matches F.pad mode={torch_mode} (PyTorch)")
    r.refused("pad_reflect", {"x": x, "p": np.array([0, 0, 4, 0, 0, 0, 0, 0], np.int64)},
              "pad_reflect_big", "node 'pad' (nn.border_pad): expects reflect pads of dim 2 "
              "smaller than its size", "a reflect pad as large as the dim is refused at run time")
    r.refused("pad_edge", {"x": x, "p": np.array([0, 0, -1, 0, 0, 0, 0, 0], np.int64)},
              "pad_edge_neg", "node 'pad' (nn.border_pad): expects pads from 0 to 2^40",
              "a negative edge pad is refused at run time")
    # Pad-18 with axes and constant pads.
    pads = helper.make_tensor("p", T.INT64, [4], [1, 2, 2, 1])
    axes = helper.make_tensor("a", T.INT64, [2], [-1, 1])
    r.model("pad_axes", helper.make_node("Pad", ["x", "p", "", "a"], ["y"], mode="reflect"),
            [("x", np.float32, [2, 3, 4, 5])], [("y", np.float32)], opset=18, inits=[pads, axes])
    r.expect("pad_axes", {"x": x}, {"y": np.pad(x, [(0, 0), (2, 1), (0, 0), (1, 2)], "reflect")},
             "pad_axes", "Pad-18 reflect with axes (numpy)")


def topk_cases(r):
    r.model("topk", helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1),
            [("x", np.float32, [3, "N"]), ("k", np.int64, [1])], [("v", np.float32), ("i", np.int64)],
            opset=11)
    r.model("topk_small", helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=0, largest=0),
            [("x", np.int64, [6, 2]), ("k", np.int64, [1])], [("v", np.int64), ("i", np.int64)],
            opset=11)
    x = np.array([[1, 3, 3, 2, 3, 0], [5, 5, 5, 5, 5, 5], [-1, 4, 2, 8, 0, 8]], np.float32)
    for k in (0, 1, 3, 6):
        v, i = torch.topk(torch.from_numpy(x), k, dim=1, largest=True, sorted=True)
        # torch.topk's order among ties is unspecified: the indices come from a
        # stable sort (lower index first), checked to agree on the values.
        ii = np.argsort(-x, axis=1, kind="stable")[:, :k]
        check(np.array_equal(v.numpy(), np.take_along_axis(x, ii, 1)), "torch.topk agrees "
              "with a stable sort on the values")
        r.expect("topk", {"x": x, "k": np.array([k], np.int64)},
                 {"v": v.numpy(), "i": ii.astype(np.int64)}, f"topk_{k}",
                 f"TopK largest k={k} with ties (torch.topk values, lower index first)")
    xs = np.array([[4, 1], [2, 1], [2, 9], [-3, 1], [7, 0], [2, 2]], np.int64)
    ii = np.argsort(xs, axis=0, kind="stable")[:4]
    v, _ = torch.topk(torch.from_numpy(xs), 4, dim=0, largest=False)
    r.expect("topk_small", {"x": xs, "k": np.array([4], np.int64)},
             {"v": v.numpy(), "i": ii.astype(np.int64)}, "topk_small",
             "TopK smallest on int64 along axis 0 (torch.topk)")
    r.refused("topk", {"x": x, "k": np.array([7], np.int64)}, "topk_big",
              "expects k in [0, the size of dim 1]", "a k past the dim is refused at run time")


def scatter_cases(r):
    data = np.arange(12, dtype=np.float32).reshape(3, 4) + 1
    idx = np.array([[2, -1, 0, 1], [0, 0, -3, 2]], np.int64)
    upd = np.array([[10, 20, 30, 40], [50, 60, 70, 80]], np.float32)
    torch_idx = torch.from_numpy(np.where(idx < 0, idx + 3, idx))
    for red, opset, treduce in (("none", 13, None), ("add", 16, "sum"), ("mul", 16, "prod"),
                                ("max", 16, "amax"), ("min", 16, "amin")):
        # max and min are ScatterElements-18's; the importer reads the
        # attribute at any opset, so they run at 16 here.
        name = f"scatter_{red}"
        attrs = {} if red == "none" else {"reduction": red}
        r.model(name, helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=0,
                                       name="scatter", **attrs),
                [("d", np.float32, [3, 4]), ("i", np.int64, [2, 4]), ("u", np.float32, [2, 4])],
                [("y", np.float32)], opset=opset)
        t = torch.from_numpy(data.copy())
        if treduce is None:
            # Distinct positions only: ONNX leaves repeated ones undefined.
            i1 = np.array([[2, -1, 0, 1], [0, 0, -2, 0]], np.int64)
            want = t.scatter(0, torch.from_numpy(np.where(i1 < 0, i1 + 3, i1)),
                             torch.from_numpy(upd))
            r.expect(name, {"d": data, "i": i1, "u": upd}, {"y": want.numpy()}, name,
                     "ScatterElements none with negative indices (Tensor.scatter)")
        else:
            want = t.scatter_reduce(0, torch_idx, torch.from_numpy(upd), treduce, include_self=True)
            r.expect(name, {"d": data, "i": idx, "u": upd}, {"y": want.numpy()}, name,
                     f"ScatterElements {red} with repeated and negative indices "
                     f"(Tensor.scatter_reduce {treduce})")
    bad = np.array([[3, 0, 0, 0], [0, 0, 0, 0]], np.int64)
    r.refused("scatter_add", {"d": data, "i": bad, "u": upd}, "scatter_bad",
              "node 'scatter' (nn.scatter_elements): expects indices along axis 0 in "
              "[-size, size - 1], found one outside", "an index of 3 into a dim of 3 is an error")
    bad = np.array([[0, 0, 0, 0], [0, 0, -4, 0]], np.int64)
    r.refused("scatter_add", {"d": data, "i": bad, "u": upd}, "scatter_bad_neg",
              "expects indices along axis 0", "an index of -4 into a dim of 3 is an error")

    def scatter_nd(d, i, u, red):
        out = d.copy()
        for pos in np.ndindex(*i.shape[:-1]):
            at = tuple(int(v) for v in i[pos])
            f = {"none": lambda a, b: b, "add": np.add, "mul": np.multiply,
                 "max": np.maximum, "min": np.minimum}[red]
            out[at] = f(out[at], u[pos])
        return out

    d = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    i = np.array([[[1, 2], [0, -3]], [[-1, 2], [0, 0]]], np.int64)
    u = np.arange(2 * 2 * 4, dtype=np.float32).reshape(2, 2, 4) - 5
    for red, opset in (("none", 13), ("add", 16), ("mul", 16), ("max", 16), ("min", 16)):
        name = f"scatternd_{red}"
        attrs = {} if red == "none" else {"reduction": red}
        r.model(name, helper.make_node("ScatterND", ["d", "i", "u"], ["y"], name="snd", **attrs),
                [("d", np.float32, [2, 3, 4]), ("i", np.int64, [2, 2, 2]),
                 ("u", np.float32, [2, 2, 4])], [("y", np.float32)], opset=opset)
        ii = i if red != "none" else np.array([[[1, 2], [0, -3]], [[0, 1], [0, 2]]], np.int64)
        r.expect(name, {"d": d, "i": ii, "u": u}, {"y": scatter_nd(d, ii, u, red)}, name,
                 f"ScatterND {red} (the ONNX spec's loop)")
    r.refused("scatternd_add", {"d": d, "i": np.array([[[2, 0], [0, 0]], [[0, 0], [0, 0]]],
                                                      np.int64), "u": u},
              "scatternd_bad", "node 'snd' (nn.scatter_nd): expects every index in",
              "a ScatterND index past its dim is an error")


def onehot_cases(r):
    r.model("onehot", helper.make_node("OneHot", ["i", "d", "v"], ["y"], axis=-2),
            [("i", np.int64, [2, 3]), ("d", np.float32, []), ("v", np.float32, [2])],
            [("y", np.float32)], opset=11)
    i = np.array([[0, 3, -1], [-4, 2, 9]], np.int64)
    for depth in (4, 10):
        eye = np.vstack([np.eye(depth, dtype=np.float32), np.zeros((1, depth), np.float32)])
        j = np.where(i < 0, i + depth, i)
        j = np.where((j < 0) | (j >= depth), depth, j)
        want = eye[j] * 3 + (1 - eye[j]) * -1
        r.expect("onehot", {"i": i, "d": np.array(depth, np.float32),
                            "v": np.array([-1, 3], np.float32)},
                 {"y": np.moveaxis(want, -1, 1)}, f"onehot_{depth}",
                 f"OneHot depth {depth}, axis -2, negative and out-of-range indices (numpy)")


def compaction_cases(r):
    r.model("nonzero", helper.make_node("NonZero", ["x"], ["y"]),
            [("x", np.float32, [2, "N", 3])], [("y", np.int64)])
    for tag, x in (("some", np.array([[[0, 1, 0], [2, 0, -3]], [[0, 0, 0], [np.nan, 0, 4]]],
                                     np.float32)),
                   ("none", np.zeros((2, 2, 3), np.float32))):
        r.expect("nonzero", {"x": x}, {"y": np.array(np.nonzero(x), np.int64)}, f"nonzero_{tag}",
                 f"NonZero ({tag}) matches numpy.nonzero")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for axis in (None, 1, -1):
        attrs = {} if axis is None else {"axis": axis}
        name = f"compress_{'flat' if axis is None else axis % 3}"
        r.model(name, helper.make_node("Compress", ["x", "c"], ["y"], **attrs),
                [("x", np.float32, [2, 3, 4]), ("c", np.bool_, ["L"])], [("y", np.float32)])
        for tag, c in (("a", [True, False, True]), ("b", [False, False]), ("c", [False, True])):
            c = np.array(c)
            r.expect(name, {"x": x, "c": c}, {"y": np.compress(c, x, axis=axis)},
                     f"{name}_{tag}", f"Compress axis={axis} condition {c.tolist()} (numpy)")
    r.refused("compress_1", {"x": x, "c": np.ones(4, bool)}, "compress_long",
              "expects a condition no longer than the compressed dim",
              "a condition longer than the dim is an error")
    xs = np.array([[1, 2, 1], [0, 2, 1], [1, 2, 1], [0, 2, 1], [3, 0, 0]], np.float32)
    for axis, sort in ((None, 1), (None, 0), (0, 1), (1, 1), (0, 0)):
        attrs = {"sorted": sort} if axis is None else {"sorted": sort, "axis": axis}
        name = f"unique_{axis}_{sort}"
        r.model(name, helper.make_node("Unique", ["x"], ["y", "i", "inv", "n"], **attrs),
                [("x", np.float32, [5, 3])], [("y", np.float32), ("i", np.int64),
                                               ("inv", np.int64), ("n", np.int64)], opset=11)
        y, i, inv, n = np.unique(xs, return_index=True, return_inverse=True, return_counts=True,
                                 axis=axis)
        if not sort:
            # First-occurrence order: reorder numpy's sorted answer.
            order = np.argsort(i, kind="stable")
            rank = np.argsort(order)
            y = np.take(y, order, axis=0 if axis is None else axis)
            i, n, inv = i[order], n[order], rank[inv.reshape(-1)]
        r.expect(name, {"x": xs}, {"y": y, "i": i.astype(np.int64),
                                   "inv": inv.reshape(-1).astype(np.int64),
                                   "n": n.astype(np.int64)},
                 name, f"Unique axis={axis} sorted={sort} (numpy.unique)")


def pool_cases(r):
    x = np.random.RandomState(0).randn(2, 3, 7, 6).astype(np.float32)
    x[0, 0, 1:3, 1:3] = 5.0  # ties: the first in row-major order wins
    for name, attrs, torch_args in (
            ("maxpool_a", dict(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 0]),
             dict(kernel_size=(3, 2), stride=2, padding=(1, 0))),
            ("maxpool_b", dict(kernel_shape=[2, 2], strides=[1, 2], dilations=[2, 1]),
             dict(kernel_size=2, stride=(1, 2), dilation=(2, 1)))):
        # maxpool_a has a symbolic batch (the indices count it in).
        batch = "N" if name == "maxpool_a" else 2
        r.model(name, helper.make_node("MaxPool", ["x"], ["y", "i"], **attrs),
                [("x", np.float32, [batch, 3, 7, 6])], [("y", np.float32), ("i", np.int64)],
                opset=12)
        y, i = F.max_pool2d(torch.from_numpy(x), return_indices=True, **torch_args)
        # PyTorch's indices are within each (n, c) plane; ONNX's are flat.
        plane = np.arange(6, dtype=np.int64).reshape(2, 3, 1, 1) * 7 * 6
        r.expect(name, {"x": x}, {"y": y.numpy(), "i": i.numpy() + plane}, name,
                 f"MaxPool {name[-1]} with Indices (F.max_pool2d return_indices)")
        if name == "maxpool_a":
            r.model("maxunpool", helper.make_node("MaxUnpool", ["y", "i"], ["z"], kernel_shape=[3, 2],
                                                  strides=[2, 2], pads=[1, 0, 1, 0], name="unpool"),
                    [("y", np.float32, [2, 3, 4, 3]), ("i", np.int64, [2, 3, 4, 3])],
                    [("z", np.float32)], opset=11)
            r.model("maxunpool_shape", helper.make_node("MaxUnpool", ["y", "i", "s"], ["z"],
                                                        kernel_shape=[3, 2], strides=[2, 2],
                                                        pads=[1, 0, 1, 0]),
                    [("y", np.float32, [2, 3, 4, 3]), ("i", np.int64, [2, 3, 4, 3]),
                     ("s", np.int64, [4])], [("z", np.float32)], opset=11)
            z = F.max_unpool2d(y, i, kernel_size=(3, 2), stride=2, padding=(1, 0))
            r.expect("maxunpool", {"y": y.numpy(), "i": i.numpy() + plane}, {"z": z.numpy()},
                     "maxunpool", "MaxUnpool of MaxPool's output (F.max_unpool2d)")
            z = F.max_unpool2d(y, i, kernel_size=(3, 2), stride=2, padding=(1, 0),
                               output_size=(7, 6))
            r.expect("maxunpool_shape", {"y": y.numpy(), "i": i.numpy() + plane,
                                         "s": np.array([2, 3, 7, 6], np.int64)},
                     {"z": z.numpy()}, "maxunpool_shape",
                     "MaxUnpool with a run-time output_shape (F.max_unpool2d output_size)")
            # A larger output_shape only adds zeros after the unpooled shape
            # (ONNX's reference and its maxunpool_export_with_output_shape case).
            big = np.zeros((2, 3, 9, 8), np.float32)
            big[:, :, :7, :6] = z.numpy()
            r.expect("maxunpool_shape", {"y": y.numpy(), "i": i.numpy() + plane,
                                         "s": np.array([2, 3, 9, 8], np.int64)},
                     {"z": big}, "maxunpool_shape_big",
                     "MaxUnpool with a larger run-time output_shape pads after the unpooled shape")
            bad = i.numpy() + plane
            bad[1, 2, 3, 2] = 2 * 3 * 7 * 6
            r.refused("maxunpool", {"y": y.numpy(), "i": bad}, "maxunpool_bad",
                      "node 'unpool' (nn.max_unpool): expects indices in [0, the unpooled "
                      "element count)", "a MaxUnpool index past the result is an error")
    r.model("maxpool_col", helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 3],
                                            strides=[2, 3], storage_order=1),
            [("x", np.float32, [2, 3, 7, 6])], [("y", np.float32), ("i", np.int64)], opset=12)
    y, i = F.max_pool2d(torch.from_numpy(x), (2, 3), (2, 3), return_indices=True)
    i = i.numpy()
    col = (i % 6) * 7 + i // 6 + np.arange(6, dtype=np.int64).reshape(2, 3, 1, 1) * 42
    r.expect("maxpool_col", {"x": x}, {"y": y.numpy(), "i": col}, "maxpool_col",
             "MaxPool Indices with storage_order 1 (column-major F.max_pool2d indices)")


def nms_cases(r):
    try:
        import torchvision
    except ImportError:
        check(False, "torchvision is importable (the NMS oracle)")
        return
    rng = np.random.RandomState(1)
    b, c, s = 2, 3, 40
    xy = rng.uniform(0, 10, (b, s, 2)).astype(np.float32)
    wh = rng.uniform(0.5, 4, (b, s, 2)).astype(np.float32)
    corners = np.concatenate([xy, xy + wh], axis=2)
    scores = rng.uniform(0, 1, (b, c, s)).astype(np.float32)
    scores[0, 0, 5] = scores[0, 0, 7]  # a tie
    r.model("nms", helper.make_node("NonMaxSuppression", ["b", "s", "m", "iou", "st"], ["y"]),
            [("b", np.float32, [b, s, 4]), ("s", np.float32, [b, c, s]), ("m", np.int64, [1]),
             ("iou", np.float32, [1]), ("st", np.float32, [1])], [("y", np.int64)], opset=11)
    r.model("nms_center", helper.make_node("NonMaxSuppression", ["b", "s", "m", "iou"], ["y"],
                                           center_point_box=1),
            [("b", np.float32, [b, s, 4]), ("s", np.float32, [b, c, s]), ("m", np.int64, [1]),
             ("iou", np.float32, [1])], [("y", np.int64)], opset=11)

    def want(limit, iou, st):
        rows = []
        for bi in range(b):
            for ci in range(c):
                keep = scores[bi, ci] > st
                ids = np.nonzero(keep)[0]
                # torchvision wants [x1, y1, x2, y2]; ONNX's corners are [y1, x1, y2, x2],
                # and IoU is the same either way.
                sel = torchvision.ops.nms(torch.from_numpy(corners[bi, ids]),
                                          torch.from_numpy(scores[bi, ci, ids]), iou).numpy()
                for k in ids[sel][:limit]:
                    rows.append([bi, ci, k])
        return np.array(rows, np.int64).reshape(-1, 3)

    for tag, (limit, iou, st) in (("a", (5, 0.3, 0.2)), ("b", (100, 0.5, 0.0)),
                                  ("c", (3, 0.0, 0.9)), ("none", (0, 0.5, 0.0))):
        r.expect("nms", {"b": corners[:, :, [1, 0, 3, 2]], "s": scores,
                         "m": np.array([limit], np.int64), "iou": np.array([iou], np.float32),
                         "st": np.array([st], np.float32)},
                 {"y": want(limit, iou, st)}, f"nms_{tag}",
                 f"NonMaxSuppression max {limit}, iou {iou}, score > {st} (torchvision.ops.nms)")
    center = np.concatenate([xy + wh / 2, wh], axis=2)
    r.expect("nms_center", {"b": center, "s": scores, "m": np.array([4], np.int64),
                            "iou": np.array([0.4], np.float32)},
             {"y": want(4, 0.4, -np.inf)}, "nms_center",
             "NonMaxSuppression with center_point_box (torchvision.ops.nms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    ap.add_argument("--only", help="run the case groups whose name contains this")
    args = ap.parse_args()
    groups = [pads_cases, topk_cases, scatter_cases, onehot_cases, compaction_cases, pool_cases,
              nms_cases]
    with e2e.work_dir(args.work_dir, prefix="kiln-indexing-") as work:
        r = Runner(args, work)
        for g in groups:
            if args.only and args.only not in g.__name__:
                continue
            print(f"== {g.__name__}", flush=True)
            g(r)
    return e2e.finish(FAILURES, "data-dependent indexing operators")


if __name__ == "__main__":
    sys.exit(main())
