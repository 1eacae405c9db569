#!/usr/bin/python3
"""PyTorch 1.13 export patterns built from constant subgraphs, against PyTorch.

The exporter computes pads, expand shapes and masks with small subgraphs of
constants (ConstantOfShape, Concat, Reshape, Slice with step -1, Transpose,
Cast; Where(Equal(c1, Mul(ConstantOfShape(c2), c3)), ...)). Kiln folds them
at import (docs/onnx-import.md, "Constant folding"). Each model is exported
at opsets 11 and 13 with torch.onnx.export, compiled by kiln-compile, run by
kiln-run, and its outputs compared with PyTorch's (rtol 1e-5, atol 1e-6):

- pad: F.pad, nn.ZeroPad2d and nn.ConstantPad2d (constant mode);
- cls_token: a ViT-style class token, cls.expand(n, -1, -1), before a linear;
- attention: nn.MultiheadAttention with a key_padding_mask;
- reflect: F.pad in reflect and replicate modes (Pad's reflect and edge).

    /usr/bin/python3 test/e2e/exporter_patterns.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys
import warnings

import numpy as np

import kiln_e2e as e2e

OPSETS = (11, 13)


def models():
    import torch
    import torch.nn.functional as F

    class Pad(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.zero = torch.nn.ZeroPad2d((1, 2, 0, 1))
            self.const = torch.nn.ConstantPad2d(2, 3.5)

        def forward(self, x):
            return F.pad(x, (2, 1), value=-1.0), self.zero(x), self.const(x)

    class ClsToken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cls = torch.nn.Parameter(torch.randn(1, 1, 8))
            self.proj = torch.nn.Linear(8, 8)

        def forward(self, x):
            n = x.shape[0]
            tokens = torch.cat([self.cls.expand(n, -1, -1), x], dim=1)
            return self.proj(tokens)

    class Attention(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = torch.nn.MultiheadAttention(8, 2, batch_first=True)
            # The last two keys of the second sequence are padding.
            mask = torch.zeros(2, 5, dtype=torch.bool)
            mask[1, 3:] = True
            self.register_buffer("mask", mask)

        def forward(self, x):
            out, weights = self.attn(x, x, x, key_padding_mask=self.mask)
            return out, weights

    class Reflect(torch.nn.Module):
        def forward(self, x):
            return (F.pad(x, (1, 1, 2, 0), mode="reflect"),
                    F.pad(x, (3, 0, 1, 2), mode="replicate"))

    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    return [
        ("pad", Pad(), torch.randn(1, 2, 3, 4, generator=g), ["a", "b", "c"]),
        ("cls_token", ClsToken(), torch.randn(2, 4, 8, generator=g), ["y"]),
        ("attention", Attention(), torch.randn(2, 5, 8, generator=g), ["out", "weights"]),
        ("reflect", Reflect(), torch.randn(1, 2, 3, 4, generator=g), ["y", "z"]),
    ]


def export(model, x, outputs, path, opset):
    import torch
    model.eval()
    # Exported with gradients on: MultiheadAttention would otherwise take its
    # fused inference path, which has no ONNX export.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), path, opset_version=opset, input_names=["x"],
                          output_names=outputs)
    with torch.no_grad():
        expected = model(x)
    if not isinstance(expected, tuple):
        expected = (expected,)
    return {name: t.numpy() for name, t in zip(outputs, expected)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    try:
        with e2e.work_dir(args.work_dir) as work:
            for name, model, x, outputs in models():
                for opset in OPSETS:
                    case = os.path.join(work, f"{name}{opset}")
                    os.makedirs(case, exist_ok=True)
                    path = os.path.join(case, f"{name}{opset}.onnx")
                    want = export(model, x, outputs, path, opset)
                    print(f"{name}, opset {opset}:", flush=True)
                    failures += e2e.check_model_outputs(
                        args.bin_dir, case, path, {"x": x.numpy()}, want, rtol=1e-5, atol=1e-6,
                        oracle="PyTorch")
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "exporter patterns built from constant subgraphs")


if __name__ == "__main__":
    sys.exit(main())
