#!/usr/bin/python3
"""One convolution's forward, weight gradient and input gradient: Kiln against PyTorch.

For each shape, three nn functions are compiled with `kiln-opt
--nn-generate-gradient` and `kiln-compile`, and timed with `kiln-run --bench`:

* fwd:  y = conv(x, w);
* wgrad: the same with x an i32 argument cast to f32, so its gradient
  function computes y and dw only;
* dgrad: the same with w cast from i32, so it computes y and dx only.

The weight (input) gradient's time is wgrad's (dgrad's) minus fwd's: the
gradient functions also return y. PyTorch (same thread count) times
F.conv2d, torch.nn.grad.conv2d_weight and torch.nn.grad.conv2d_input. The
floor is the FLOPs (2 per multiply-add, the same for all three) over the
single-thread FMA peak bench/machine_peak.c measures.

With --baseline-bin-dir, each part is also compiled and timed with that
other build of Kiln in the same run (the "base ms" column), for before/after
comparisons on a loaded machine.

    /usr/bin/python3 bench/conv_grad.py --bin-dir build/bin [--threads 1]
        [--work-dir /tmp/conv-grad] [--runs 20] [--shapes NAME,...]
        [--parts fwd,wgrad,dgrad] [--baseline-bin-dir OTHER_BUILD/bin]
        [--compile-args '--mcpu=x86-64-v3 --mattr=+avx2,-avx512f']
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (batch, in channels, out channels, height, width, kernel, stride, pad)
SHAPES = {
    "doc_8x64x28": (8, 64, 64, 28, 28, 3, 1, 1),
    "stem_16x3x32": (16, 3, 16, 32, 32, 3, 1, 1),
    "res_16x16x32": (16, 16, 16, 32, 32, 3, 1, 1),
    "res_16x32x16": (16, 32, 32, 16, 16, 3, 1, 1),
    "res_16x64x8": (16, 64, 64, 8, 8, 3, 1, 1),
    "res_s2_16x16x32": (16, 16, 32, 32, 32, 3, 2, 1),
    "res_1x1s2_16x16x32": (16, 16, 32, 32, 32, 1, 2, 0),
    "res_s2_16x32x16": (16, 32, 64, 16, 16, 3, 2, 1),
    "res_1x1s2_16x32x16": (16, 32, 64, 16, 16, 1, 2, 0),
    # ResNet-18's stride-1 3x3 layers at 224x224 inputs, batch 1.
    "r18_64x56": (1, 64, 64, 56, 56, 3, 1, 1),
    "r18_128x28": (1, 128, 128, 28, 28, 3, 1, 1),
    "r18_256x14": (1, 256, 256, 14, 14, 3, 1, 1),
    "r18_512x7": (1, 512, 512, 7, 7, 3, 1, 1),
    # ResNet-18's strided layers: the 7x7 stem and the 3x3 stride-2 ones.
    "r18_stem": (1, 3, 64, 224, 224, 7, 2, 3),
    "r18_s2_64x56": (1, 64, 128, 56, 56, 3, 2, 1),
    "r18_s2_128x28": (1, 128, 256, 28, 28, 3, 2, 1),
    "r18_s2_256x14": (1, 256, 512, 14, 14, 3, 2, 1),
}


def out_size(h, k, s, p):
    return (h + 2 * p - k) // s + 1


def ttype(shape, elem="f32"):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + elem + ">"


def mlir(shape, which):
    n, c, f, h, w, k, s, p = shape
    oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    xt, wt, yt = ttype((n, c, h, w)), ttype((f, c, k, k)), ttype((n, f, oh, ow))
    conv = (f"nn.conv %x, %w {{strides = array<i64: {s}, {s}>, pads = array<i64: {p}, {p}, {p}, {p}>, "
            f"dilations = array<i64: 1, 1>, group = 1 : i64}} : ({xt}, {wt}) -> {yt}")
    if which == "fwd":
        args, pre = f"%x: {xt} {{kiln.name = \"x\"}}, %w: {wt} {{kiln.name = \"w\"}}", ""
    elif which == "wgrad":
        args = f"%xi: {ttype((n, c, h, w), 'i32')} {{kiln.name = \"x\"}}, %w: {wt} {{kiln.name = \"w\"}}"
        pre = f"  %x = nn.cast %xi : ({ttype((n, c, h, w), 'i32')}) -> {xt}\n"
    else:
        args = f"%x: {xt} {{kiln.name = \"x\"}}, %wi: {ttype((f, c, k, k), 'i32')} {{kiln.name = \"w\"}}"
        pre = f"  %w = nn.cast %wi : ({ttype((f, c, k, k), 'i32')}) -> {wt}\n"
    return (f"func.func @conv({args}) -> {yt} {{\n{pre}  %y = {conv}\n"
            f"  return %y : {yt}\n}}\n")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return r.stdout


def kiln_ms(bin_dir, work, shape, which, threads, runs, compile_args=()):
    n, c, f, h, w, k, s, p = shape
    oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    src = os.path.join(work, which + ".mlir")
    with open(src, "w") as fh:
        fh.write(mlir(shape, which))
    entry = "conv"
    if which != "fwd":
        grad = os.path.join(work, which + "_grad.mlir")
        run([os.path.join(bin_dir, "kiln-opt"), "--nn-generate-gradient", src, "-o", grad])
        src, entry = grad, "conv_grad"
    so = os.path.join(work, which + ".so")
    report = run([os.path.join(bin_dir, "kiln-compile"), src, "--report", "-o", so,
                  *compile_args])
    rng = np.random.default_rng(0)
    inputs = {"x": rng.standard_normal((n, c, h, w), dtype=np.float32),
              "w": rng.standard_normal((f, c, k, k), dtype=np.float32),
              "d_output_0": rng.standard_normal((n, f, oh, ow), dtype=np.float32)}
    if which == "wgrad":
        inputs["x"] = rng.integers(-3, 4, (n, c, h, w)).astype(np.int32)
    if which == "dgrad":
        inputs["w"] = rng.integers(-3, 4, (f, c, k, k)).astype(np.int32)
    if which == "fwd":
        del inputs["d_output_0"]
    cmd = [os.path.join(bin_dir, "kiln-run"), so, "--entry", entry, "--bench", str(runs),
           "--threads", str(threads)]
    for name, arr in inputs.items():
        path = os.path.join(work, f"{which}_{name}.npy")
        np.save(path, arr)
        cmd += ["--input", f"{name}={path}"]
    out = json.loads(run(cmd).strip().splitlines()[-1])
    # The entry's planned arena: its row of --report's first table
    # ("| entry | planned arena (bytes) | ...").
    workspace = None
    in_arena_table = False
    for line in report.splitlines():
        if "planned arena (bytes)" in line:
            in_arena_table = True
        elif in_arena_table and line.startswith(f"| {entry} |"):
            workspace = f"{int(line.split('|')[2])} B arena"
            break
        elif not line.strip():
            in_arena_table = False
    return out["min_ms"], workspace


def torch_ms(shape, threads, runs):
    import time
    import torch
    torch.set_num_threads(threads)
    n, c, f, h, w, k, s, p = shape
    x = torch.randn(n, c, h, w)
    wt = torch.randn(f, c, k, k)
    y = torch.nn.functional.conv2d(x, wt, stride=s, padding=p)
    dy = torch.randn_like(y)
    fns = {"fwd": lambda: torch.nn.functional.conv2d(x, wt, stride=s, padding=p),
           "wgrad": lambda: torch.nn.grad.conv2d_weight(x, wt.shape, dy, stride=s, padding=p),
           "dgrad": lambda: torch.nn.grad.conv2d_input(x.shape, wt, dy, stride=s, padding=p)}
    res = {}
    for name, fn in fns.items():
        fn()
        best = float("inf")
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        res[name] = best * 1e3
    return res


def peak_gflops(work):
    exe = os.path.join(work, "machine_peak")
    subprocess.run(["clang-19", "-O2", "-march=native", "-mprefer-vector-width=512",
                    "-ffp-contract=fast", "-Wno-invalid-feature-combination", "-o", exe,
                    os.path.join(REPO_ROOT, "bench", "machine_peak.c")], check=True)
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["fma_gflops"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True, help="the build's bin/ (kiln-opt, kiln-compile, kiln-run)")
    ap.add_argument("--work-dir", default="/tmp/conv-grad",
                    help="where the models, inputs and libraries go (default: %(default)s)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for Kiln and PyTorch (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=20,
                    help="timed runs per part, the fastest kept (default: %(default)s)")
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help="comma-separated layer names (default: all): " + ", ".join(SHAPES))
    ap.add_argument("--no-torch", action="store_true", help="do not time PyTorch")
    ap.add_argument("--parts", default="fwd,wgrad,dgrad",
                    help="comma-separated parts to time, of fwd, wgrad, dgrad (fwd is always "
                         "timed: the others are reported net of it; default: %(default)s)")
    ap.add_argument("--baseline-bin-dir", help="another build's bin/, timed in the same run")
    ap.add_argument("--compile-args", default="",
                    help="extra kiln-compile flags, e.g. '--mcpu=x86-64-v3 --mattr=+avx2,-avx512f'")
    args = ap.parse_args()
    # Every name checked before anything is measured.
    bad_shapes = [n for n in args.shapes.split(",") if n not in SHAPES]
    bad_parts = [p for p in args.parts.split(",") if p not in ("fwd", "wgrad", "dgrad")]
    if bad_shapes or bad_parts:
        ap.error("; ".join(
            ([f"unknown shapes {bad_shapes} (known: {', '.join(SHAPES)})"] if bad_shapes else []) +
            ([f"unknown parts {bad_parts} (known: fwd, wgrad, dgrad)"] if bad_parts else [])))
    if args.runs < 1 or args.threads < 1:
        ap.error("--runs and --threads must be at least 1")
    parts = [p for p in ("fwd", "wgrad", "dgrad") if p in args.parts.split(",")]
    if "fwd" not in parts:
        parts.insert(0, "fwd")
    os.makedirs(args.work_dir, exist_ok=True)
    peak = peak_gflops(args.work_dir)
    print(f"FMA peak {peak:.1f} GFLOP/s, threads {args.threads}")
    base = args.baseline_bin_dir
    print("| shape | part | GFLOP | floor ms | Kiln ms | Kiln % floor | PyTorch ms | Kiln/PyTorch |"
          + (" base ms | Kiln/base |" if base else "") + " workspace |")
    print("|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if base else "") + "---|")
    for name in args.shapes.split(","):
        shape = SHAPES[name]
        n, c, f, h, w, k, s, p = shape
        oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
        gflop = 2 * n * f * oh * ow * c * k * k / 1e9
        floor = gflop / peak * 1e3
        work = os.path.join(args.work_dir, name)
        os.makedirs(work, exist_ok=True)
        kiln, space, old = {}, {}, {}
        for which in parts:
            kiln[which], space[which] = kiln_ms(args.bin_dir, work, shape, which, args.threads,
                                                args.runs, args.compile_args.split())
            if base:
                base_work = os.path.join(work, "baseline")
                os.makedirs(base_work, exist_ok=True)
                old[which], _ = kiln_ms(base, base_work, shape, which, args.threads, args.runs,
                                        args.compile_args.split())
        torch = {} if args.no_torch else torch_ms(shape, args.threads, args.runs)

        def own(times, which):
            return times[which] if which == "fwd" else max(times[which] - times["fwd"], 1e-3)
        for which in parts:
            ms = own(kiln, which)
            t = torch.get(which)
            extra = f" {own(old, which):.2f} | {ms / own(old, which):.2f} |" if base else ""
            print(f"| {name} | {which} | {gflop:.3f} | {floor:.2f} | {ms:.2f} | "
                  f"{100 * floor / ms:.0f}% | {t if t is None else round(t, 2)} | "
                  f"{'' if t is None else round(ms / t, 2)} |{extra} {space[which]} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
