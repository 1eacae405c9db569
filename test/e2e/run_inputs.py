#!/usr/bin/python3
"""Run-time inputs and `--train --save` targets (sixth review, F1 and F3).

Bool inputs: numpy reads any non-zero byte of a bool array as True, while
Kiln's code reads a bool as one bit (an LLVM i1, undefined for other bytes: a
Compress of 64 bytes of 2 gave 128 elements, half of them heap memory). A bool
.npy holding a byte other than 0 or 1 is refused where it enters, for
`--input`, `--data` and `--eval`, naming the input, the file and the first bad
index; 0/1 bytes still compute what numpy computes.

--save: it replaces its file after training, so naming a file the run reads
or writes (the artifact, directly or through a link, a --data or --eval
file, the checkpoint's manifest or tensors) is refused before training, and
the file keeps its bytes.

    /usr/bin/python3 test/e2e/run_inputs.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)
vi = helper.make_tensor_value_info


def save_model(path, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "m", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def bool_inputs(kc, kr, work):
    n = 64
    x = np.arange(n, dtype=np.float32)
    model = save_model(os.path.join(work, "compress.onnx"),
                       [helper.make_node("Compress", ["x", "c"], ["y"], name="cmp", axis=0)],
                       [vi("x", T.FLOAT, [n]), vi("c", T.BOOL, [n])], [vi("y", T.FLOAT, ["K"])])
    so = os.path.join(work, "compress.so")
    e2e.kiln_compile(kc, model, so, 300)
    xf = e2e.save_npy(os.path.join(work, "x.npy"), x)
    out = os.path.join(work, "out")
    cases = [("every byte 2", np.full(n, 2, np.uint8), 2, 0),
             ("every byte 255", np.full(n, 255, np.uint8), 255, 0),
             ("0 and 1, then 0x80 at 5", np.array([0, 1, 1, 0, 1, 128] + [1] * (n - 6), np.uint8),
              128, 5),
             ("0 and 1, then 3 last", np.array([1] * (n - 1) + [3], np.uint8), 3, n - 1)]
    for label, raw, byte, index in cases:
        cf = e2e.save_npy(os.path.join(work, "c.npy"), raw.view(np.bool_))
        shutil.rmtree(out, ignore_errors=True)
        res = e2e.run([kr, so, "--input", "x=" + xf, "--input", "c=" + cf, "--output-dir", out],
                      120)
        e2e.expect_refused(FAILURES, res,
                           f"input 'c': {cf}: expects bool bytes 0 or 1, found {byte} at index "
                           f"{index}",
                           f"a bool --input with {label} is refused", output_dir=out, exact=True)
    # Bytes 0 and 1 compute what numpy does (the oracle).
    c = (np.arange(n) % 3 == 0)
    cf = e2e.save_npy(os.path.join(work, "c.npy"), c)
    shutil.rmtree(out, ignore_errors=True)
    res = e2e.run([kr, so, "--input", "x=" + xf, "--input", "c=" + cf, "--output-dir", out], 120)
    check(res.returncode == 0, "Compress with bool bytes 0 and 1 runs", res)
    if res.returncode == 0:
        got = e2e.load_output(out, "y")
        check(got.shape == x[c].shape and np.array_equal(got, x[c]),
              f"Compress with bool bytes 0 and 1 matches numpy: got {got.tolist()}")

    # Training batches (--data and --eval) come through the same reader.
    tmodel = save_model(os.path.join(work, "masked.onnx"),
                        [helper.make_node("Where", ["c", "x", "zero"], ["xm"], name="mask"),
                         helper.make_node("MatMul", ["xm", "W"], ["y"], name="mm")],
                        [vi("x", T.FLOAT, ["N", 4]), vi("c", T.BOOL, ["N", 4])],
                        [vi("y", T.FLOAT, ["N", 2])],
                        [numpy_helper.from_array(np.zeros(1, np.float32), "zero"),
                         numpy_helper.from_array(np.ones((4, 2), np.float32), "W")])
    tso = os.path.join(work, "masked.so")
    e2e.kiln_compile(kc, tmodel, tso, 300, extra=["--train", "--loss=mse", "--label=t",
                                                   "--batch=2"])
    tx = e2e.save_npy(os.path.join(work, "tx.npy"), np.ones((4, 4), np.float32))
    tt = e2e.save_npy(os.path.join(work, "tt.npy"), np.zeros((4, 2), np.float32))
    good = e2e.save_npy(os.path.join(work, "tc_good.npy"), np.ones((4, 4), bool))
    raw = np.ones((4, 4), np.uint8)
    raw[1, 2] = 2
    bad = e2e.save_npy(os.path.join(work, "tc_bad.npy"), raw.view(np.bool_))
    base = [kr, tso, "--train", "--data", "x=" + tx, "--data", "t=" + tt, "--batch", "2",
            "--epochs", "1"]
    res = e2e.run(base + ["--data", "c=" + good], 120)
    check(res.returncode == 0, "training with bool bytes 0 and 1 runs", res)
    res = e2e.run(base + ["--data", "c=" + bad], 120)
    e2e.expect_refused(FAILURES, res,
                       f"--data 'c': {bad}: expects bool bytes 0 or 1, found 2 at index 6",
                       "a bool --data array with a byte 2 is refused", exact=True,
                       stdout_lacks='"step"')
    res = e2e.run(base + ["--data", "c=" + good, "--eval", f"x={tx},t={tt},c={bad}"], 120)
    e2e.expect_refused(FAILURES, res,
                       f"--eval 'c': {bad}: expects bool bytes 0 or 1, found 2 at index 6",
                       "a bool --eval array with a byte 2 is refused", exact=True,
                       stdout_lacks='"step"')


def save_targets(kc, kr, work):
    rng = np.random.default_rng(0)
    src = save_model(os.path.join(work, "linear.onnx"),
                     [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")],
                     [vi("x", T.FLOAT, ["N", 4])], [vi("y", T.FLOAT, ["N", 3])],
                     [numpy_helper.from_array(rng.standard_normal((4, 3)).astype(np.float32),
                                              "W")])
    so = os.path.join(work, "train.so")
    e2e.kiln_compile(kc, src, so, 300, extra=["--train", "--loss=softmax-cross-entropy",
                                              "--label=label", "--batch=2"])
    link = os.path.join(work, "link.so")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("train.so", link)
    x = e2e.save_npy(os.path.join(work, "sx.npy"), rng.random((10, 4), np.float32))
    y = e2e.save_npy(os.path.join(work, "sy.npy"), rng.integers(0, 3, 10).astype(np.int64))
    ex = e2e.save_npy(os.path.join(work, "ex.npy"), rng.random((3, 4), np.float32))
    ey = e2e.save_npy(os.path.join(work, "ey.npy"), np.array([0, 1, 2], np.int64))
    ck = os.path.join(work, "ck")
    shutil.rmtree(ck, ignore_errors=True)

    def train(artifact, *flags):
        return e2e.run([kr, artifact, "--train", "--data", "x=" + x, "--data", "label=" + y,
                        "--batch", "2", "--epochs", "1", *flags], 120)

    res = train(so, "--checkpoint", ck)
    check(res.returncode == 0 and os.path.isfile(os.path.join(ck, "checkpoint.txt")),
          "training writes a checkpoint", res)
    manifest = os.path.join(ck, "checkpoint.txt")
    tensor = os.path.join(ck, sorted(f for f in os.listdir(ck) if f.endswith(".npy"))[0])
    mlink = os.path.join(work, "manifest-link.txt")
    if os.path.lexists(mlink):
        os.remove(mlink)
    os.symlink(manifest, mlink)
    artifact_msg = f"--save: expects a file other than the artifact '{{}}', found the artifact itself"
    cases = [
        ("the artifact", so, [], so, artifact_msg.format(so)),
        ("the artifact run through a link", link, [], so, artifact_msg.format(link)),
        ("a link to the artifact", so, [], link, artifact_msg.format(so)),
        ("a --data file", so, [], x,
         f"--save: expects a file other than the --data file '{x}', found that file"),
        ("an --eval file", so, ["--eval", f"x={ex},label={ey}"], ey,
         f"--save: expects a file other than the --eval file '{ey}', found that file"),
        ("the checkpoint's manifest", so, ["--checkpoint", ck], manifest,
         f"--save: expects a file other than the files of --checkpoint '{ck}', found its "
         "'checkpoint.txt'"),
        ("a link to the checkpoint's manifest", so, ["--checkpoint", ck], mlink,
         f"--save: expects a file other than the files of --checkpoint '{ck}', found its "
         "'checkpoint.txt'"),
        ("a checkpoint tensor", so, ["--checkpoint", ck], tensor,
         f"--save: expects a file other than the files of --checkpoint '{ck}', found its "
         f"'{os.path.basename(tensor)}'"),
        ("a generation file the next save writes", so, ["--checkpoint", ck],
         os.path.join(ck, "g99-0.npy"),
         f"--save: expects a file other than the files of --checkpoint '{ck}', found its "
         "'g99-0.npy'"),
    ]
    for label, artifact, flags, out, message in cases:
        before = read(out) if os.path.exists(out) else None
        ck_before = {f: read(os.path.join(ck, f)) for f in os.listdir(ck)}
        res = train(artifact, *flags, "--save", out)
        e2e.expect_refused(FAILURES, res, message, f"--save onto {label} is refused", exact=True,
                           stdout_lacks='"step"')
        check((read(out) if os.path.exists(out) else None) == before,
              f"--save onto {label} leaves the file as it was")
        check({f: read(os.path.join(ck, f)) for f in os.listdir(ck)} == ck_before,
              f"--save onto {label} leaves the checkpoint as it was")
    # A file beside the checkpoint's, and the source model, are still fine.
    saved = os.path.join(ck, "model.onnx")
    res = train(so, "--checkpoint", ck, "--save", saved)
    check(res.returncode == 0 and onnx.load(saved).graph.node[0].op_type == "MatMul",
          "--save into the checkpoint folder under another name writes the model", res)
    res = train(so, "--save", os.path.join(work, "out.onnx"))
    check(res.returncode == 0, "--save onto a new file writes the model", res)


def run_all(args, work):
    kc = e2e.find_tool("kiln-compile", args.bin_dir)
    kr = e2e.find_tool("kiln-run", args.bin_dir)
    bool_inputs(kc, kr, work)
    save_targets(kc, kr, work)
    return e2e.finish(FAILURES, "run-time inputs and --save targets")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-run-inputs-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
