"""Run a model with symbolic dims at several sizes through the C API.

Usage: dynamic_shapes.py --bin-dir BIN --work-dir DIR MODEL.mlir ENTRY CASES

Compiles MODEL (one artifact) and runs ENTRY once per case through the
runtime's C API (kiln_model_load, kiln_model_run_entry: ABI v3, outputs with
symbolic dims handed over by the generated code), loaded with ctypes from a
shared copy of libkiln_runtime.a. CASES names a function of this file that
yields (inputs, expected outputs or None) pairs computed with numpy; for None
the run must fail, and its message goes to stderr with exit status 1 (for
FileCheck). Prints one line per case.
"""

import argparse
import ctypes
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kiln_e2e  # noqa: E402

DTYPES = {np.dtype(np.float32): 1, np.dtype(np.int64): 6}


def relu_matmul(rng):
    """dyn_relu_matmul.mlir: y = relu(x) @ w, x [N, 4], at N = 1, 3, 8, 17 and 0."""
    w = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0.5, 0.25]], np.float32)
    for n in (1, 3, 8, 17, 0):
        x = rng.standard_normal((n, 4)).astype(np.float32)
        yield [x], [np.maximum(x, 0) @ w]


def scale_and_sum(rng):
    """dyn_scale_and_sum.mlir: y = 2 x and s = sum(x, axis 1), x [4, S]: the
    dynamic innermost dim runs in vectorized tiles of 64 and a scalar partial one."""
    for s in (1, 63, 64, 65, 130, 0):
        x = rng.standard_normal((4, s)).astype(np.float32)
        yield [x], [2 * x, x.sum(axis=1)]


def conv_relu(rng):
    """dyn_conv_relu.mlir: relu(conv(x, w) + b) at N = 1, 2, 5 and 0."""
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    for n in (1, 2, 5, 0):
        x = rng.standard_normal((n, 8, 18, 18)).astype(np.float32)
        windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))
        y = np.einsum("nchwij,fcij->nfhw", windows, w) + b[None, :, None, None]
        yield [x, w, b], [np.maximum(y, 0).astype(np.float32)]


def matmul_rows(rng):
    """dyn_matmul_rows.mlir: x @ w for N below, at and past blocks of 64 rows."""
    w = rng.standard_normal((32, 64)).astype(np.float32)
    for n in (1, 63, 64, 65, 130, 0):
        x = rng.standard_normal((n, 32)).astype(np.float32)
        yield [x, w], [x @ w]


def matmul_cols(rng):
    """dyn_matmul_cols.mlir: w @ x for N columns as dot products (1 to 4), in
    masked vectors, in whole register blocks and past them."""
    w = rng.standard_normal((18, 37)).astype(np.float32)
    for n in (1, 2, 3, 4, 5, 9, 16, 17, 35, 0):
        x = rng.standard_normal((37, n)).astype(np.float32)
        yield [w, x], [w @ x]


def add_checked(rng):
    """dyn_add_checked.mlir: z = x + y, x [N, 8], y [M, 8]; N must equal M."""
    for n in (2, 5, 33):
        x = rng.standard_normal((n, 8)).astype(np.float32)
        y = rng.standard_normal((n, 8)).astype(np.float32)
        yield [x, y], [x + y]


def add_mismatch(rng):
    """dyn_add_checked.mlir with N != M: the generated check fails."""
    yield [np.zeros((2, 8), np.float32), np.zeros((3, 8), np.float32)], None


def preload_sanitizer_runtime():
    """Under `make test-sanitize` (KILN_LINKER names the sanitizer link
    wrapper) libkiln_runtime.a is instrumented, and this uninstrumented Python
    can load it only with the sanitizer runtime already in the process: runs
    this script again with it in LD_PRELOAD. The tools this script starts are
    instrumented themselves and must not get it, so it leaves the environment
    at once."""
    linker = os.environ.get("KILN_LINKER")
    if os.environ.pop("KILN_PRELOADED", None):
        os.environ.pop("LD_PRELOAD", None)
        return
    if not linker:
        return
    asan = subprocess.run([linker, "-print-file-name=libclang_rt.asan-x86_64.so"],
                          capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(asan) or not os.path.exists(asan):
        return
    env = dict(os.environ, LD_PRELOAD=asan, KILN_PRELOADED="1",
               # Python itself is not leak-free at exit.
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


class Runtime:
    """The Kiln runtime as a shared library, through ctypes."""

    def __init__(self, bin_dir, work):
        lib_dir = os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "lib")
        shared = os.path.join(work, "libkiln_runtime_shared.so")
        # The sanitizer wrapper's -fsanitize flags leave the sanitizer runtime
        # out of a shared library: the preloaded one provides it.
        linker = os.environ.get("KILN_LINKER", "cc")
        subprocess.run([linker, "-shared", "-o", shared, "-Wl,--whole-archive",
                        os.path.join(lib_dir, "libkiln_runtime.a"), "-Wl,--no-whole-archive",
                        "-lm", "-lpthread", "-ldl"], check=True)
        # Global, so that model libraries resolve kiln_parallel_for against it.
        self.lib = ctypes.CDLL(shared, mode=ctypes.RTLD_GLOBAL)
        p, i64p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64)
        for name, res, args in (
                ("kiln_last_error", ctypes.c_char_p, []),
                ("kiln_model_load", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(p)]),
                ("kiln_model_destroy", None, [p]),
                ("kiln_model_find_entry", ctypes.c_int, [p, ctypes.c_char_p, ctypes.POINTER(p)]),
                ("kiln_model_run_entry", ctypes.c_int,
                 [p, p, ctypes.POINTER(p), ctypes.c_size_t, ctypes.POINTER(p), ctypes.c_size_t]),
                ("kiln_tensor_wrap", ctypes.c_int, [ctypes.c_int, ctypes.c_size_t, i64p, p,
                                                    ctypes.POINTER(p)]),
                ("kiln_tensor_destroy", None, [p]),
                ("kiln_tensor_rank", ctypes.c_size_t, [p]),
                ("kiln_tensor_dims", i64p, [p]),
                ("kiln_tensor_data", p, [p]),
                ("kiln_tensor_byte_size", ctypes.c_size_t, [p]),
                ("kiln_tensor_dtype", ctypes.c_int, [p])):
            fn = getattr(self.lib, name)
            fn.restype, fn.argtypes = res, args

    def error(self):
        return self.lib.kiln_last_error().decode()

    def run(self, model, entry, arrays, n_outputs):
        """Outputs as numpy arrays, or the error message (a str)."""
        inputs = (ctypes.c_void_p * len(arrays))()
        keep = []
        for k, a in enumerate(arrays):
            a = np.ascontiguousarray(a)
            dims = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
            t = ctypes.c_void_p()
            if self.lib.kiln_tensor_wrap(DTYPES[a.dtype], a.ndim, dims,
                                         a.ctypes.data_as(ctypes.c_void_p), ctypes.byref(t)):
                raise kiln_e2e.E2EError(self.error())
            inputs[k] = t
            keep.append(a)
        outputs = (ctypes.c_void_p * n_outputs)()
        try:
            if self.lib.kiln_model_run_entry(model, entry, inputs, len(arrays), outputs,
                                             n_outputs):
                return self.error()
            result = []
            for t in outputs:
                rank = self.lib.kiln_tensor_rank(t)
                shape = tuple(self.lib.kiln_tensor_dims(t)[d] for d in range(rank))
                dtype = {v: k for k, v in DTYPES.items()}[self.lib.kiln_tensor_dtype(t)]
                size = self.lib.kiln_tensor_byte_size(t)
                data = ctypes.string_at(self.lib.kiln_tensor_data(t), size) if size else b""
                result.append(np.frombuffer(data, dtype).reshape(shape).copy())
                self.lib.kiln_tensor_destroy(t)
            return result
        finally:
            for t in inputs:
                self.lib.kiln_tensor_destroy(t)


def main():
    preload_sanitizer_runtime()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kiln_e2e.add_common_args(parser)
    parser.add_argument("model")
    parser.add_argument("entry")
    parser.add_argument("cases")
    args = parser.parse_args()
    compile_tool = kiln_e2e.find_tool("kiln-compile", args.bin_dir)
    bin_dir = os.path.dirname(compile_tool)
    rng = np.random.default_rng(8)
    with kiln_e2e.work_dir(args.work_dir) as work:
        artifact = os.path.join(work, os.path.basename(args.model) + ".so")
        subprocess.run([compile_tool, args.model, "-o", artifact], check=True)
        runtime = Runtime(bin_dir, work)
        model, entry = ctypes.c_void_p(), ctypes.c_void_p()
        if runtime.lib.kiln_model_load(artifact.encode(), ctypes.byref(model)):
            raise kiln_e2e.E2EError(runtime.error())
        if runtime.lib.kiln_model_find_entry(model, args.entry.encode(), ctypes.byref(entry)):
            raise kiln_e2e.E2EError(runtime.error())
        failed = False
        for inputs, expected in globals()[args.cases](rng):
            shapes = " ".join("x".join(map(str, a.shape)) or "scalar" for a in inputs)
            got = runtime.run(model, entry, inputs, len(expected) if expected else 1)
            if expected is None:
                print(f"{shapes}: error: {got}" if isinstance(got, str) else f"{shapes}: ran")
                if isinstance(got, str):
                    print(f"error: {got}", file=sys.stderr)
                    failed = True
                continue
            if isinstance(got, str):
                print(f"{shapes}: FAIL: {got}")
                failed = True
                continue
            for k, (g, e) in enumerate(zip(got, expected)):
                ok = g.shape == e.shape and np.allclose(g, e, rtol=1e-5, atol=1e-5)
                print(f"{shapes}: output {k} {'x'.join(map(str, g.shape))}: "
                      f"{'ok' if ok else 'MISMATCH'}")
                failed |= not ok
        runtime.lib.kiln_model_destroy(model)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
