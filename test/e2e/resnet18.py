#!/usr/bin/python3
"""Compile torchvision's ResNet-18 with Kiln and check its output against PyTorch.

torchvision `resnet18(weights=None)` (random weights, torch.manual_seed(0)) in
eval mode is exported with torch.onnx.export (opset 13, static input `input`
[1,3,224,224] float32, output `output` [1,1000]); a seeded random input is run
through kiln-compile + kiln-run (or, with --executable, the standalone
executable) and through PyTorch. Oracle: PyTorch's output; the test passes when
max|kiln - torch| / max|torch| <= 1e-4.

    /usr/bin/python3 test/e2e/resnet18.py --bin-dir build/bin [--executable] [--work-dir DIR]
"""

import argparse
import os
import sys
import time

import numpy as np

import kiln_e2e as e2e


def export_resnet18(path):
    """Export the model to `path`; return (input array, PyTorch's output array)."""
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = model(x).numpy()
    torch.onnx.export(model, (x,), path, opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)
    return x.numpy(), expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    ap.add_argument("--executable", action="store_true",
                    help="compile to a standalone executable instead of a shared library")
    ap.add_argument("--tolerance", type=float, default=1e-4,
                    help="largest allowed max|kiln - torch| / max|torch| (default 1e-4)")
    ap.add_argument("--threads", type=int, default=None, help="pass --threads T when running")
    ap.add_argument("--compile-timeout", type=float, default=600, help="seconds (default 600)")
    ap.add_argument("--run-timeout", type=float, default=300, help="seconds (default 300)")
    args = ap.parse_args()

    try:
        compiler = e2e.find_tool("kiln-compile", args.bin_dir)
        runner = None if args.executable else e2e.find_tool("kiln-run", args.bin_dir)
    except e2e.E2EError as err:
        e2e.die(str(err))

    what = "resnet18 " + ("executable" if args.executable else "shared library")
    with e2e.work_dir(args.work_dir, prefix="kiln-resnet18-") as work:
        onnx_path = os.path.join(work, "resnet18.onnx")
        start = time.monotonic()
        x, expected = export_resnet18(onnx_path)
        print(f"exported {onnx_path} ({os.path.getsize(onnx_path) / 2**20:.1f} MiB) "
              f"in {time.monotonic() - start:.1f} s", flush=True)
        input_path = e2e.save_npy(os.path.join(work, "input.npy"), x)
        out_dir = os.path.join(work, "outputs")
        artifact = os.path.join(work, "resnet18" if args.executable else "resnet18.so")
        try:
            res = e2e.kiln_compile(compiler, onnx_path, artifact, args.compile_timeout, echo=True)
            print(f"compiled in {res.seconds:.1f} s", flush=True)
            cmd = [artifact] if args.executable else [runner, artifact]
            res = e2e.kiln_run(cmd, [("input", input_path)], out_dir, args.run_timeout,
                               threads=args.threads, echo=True)
            print(f"ran in {res.seconds:.2f} s", flush=True)
            actual = e2e.load_output(out_dir, "output")
        except e2e.E2EError as err:
            return e2e.finish([str(err)], what)

        failures = []
        if actual.shape != expected.shape or actual.dtype != expected.dtype:
            failures.append(f"output: {actual.dtype}{list(actual.shape)}, "
                            f"expected {expected.dtype}{list(expected.shape)}")
        else:
            err = e2e.relative_error(actual, expected)
            print(f"relative error max|kiln - torch| / max|torch| = {err:.3g} "
                  f"(tolerance {args.tolerance:g}); max|torch| = {np.abs(expected).max():.4g}; "
                  f"top-1 kiln {int(actual.argmax())}, torch {int(expected.argmax())}", flush=True)
            if not err <= args.tolerance:  # also catches NaN
                failures.append(f"relative error {err:.3g} exceeds {args.tolerance:g}")
        return e2e.finish(failures, what)


if __name__ == "__main__":
    sys.exit(main())
