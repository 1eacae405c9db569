#!/usr/bin/python3
"""What the artifact checks before dlopen cost at load: one table, one run.

For a compiled model library (e.g. ResNet-18, 47 MB of weights), through the
runtime's C API (libkiln_runtime.a linked into a shared library, called with
ctypes), each repeated --runs times with the file in the page cache:

  check             kiln_model_check_file on the library: ELF structure,
                    version marker, and the checksum over the whole file
  check, no hash    the same on a copy without the checksum trailer: the
                    check stops where the checksum would start, so this is
                    the structural part alone
  load              kiln_model_load + kiln_model_destroy (check, dlopen,
                    signature parse)

Times are process CPU time (user + sys, time.process_time) per call, median
and minimum over the runs, so other jobs on a shared machine do not count;
the checksum's cost is `check` - `check, no hash`.

    /usr/bin/python3 bench/artifact_load.py --bin-dir build/bin --library r18.so [--runs 20]
"""

import argparse
import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def runtime(bin_dir, work):
    lib_dir = os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "lib")
    shared = os.path.join(work, "libkiln_runtime_shared.so")
    subprocess.run([os.environ.get("KILN_LINKER", "cc"), "-shared", "-o", shared,
                    "-Wl,--whole-archive", os.path.join(lib_dir, "libkiln_runtime.a"),
                    "-Wl,--no-whole-archive", "-lm", "-lpthread", "-ldl"], check=True)
    lib = ctypes.CDLL(shared, mode=ctypes.RTLD_GLOBAL)
    lib.kiln_model_check_file.argtypes = [ctypes.c_char_p]
    lib.kiln_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.kiln_model_destroy.argtypes = [ctypes.c_void_p]
    lib.kiln_last_error.restype = ctypes.c_char_p
    return lib


def cpu_ms(fn, runs):
    times = []
    fn()  # warm: the file in the page cache
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1e3)
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--library", required=True)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="kiln-artifact-load-")
    try:
        lib = runtime(args.bin_dir, work)
        path = os.path.abspath(args.library).encode()
        bare = os.path.join(work, "no_trailer.so")
        with open(args.library, "rb") as src, open(bare, "wb") as dst:
            data = src.read()
            dst.write(data[:-16])

        def check():
            if lib.kiln_model_check_file(path) != 0:
                sys.exit(f"check failed: {lib.kiln_last_error().decode()}")

        def check_bare():
            lib.kiln_model_check_file(bare.encode())  # fails at the missing trailer

        def load():
            model = ctypes.c_void_p()
            if lib.kiln_model_load(path, ctypes.byref(model)) != 0:
                sys.exit(f"load failed: {lib.kiln_last_error().decode()}")
            lib.kiln_model_destroy(model)

        rows = [("check", cpu_ms(check, args.runs)),
                ("check, no hash", cpu_ms(check_bare, args.runs)),
                ("load", cpu_ms(load, args.runs))]
        print(f"{os.path.basename(args.library)}: {len(data)} bytes, {args.runs} runs, "
              "process CPU ms per call")
        print("| step | median ms | min ms |")
        print("| --- | ---: | ---: |")
        for name, (median, least) in rows:
            print(f"| {name} | {median:.2f} | {least:.2f} |")
        cost = rows[0][1][0] - rows[1][1][0]
        print(f"checksum: {cost:.2f} ms median ({len(data) / 1e6 / max(cost, 1e-9) * 1e3:.0f} "
              "MB/s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
