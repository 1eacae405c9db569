#!/usr/bin/python3
"""Resize with run-time scales and sizes, cubic, tf_crop_and_resize and
opset 18's antialias, axes and keep_aspect_ratio_policy, against a numpy
reference written from the ONNX spec (Resize-19) and against PyTorch.

Models are built by hand (libonnx 1.12 has no opset 18 schemas, so no
checker runs on them). The numpy reference follows the spec's structure, not
Kiln's: each axis (last first) picks its neighbours around the source
coordinate from an edge-padded copy and weighs them with the mode's
coefficients (the antialias ones stretched by the scale), as ONNX's own
reference code does; like nn.resize, PyTorch and ONNX Runtime it divides
align_corners coordinates by the integer output length. PyTorch checks
F.interpolate's bicubic (exported to ONNX by torch.onnx) and its
antialiased bilinear/bicubic downscale (against a hand-built Resize-18).
Bad run-time scales and sizes must be refused with the node's name.

    /usr/bin/python3 test/e2e/resize_runtime.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import functools
import io
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper

import kiln_e2e as e2e

FAILURES = []
COMPARED = []
check = functools.partial(e2e.expect, FAILURES)


# ---------------------------------------------------------------------------
# The numpy reference
# ---------------------------------------------------------------------------

def keys(u, a):
    u = abs(u)
    if u <= 1:
        return ((a + 2) * u - (a + 3)) * u * u + 1
    if u < 2:
        return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a
    return 0.0


def coefficients(mode, ratio, scale, a, antialias):
    """Weights of the neighbours floor(x) + start + k, k = 0.., for ratio in (0, 1]."""
    s = min(scale, 1.0) if antialias else 1.0
    if mode == "linear":
        start = int(math.floor(-1 / s) + 1)
        taps = range(start, 2 - start)
        w = [max(0.0, 1 - abs((k - ratio) * s)) for k in taps]
    else:
        start = int(math.floor(-2 / s) + 1)
        taps = range(start, 2 - start)
        w = [keys((k - ratio) * s, a) for k in taps]
    w = np.array(w)
    return start, (w / w.sum() if antialias else w)


def source(coord, i, n_in, n_out, scale, start, end):
    if coord == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if coord == "half_pixel_symmetric":
        adjust = n_out / (scale * n_in)
        return n_in / 2 * (1 - adjust) + (i + 0.5) / scale - 0.5
    if coord == "pytorch_half_pixel":
        return (i + 0.5) / scale - 0.5 if n_out > 1 else 0.0
    if coord == "align_corners":
        return 0.0 if n_out == 1 else i * (n_in - 1) / (n_out - 1)
    if coord == "asymmetric":
        return i / scale
    if coord == "tf_half_pixel_for_nn":
        return (i + 0.5) / scale
    if coord == "tf_crop_and_resize":
        if n_out == 1:
            return (end - start) * (n_in - 1) / 2 + start * (n_in - 1)
        return i * (end - start) * (n_in - 1) / (n_out - 1) + start * (n_in - 1)
    raise ValueError(coord)


def nearest(x, how):
    if x == math.floor(x):
        return int(x)
    frac = x - math.floor(x)
    if how == "floor":
        return math.floor(x)
    if how == "ceil":
        return math.ceil(x)
    if how == "round_prefer_floor":
        return math.floor(x) if frac <= 0.5 else math.ceil(x)
    return math.floor(x) if frac < 0.5 else math.ceil(x)


def resize_axis(data, axis, n_out, scale, o):
    n_in = data.shape[axis]
    moved = np.moveaxis(data, axis, 0)
    out = np.empty((n_out,) + moved.shape[1:])
    for i in range(n_out):
        x = source(o["coord"], i, n_in, n_out, scale, o["start"], o["end"])
        if o["coord"] == "tf_crop_and_resize" and (x < 0 or x > n_in - 1):
            out[i] = o["extrapolation"]
            continue
        if o["mode"] == "nearest":
            out[i] = moved[min(max(nearest(x, o["nearest_mode"]), 0), n_in - 1)]
            continue
        base = math.floor(x)
        ratio = 1.0 if x == base else x - base
        if x == base:
            base -= 1
        first, w = coefficients(o["mode"], ratio, scale, o["a"], o["antialias"])
        idx = np.arange(len(w)) + base + first
        if o["exclude"]:
            w = np.where((idx >= 0) & (idx < n_in), w, 0.0)
            w = w / w.sum()
        rows = moved[np.clip(idx, 0, n_in - 1)]
        out[i] = np.tensordot(w, rows, axes=1)
    return np.moveaxis(out, 0, axis)


def resize(x, scales=None, sizes=None, roi=None, axes=None, mode="nearest",
           coord="half_pixel", nearest_mode="round_prefer_floor", a=-0.75, exclude=False,
           extrapolation=0.0, antialias=False, policy="stretch"):
    axes = list(range(x.ndim)) if axes is None else [d % x.ndim for d in axes]
    n = len(axes)
    ins = [x.shape[d] for d in axes]
    crop = coord == "tf_crop_and_resize"
    if sizes is not None:
        ratios = [s / i for s, i in zip(sizes, ins)]
        if policy == "stretch":
            scale, outs = ratios, list(sizes)
        else:
            r = min(ratios) if policy == "not_larger" else max(ratios)
            scale, outs = [r] * n, [int(math.floor(r * i + 0.5)) for i in ins]
    else:
        scale = [float(s) for s in np.asarray(scales, np.float32)]
        span = [(roi[n + k] - roi[k]) if crop else 1.0 for k in range(n)]
        outs = [int(math.floor(i * s * p)) for i, s, p in zip(ins, scale, span)]
    y = x.astype(np.float64)
    for k in sorted(range(n), key=lambda k: -axes[k]):
        o = dict(mode=mode, coord=coord, nearest_mode=nearest_mode, a=a, exclude=exclude,
                 extrapolation=extrapolation, antialias=antialias,
                 start=roi[k] if crop else 0.0, end=roi[n + k] if crop else 1.0)
        y = resize_axis(y, axes[k], outs[k], scale[k], o)
    return y.astype(x.dtype)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

def resize_model(path, rank, given, opset, n=None, roi=False, **attrs):
    """Resize(x, roi, scales | sizes) with the given list as a graph input."""
    n = rank if n is None else n
    vi = helper.make_tensor_value_info
    inputs = [vi("x", T.FLOAT, [f"d{i}" for i in range(rank)])]
    names = ["x", "", "", ""]
    if roi:
        inputs.append(vi("roi", T.FLOAT, [2 * n]))
        names[1] = "roi"
    if given == "scales":
        inputs.append(vi("scales", T.FLOAT, [n]))
        names[2] = "scales"
    else:
        inputs.append(vi("sizes", T.INT64, [n]))
        names[3] = "sizes"
    while names[-1] == "":
        names.pop()
    node = helper.make_node("Resize", names, ["y"], name="resize_node", **attrs)
    graph = helper.make_graph([node], "resize", inputs, [vi("y", T.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)


class Session:
    def __init__(self, args, work):
        self.compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        self.runner = e2e.find_tool("kiln-run", args.bin_dir)
        self.work = work
        self.count = 0

    def compile(self, path):
        lib = path[:-len(".onnx")] + ".so"
        e2e.kiln_compile(self.compiler, path, lib, 600)
        return lib

    def run(self, lib, arrays):
        self.count += 1
        tag = f"run{self.count}"
        cmd = [self.runner, lib]
        for k, a in arrays.items():
            cmd += ["--input", f"{k}={e2e.save_npy(os.path.join(self.work, f'{tag}_{k}.npy'), a)}"]
        out = os.path.join(self.work, "out_" + tag)
        return e2e.run(cmd + ["--output-dir", out], 120), out


def close(what, res, out, expected, rtol=1e-4, atol=1e-5):
    COMPARED.append(what)
    if res.returncode != 0:
        check(False, what, res)
        return
    problem = e2e.compare(e2e.load_output(out, "y"), expected, rtol, atol)
    check(problem is None, f"{what}: {problem}")


def spec_cases(s):
    rng = np.random.default_rng(7)
    x4 = rng.standard_normal((1, 2, 5, 7)).astype(np.float32)
    cases = []  # (title, rank, given, opset, attrs, list, extra inputs, reference kwargs)
    for mode in ("nearest", "linear", "cubic"):
        for coord in ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                      "tf_half_pixel_for_nn"):
            for scales in ([1, 1, 2.0, 1.5], [1, 1, 0.6, 0.5]):
                cases.append((f"{mode} {coord} scales {scales[2:]}", "scales", 13,
                              dict(mode=mode, coordinate_transformation_mode=coord),
                              np.array(scales, np.float32), {},
                              dict(scales=scales, mode=mode, coord=coord)))
    for how in ("round_prefer_ceil", "floor", "ceil"):
        cases.append((f"nearest {how} sizes", "sizes", 13, dict(mode="nearest", nearest_mode=how),
                      np.array([1, 2, 8, 4], np.int64), {},
                      dict(sizes=[1, 2, 8, 4], mode="nearest", nearest_mode=how)))
    cases.append(("cubic A=-0.5 exclude_outside sizes", "sizes", 13,
                  dict(mode="cubic", cubic_coeff_a=-0.5, exclude_outside=1),
                  np.array([1, 2, 3, 11], np.int64), {},
                  dict(sizes=[1, 2, 3, 11], mode="cubic", a=-0.5, exclude=True)))
    for mode in ("linear", "cubic"):
        for size in ([1, 2, 2, 3], [1, 2, 9, 12]):
            cases.append((f"{mode} antialias sizes {size[2:]}", "sizes", 18,
                          dict(mode=mode, antialias=1), np.array(size, np.int64), {},
                          dict(sizes=size, mode=mode, antialias=True)))
    cases.append(("cubic antialias exclude_outside scales 0.35", "scales", 18,
                  dict(mode="cubic", antialias=1, exclude_outside=1),
                  np.array([1, 1, 0.35, 0.35], np.float32), {},
                  dict(scales=[1, 1, 0.35, 0.35], mode="cubic", antialias=True, exclude=True)))
    for mode in ("nearest", "linear", "cubic"):
        roi = np.array([0, 0, 0.2, -0.3, 1, 1, 0.9, 1.2], np.float32)
        cases.append((f"{mode} tf_crop_and_resize sizes", "sizes", 13,
                      dict(mode=mode, coordinate_transformation_mode="tf_crop_and_resize",
                           extrapolation_value=-3.0),
                      np.array([1, 2, 4, 6], np.int64), {"roi": roi},
                      dict(sizes=[1, 2, 4, 6], roi=roi.astype(np.float64), mode=mode,
                           coord="tf_crop_and_resize", extrapolation=-3.0)))
    roi = np.array([0, 0, 0.1, 0.25, 1, 1, 0.8, 0.75], np.float32)
    cases.append(("linear tf_crop_and_resize scales", "scales", 13,
                  dict(mode="linear", coordinate_transformation_mode="tf_crop_and_resize"),
                  np.array([1, 1, 2.0, 1.5], np.float32), {"roi": roi},
                  dict(scales=[1, 1, 2.0, 1.5], roi=roi.astype(np.float64), mode="linear",
                       coord="tf_crop_and_resize")))
    cases.append(("linear half_pixel_symmetric scales", "scales", 19,
                  dict(mode="linear", coordinate_transformation_mode="half_pixel_symmetric"),
                  np.array([1, 1, 1.7, 0.6], np.float32), {},
                  dict(scales=[1, 1, 1.7, 0.6], mode="linear", coord="half_pixel_symmetric")))
    for policy, size in (("not_larger", [7, 9]), ("not_smaller", [7, 9]), ("not_larger", [3, 12])):
        cases.append((f"axes [2, 3] {policy} sizes {size}", "sizes", 18,
                      dict(mode="linear", axes=[2, 3], keep_aspect_ratio_policy=policy),
                      np.array(size, np.int64), {},
                      dict(sizes=size, axes=[2, 3], mode="linear", policy=policy)))
    cases.append(("axes [-1] cubic scales", "scales", 18, dict(mode="cubic", axes=[-1]),
                  np.array([2.5], np.float32), {},
                  dict(scales=[2.5], axes=[-1], mode="cubic")))

    for i, (title, given, opset, attrs, values, extra, ref) in enumerate(cases):
        n = len(values)
        path = os.path.join(s.work, f"case{i}.onnx")
        resize_model(path, 4, given, opset, n=n, roi="roi" in extra, **attrs)
        lib = s.compile(path)
        feeds = {"x": x4, given: values, **extra}
        res, out = s.run(lib, feeds)
        close(title, res, out, resize(x4, **ref))


def error_cases(s):
    x = np.ones((1, 1, 3, 3), np.float32)
    path = os.path.join(s.work, "err_scales.onnx")
    resize_model(path, 4, "scales", 13, mode="linear")
    lib = s.compile(path)

    def refused(lib, feeds, needle, what):
        res, out = s.run(lib, feeds)
        e2e.expect_refused(FAILURES, res, needle, what, output_dir=out)

    prefix = "node 'resize_node' (nn.dynamic_resize): "
    for bad in ([1, 1, -2, 2], [1, 1, 0, 2], [1, 1, float("nan"), 2], [1, 1, float("inf"), 1]):
        refused(lib, {"x": x, "scales": np.array(bad, np.float32)},
                prefix + "expects positive finite scales", f"scales {bad}")
    refused(lib, {"x": x, "scales": np.array([1, 1, 1e12, 1e12], np.float32)},
            prefix + "expects output sizes from 0 to 2^40", "scales past 2^40")
    refused(lib, {"x": x, "scales": np.array([1, 1, 1e6, 1e6], np.float32)},
            prefix + "expects a result of at most 2^40 bytes", "a result past 1 TiB")
    path = os.path.join(s.work, "err_sizes.onnx")
    resize_model(path, 4, "sizes", 13, mode="nearest")
    lib = s.compile(path)
    refused(lib, {"x": x, "sizes": np.array([1, 1, 0, 3], np.int64)},
            prefix + "expects sizes from 1 to 2^40", "a size of 0")
    refused(lib, {"x": np.ones((1, 1, 0, 3), np.float32), "sizes": np.array([1, 1, 2, 3], np.int64)},
            prefix + "expects a non-empty input along resized axis 2", "an empty input axis")
    # Coordinates from any roi stay inside the input.
    path = os.path.join(s.work, "roi_any.onnx")
    resize_model(path, 4, "sizes", 13, roi=True, mode="cubic",
                 coordinate_transformation_mode="tf_crop_and_resize")
    lib = s.compile(path)
    for roi in ([0, 0, float("nan"), -1e30, 1, 1, 1e30, float("inf")],):
        res, out = s.run(lib, {"x": x, "sizes": np.array([1, 1, 4, 4], np.int64),
                               "roi": np.array(roi, np.float32)})
        check(res.returncode == 0, f"roi {roi} runs (values are data)", res)


def torch_cases(s):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 5)
    calls = [("bicubic x2", dict(scale_factor=2, mode="bicubic", align_corners=False)),
             ("bicubic size 4x9 align_corners", dict(size=(4, 9), mode="bicubic",
                                                     align_corners=True)),
             ("bicubic size 11x3", dict(size=(11, 3), mode="bicubic", align_corners=False))]
    for title, kw in calls:
        class M(torch.nn.Module):
            def forward(self, t):
                return F.interpolate(t, **kw)
        path = os.path.join(s.work, f"torch_{len(title)}_{abs(hash(title)) % 1000}.onnx")
        buf = io.BytesIO()
        torch.onnx.export(M(), (x,), buf, input_names=["x"], output_names=["y"],
                          opset_version=13)
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        lib = s.compile(path)
        res, out = s.run(lib, {"x": x.numpy()})
        close(f"PyTorch F.interpolate {title}", res, out, M()(x).numpy())
    # Symbolic batch and spatial dims: the export computes the output sizes
    # from Shape at run time; one library runs at two input sizes.
    for title, kw in (("nearest x2", dict(scale_factor=2, mode="nearest")),
                      ("bilinear x1.5", dict(scale_factor=1.5, mode="bilinear",
                                             align_corners=False)),
                      ("bicubic to 9x4", dict(size=(9, 4), mode="bicubic",
                                              align_corners=True))):
        class D(torch.nn.Module):
            def forward(self, t):
                return F.interpolate(t, **kw)
        path = os.path.join(s.work, f"torch_dynamic_{title.split()[0]}.onnx")
        buf = io.BytesIO()
        torch.onnx.export(D(), (x,), buf, input_names=["x"], output_names=["y"],
                          opset_version=13, dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}})
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        lib = s.compile(path)
        for shape in ((1, 3, 4, 4), (3, 3, 7, 5)):
            xs = torch.randn(*shape)
            res, out = s.run(lib, {"x": xs.numpy()})
            close(f"PyTorch F.interpolate {title} with symbolic dims at {shape}", res, out,
                  D()(xs).numpy())
    # Antialiased downscale: PyTorch's filter against Resize-18 with
    # antialias=1 (the kernel is cut at the border and renormalized, which is
    # exclude_outside=1).
    big = torch.randn(1, 2, 13, 17)
    for mode, onnx_mode, a in (("bilinear", "linear", -0.75), ("bicubic", "cubic", -0.5)):
        expected = F.interpolate(big, size=(5, 6), mode=mode, align_corners=False,
                                 antialias=True).numpy()
        path = os.path.join(s.work, f"torch_aa_{mode}.onnx")
        resize_model(path, 4, "sizes", 18, mode=onnx_mode, antialias=1, cubic_coeff_a=a,
                     exclude_outside=1, coordinate_transformation_mode="pytorch_half_pixel")
        lib = s.compile(path)
        res, out = s.run(lib, {"x": big.numpy(), "sizes": np.array([1, 2, 5, 6], np.int64)})
        close(f"PyTorch antialiased {mode} downscale", res, out, expected, rtol=1e-4, atol=1e-5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-resize-runtime-") as work:
        s = Session(args, work)
        spec_cases(s)
        error_cases(s)
        torch_cases(s)
    print(f"  {len(COMPARED)} outputs compared", flush=True)
    return e2e.finish(FAILURES, "run-time and opset 18 Resize")


if __name__ == "__main__":
    sys.exit(main())
