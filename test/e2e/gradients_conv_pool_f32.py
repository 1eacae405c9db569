#!/usr/bin/env python3
"""Float32 conv/pool gradients from nn-generate-gradient against PyTorch autograd (float64).

Compiles test/e2e/Inputs/gradients/conv_pool_f32.mlir with its gradients
(the float32 CPU pipeline training uses), runs each *_grad entry on random
inputs and seeds, and compares every gradient with torch.autograd on the same
forward written in torch. max_pool_ties and max_pool_ties_tiled feed values
from {0, 1, 2}, so most windows hold several maxima: the gradient must go to
the first one in row-major order, as PyTorch routes it (overlapping, tiling
and stride-1 windows). conv_wide has ResNet-18's 128-channel 3x3 convolution,
whose input gradient flips a kernel big enough to be split among threads.
wgrad_rows32 and wgrad_rows32_stem keep 32-pixel rows at stride 1: their
weight gradients take the pixels-in-lanes kernel (WeightGradConv.cpp).
conv1x1_rows_in_place has 1x1 convolutions whose weight gradients read
one operand in place (NCHW, strided) and the other channels-last, each
operand in each role. conv_s2_phases and conv_s2_odd are strided convolutions, whose input
gradients are one stride-1 transposed convolution per phase of the input
(16x16 phases go direct; odd sizes and asymmetric pads crop and extend
them). Every case runs compiled for the host and for an AVX2 target (8
lanes: other register blocks and direct-or-im2col choices).
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("command failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))


def net(x, w, b):
    y = F.max_pool2d(F.conv2d(x, w, b, padding=1), 3, stride=2, padding=1)
    z = F.avg_pool2d(y, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    return [y, z]


def ties(x):
    return [F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)]


def ties_tiled(x):
    return [F.max_pool2d(x, 2, stride=2), F.max_pool2d(x, 3, stride=1, padding=1)]


def conv_wide(x, w):
    return [F.conv2d(x, w, padding=1)]


def conv_s2_phases(x, w):
    return [F.conv2d(x, w, stride=2, padding=1)]


def conv_s2_odd(x, w, v):
    # nn pads [h_begin, w_begin, h_end, w_end] = [2, 0, 1, 2].
    return [F.conv2d(F.pad(x, (0, 2, 2, 1)), w, stride=2), F.conv2d(x, v, stride=2)]


def conv1x1_rows_in_place(x, w, u, v):
    return [F.conv2d(x, w, stride=2), F.conv2d(x, u, stride=2), F.conv2d(x, v)]


def wgrad_rows32(x, w, v, u):
    return [F.conv2d(x, w, padding=1), F.conv2d(x, v, padding=2),
            F.conv2d(F.pad(x, (2, 0, 2, 0)), u)]


def wgrad_rows32_odd(x, w):
    return [F.conv2d(x, w, padding=1)]


def wgrad_rows32_stem(x, w):
    return [F.conv2d(x, w, padding=1)]


TARGETS = [("host", []), ("avx2", ["--mcpu=x86-64-v3", "--mattr=+avx2,-avx512f"])]

CASES = {
    "net": (net, {"x": (2, 3, 8, 8), "w": (4, 3, 3, 3), "b": (4,)}, [(2, 4, 4, 4), (2, 4, 3, 3)]),
    "max_pool_ties": (ties, {"x": (1, 2, 6, 6)}, [(1, 2, 4, 4)]),
    "max_pool_ties_tiled": (ties_tiled, {"x": (2, 3, 8, 6)}, [(2, 3, 4, 3), (2, 3, 8, 6)]),
    "conv_wide": (conv_wide, {"x": (1, 128, 28, 28), "w": (128, 128, 3, 3)}, [(1, 128, 28, 28)]),
    "conv_s2_phases": (conv_s2_phases, {"x": (2, 8, 32, 32), "w": (16, 8, 3, 3)},
                       [(2, 16, 16, 16)]),
    "conv_s2_odd": (conv_s2_odd, {"x": (1, 4, 15, 13), "w": (8, 4, 3, 3), "v": (8, 4, 1, 1)},
                    [(1, 8, 8, 7), (1, 8, 8, 7)]),
    "conv1x1_rows_in_place": (conv1x1_rows_in_place,
                              {"x": (3, 16, 12, 10), "w": (24, 16, 1, 1), "u": (6, 16, 1, 1),
                               "v": (20, 16, 1, 1)},
                              [(3, 24, 6, 5), (3, 6, 6, 5), (3, 20, 12, 10)]),
    "wgrad_rows32": (wgrad_rows32, {"x": (3, 5, 14, 32), "w": (12, 5, 3, 3), "v": (8, 5, 5, 5),
                                    "u": (6, 5, 3, 3)},
                     [(3, 12, 14, 32), (3, 8, 14, 32), (3, 6, 14, 32)]),
    "wgrad_rows32_odd": (wgrad_rows32_odd, {"x": (2, 3, 20, 32), "w": (3, 3, 3, 3)},
                         [(2, 3, 20, 32)]),
    "wgrad_rows32_stem": (wgrad_rows32_stem, {"x": (4, 3, 32, 32), "w": (16, 3, 3, 3)},
                          [(4, 16, 32, 32)]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("mlir")
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    grad_mlir = os.path.join(args.work_dir, "grad.mlir")
    run([os.path.join(args.bin_dir, "kiln-opt"), "--nn-generate-gradient", args.mlir, "-o", grad_mlir])
    failed = 0
    for target, flags in TARGETS:
        so = os.path.join(args.work_dir, "grad_%s.so" % target)
        run([os.path.join(args.bin_dir, "kiln-compile"), grad_mlir, "-o", so, *flags])
        rng = np.random.default_rng(0)
        for fn, (torch_fn, inputs, outputs) in CASES.items():
            if fn.startswith("max_pool_ties"):
                x = {n: rng.integers(0, 3, size=s).astype(np.float32) for n, s in inputs.items()}
            else:
                x = {n: rng.uniform(-1, 1, size=s).astype(np.float32) for n, s in inputs.items()}
            seeds = {"d_output_%d" % i: rng.standard_normal(s).astype(np.float32)
                     for i, s in enumerate(outputs)}
            d = os.path.join(args.work_dir, target, fn)
            os.makedirs(d, exist_ok=True)
            cmd = [os.path.join(args.bin_dir, "kiln-run"), so, "--entry", fn + "_grad",
                   "--output-dir", d]
            for n, v in {**x, **seeds}.items():
                np.save(os.path.join(d, "in_" + n + ".npy"), v)
                cmd += ["--input", "%s=%s" % (n, os.path.join(d, "in_" + n + ".npy"))]
            run(cmd)
            # The oracle runs in float64 on the same float32 values: torch's own
            # float32 weight gradient of the 3-channel 32x32 case is 9e-5 off
            # the exact sums, most of this test's tolerance.
            tx = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in x.items()}
            ys = torch_fn(*tx.values())
            loss = sum((y * torch.tensor(seeds["d_output_%d" % i], dtype=torch.float64)).sum()
                       for i, y in enumerate(ys))
            loss.backward()
            worst = 0.0
            for n, t in tx.items():
                got = np.load(os.path.join(d, "d_" + n + ".npy"))
                want = t.grad.numpy()
                worst = max(worst, float(np.max(np.abs(got - want) / (1 + np.abs(want)))))
            ok = worst < 1e-4
            failed += not ok
            print("%s %s (%s): worst error %.2e against torch"
                  % ("ok  " if ok else "FAIL", fn, target, worst))
    if failed:
        sys.exit("%d function(s) differ from torch" % failed)


if __name__ == "__main__":
    main()
