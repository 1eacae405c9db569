#!/usr/bin/env python3
"""A model with large weights: compile memory and time, mapped weights, output.

Generates (nothing is committed) an MLP of DIMxDIM f32 layers holding about
--mb megabytes of weights, alternately Gemm with transB=1 (which
kiln-cpu-weight-layout transposes at compile time) and transB=0, each with a
bias and a Relu, saved as one .onnx file or, with --external, with its
weights in an external data file. Then:

- compiles it, measuring the compiler's peak RSS (its own and its linker's,
  from wait4) and wall time: the peak must stay under --max-rss-ratio times
  the weight bytes and the time under --max-seconds. With --baseline, the
  peak counted is what the weights add to the compile of the same MLP at
  DIM 64 (for small models, where the compiler's own footprint dominates);
- runs it once with kiln-run and checks the output against numpy (float64);
- runs it again and samples /proc/PID/smaps: the library's mappings must hold
  the weights as file-backed pages (not anonymous copies), and the process's
  anonymous memory must stay well below the weight bytes.

Exit status 0 when every check holds; each check prints one line. The model
and library are deleted when every check holds (they are large).
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build_model(dim, layers, seed):
    """The MLP and its weights (W as stored in the model, b)."""
    rng = np.random.default_rng(seed)
    inits, nodes, params = [], [], []
    x = "x"
    for i in range(layers):
        # He initialization keeps activations of a deep Relu MLP in range.
        w = (rng.standard_normal((dim, dim), dtype=np.float32) * np.float32(np.sqrt(2.0 / dim)))
        b = (rng.standard_normal(dim, dtype=np.float32) * np.float32(0.1))
        trans_b = i % 2 == 0
        params.append((w, b, trans_b))
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"h{i}"],
                                      transB=int(trans_b), name=f"gemm{i}"))
        nodes.append(helper.make_node("Relu", [f"h{i}"], [f"y{i}"], name=f"relu{i}"))
        x = f"y{i}"
    graph = helper.make_graph(
        nodes, "large_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, dim])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, dim])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return model, params, x


def save(model, path, external):
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + ".weights", size_threshold=1024)
    else:
        onnx.save(model, path)


def built_with_asan(tool):
    """True when `tool` carries AddressSanitizer's runtime (make test-sanitize)."""
    with open(tool, "rb") as f:
        return b"__asan_init" in f.read()


def compile_measured(kiln_compile, model_path, out_path):
    """(peak RSS in bytes, wall seconds, CPU seconds) of one kiln-compile, linker included."""
    start = time.monotonic()
    proc = subprocess.Popen([kiln_compile, model_path, "-o", out_path])
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"FAIL: kiln-compile {model_path} exited with {proc.returncode}")
    return usage.ru_maxrss * 1024, seconds, usage.ru_utime + usage.ru_stime


def smaps_of(pid, library):
    """(Rss, Anonymous) bytes of `library`'s mappings, and the process's RssAnon."""
    rss = anon = 0
    current = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if not fields:
                    continue
                if not fields[0].endswith(":") or "-" in fields[0]:
                    current = fields[5] if len(fields) >= 6 else None
                    continue
                if current != library:
                    continue
                if fields[0] == "Rss:":
                    rss += int(fields[1]) * 1024
                elif fields[0] == "Anonymous:":
                    anon += int(fields[1]) * 1024
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        rss_anon = int(status["RssAnon"].split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, KeyError):
        return None
    return rss, anon, rss_anon


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir")
    ap.add_argument("--work-dir")
    ap.add_argument("--mb", type=float, default=512, help="weight megabytes (default 512)")
    ap.add_argument("--dim", type=int, default=4096, help="layer width (default 4096)")
    ap.add_argument("--external", action="store_true", help="weights in an external data file")
    ap.add_argument("--max-rss-ratio", type=float, default=2.0)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--baseline", action="store_true",
                    help="count only the RSS the weights add to a DIM 64 compile")
    ap.add_argument("--json", help="write the measurements here")
    ap.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    ap.add_argument("--layers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        model, _, _ = build_model(args.dim, args.layers, seed=0)
        save(model, args.generate, args.external)
        return
    if not args.bin_dir or not args.work_dir:
        ap.error("expects --bin-dir and --work-dir")

    os.makedirs(args.work_dir, exist_ok=True)
    kiln_compile = os.path.join(args.bin_dir, "kiln-compile")
    kiln_run = os.path.join(args.bin_dir, "kiln-run")
    layers = max(1, round(args.mb * 2**20 / (args.dim * args.dim * 4)))
    failures = []

    def check(ok, what):
        print(("ok: " if ok else "FAIL: ") + what, flush=True)
        if not ok:
            failures.append(what)

    def generate(dim, path):
        # In a process of its own: a child forked from a process holding the
        # weights would count that process's pages in its own peak RSS.
        subprocess.run([sys.executable, __file__, "--generate", path, "--dim", str(dim),
                        "--layers", str(layers)] + (["--external"] if args.external else []),
                       check=True)

    baseline_rss = 0
    if args.baseline:
        small_path = os.path.join(args.work_dir, "baseline.onnx")
        generate(64, small_path)
        baseline_rss, _, _ = compile_measured(kiln_compile, small_path,
                                           os.path.join(args.work_dir, "baseline.so"))

    weight_bytes = layers * (args.dim * args.dim + args.dim) * 4
    kind = "external data" if args.external else "one file"
    model_path = os.path.join(args.work_dir, "model.onnx")
    generate(args.dim, model_path)
    lib = os.path.realpath(os.path.join(args.work_dir, "model.so"))
    rss, seconds, cpu = compile_measured(kiln_compile, model_path, lib)
    output = f"y{layers - 1}"
    counted = rss - baseline_rss
    print(f"{layers} layers of {args.dim}x{args.dim} ({kind}): {weight_bytes / 2**20:.0f} MiB of "
          f"weights; compile {seconds:.1f} s ({cpu:.1f} s CPU), peak RSS {rss / 2**20:.0f} MiB"
          + (f" ({baseline_rss / 2**20:.0f} MiB at DIM 64)" if args.baseline else ""))
    if built_with_asan(kiln_compile):
        # AddressSanitizer keeps freed memory in its quarantine (256 MiB) and
        # adds shadow memory: the bound is about Kiln's allocations, so it is
        # checked only in `make test`.
        print("kiln-compile is built with AddressSanitizer: the peak RSS bound is not checked")
    else:
        check(counted < args.max_rss_ratio * weight_bytes,
              f"peak RSS{' above the baseline' if args.baseline else ''} "
              f"{counted / 2**20:.0f} MiB < {args.max_rss_ratio:g} x weights")
    check(seconds < args.max_seconds, f"compile time {seconds:.1f} s < {args.max_seconds:g} s")

    # One run against numpy.
    x = np.random.default_rng(2).standard_normal((1, args.dim)).astype(np.float32)
    x_path = os.path.join(args.work_dir, "x.npy")
    np.save(x_path, x)
    out_dir = os.path.join(args.work_dir, "out")
    subprocess.run([kiln_run, lib, "--input", f"x={x_path}", "--output-dir", out_dir],
                   check=True, stdout=subprocess.DEVNULL)
    _, params, _ = build_model(args.dim, layers, seed=0)
    ref = x.astype(np.float64)
    for w, b, trans_b in params:
        ref = np.maximum(ref @ (w.T if trans_b else w).astype(np.float64) + b, 0.0)
    got = np.load(os.path.join(out_dir, f"{output}.npy"))
    err = float(np.max(np.abs(got - ref)) / max(1.0, float(np.max(np.abs(ref)))))
    check(got.shape == ref.shape and err < 1e-4, f"output against numpy: relative error {err:.2e}")
    del params

    # The weights of the loaded library are file-backed pages.
    runs = max(4, int(4 * 2**30 / weight_bytes))
    proc = subprocess.Popen([kiln_run, lib, "--input", f"x={x_path}", "--bench", str(runs)],
                            stdout=subprocess.DEVNULL)
    best = None
    while proc.poll() is None:
        sample = smaps_of(proc.pid, lib)
        if sample and (best is None or sample[0] > best[0]):
            best = sample
        time.sleep(0.01)
    check(proc.returncode == 0, "kiln-run --bench exits 0")
    lib_rss, lib_anon, rss_anon = best or (0, 0, 0)
    print(f"loaded: library mappings {lib_rss / 2**20:.0f} MiB resident, "
          f"{lib_anon / 2**20:.1f} MiB of them anonymous; process anonymous "
          f"{rss_anon / 2**20:.0f} MiB")
    check(lib_rss - lib_anon >= 0.9 * weight_bytes,
          "the weights are resident as file-backed pages of the library")
    check(lib_anon < 0.01 * weight_bytes + 2**20, "the library's weight pages are not copied")
    check(rss_anon < 0.5 * weight_bytes, "the process holds no anonymous copy of the weights")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"layers": layers, "dim": args.dim, "external": args.external,
                       "weight_bytes": weight_bytes, "compile_seconds": seconds,
                       "compile_cpu_seconds": cpu,
                       "peak_rss_bytes": rss, "baseline_rss_bytes": baseline_rss,
                       "relative_error": err}, f)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed; the files are left in {args.work_dir}")
    # Passed: the model and the library are large and can be made again.
    for name in os.listdir(args.work_dir):
        if name.startswith(("model.", "baseline.")):
            os.remove(os.path.join(args.work_dir, name))


if __name__ == "__main__":
    main()
