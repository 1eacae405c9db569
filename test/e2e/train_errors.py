#!/usr/bin/python3
"""Training errors: each bad model, flag or input gets a clear message and a
non-zero exit, never a crash or a silent wrong answer.

Small models built with onnx.helper (a linear classifier y = x W + b, and
variants) are compiled with `kiln-compile --train` and run with
`kiln-run --train`; each case checks the exit status and the message.

    /usr/bin/python3 test/e2e/train_errors.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import functools
import hashlib
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper, numpy_helper

import kiln_e2e as e2e

FAILURES = []
check = functools.partial(e2e.expect, FAILURES)


def linear(path, dtype=np.float32, out_rank=2, batch="N", bn_rows=None, cut=False):
    """x [batch, 4] -> x W + b [batch, 3]; variants: another float type, a
    rank-1 output (a sum), batch norm over [N, 3], the output not reading W."""
    vi = helper.make_tensor_value_info
    et = T.FLOAT if dtype == np.float32 else T.DOUBLE
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal((4, 3)).astype(dtype), "W"),
             numpy_helper.from_array(np.zeros(3, dtype), "b")]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["xw"]),
             helper.make_node("Add", ["x3" if cut else "xw", "b"], ["y"])]
    if cut:
        nodes.insert(0, helper.make_node("Slice", ["x", "s0", "s1", "s2"], ["x3"]))
        inits += [numpy_helper.from_array(np.array([0], np.int64), "s0"),
                  numpy_helper.from_array(np.array([3], np.int64), "s1"),
                  numpy_helper.from_array(np.array([1], np.int64), "s2")]
    out = "y"
    if bn_rows:
        inits += [numpy_helper.from_array(np.ones(3, dtype), n) for n in ("s", "v")]
        inits += [numpy_helper.from_array(np.zeros(3, dtype), n) for n in ("bb", "m")]
        nodes.append(helper.make_node("BatchNormalization", ["y", "s", "bb", "m", "v"], ["z"]))
        out = "z"
    shape = [batch, 3]
    if out_rank == 1:
        # ReduceSum-13 takes its axes as an input.
        inits.append(numpy_helper.from_array(np.array([1], np.int64), "ax"))
        nodes.append(helper.make_node("ReduceSum", [out, "ax"], ["r"], keepdims=0))
        out, shape = "r", [batch]
    graph = helper.make_graph(nodes, "m", [vi("x", et, [batch, 4])], [vi(out, et, shape)], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def run_all(args, work):
    kc = e2e.find_tool("kiln-compile", args.bin_dir)
    kr = e2e.find_tool("kiln-run", args.bin_dir)
    base = linear(os.path.join(work, "linear.onnx"))
    so = os.path.join(work, "t.so")
    train = ["--train", "--loss=softmax-cross-entropy", "--label=y_true", "--batch=4"]

    def compile_fails(tag, model, flags, needle):
        e2e.expect_refused(FAILURES, e2e.run([kc, model, *flags, "-o", so], 300), needle,
                           f"kiln-compile {tag}: {needle}")

    compile_fails("loss without --train", base, ["--loss=mse", "--batch=4"],
                  "--loss is a training option: it needs --train")
    compile_fails("beta1 with sgd", base, train + ["--beta1=0.8"],
                  "--beta1 is read only by --optimizer=adam and adamw, found --optimizer=sgd")
    compile_fails("alpha with adam", base, train + ["--optimizer=adam", "--alpha=0.9"],
                  "--alpha is read only by --optimizer=rmsprop")
    compile_fails("garbage batch", base, ["--train", "--loss=mse", "--label=t", "--batch=-3"],
                  "--batch expects B >= 1, found -3")
    compile_fails("infinite --lr", base, train + ["--lr=inf"],
                  "expects a finite --lr > 0, found INF")
    compile_fails("NaN --lr", base, train + ["--lr=nan"], "expects a finite --lr > 0, found nan")
    compile_fails("an empty --freeze", base, train + ["--freeze="],
                  "--freeze expects a pattern, found an empty one")
    compile_fails("a clip norm of 0", base, train + ["--clip-norm=0"],
                  "--clip-norm expects a finite norm > 0 (leave it out for no clipping), found 0")
    compile_fails("infinite --weight-decay", base, train + ["--weight-decay=inf"],
                  "expects a finite --weight-decay >= 0, found INF")
    compile_fails("negative --momentum", base, train + ["--momentum=-1"],
                  "expects a finite --momentum >= 0, found -1")
    compile_fails("a batch of 0 rows through --input-shape", base,
                  ["--train", "--loss=softmax-cross-entropy", "--label=y_true",
                   "--input-shape", "x=0x4"],
                  "expects a batch of at least one row, found the first output's dim 0 of 0")
    compile_fails("--batch against a static batch",
                  linear(os.path.join(work, "static.onnx"), batch=2), train,
                  "--batch 4: graph input 'x' has a static dim 0 of 2")
    compile_fails("--batch against --input-shape", base,
                  train + ["--input-shape", "x=16x4"],
                  "--batch 4 and --input-shape for 'x' disagree on dim 0 (16)")
    compile_fails("label named like a parameter", base,
                  ["--train", "--loss=softmax-cross-entropy", "--label=W", "--batch=4"],
                  "expects --label to name a new input, found 'W', the name of a state tensor")
    compile_fails("freeze matching nothing", base, train + ["--freeze=^conv"],
                  "expects --freeze='^conv' to match a parameter, found none matching among: W, b")
    # Running statistics are not parameters: --freeze does not stop their
    # update, so a pattern matching only them matches nothing.
    compile_fails("freeze matching running statistics only",
                  linear(os.path.join(work, "bn_freeze.onnx"), bn_rows=True),
                  ["--train", "--loss=mse", "--label=t", "--batch=4", "--freeze=^(m|v)$"],
                  "expects --freeze='^(m|v)$' to match a parameter, found none matching among: W, b, s, bb")
    named_loss = onnx.load(base)
    for init in named_loss.graph.initializer:
        if init.name == "b":
            init.name = "loss"
    for node in named_loss.graph.node:
        node.input[:] = ["loss" if i == "b" else i for i in node.input]
    onnx.save(named_loss, os.path.join(work, "named_loss.onnx"))
    compile_fails("an initializer named loss", os.path.join(work, "named_loss.onnx"), train,
                  "expects no initializer named 'loss' (the name of the entries' loss output), "
                  "found one; rename it in the model")
    compile_fails("rank-1 scores", linear(os.path.join(work, "r1.onnx"), out_rank=1), train,
                  "expects the model's first output to be scores [N, C, ...] of rank >= 2")
    compile_fails("float64 model", linear(os.path.join(work, "f64.onnx"), dtype=np.float64), train,
                  "expects the model's first output (what the loss reads) to be f32")
    compile_fails("batch norm of one value per channel",
                  linear(os.path.join(work, "bn.onnx"), bn_rows=True),
                  ["--train", "--loss=mse", "--label=t", "--batch=1"],
                  "expects more than one value per channel in training mode")
    compile_fails("loss reads no parameter's", linear(os.path.join(work, "cut.onnx"), cut=True),
                  ["--train", "--loss=mse", "--label=t", "--batch=4", "--freeze=^b$"],
                  "expects the loss to depend on at least one trainable parameter")

    # Run-time errors of a compiled step.
    res = e2e.run([kc, base, *train, "--lr=1e30", "-o", so], 300)
    check(res.returncode == 0, "kiln-compile of the linear classifier", res)
    x = e2e.save_npy(os.path.join(work, "x.npy"), np.ones((8, 4), np.float32) * 1e10)
    y = e2e.save_npy(os.path.join(work, "y.npy"), np.array([0, 1, 2, 0, 1, 2, 0, 1], np.int64))
    bad = e2e.save_npy(os.path.join(work, "bad.npy"), np.array([0, 1, 2, 3, 1, 2, 0, 1], np.int64))
    def train_fails(labels, flags, needle, what, stdout_lacks=None):
        res = e2e.run([kr, so, "--train", "--data", "x=" + x, "--data", "y_true=" + labels,
                       "--batch", "4", *flags], 120)
        e2e.expect_refused(FAILURES, res, needle, what, stdout_lacks=stdout_lacks)

    # The artifact run without --train: training options are named as such,
    # and an input given to the default entry (init) gets a note.
    res = e2e.run([kr, so, "--data", "x=" + x, "--batch", "4"], 120)
    check(res.returncode == 2 and "unknown option (a training option: it needs --train) '--data'"
          in res.stderr, "--data without --train: a usage error naming the missing --train", res)
    e2e.expect_refused(FAILURES, e2e.run([kr, so, "--input", "x=" + x], 120),
                       "note: this is a training artifact, whose default entry 'init' takes no "
                       "inputs: train it with --train, or run --entry infer or --entry eval",
                       "an input for the training artifact's default entry points to --train")
    train_fails(bad, ["--epochs", "1"], "expects every target in [0, C)",
                "a label outside [0, C) is a run-time error naming the loss",
                stdout_lacks="nn.softmax_cross_entropy")
    train_fails(y, ["--epochs", "3"], "training diverged",
                "a loss that is not finite stops training with an error")
    train_fails(y, ["--epochs", "1", "--save", "/nonexistent-dir/out.onnx"],
                "--save: cannot write into the folder",
                "an unwritable --save folder is refused before training", stdout_lacks='"step"')

    # --save writes into a copy of the source model, so the source must be the
    # file compiled: kiln-compile records its SHA-256 (hashlib's below is the
    # oracle) and --save refuses a source changed since, naming it, before
    # training. Here W's values change and its shape does not, which --save's
    # other checks let through; the same bytes again are accepted.
    src = linear(os.path.join(work, "source.onnx"))
    src_so = os.path.join(work, "source.so")
    res = e2e.run([kc, src, *train, "-o", src_so], 300)
    check(res.returncode == 0, "kiln-compile of the source model", res)
    with open(src, "rb") as f:
        original = f.read()
    model = onnx.load(src)
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(
        numpy_helper.to_array(model.graph.initializer[0]) + 1, "W"))
    onnx.save(model, src)
    with open(src, "rb") as f:
        changed = f.read()
    saved = os.path.join(work, "saved.onnx")
    if os.path.exists(saved):  # from an earlier run in the same --work-dir
        os.remove(saved)
    xs = e2e.save_npy(os.path.join(work, "x_small.npy"),
                      np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4))
    save_run = [kr, src_so, "--train", "--data", "x=" + xs, "--data", "y_true=" + y, "--batch", "4",
                "--epochs", "1", "--save", saved]
    res = e2e.run(save_run, 120)
    e2e.expect_refused(
        FAILURES, res,
        f"--save: expects the source model '{src}' and its external data to be what the "
        f"artifact was compiled from (SHA-256 {hashlib.sha256(original).hexdigest()}), found "
        f"them changed since compiling (SHA-256 {hashlib.sha256(changed).hexdigest()})",
        "--save into a source changed since compiling is refused before training",
        exact=True, stdout_lacks='"step"')
    check(not os.path.exists(saved), "--save wrote nothing for a changed source")
    with open(src, "wb") as f:
        f.write(original)
    res = e2e.run(save_run, 120)
    check(res.returncode == 0 and os.path.isfile(saved),
          "--save into the unchanged source (the same bytes again) runs and writes", res)
    # --save onto the source model itself (spelt another way) would lose the
    # untrained model: refused before training, the source unchanged.
    res = e2e.run(save_run[:-1] + [os.path.join(work, ".", "source.onnx")], 120)
    e2e.expect_refused(
        FAILURES, res,
        f"--save: expects a file other than the source model '{src}', found the source "
        "model itself",
        "--save onto the source model is refused before training", stdout_lacks='"step"')
    with open(src, "rb") as f:
        check(f.read() == original, "--save onto the source model left it unchanged")
    # A --checkpoint folder that cannot be made (no folder can be made in
    # /proc, even as root) is refused before training, not at the end of the
    # first epoch.
    res = e2e.run(save_run[:-2] + ["--checkpoint", "/proc/kiln-checkpoint"], 120)
    e2e.expect_refused(
        FAILURES, res, "--checkpoint: cannot create checkpoint directory '/proc/kiln-checkpoint'",
        "an uncreatable --checkpoint folder is refused before training", stdout_lacks='"step"')

    # The digest covers external data too (tools/common/ModelDigest.h): the
    # model file, then each external file's location, a NUL and its bytes. A
    # frozen W kept in w.bin and changed there (the .onnx untouched) is
    # refused; hashlib computes the expected digests.
    ext_dir = os.path.join(work, "ext")
    shutil.rmtree(ext_dir, ignore_errors=True)  # onnx appends to an existing w.bin
    os.makedirs(ext_dir)
    ext = os.path.join(ext_dir, "source.onnx")
    onnx.save(onnx.load(src), ext, save_as_external_data=True, all_tensors_to_one_file=True,
              location="w.bin", size_threshold=0)
    ext_so = os.path.join(work, "ext.so")
    res = e2e.run([kc, ext, *train, "--freeze=^W$", "-o", ext_so], 300)
    check(res.returncode == 0, "kiln-compile of the source model with external data", res)
    # --save onto the source's external data file is refused before training.
    wbin = os.path.join(ext_dir, "w.bin")
    with open(wbin, "rb") as f:
        wbin_bytes = f.read()
    res = e2e.run([kr, ext_so, "--train", "--data", "x=" + xs, "--data", "y_true=" + y,
                   "--batch", "4", "--epochs", "1", "--save", wbin], 120)
    e2e.expect_refused(
        FAILURES, res,
        f"--save: expects OUT.onnx to be another file than the external data file '{wbin}'",
        "--save onto the source's external data file is refused before training",
        stdout_lacks='"step"')
    with open(wbin, "rb") as f:
        check(f.read() == wbin_bytes, "--save onto the external data file left it unchanged")
    def ext_digest():
        h = hashlib.sha256(open(ext, "rb").read())
        h.update(b"w.bin\0" + open(os.path.join(ext_dir, "w.bin"), "rb").read())
        return h.hexdigest()
    before = ext_digest()
    with open(os.path.join(ext_dir, "w.bin"), "r+b") as f:
        f.write(np.full(4, 7.0, np.float32).tobytes())
    ext_saved = os.path.join(ext_dir, "saved.onnx")
    if os.path.exists(ext_saved):
        os.remove(ext_saved)
    res = e2e.run([kr, ext_so, "--train", "--data", "x=" + xs, "--data", "y_true=" + y,
                   "--batch", "4", "--epochs", "1", "--save", ext_saved], 120)
    e2e.expect_refused(
        FAILURES, res,
        f"--save: expects the source model '{ext}' and its external data to be what the "
        f"artifact was compiled from (SHA-256 {before}), found them changed since compiling "
        f"(SHA-256 {ext_digest()})",
        "--save with a frozen initializer's external data changed since compiling is refused",
        exact=True, stdout_lacks='"step"')
    check(not os.path.exists(ext_saved), "--save wrote nothing for changed external data")
    # An external data file gone since compiling: named, not hashed as empty.
    os.remove(os.path.join(ext_dir, "w.bin"))
    res = e2e.run([kr, ext_so, "--train", "--data", "x=" + xs, "--data", "y_true=" + y,
                   "--batch", "4", "--epochs", "1", "--save", ext_saved], 120)
    e2e.expect_refused(
        FAILURES, res,
        f"--save: cannot read the external data file '{ext_dir}/w.bin' of initializer 'W': "
        "No such file or directory",
        "--save with an external data file removed since compiling is refused", exact=True,
        stdout_lacks='"step"')

    # A checkpoint whose Adam step count ('step', optimizer state) is negative
    # or past the counts a checkpoint holds: it loaded, then the bias
    # correction made the parameters NaN ("training diverged") or the count
    # was saved past 2^62. Refused at load, naming the value.
    adam_so = os.path.join(work, "adam.so")
    res = e2e.run([kc, src, *train, "--optimizer=adam", "-o", adam_so], 300)
    check(res.returncode == 0, "kiln-compile with Adam", res)
    adam_run = [kr, adam_so, "--train", "--data", "x=" + xs, "--data", "y_true=" + y,
                "--batch", "4", "--epochs", "1"]
    good_ckpt = os.path.join(work, "adam_ckpt")
    shutil.rmtree(good_ckpt, ignore_errors=True)
    res = e2e.run(adam_run + ["--checkpoint", good_ckpt], 120)
    check(res.returncode == 0, "Adam training writes a checkpoint", res)
    with open(os.path.join(good_ckpt, "checkpoint.txt")) as f:
        step_file = [l.split()[3] for l in f if l.split()[:2] == ["state", "step"]][0]
    for value in (-1, 2**62, 2**63 - 1):
        bad_ckpt = os.path.join(work, "adam_ckpt_bad")
        shutil.rmtree(bad_ckpt, ignore_errors=True)
        shutil.copytree(good_ckpt, bad_ckpt)
        np.save(os.path.join(bad_ckpt, step_file), np.array(value, np.int64))
        res = e2e.run(adam_run + ["--epochs", "2", "--checkpoint", bad_ckpt], 120)
        e2e.expect_refused(
            FAILURES, res,
            f"--checkpoint: checkpoint '{bad_ckpt}/checkpoint.txt': expects the optimizer's step "
            f"count 'step' from 0 to 2^62 - 1, found {value}",
            f"a checkpoint with Adam's step count {value} is refused at load", exact=True,
            stdout_lacks='"step"')

    # Rows of zero elements: a 128-byte .npy header can claim 2^62 of them.
    # The epoch's row order (8 bytes a row) wrapped to a 0-byte allocation and
    # was written past its end (SIGSEGV).
    zero = os.path.join(work, "zero_width.onnx")
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "W"], ["y"])], "zero_width",
        [helper.make_tensor_value_info("x", T.FLOAT, ["N", 0])],
        [helper.make_tensor_value_info("y", T.FLOAT, ["N", 0])],
        [numpy_helper.from_array(np.array([2.0], np.float32), "W")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), zero)
    zero_so = os.path.join(work, "zero_width.so")
    res = e2e.run([kc, zero, "--train", "--loss=mse", "--label=t", "--batch=4", "-o", zero_so], 300)
    check(res.returncode == 0, "kiln-compile of a model with zero-width rows", res)
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 0), }"
    header += " " * (64 - 10 - len(header) - 1) + "\n"
    huge = os.path.join(work, "huge_rows.npy")
    with open(huge, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    if e2e.built_with_asan(kr):  # ASan aborts on calloc(2^62, 8) instead of returning NULL
        print("SKIP 2^62 zero-width rows: kiln-run is built with ASan")
    else:
        res = e2e.run([kr, zero_so, "--train", "--data", "x=" + huge, "--data", "t=" + huge,
                       "--batch", "4", "--epochs", "1"], 120)
        e2e.expect_refused(
            FAILURES, res,
            "--data: cannot hold the row order of 4611686018427387904 rows: out of memory",
            "2^62 zero-width rows: a clear error, not a heap overflow")
    return e2e.finish(FAILURES, "training errors")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    with e2e.work_dir(args.work_dir, prefix="kiln-train-errors-") as work:
        return run_all(args, work)


if __name__ == "__main__":
    sys.exit(main())
