#!/usr/bin/python3
"""An artifact compiled for CPU features this machine lacks is refused before its code runs.

A float16 Mul/Add model is compiled with `--mattr=+F`, F a feature this
machine lacks (from /proc/cpuinfo, the kernel's answer, never Kiln's) whose
implied features it has, and with `--mcpu=sapphirerapids` where this machine
lacks AVX512-FP16. kiln-run, the C API (kiln-c-example) and the standalone
executable must each fail with exit status 1 and the exact message naming
the missing features (without the check the code dies of SIGILL). The
artifact compiled for this machine (kiln-compile's default) records exactly
the listed features /proc/cpuinfo shows, still runs, and gives numpy's
answer; the same flags give byte-identical artifacts.

    /usr/bin/python3 test/e2e/cpu_features.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import re
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES_DEF = os.path.join(HERE, "..", "..", "runtime", "kiln_cpu_features.def")
FAILURES = []
check = functools.partial(e2e.expect, FAILURES)

# /proc/cpuinfo's spelling where it differs from LLVM's.
CPUINFO_NAME = {
    "sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "lzcnt": "abm",
    "bmi": "bmi1", "avxvnni": "avx_vnni", "avx512vbmi2": "avx512_vbmi2",
    "avx512vnni": "avx512_vnni", "avx512bitalg": "avx512_bitalg",
    "avx512vpopcntdq": "avx512_vpopcntdq", "avx512bf16": "avx512_bf16", "amx-tile": "amx_tile",
    "amx-bf16": "amx_bf16", "amx-int8": "amx_int8",
}

# Candidates for --mattr=+F, each with the listed features LLVM makes it imply
# (X86.td): the test needs one this machine lacks while it has the rest, so
# that F alone is missing.
CANDIDATES = [
    ("avx512fp16", ["avx512f", "avx512bw", "avx512dq", "avx512vl"]),
    ("amx-tile", []),
    ("avx512bf16", ["avx512f", "avx512bw"]),
    ("avx512vbmi", ["avx512f", "avx512bw"]),
    ("avxvnni", ["avx", "avx2"]),
    ("avx512f", ["avx", "avx2", "fma", "f16c"]),
    ("avx2", ["avx"]),
]


def listed_features():
    with open(FEATURES_DEF) as f:
        return re.findall(r'^KILN_CPU_FEATURE\("([^"]+)"', f.read(), re.M)


def cpuinfo_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags") and ":" in line:
                return set(line.split(":", 1)[1].split())
    return set()


def recorded_features(path):
    """The `cpu-features` line after the signature's marker, read from the file's bytes."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.search(rb"kiln-model 4\ncpu-features((?: [a-z0-9.-]+)*)\n", data)
    return m.group(1).decode().split() if m else None


def write_model(path):
    h = TensorProto.FLOAT16
    graph = helper.make_graph(
        [helper.make_node("Mul", ["a", "b"], ["t"]), helper.make_node("Add", ["t", "a"], ["y"])],
        "fp16", [helper.make_tensor_value_info("a", h, [1024]),
                 helper.make_tensor_value_info("b", h, [1024])],
        [helper.make_tensor_value_info("y", h, [1024])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    flags = cpuinfo_flags()
    if not flags or "sse2" not in flags:
        print("UNSUPPORTED: no x86 flags in /proc/cpuinfo")
        return 0
    listed = listed_features()
    # Some VMs leave "abm" (LZCNT) out of /proc/cpuinfo while cpuid reports
    # it; there LLVM's reading of the host (the default artifact's line) decides.
    host_llvm = []

    def has(name):
        if name == "lzcnt" and "abm" not in flags:
            return name in host_llvm
        return CPUINFO_NAME.get(name, name) in flags
    compiler = os.path.join(args.bin_dir, "kiln-compile")
    kiln_run = os.path.join(args.bin_dir, "kiln-run")
    c_example = os.path.join(args.bin_dir, "kiln-c-example")
    model = os.path.join(work, "fp16.onnx")
    write_model(model)
    rng = np.random.default_rng(3)
    a = rng.random(1024).astype(np.float16)
    b = rng.random(1024).astype(np.float16)
    a_npy = e2e.save_npy(os.path.join(work, "a.npy"), a)
    b_npy = e2e.save_npy(os.path.join(work, "b.npy"), b)
    inputs = ["--input", f"a={a_npy}", "--input", f"b={b_npy}"]

    def compile_model(out, extra):
        p = e2e.run([compiler, model, "-o", out, *extra], 300)
        check(p.returncode == 0, f"kiln-compile {' '.join(extra)} -o {os.path.basename(out)}", p)
        return p.returncode == 0

    # For this machine: every listed feature /proc/cpuinfo shows, no other; it runs.
    native = os.path.join(work, "native.so")
    if compile_model(native, []):
        got = recorded_features(native)
        host_llvm.extend(got or [])
        want = [f for f in listed if has(f)]
        check(got == want, f"the default artifact records {got}, expected /proc/cpuinfo's {want}")
        p, out = e2e.run_model(kiln_run, native, {"a": a, "b": b}, work, "native")
        check(p.returncode == 0, "kiln-run native.so", p)
        if p.returncode == 0:
            y = e2e.load_output(out, "y")
            ref = (a.astype(np.float32) * b + a).astype(np.float16)
            check(np.allclose(y.astype(np.float32), ref.astype(np.float32), rtol=2e-3, atol=2e-3),
                  "native.so: y matches numpy's a*b+a")
        p = e2e.run([kiln_run, native, "--help"], 60)
        line = "cpu-features" + "".join(" " + f for f in got or []) + "\n"
        check(p.returncode == 0 and "\n" + line in p.stdout,
              f"kiln-run native.so --help prints {line!r}", p)

    def expect_refused(lib, exe, missing, what):
        message = (f"it was compiled for CPU features this machine lacks: {', '.join(missing)}; "
                   "recompile with --mcpu/--mattr")
        cases = [("kiln-run", [kiln_run, lib, *inputs], f"kiln-run: cannot load model '{lib}': "),
                 ("kiln-c-example", [c_example, lib, f"a={a_npy}", f"b={b_npy}"],
                  f"kiln-c-example: load: cannot load model '{lib}': "),
                 ("executable", [exe, *inputs], f"{exe}: cannot load model 'model': ")]
        for name, cmd, lead in cases:
            p = e2e.run(cmd, 120)
            want = lead + message + "\n"
            check(p.returncode == 1 and p.stderr == want and p.stdout == "",
                  f"{what}: {name}: expected exit 1 and {want!r}", p)

    chosen = next((f for f, implied in CANDIDATES if not has(f) and all(map(has, implied))), None)
    if chosen is None:
        print(f"note: this machine has every candidate feature; --mattr case skipped")
    else:
        lib = os.path.join(work, f"mattr_{chosen}.so")
        exe = os.path.join(work, f"mattr_{chosen}")
        if compile_model(lib, [f"--mattr=+{chosen}"]) and compile_model(exe, [f"--mattr=+{chosen}"]):
            got = recorded_features(lib) or []
            check(chosen in got, f"--mattr=+{chosen}: recorded {got}, expected {chosen} among them")
            check([f for f in got if not has(f)] == [chosen],
                  f"--mattr=+{chosen}: recorded {got}, expected {chosen} the only one missing here")
            expect_refused(lib, exe, [chosen], f"--mattr=+{chosen}")
            # Reproducible: the same flags give the same bytes.
            again = os.path.join(work, f"mattr_{chosen}_again.so")
            if compile_model(again, [f"--mattr=+{chosen}"]):
                with open(lib, "rb") as f1, open(again, "rb") as f2:
                    check(f1.read() == f2.read(), f"--mattr=+{chosen}: two compiles differ")

    # The reviewer's case: a Sapphire Rapids build on a machine without AVX512-FP16.
    if not has("avx512fp16"):
        lib = os.path.join(work, "spr.so")
        exe = os.path.join(work, "spr")
        if compile_model(lib, ["--mcpu=sapphirerapids"]) and compile_model(exe, ["--mcpu=sapphirerapids"]):
            got = recorded_features(lib) or []
            for f in ("avx512fp16", "amx-tile", "amx-bf16", "amx-int8", "avx512bf16", "avx512vnni"):
                check(f in got, f"--mcpu=sapphirerapids: {f} not recorded in {got}")
            expect_refused(lib, exe, [f for f in got if not has(f)], "--mcpu=sapphirerapids")

    return e2e.finish(FAILURES, "cpu_features")


if __name__ == "__main__":
    sys.exit(main())
