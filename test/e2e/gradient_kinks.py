#!/usr/bin/python3
"""Elementwise gradient rules at kinks, bounds and ties, against PyTorch.

Finite differences (gradcheck.py) cannot check a rule at a point where the
function has no derivative: there the rule picks a subgradient, and Kiln picks
PyTorch 1.13's so that training matches it. This script differentiates
Inputs/gradients/kinks.mlir with nn-generate-gradient, runs @kinks_grad at
points that sit exactly on the kinks (and a few beside them), and compares
every input's gradient with torch.autograd on the same ops.

    /usr/bin/python3 test/e2e/gradient_kinks.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradcheck as gc  # noqa: E402

D = torch.float64


def t(values):
    return torch.tensor(values, dtype=D, requires_grad=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs", "gradients",
                       "kinks.mlir")
    grad_mlir = os.path.join(args.work_dir, "kinks.grad.mlir")
    so = os.path.join(args.work_dir, "kinks.so")
    gc.run([os.path.join(args.bin_dir, "kiln-opt"), "--nn-generate-gradient", src, "-o", grad_mlir])
    gc.run([os.path.join(args.bin_dir, "kiln-compile"), grad_mlir, "-o", so])
    sig = gc.signature(args.bin_dir, so)
    call = gc.Runner(args.bin_dir, so, os.path.join(args.work_dir, "runs"))

    kinks = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 2.0]
    # (input names, torch function of the inputs, point per input)
    cases = [
        (["relu"], F.relu, [kinks]),
        (["leaky_relu"], lambda x: F.leaky_relu(x, 0.1), [kinks]),
        (["elu"], lambda x: F.elu(x, 0.7), [kinks]),
        (["selu"], torch.selu, [kinks]),
        (["celu"], lambda x: F.celu(x, 1.5), [kinks]),
        (["hard_sigmoid"], F.hardsigmoid, [kinks]),
        (["hard_swish"], F.hardswish, [kinks]),
        (["thresholded_relu"], lambda x: F.threshold(x, 1.0, 0.0), [kinks]),
        (["hardshrink"], lambda x: F.hardshrink(x, 0.5), [kinks]),
        (["softshrink"], lambda x: F.softshrink(x, 0.5), [kinks]),
        (["clip"], lambda x: torch.clamp(x, -1.0, 1.0), [kinks]),
        (["abs"], torch.abs, [kinks]),
        (["prelu_x", "prelu_slope"], F.prelu, [kinks, [0.25]]),
        (["max_a", "max_b"], torch.maximum,
         [[0.0, 1.0, -1.0, 2.0, 0.5, -3.0, 3.0, 1.0], [0.0, 1.0, 1.0, -2.0, 0.5, -2.0, 3.0, 0.0]]),
        (["min_a", "min_b"], torch.minimum,
         [[0.0, 1.0, -1.0, 2.0, 0.5, -3.0, 3.0, 1.0], [0.0, 1.0, 1.0, -2.0, 0.5, -2.0, 3.0, 0.0]]),
        (["pow_base", "pow_exp"], torch.pow,
         [[0.0, 0.0, 0.0, 2.0, 1.5, 0.0, 3.0, 0.5], [0.0, 2.0, 1.0, 0.0, -1.0, 0.5, 2.0, 3.0]]),
        (["fmod_a", "fmod_b"], torch.fmod,
         [[2.5, -2.5, 0.7, -0.7, 5.0, 1.2, -3.1, 0.1], [1.0, 1.0, 0.3, 0.3, -2.0, -0.5, 1.5, 0.4]]),
        (["steps"], lambda x: torch.floor(x) + torch.ceil(x) + torch.round(x) + torch.sign(x),
         [[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5, 0.2]]),
    ]

    inputs, expected = {}, {}
    for names, fn, points in cases:
        tensors = [t(p) for p in points]
        fn(*tensors).sum().backward()
        for n, x in zip(names, tensors):
            inputs[n] = x.detach().numpy()
            expected["d_" + n] = x.grad.numpy()
    for n, _, dims in sig["kinks_grad"]["inputs"]:
        if n.startswith("d_"):
            inputs[n] = np.ones(dims)
    outs = call("kinks_grad", inputs, sig["kinks_grad"]["outputs"])
    got = {n: v for (n, _, _), v in zip(sig["kinks_grad"]["outputs"], outs)}
    failed = 0
    for names, _, _ in cases:
        for n in names:
            g, want = got["d_" + n], expected["d_" + n]
            # 1e-7: PyTorch's hardsigmoid backward multiplies by a float32 1/6
            # even in float64; subgradient choices differ by far more.
            ok = np.allclose(g, want, rtol=1e-7, atol=1e-12)
            print(("ok   " if ok else "FAIL ") + n + ("" if ok else ": kiln %s, torch %s" % (g, want)))
            failed += not ok
    if failed:
        sys.exit("%d gradient(s) differ from PyTorch" % failed)


if __name__ == "__main__":
    main()
