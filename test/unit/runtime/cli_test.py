#!/usr/bin/env python3
"""Checks the CLI contract of kiln-run and of a standalone model executable.

Links the fake model exactly as the compiler does (`cc -shared model.o -lm` and
`cc model.o libkiln_exe_main.a libkiln_runtime.a -lm -lpthread -ldl`), writes
.npy inputs with numpy, and checks exit statuses, messages and outputs.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

FAILURES = []

# Set to True once the runtime calls run functions with dims (ABI v3, the
# codegen side of issue 8): fake_model_symbolic.so is then run for real and its
# .npy outputs must have the actual shapes, zero-size ones included. Until
# then such an entry is refused after its inputs are checked.
ABI3_RUNS = True


def check(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = f"\n  rc={proc.returncode}\n  stdout={proc.stdout!r}\n  stderr={proc.stderr!r}"
        FAILURES.append(what + detail)
        print("FAIL:", what + detail)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def check_host(name, host, work, a_path, b_path, bad_shape, bad_dtype, garbage, a, b):
    """host: the command prefix that runs the fake model with CLI options."""
    print(f"-- {name}")
    ok = ["--input", f"a={a_path}", "--input", f"b={b_path}"]

    p = run(host + ok)
    check(p.returncode == 0, f"{name}: plain run succeeds", p)
    lines = p.stdout.splitlines()
    check(any(re.fullmatch(r"output sum f32 \[2x3\] argmax=5 max=15", l) for l in lines),
          f"{name}: summary line for 'sum'", p)
    check(any(re.fullmatch(r"output stats/max f32 \[scalar\] argmax=0 max=15", l) for l in lines),
          f"{name}: summary line for the scalar output", p)
    check(any(l.split() == ["1", "3", "5", "7", "9", "15"] for l in lines),
          f"{name}: first values of 'sum'", p)
    check(bool(lines) and re.fullmatch(r"time: \d+\.\d{3} ms", lines[-1]) is not None,
          f"{name}: last line is the time", p)

    out = os.path.join(work, f"{name}_out", "nested")
    p = run(host + ok + ["--output-dir", out, "--threads", "2"])
    check(p.returncode == 0, f"{name}: run with --output-dir", p)
    check(os.path.exists(os.path.join(out, "sum.npy")), f"{name}: --output-dir writes sum.npy")
    if os.path.exists(os.path.join(out, "stats_max.npy")):
        s = np.load(os.path.join(out, "sum.npy"))
        check(s.dtype == np.float32 and s.shape == (2, 3) and (s == a + b).all(),
              f"{name}: sum.npy holds a + b")
        m = np.load(os.path.join(out, "stats_max.npy"))
        check(m.shape == () and m == (a + b).max(), f"{name}: '/' in a name becomes '_'")

    def expect_failure(args, rc, needle, what):
        p = run(host + args)
        check(p.returncode == rc and needle in p.stderr and p.stdout == "", f"{name}: {what}", p)
        check(p.stderr.count("\n") == 1 or rc == 2, f"{name}: {what}: one line on stderr", p)

    expect_failure(["--input", f"a={a_path}", "--input", f"c={b_path}"], 1,
                   "unknown input 'c' (model inputs: a, b)", "unknown input name")
    expect_failure(["--input", f"a={a_path}"], 1,
                   "missing input 'b' (expected f32 2x3", "missing input")
    expect_failure(ok + ["--input", f"a={a_path}"], 1, "input 'a' given more than once",
                   "duplicate input")
    expect_failure(["--input", f"a={a_path}", "--input", f"b={bad_shape}"], 1,
                   "input 'b': expected shape 2x3, got 2x4", "wrong shape")
    expect_failure(["--input", f"a={bad_dtype}", "--input", f"b={b_path}"], 1,
                   "input 'a': expected dtype f32, got f64", "wrong dtype")
    expect_failure(["--input", f"a={garbage}", "--input", f"b={b_path}"], 1,
                   f"input 'a': {garbage}: not a .npy file", "garbage npy")
    expect_failure(["--input", "a=/nonexistent.npy", "--input", f"b={b_path}"], 1,
                   "input 'a': /nonexistent.npy: cannot open", "unreadable npy")

    # Nothing runs and nothing is written when an input is wrong.
    no_out = os.path.join(work, f"{name}_never")
    p = run(host + ["--input", f"a={a_path}", "--input", f"b={bad_shape}", "--output-dir", no_out])
    check(p.returncode == 1 and not os.path.exists(no_out), f"{name}: nothing written on error", p)

    for args, what in [(ok + ["--bogus"], "unknown option"),
                       (ok + ["--bench"], "missing value"),
                       (ok + ["--bench", "abc"], "non-numeric --bench"),
                       (ok + ["--bench", "0"], "--bench 0"),
                       (ok + ["--threads", "x2"], "non-numeric --threads"),
                       (ok + ["--input", "a"], "--input without '='"),
                       (ok + ["stray"], "positional argument"),
                       (ok + ["--entry="], "empty --entry")]:
        p = run(host + args)
        check(p.returncode == 2 and "usage:" in p.stderr and p.stdout == "",
              f"{name}: {what} is a usage error", p)
    p = run(host + ok + ["--entry="])
    check("--entry expects an entry name" in p.stderr, f"{name}: empty --entry message", p)
    # Past the runtime's 1024 threads: refused (it was capped silently).
    for t in ["1025", "2147483647"]:
        p = run(host + ok + ["--threads", t])
        first = p.stderr.splitlines()[0] if p.stderr else ""
        check(p.returncode == 2 and p.stdout == "" and first.endswith(
            ": --threads expects at most 1024 threads (T <= 0: hardware concurrency), got "
            f"'{t}'"), f"{name}: --threads {t} is refused with the bound", p)
    p = run(host + ok + ["--threads", "1024"])
    check(p.returncode == 0, f"{name}: --threads 1024 runs", p)

    p = run(host + ["--help"])
    check(p.returncode == 0 and "--input NAME=FILE.npy" in p.stdout and "--bench N" in p.stdout
          and "entry infer\ninput a f32 [2,3]" in p.stdout and "output stats/max f32 []" in p.stdout,
          f"{name}: --help lists options and the signature", p)

    # --entry picks another entry of the artifact; its inputs are its own.
    x4 = np.array([1, -2, 3.5, 8], dtype=np.float32)
    x4_path = os.path.join(work, "x4.npy")
    np.save(x4_path, x4)
    scale_out = os.path.join(work, f"{name}_scale")
    p = run(host + ["--entry", "scale", "--input", f"x={x4_path}", "--output-dir", scale_out])
    check(p.returncode == 0 and "output y f32 [4] argmax=3 max=16" in p.stdout,
          f"{name}: --entry scale runs the second entry", p)
    if os.path.exists(os.path.join(scale_out, "y.npy")):
        check((np.load(os.path.join(scale_out, "y.npy")) == 2 * x4).all(),
              f"{name}: --entry scale output is 2 * x")
    expect_failure(["--entry", "train", "--input", f"x={x4_path}"], 1,
                   "model has no entry named 'train' (model entries: infer, scale, dynamic)",
                   "unknown entry")
    p = run(host + ["--entry", "dynamic", "--input", f"x={x4_path}"])
    check(p.returncode == 0 and "output y f32 [4] argmax=3 max=9" in p.stdout,
          f"{name}: an entry with symbolic dims runs", p)
    x101_path = os.path.join(work, "x101.npy")
    np.save(x101_path, np.zeros(101, np.float32))
    expect_failure(["--entry", "dynamic", "--input", f"x={x101_path}"], 1,
                   "entry 'dynamic': expects at most 100 elements in 'x'",
                   "a run-time check of the generated code")
    expect_failure(["--entry=scale"] + ok, 1, "unknown input 'a' (model inputs: x)",
                   "inputs of another entry")

    bench_out = os.path.join(work, f"{name}_bench")
    p = run(host + ok + ["--bench", "7", "--output-dir", bench_out, "--threads", "1"])
    check(p.returncode == 0, f"{name}: --bench runs", p)
    lines = p.stdout.splitlines()
    check(len(lines) == 1, f"{name}: --bench prints exactly one line", p)
    if lines:
        try:
            j = json.loads(lines[0])
            check(set(j) == {"median_ms", "min_ms", "runs"} and j["runs"] == 7
                  and 0 <= j["min_ms"] <= j["median_ms"], f"{name}: bench JSON fields", p)
        except ValueError:
            check(False, f"{name}: bench line is JSON", p)
    check(os.path.exists(os.path.join(bench_out, "sum.npy")), f"{name}: --bench writes outputs")
    p = run(host + ok + ["--bench=3", "--threads=0"])
    check(p.returncode == 0 and re.fullmatch(r'\{"median_ms":\d+\.\d{3},"min_ms":\d+\.\d{3},'
                                             r'"runs":3\}\n', p.stdout) is not None,
          f"{name}: --opt=value form", p)


def check_symbolic(kiln_run, model, work):
    """Symbolic dims in kiln-run: binding, bounds and the actual output shapes."""
    print("-- kiln-run on a model with symbolic dims")

    def save(name, arr):
        path = os.path.join(work, f"sym_{name}.npy")
        np.save(path, arr)
        return path

    def args(x, y, out=None):
        extra = ["--output-dir", out] if out else []
        return [kiln_run, model, "--input", f"x={x}", "--input", f"y={y}"] + extra

    def expect_failure(cmd, needle, what):
        p = run(cmd)
        check(p.returncode == 1 and needle in p.stderr and p.stdout == ""
              and p.stderr.count("\n") == 1, f"symbolic: {what}", p)

    p = run([kiln_run, model, "--help"])
    check(p.returncode == 0 and "entry pair\nbound N 4\ninput x f32 [N,3]\n" in p.stdout
          and "output k i64 [K]" in p.stdout, "symbolic: --help shows symbols and bounds", p)

    x2, y2 = save("x2", np.ones((2, 3), np.float32)), save("y2", np.ones(2, np.int64))
    y3, x5 = save("y3", np.ones(3, np.int64)), save("x5", np.ones((5, 3), np.float32))
    y5, x24 = save("y5", np.ones(5, np.int64)), save("x24", np.ones((2, 4), np.float32))
    expect_failure([kiln_run, model, "--input", f"x={x2}"],
                   "missing input 'y' (expected i64 N; give --input y=FILE.npy)",
                   "a missing input names its symbolic shape")
    never = os.path.join(work, "sym_never")
    expect_failure(args(x2, y3, never), "input 'y': expected dim 0 (N) = 2 as in input 'x', got 3",
                   "inputs that disagree on N")
    check(not os.path.exists(never), "symbolic: nothing is written when N disagrees")
    expect_failure(args(x5, y5), "input 'x': expected dim 0 (N) <= 4 (its bound), got 5",
                   "N past its bound")
    expect_failure(args(x24, y2), "input 'x': expected shape Nx3, got 2x4", "a wrong static dim")

    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    y = np.array([0, 7, 0], np.int64)
    cases = [("three", x, y), ("zero", np.zeros((0, 3), np.float32), np.zeros(0, np.int64))]
    for label, xv, yv in cases:
        out = os.path.join(work, f"sym_out_{label}")
        p = run(args(save(f"x_{label}", xv), save(f"y_{label}", yv), out))
        if not ABI3_RUNS:
            check(p.returncode == 1 and "entry 'pair': expected static dims to run, got symbolic "
                  "dims (not supported yet)" in p.stderr, f"symbolic: {label}: refused for now", p)
            continue
        check(p.returncode == 0, f"symbolic: {label}: runs", p)
        z_path, k_path = os.path.join(out, "z.npy"), os.path.join(out, "k.npy")
        if os.path.exists(z_path) and os.path.exists(k_path):
            z, k = np.load(z_path), np.load(k_path)
            check(z.shape == xv.shape and (z == 2 * xv).all(), f"symbolic: {label}: z = 2x", p)
            want = np.nonzero(yv)[0]
            check(k.shape == want.shape and (k == want).all(), f"symbolic: {label}: k", p)
        else:
            check(False, f"symbolic: {label}: writes z.npy and k.npy", p)


def main():
    ap = argparse.ArgumentParser()
    for opt in ["--cc", "--model-obj", "--exe-main-lib", "--runtime-lib", "--kiln-run",
                "--c-example", "--parallel-model", "--symbolic-model", "--seal", "--workdir"]:
        ap.add_argument(opt, required=True)
    args = ap.parse_args()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    so = os.path.join(work, "fake.so")
    exe = os.path.join(work, "fake_model")
    # The library gets the checksum trailer kiln-compile appends after its link.
    for cmd in ([args.cc, "-shared", args.model_obj, "-lm", "-o", so], [args.seal, so],
                [args.cc, args.model_obj, args.exe_main_lib, args.runtime_lib,
                 "-lm", "-lpthread", "-ldl", "-o", exe]):
        p = run(cmd)
        if p.returncode != 0:
            print("link failed:", cmd, p.stderr)
            return 1

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([[1, 2, 3], [4, 5, 10]], dtype=np.float32)
    paths = {}
    for key, arr in {"a": a, "b": b, "bad_shape": np.zeros((2, 4), np.float32),
                     "bad_dtype": np.zeros((2, 3), np.float64)}.items():
        paths[key] = os.path.join(work, key + ".npy")
        np.save(paths[key], arr)
    garbage = os.path.join(work, "garbage.npy")
    with open(garbage, "wb") as f:
        f.write(b"this is not numpy\n")

    common = (work, paths["a"], paths["b"], paths["bad_shape"], paths["bad_dtype"], garbage, a, b)
    check_host("kiln-run", [args.kiln_run, so], *common)
    check_host("executable", [exe], *common)
    check_symbolic(args.kiln_run, args.symbolic_model, work)

    print("-- kiln-run without a usable model")
    p = run([args.kiln_run])
    check(p.returncode == 2 and "usage:" in p.stderr, "kiln-run with no arguments", p)
    p = run([args.kiln_run, "--help"])
    check(p.returncode == 0 and "usage: kiln-run MODEL.so" in p.stdout, "kiln-run --help", p)
    p = run([args.kiln_run, os.path.join(work, "missing.so"), "--input", "a=x.npy"])
    check(p.returncode == 1 and "cannot load model" in p.stderr, "kiln-run on a missing model", p)
    p = run([args.kiln_run, paths["a"]])
    check(p.returncode == 1 and "cannot load model" in p.stderr, "kiln-run on a non-library", p)

    print("-- kiln-c-example")
    p = run([args.c_example, so, f"a={paths['a']}", f"b={paths['b']}"])
    check(p.returncode == 0 and "sum shape=[2x3] argmax=5" in p.stdout
          and "stats/max shape=[] argmax=0" in p.stdout, "c example prints shape and argmax", p)
    p = run([args.c_example, so, f"a={paths['a']}", f"b={paths['bad_shape']}"])
    check(p.returncode == 1 and "input 'b': expected shape 2x3, got 2x4" in p.stderr,
          "c example reports a wrong shape", p)
    np.save(os.path.join(work, "x4.npy"), np.array([1, 2, 3, 4], dtype=np.float32))
    p = run([args.c_example, so, "--entry", "scale", f"x={os.path.join(work, 'x4.npy')}"])
    check(p.returncode == 0 and "y shape=[4] argmax=3" in p.stdout, "c example runs --entry scale", p)
    p = run([args.c_example, so, "--entry", "nope", f"x={os.path.join(work, 'x4.npy')}"])
    check(p.returncode == 1 and "entry: model has no entry named 'nope'" in p.stderr,
          "c example reports an unknown entry", p)

    # The host must export kiln_parallel_for to a model library that calls it.
    x = os.path.join(work, "x.npy")
    np.save(x, np.arange(1000, dtype=np.float32))
    for host in ([args.c_example, args.parallel_model, f"in put={x}"],
                 [args.kiln_run, args.parallel_model, "--input", f"in put={x}", "--threads", "2"]):
        p = run(host)
        check(p.returncode == 0 and "argmax=999" in p.stdout,
              f"{os.path.basename(host[0])} runs a model that calls kiln_parallel_for", p)
    p = run([args.kiln_run, args.parallel_model, "--input", f"in put={x}", "--output-dir",
             os.path.join(work, "par")])
    check(p.returncode == 0 and "output y f32 [1000] argmax=999 max=1998" in p.stdout,
          "percent-decoded input name on the command line", p)
    # The spelling messages print ("in%20put") can be typed back.
    p = run([args.kiln_run, args.parallel_model, "--input", "in%20put=" + x])
    check(p.returncode == 0 and "argmax=999" in p.stdout,
          "percent-encoded input name, as messages print it, on the command line", p)
    p = run([args.kiln_run, args.parallel_model])
    check(p.returncode == 1 and "give --input in%20put=FILE.npy" in p.stderr,
          "the missing-input hint shows the encoded name", p)
    if os.path.exists(os.path.join(work, "par", "y.npy")):
        y = np.load(os.path.join(work, "par", "y.npy"))
        check((y == 2 * np.arange(1000, dtype=np.float32)).all(), "parallel model output")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all CLI checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
