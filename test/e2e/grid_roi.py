#!/usr/bin/python3
"""GridSample and RoiAlign against PyTorch: F.grid_sample and
torchvision.ops.roi_align exported by torch.onnx (opsets 16 and 11), compiled by
Kiln and run on the same inputs, within rtol 1e-4 / atol 1e-5.

GridSample: every mode (bilinear, nearest, bicubic) x padding (zeros,
border, reflection) x align_corners, with grid points well outside [-1, 1]
and two images. RoiAlign: aligned (half_pixel) and not (output_half_pixel),
sampling_ratio 0 and 2, spatial_scale 0.5, boxes partly outside the image,
empty and inverted boxes, several images; max mode against a numpy reference
written from the ONNX spec (ONNX Runtime's reading: the largest of each
sample's weighted corners). Data must never read out of bounds: a batch
index outside [0, N) is refused with the node's name, and NaN or huge grid
points and boxes run.

    /usr/bin/python3 test/e2e/grid_roi.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import functools
import io
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision

import kiln_e2e as e2e

FAILURES = []
COMPARED = []
check = functools.partial(e2e.expect, FAILURES)


class Session:
    def __init__(self, args, work):
        self.compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        self.runner = e2e.find_tool("kiln-run", args.bin_dir)
        self.work = work
        self.count = 0

    def export(self, module, inputs, names, tag, opset=16):
        path = os.path.join(self.work, tag + ".onnx")
        buf = io.BytesIO()
        torch.onnx.export(module, inputs, buf, input_names=names, output_names=["y"],
                          opset_version=opset)
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        lib = os.path.join(self.work, tag + ".so")
        e2e.kiln_compile(self.compiler, path, lib, 600)
        return lib, onnx.load(path)

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


def grid_cases(s):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 7)
    grid = torch.rand(2, 4, 6, 2) * 3.2 - 1.6  # points up to 0.6 outside on each side
    for mode in ("bilinear", "nearest", "bicubic"):
        for padding in ("zeros", "border", "reflection"):
            for align in (False, True):
                class M(torch.nn.Module):
                    def forward(self, a, g):
                        return F.grid_sample(a, g, mode=mode, padding_mode=padding,
                                             align_corners=align)
                lib, _ = s.export(M(), (x, grid), ["x", "grid"], f"grid_{mode}_{padding}_{align}")
                res, out = s.run(lib, {"x": x.numpy(), "grid": grid.numpy()})
                close(f"grid_sample {mode} {padding} align_corners={align}", res, out,
                      M()(x, grid).numpy())
                if mode == "bicubic" and padding == "reflection" and align:
                    bad = grid.numpy().copy()
                    bad[0, 0, 0] = [np.nan, 1e30]
                    bad[1, 1, 1] = [-np.inf, np.inf]
                    res, out = s.run(lib, {"x": x.numpy(), "grid": bad})
                    check(res.returncode == 0, "grid_sample with NaN and infinite points runs", res)


def roi_reference(x, rois, idx, oh, ow, ratio, scale, aligned, mode):
    """RoiAlign from the ONNX spec (avg: the mean of the bilinear samples;
    max: the largest of each sample's weighted corners, 0 outside)."""
    n, c, h, w = x.shape
    out = np.zeros((len(rois), c, oh, ow), np.float64)
    off = 0.5 if aligned else 0.0
    for r, (box, b) in enumerate(zip(rois.astype(np.float64), idx)):
        x1, y1, x2, y2 = box * scale - off
        rw, rh = x2 - x1, y2 - y1
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / oh, rw / ow
        gh = ratio if ratio > 0 else int(np.ceil(rh / oh))
        gw = ratio if ratio > 0 else int(np.ceil(rw / ow))
        for ph in range(oh):
            for pw in range(ow):
                vals = []
                for iy in range(gh):
                    yy = y1 + ph * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        xx = x1 + pw * bw + (ix + 0.5) * bw / gw
                        if yy < -1 or yy > h or xx < -1 or xx > w:
                            vals.append(np.zeros(c))
                            continue
                        yy_, xx_ = max(yy, 0.0), max(xx, 0.0)
                        yl, xl = int(yy_), int(xx_)
                        if yl >= h - 1:
                            yl = yh = h - 1
                            yy_ = float(yl)
                        else:
                            yh = yl + 1
                        if xl >= w - 1:
                            xl = xh = w - 1
                            xx_ = float(xl)
                        else:
                            xh = xl + 1
                        ly, lx = yy_ - yl, xx_ - xl
                        terms = [(1 - ly) * (1 - lx) * x[b, :, yl, xl],
                                 (1 - ly) * lx * x[b, :, yl, xh],
                                 ly * (1 - lx) * x[b, :, yh, xl], ly * lx * x[b, :, yh, xh]]
                        vals.append(sum(terms) if mode == "avg" else np.max(terms, axis=0))
                if vals:
                    out[r, :, ph, pw] = (np.sum(vals, axis=0) / max(gh * gw, 1) if mode == "avg"
                                         else np.max(vals, axis=0))
    return out.astype(np.float32)


def roi_cases(s):
    torch.manual_seed(1)
    x = torch.randn(3, 4, 12, 10)
    rois = torch.tensor([[0.5, 1.0, 8.0, 9.5], [-3.0, -2.0, 5.0, 4.0], [2.0, 2.0, 2.0, 2.0],
                         [6.0, 7.0, 3.0, 1.0], [1.0, 0.0, 19.0, 23.0], [0.0, 0.0, 30.0, 30.0]])
    idx = torch.tensor([0, 2, 1, 0, 2, 1])
    for aligned in (True, False):
        for ratio in (0, 2):
            class M(torch.nn.Module):
                def forward(self, a, boxes, index):
                    both = torch.cat([index.to(boxes.dtype)[:, None], boxes], 1)
                    return torchvision.ops.roi_align(a, both, (3, 2), 0.5, ratio, aligned)
            expected = M()(x, rois, idx).numpy()
            reference = roi_reference(x.numpy(), rois.numpy(), idx.numpy(), 3, 2, ratio, 0.5,
                                      aligned, "avg")
            check(e2e.compare(reference, expected, 1e-4, 1e-5) is None,
                  f"the numpy RoiAlign reference matches torchvision (aligned={aligned}, "
                  f"sampling_ratio={ratio})")
            # torchvision's own export: the batch indices come from the
            # boxes' first column (Gather, Squeeze, Cast). Its RoiAlign node
            # has no coordinate_transformation_mode whatever `aligned` says,
            # so it means aligned=True only from opset 16 (half_pixel by
            # default) and aligned=False only before (RoiAlign-10).
            class T(torch.nn.Module):
                def forward(self, a, both):
                    return torchvision.ops.roi_align(a, both, (3, 2), 0.5, ratio, aligned)
            both = torch.cat([idx.to(rois.dtype)[:, None], rois], 1)
            lib, model = s.export(T(), (x, both), ["x", "boxes"], f"roi_{aligned}_{ratio}",
                                  opset=16 if aligned else 11)
            check("RoiAlign" in [n.op_type for n in model.graph.node],
                  "torchvision's roi_align exports to RoiAlign")
            res, out = s.run(lib, {"x": x.numpy(), "boxes": both.numpy()})
            close(f"torchvision roi_align exported, aligned={aligned} sampling_ratio={ratio}",
                  res, out, expected)
    for aligned in (True, False):
        path = os.path.join(s.work, f"roi_max_{aligned}.onnx")
        save_roi_model(path, 2, 3, 0, 1.0, aligned, "max", 16)
        lib = os.path.join(s.work, f"roi_max_{aligned}.so")
        e2e.kiln_compile(s.compiler, path, lib, 600)
        res, out = s.run(lib, {"x": x.numpy(), "rois": rois.numpy(), "idx": idx.numpy()})
        close(f"roi_align max aligned={aligned} vs the numpy reference", res, out,
              roi_reference(x.numpy(), rois.numpy(), idx.numpy(), 2, 3, 0, 1.0, aligned, "max"))
    # RoiAlign-10 means output_half_pixel.
    path = os.path.join(s.work, "roi10.onnx")
    save_roi_model(path, 3, 2, 2, 0.5, False, "avg", 10)
    lib = os.path.join(s.work, "roi10.so")
    e2e.kiln_compile(s.compiler, path, lib, 600)
    res, out = s.run(lib, {"x": x.numpy(), "rois": rois.numpy(), "idx": idx.numpy()})
    close("RoiAlign-10 (output_half_pixel)", res, out,
          roi_reference(x.numpy(), rois.numpy(), idx.numpy(), 3, 2, 2, 0.5, False, "avg"))

    # Batch indices are data: outside [0, N) is an error before any read.
    for bad in ([0, 2, 1, 0, 3, 1], [0, -1, 1, 0, 2, 1]):
        res, out = s.run(lib, {"x": x.numpy(), "rois": rois.numpy(),
                               "idx": np.array(bad, np.int64)})
        e2e.expect_refused(FAILURES, res,
                           "node 'roi_node' (nn.roi_align): expects batch indices in [0, N)",
                           f"batch indices {bad} are refused", output_dir=out)
    weird = rois.numpy().copy()
    weird[0] = [np.nan, 0, 1e30, np.inf]
    res, out = s.run(lib, {"x": x.numpy(), "rois": weird, "idx": idx.numpy()})
    check(res.returncode == 0, "NaN and huge boxes run (sampling_ratio 2)", res)


def save_roi_model(path, oh, ow, ratio, scale, aligned, mode, opset):
    vi = onnx.helper.make_tensor_value_info
    T = onnx.TensorProto
    attrs = dict(output_height=oh, output_width=ow, sampling_ratio=ratio, spatial_scale=scale,
                 mode=mode)
    if opset >= 16:
        attrs["coordinate_transformation_mode"] = "half_pixel" if aligned else "output_half_pixel"
    node = onnx.helper.make_node("RoiAlign", ["x", "rois", "idx"], ["y"], name="roi_node", **attrs)
    graph = onnx.helper.make_graph(
        [node], "roi", [vi("x", T.FLOAT, [3, 4, 12, 10]), vi("rois", T.FLOAT, ["R", 4]),
                        vi("idx", T.INT64, ["R"])], [vi("y", T.FLOAT, None)])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-grid-roi-") as work:
        s = Session(args, work)
        grid_cases(s)
        roi_cases(s)
    print(f"  {len(COMPARED)} outputs compared", flush=True)
    return e2e.finish(FAILURES, "GridSample and RoiAlign against PyTorch")


if __name__ == "__main__":
    sys.exit(main())
