#!/usr/bin/python3
"""One loaded model, many threads: every result bit-identical to a serial run.

Two real models are compiled: the digits CNN (examples/digits) and a small
conv net generated here (two 3x3 convolutions on 3x32x32, pooling and a dense
layer) whose loops go through the runtime's thread pool. For each:

- the artifact is reproducible: compiling the same model with the same flags
  twice gives byte-identical shared libraries (and executables);
- kiln-runtime-stress loads the library once and runs it from 8 threads x 200
  runs (contexts per thread, and threads on the model's own context), with a
  pool of 4 threads shared by all of them; every output must equal, bit for
  bit, the serial run of the same input variant (exit status 0, no mismatch);
- the serial result matches an independent oracle (PyTorch's stored logits for
  the digits CNN, torch.nn.functional for the conv net);
- kiln-run gives byte-identical output files across processes for a fixed
  --threads, and across 1, 2 and 4 threads.

    /usr/bin/python3 test/e2e/concurrency.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import filecmp
import functools
import json
import os
import shutil
import sys

import numpy as np

import kiln_e2e as e2e

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "examples", "digits")
FAILURES = []
# Soft checks through the shared e2e helpers; every failure is listed at the end.
check = functools.partial(e2e.expect, FAILURES)


def run(cmd, timeout=300):
    return e2e.run(cmd, timeout)
THREADS, RUNS, POOL = 8, 200, 4






def make_conv_net(path, rng):
    """conv3x3(3->16)+relu, conv3x3(16->16)+relu, 2x2 max pool, global average pool,
    dense(16->10); returns the weights for the oracle."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = {"w1": rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.3,
         "b1": rng.standard_normal(16).astype(np.float32) * 0.1,
         "w2": rng.standard_normal((16, 16, 3, 3)).astype(np.float32) * 0.1,
         "b2": rng.standard_normal(16).astype(np.float32) * 0.1,
         "wd": rng.standard_normal((10, 16)).astype(np.float32) * 0.3,
         "bd": rng.standard_normal(10).astype(np.float32) * 0.1}
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "wd", "bd"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "conv_net", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return w


def conv_net_oracle(w, image):
    import torch
    import torch.nn.functional as F

    t = {k: torch.from_numpy(v) for k, v in w.items()}
    x = F.relu(F.conv2d(torch.from_numpy(image), t["w1"], t["b1"], padding=1))
    x = F.relu(F.conv2d(x, t["w2"], t["b2"], padding=1))
    x = F.max_pool2d(x, 2).mean(dim=(2, 3))
    return (x @ t["wd"].T + t["bd"]).numpy()


def check_model(name, work, bin_dir, model, image, expected, tol):
    compiler = os.path.join(bin_dir, "kiln-compile")
    print(f"-- {name}")
    lib, lib2 = os.path.join(work, f"{name}.so"), os.path.join(work, f"{name}_again.so")
    exe, exe2 = os.path.join(work, name), os.path.join(work, f"{name}_again")
    for out in (lib, lib2, exe, exe2):
        p = run([compiler, model, "-o", out])
        if p.returncode != 0:
            sys.exit(f"kiln-compile {model} -o {out} failed:\n{p.stderr}")
    check(filecmp.cmp(lib, lib2, shallow=False), f"{name}: two compiles give identical libraries")
    check(filecmp.cmp(exe, exe2, shallow=False), f"{name}: two compiles give identical executables")

    image_path = os.path.join(work, f"{name}_image.npy")
    np.save(image_path, image)
    out_dir = os.path.join(work, f"{name}_stress")
    os.makedirs(out_dir)
    p = run([os.path.join(bin_dir, "kiln-runtime-stress"), lib, "--threads", str(THREADS),
             "--runs", str(RUNS), "--pool-threads", str(POOL), "--output-dir", out_dir,
             f"image={image_path}"])
    print(p.stdout.strip())
    check(p.returncode == 0 and p.stderr == "", f"{name}: concurrent runs match the serial run", p)
    try:
        report = json.loads(p.stdout)
        check(report["mismatches"] == 0 and report["failures"] == 0
              and report["serial_repeat_mismatches"] == 0
              and report["threads"] == THREADS and report["runs_per_thread"] == RUNS,
              f"{name}: stress report {report}")
    except (ValueError, KeyError):
        check(False, f"{name}: stress prints one JSON line", p)
    got_path = os.path.join(out_dir, "output0.npy")
    if os.path.exists(got_path):
        got = np.load(got_path)
        err = float(np.max(np.abs(got - expected)))
        check(got.shape == expected.shape and err <= tol,
              f"{name}: serial result vs the oracle: max abs error {err} (tolerance {tol})")

    # Across processes, and across thread counts, the output files are the same bytes.
    outputs = {}
    for threads in (1, 2, 4):
        for attempt in range(2):
            d = os.path.join(work, f"{name}_t{threads}_{attempt}")
            p = run([os.path.join(bin_dir, "kiln-run"), lib, "--input", f"image={image_path}",
                     "--threads", str(threads), "--output-dir", d])
            check(p.returncode == 0, f"{name}: kiln-run --threads {threads}", p)
            outputs[(threads, attempt)] = os.path.join(d, "logits.npy")
    first = outputs[(1, 0)]
    for key, path in outputs.items():
        if os.path.exists(path) and os.path.exists(first):
            check(filecmp.cmp(first, path, shallow=False),
                  f"{name}: output with --threads {key[0]} (process {key[1]}) equals --threads 1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    check_model("digits", work, args.bin_dir, os.path.join(DIGITS, "digits_cnn.onnx"),
                np.load(os.path.join(DIGITS, "input.npy")),
                np.load(os.path.join(DIGITS, "expected_logits.npy")), 1e-4)

    rng = np.random.default_rng(3)
    model = os.path.join(work, "conv_net.onnx")
    weights = make_conv_net(model, rng)
    image = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
    check_model("conv_net", work, args.bin_dir, model, image, conv_net_oracle(weights, image), 1e-4)
    with open(os.path.join(work, "conv_net.so"), "rb") as f:
        check(b"kiln_parallel_for" in f.read(), "conv_net: the library calls the thread pool")

    return e2e.finish(FAILURES, "the concurrency checks")


if __name__ == "__main__":
    sys.exit(main())
