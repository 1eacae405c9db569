#!/usr/bin/python3
"""PyTorch exports with symbolic dimensions: compiled once, run at several sizes.

Each model is exported by torch.onnx.export with `dynamic_axes`, so its graph
inputs carry named symbolic dimensions (ONNX dim_param), and the exporter
computes shapes at run time (Shape -> Gather -> Concat -> Reshape). Kiln
compiles it once, without --input-shape; the one artifact then runs at every
size below and each output is compared with PyTorch's for the same input.
Oracle: PyTorch; the test passes when max|kiln - torch| / max|torch| <= 1e-4
for every output at every size.

Models (--model):
  resnet18     torchvision resnet18 (random weights, eval), input [N,3,224,224],
               N in 1, 3, 8
  transformer  torch.nn.TransformerEncoder (2 layers, d_model 64, 4 heads,
               batch_first) with a key_padding_mask-free input [N,S,64],
               (N, S) in (1, 5), (3, 5), (8, 5), (3, 12)
  pad          Conv2d + F.pad (constant) + ZeroPad2d + ConstantPad2d on
               [N,3,H,W], (N, H, W) in (1, 8, 8), (3, 8, 8), (8, 11, 7)
  pool         Conv2d + MaxPool2d (3x3 stride 2 pad 1, 2x2 stride 2, 2x3
               stride 1 dilation (1,2)) on [N,3,H,W], (N, H, W) in (1, 16, 24),
               (3, 23, 37), (2, 12, 75), (1, 9, 131): widths that leave a
               partial vector of output pixels at 8 and 16 lanes
  flatten      Conv2d, then Concat of its output and of a MaxPool2d's, each
               flattened from [N,4,H',W'] to [N,?] on [N,3,H,W], (N, H, W) in
               (1, 6, 8), (3, 7, 9), (2, 12, 5)
  height       Conv2d (3x3 stride 2 pad 1), ReLU, Conv2d (1x3) on [N,3,H,9]:
               one spatial dim symbolic, the other static (the im2col columns
               were collapsed to a type with both dynamic, and compiling
               failed), (N, H) in (1, 8), (3, 13), (2, 1)
  avgpool      Conv2d + AvgPool2d (3x3 stride 2 pad 1 without the padding in
               the count; 2x3 stride (1,2) pad 1 with it) on [N,3,H,W], the
               sizes of pool: divisors computed at run time

    /usr/bin/python3 test/e2e/dynamic_models.py --bin-dir build/bin --model resnet18 [--work-dir DIR]
"""

import argparse
import os
import sys
import time

import numpy as np

import kiln_e2e as e2e


def resnet18():
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    sizes = [(n,) for n in (1, 3, 8)]
    return model, ["x"], {"x": {0: "N"}, "y": {0: "N"}}, \
        lambda n: [torch.randn(n, 3, 224, 224, generator=torch.Generator().manual_seed(n))], sizes


def transformer():
    import torch

    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                             dropout=0.0, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, num_layers=2).eval()
    sizes = [(1, 5), (3, 5), (8, 5), (3, 12)]
    return model, ["x"], {"x": {0: "N", 1: "S"}, "y": {0: "N", 1: "S"}}, \
        lambda n, s: [torch.randn(n, s, 64, generator=torch.Generator().manual_seed(n * 100 + s))], \
        sizes


def pad():
    import torch
    import torch.nn.functional as F

    class Padded(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)
            self.zero = torch.nn.ZeroPad2d((1, 2, 0, 1))
            self.const = torch.nn.ConstantPad2d(2, 0.5)

        def forward(self, x):
            y = F.pad(x, (2, 1, 1, 0), mode="constant", value=-1.0)
            return self.const(self.zero(self.conv(y)))

    torch.manual_seed(0)
    model = Padded().eval()
    sizes = [(1, 8, 8), (3, 8, 8), (8, 11, 7)]
    return model, ["x"], {"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N", 2: "OH", 3: "OW"}}, \
        lambda n, h, w: [torch.randn(n, 3, h, w, generator=torch.Generator().manual_seed(n + h))], \
        sizes


def pool():
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.pool = torch.nn.MaxPool2d(3, stride=2, padding=1)
            self.pool2 = torch.nn.MaxPool2d(2)
            self.pool3 = torch.nn.MaxPool2d((2, 3), stride=1, dilation=(1, 2))

        def forward(self, x):
            y = self.pool(torch.relu(self.conv(x)))
            return self.pool3(self.pool2(y) - 0.25)

    torch.manual_seed(0)
    model = Pooled().eval()
    sizes = [(1, 16, 24), (3, 23, 37), (2, 12, 75), (1, 9, 131)]
    return model, ["x"], {"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N", 2: "OH", 3: "OW"}}, \
        lambda n, h, w: [torch.randn(n, 3, h, w, generator=torch.Generator().manual_seed(n + h))], \
        sizes


def avgpool():
    import torch

    class Averaged(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.avg = torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
            self.avg2 = torch.nn.AvgPool2d((2, 3), stride=(1, 2), padding=(1, 1))

        def forward(self, x):
            return self.avg2(self.avg(torch.relu(self.conv(x))))

    torch.manual_seed(0)
    model = Averaged().eval()
    sizes = [(1, 16, 24), (3, 23, 37), (2, 12, 75), (1, 9, 131)]
    return model, ["x"], {"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N", 2: "OH", 3: "OW"}}, \
        lambda n, h, w: [torch.randn(n, 3, h, w, generator=torch.Generator().manual_seed(n + h))], \
        sizes


def flatten():
    import torch

    class Flattened(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)

        def forward(self, x):
            y = self.conv(x)
            return torch.cat([y.flatten(1), torch.nn.functional.max_pool2d(y, 2).flatten(1)], 1)

    torch.manual_seed(0)
    model = Flattened().eval()
    sizes = [(1, 6, 8), (3, 7, 9), (2, 12, 5)]
    return model, ["x"], {"x": {0: "N", 2: "H", 3: "W"}, "y": {0: "N", 1: "F"}}, \
        lambda n, h, w: [torch.randn(n, 3, h, w, generator=torch.Generator().manual_seed(n + h))], \
        sizes


def height():
    import torch

    class Tall(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.down = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)
            self.wide = torch.nn.Conv2d(4, 5, (1, 3))

        def forward(self, x):
            return self.wide(torch.relu(self.down(x)))

    torch.manual_seed(0)
    model = Tall().eval()
    sizes = [(1, 8, 9), (3, 13, 9), (2, 1, 9)]
    return model, ["x"], {"x": {0: "N", 2: "H"}, "y": {0: "N", 2: "OH"}}, \
        lambda n, h, w: [torch.randn(n, 3, h, w, generator=torch.Generator().manual_seed(n + h))], \
        sizes


MODELS = {"resnet18": resnet18, "transformer": transformer, "pad": pad, "pool": pool,
          "avgpool": avgpool, "flatten": flatten, "height": height}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    e2e.add_common_args(ap)
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--opset", type=int, default=13, help="export opset (default 13)")
    ap.add_argument("--tolerance", type=float, default=1e-4,
                    help="largest allowed max|kiln - torch| / max|torch| (default 1e-4)")
    ap.add_argument("--threads", type=int, default=None, help="pass --threads T when running")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per tool call (default 600)")
    ap.add_argument("--dim-bound", action="append", default=[], metavar="SYMBOL=N",
                    help="compile with --dim-bound SYMBOL=N (repeatable): the memory plan is "
                         "then sized at the bounds")
    args = ap.parse_args()

    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = e2e.find_tool("kiln-run", args.bin_dir)
    except e2e.E2EError as err:
        e2e.die(str(err))

    import torch

    model, input_names, dynamic_axes, make_inputs, sizes = MODELS[args.model]()
    what = f"dynamic {args.model}"
    failures = []
    with e2e.work_dir(args.work_dir, prefix=f"kiln-dynamic-{args.model}-") as work:
        onnx_path = os.path.join(work, f"{args.model}.onnx")
        example = make_inputs(*sizes[0])
        torch.onnx.export(model, tuple(example), onnx_path, opset_version=args.opset,
                          input_names=input_names, output_names=["y"],
                          dynamic_axes=dynamic_axes, do_constant_folding=True)
        artifact = os.path.join(work, f"{args.model}.so")
        try:
            extra = [arg for bound in args.dim_bound for arg in ("--dim-bound", bound)]
            res = e2e.kiln_compile(compiler, onnx_path, artifact, args.timeout, extra=extra,
                                   echo=True)
        except e2e.E2EError as err:
            return e2e.finish([str(err)], what)
        print(f"compiled once in {res.seconds:.1f} s", flush=True)

        for size in sizes:
            tag = "x".join(map(str, size))
            inputs = make_inputs(*size)
            with torch.no_grad():
                expected = model(*inputs).numpy()
            paths = [(name, e2e.save_npy(os.path.join(work, f"{name}_{tag}.npy"), t.numpy()))
                     for name, t in zip(input_names, inputs)]
            out_dir = os.path.join(work, f"out_{tag}")
            try:
                start = time.monotonic()
                e2e.kiln_run([runner, artifact], paths, out_dir, args.timeout,
                             threads=args.threads)
                seconds = time.monotonic() - start
                actual = e2e.load_output(out_dir, "y")
            except e2e.E2EError as err:
                failures.append(f"size {tag}: {err}")
                continue
            if actual.shape != expected.shape or actual.dtype != expected.dtype:
                failures.append(f"size {tag}: output {actual.dtype}{list(actual.shape)}, "
                                f"expected {expected.dtype}{list(expected.shape)}")
                continue
            err = e2e.relative_error(actual, expected)
            print(f"size {tag}: output {list(actual.shape)}, relative error {err:.3g} "
                  f"(tolerance {args.tolerance:g}), ran in {seconds:.2f} s", flush=True)
            if not err <= args.tolerance:  # also catches NaN
                failures.append(f"size {tag}: relative error {err:.3g} exceeds {args.tolerance:g}")
        return e2e.finish(failures, what)


if __name__ == "__main__":
    sys.exit(main())
