#!/usr/bin/python3
"""kiln-run --train on a hand-written training artifact, against numpy.

test/e2e/Inputs/train_linear.mlir is softmax regression (x 8x4, W 4x3, b 3,
int64 labels) whose train_step writes its SGD gradient out by hand, so this
tests the run-time side alone (no autodiff). numpy runs the same mini-batch
SGD in float64 on the same batches (the splitmix64 + Fisher-Yates order of
docs/training.md for --shuffle-seed, reimplemented here) and gives the
oracle for each logged loss, the eval loss and accuracy, and the trained W and
b (read back from a checkpoint and from the ONNX file --save writes; --save
to a link to /dev/null writes in place). Also:
shuffle determinism, a run resumed from a checkpoint equal to an
uninterrupted one, and every user error exits non-zero with its message.

    /usr/bin/python3 test/e2e/train_run.py --bin-dir build/bin --work-dir DIR
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MLIR = os.path.join(HERE, "Inputs", "train_linear.mlir")
MSE = os.path.join(HERE, "Inputs", "train_mse.mlir")
MULTI_ENTRY = os.path.join(HERE, "..", "Pipelines", "multi-entry.mlir")
B, LR = 8, 0.5
W0 = np.array([[0.1, -0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [0.05, 0.15, -0.25]],
              np.float32)
B0 = np.array([0.01, -0.02, 0.03], np.float32)
M64 = (1 << 64) - 1

failures = []


def check(ok, what):
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def run(cmd, expect_rc=0):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if expect_rc is not None and p.returncode != expect_rc:
        sys.exit(f"expected exit {expect_rc}, got {p.returncode}: {' '.join(cmd)}\n"
                 f"{p.stdout}{p.stderr}")
    return p


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def epoch_order(n, seed, epoch):
    """The row order of docs/training.md: Fisher-Yates driven by splitmix64."""
    order = list(range(n))
    if seed is None:
        return order
    state = seed ^ ((epoch * 0xD1B54A32D192ED03) & M64)
    for i in range(n - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def oracle(x, y, epochs, seed=None, ex=None, ey=None):
    """numpy SGD in float64: (per-step losses, per-epoch (eval loss, accuracy), W, b)."""
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    losses, evals = [], []
    for epoch in range(1, epochs + 1):
        order = epoch_order(len(x), seed, epoch)
        for s in range(len(x) // B):
            rows = order[s * B:(s + 1) * B]
            xb, yb = x[rows].astype(np.float64), y[rows]
            ls = log_softmax(xb @ w + b)
            losses.append(-ls[np.arange(B), yb].mean())
            g = (np.exp(ls) - np.eye(3)[yb]) / B
            w, b = w - LR * xb.T @ g, b - LR * g.sum(axis=0)
        if ex is not None:
            ls = log_softmax(ex.astype(np.float64) @ w + b)
            evals.append((-ls[np.arange(len(ex)), ey].mean(),
                          float((ls.argmax(axis=1) == ey).mean())))
    return losses, evals, w, b


def on_terminal(cmd):
    """Runs cmd with stderr on a pseudo-terminal: (stdout, what the terminal got)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, got = p.stdout.read(), b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        got += chunk
    p.wait()
    os.close(master)
    return out, got.decode(errors="replace")


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


def read_checkpoint(folder):
    """STATE name -> array, from the manifest of docs/training.md."""
    state = {}
    with open(os.path.join(folder, "checkpoint.txt")) as f:
        lines = f.read().splitlines()
    assert lines[0] == "kiln-checkpoint 1", lines[0]
    for line in lines[1:]:
        fields = line.split()
        if fields[0] == "state":
            state[fields[1]] = np.load(os.path.join(folder, fields[3]))
    return state, {l.split()[0]: int(l.split()[1]) for l in lines[1:4]}


def make_source(path, w_shape=(4, 3), with_b=True):
    """The inference model the artifact stands for: logits = x W + b."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    w = np.zeros(w_shape, np.float32)
    w[:4, :3] = W0[:w_shape[0], :w_shape[1]] if w_shape[0] <= 4 else 0
    inits = [numpy_helper.from_array(w, "W"),
             numpy_helper.from_array(np.full(3, 7, np.float32), "unrelated")]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["xw"])]
    if with_b:
        inits.append(numpy_helper.from_array(B0, "b"))
        nodes.append(helper.make_node("Add", ["xw", "b"], ["logits"]))
    else:
        nodes.append(helper.make_node("Identity", ["xw"], ["logits"]))
    graph = helper.make_graph(
        nodes, "linear", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", w_shape[1]])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    compile_ = os.path.join(args.bin_dir, "kiln-compile")
    kiln_run = os.path.join(args.bin_dir, "kiln-run")

    source = os.path.join(work, "src dir", "linear.onnx")  # a space: the path is encoded
    os.makedirs(os.path.dirname(source))
    make_source(source)
    with open(MLIR) as f:
        text = f.read().replace('source = "train_linear.onnx"', f'source = "{source}"')
    mlir = os.path.join(work, "train.mlir")
    with open(mlir, "w") as f:
        f.write(text)
    so, exe = os.path.join(work, "train.so"), os.path.join(work, "train")
    run([compile_, mlir, "-o", so])
    run([compile_, mlir, "-o", exe])

    rng = np.random.default_rng(11)
    x = rng.standard_normal((44, 4)).astype(np.float32)  # 5 batches, 4 rows dropped
    y = rng.integers(0, 3, 44).astype(np.int64)
    ex = rng.standard_normal((13, 4)).astype(np.float32)  # 2 eval batches, the last padded
    ey = rng.integers(0, 3, 13).astype(np.int64)
    files = {}
    for name, a in (("x", x), ("y", y), ("ex", ex), ("ey", ey), ("x64", x.astype(np.float64)),
                    ("x5", np.zeros((44, 5), np.float32)), ("y43", y[:43]), ("x7", x[:7]),
                    ("y7", y[:7])):
        files[name] = os.path.join(work, name + ".npy")
        np.save(files[name], a)
    data = ["--data", f"x={files['x']}", "--data", f"y={files['y']}", "--batch", "8"]
    evals = ["--eval", f"x={files['ex']},y={files['ey']}"]

    # Losses, eval and trained values against numpy, in order.
    ckpt = os.path.join(work, "ckpt_full")
    p = run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--checkpoint", ckpt] + evals)
    lines = json_lines(p.stdout)
    want_losses, want_evals, want_w, want_b = oracle(x, y, 2, None, ex, ey)
    steps = [l for l in lines if "loss" in l]
    check([(l["epoch"], l["step"]) for l in steps] == [(1 + i // 5, i + 1) for i in range(10)],
          "one JSON line per step, steps counted over the run, 5 per epoch (last partial dropped)")
    got = np.array([l["loss"] for l in steps])
    check(np.allclose(got, want_losses, rtol=1e-5, atol=1e-6),
          f"losses match numpy SGD (max diff {np.abs(got - want_losses).max():.2e})")
    ev = [l for l in lines if "eval_loss" in l]
    check([l["epoch"] for l in ev] == [1, 2] and
          all(abs(l["eval_loss"] - e[0]) < 1e-5 and abs(l["accuracy"] - e[1]) < 1e-8
              for l, e in zip(ev, want_evals)),
          f"eval loss and accuracy over all 13 rows match numpy: {ev} vs {want_evals}")
    state, meta = read_checkpoint(ckpt)
    check(np.allclose(state["W"], want_w, atol=1e-5) and np.allclose(state["b"], want_b, atol=1e-5),
          "checkpointed W and b match numpy's")
    check(state["step"] == 10 and meta == {"generation": 2, "epochs": 2, "steps": 10},
          f"checkpoint holds the step STATE and the counts: {meta}")
    check(sorted(os.listdir(ckpt)) == ["checkpoint.txt", "g2-0.npy", "g2-1.npy", "g2-2.npy"],
          "an older checkpoint generation's files are removed")

    # Resuming: 1 epoch, then 2 in all from the checkpoint, equals 2 at once.
    half = os.path.join(work, "ckpt_half")
    p1 = run([kiln_run, so, "--train"] + data + ["--epochs", "1", "--checkpoint", half] + evals)
    p2 = run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--checkpoint", half] + evals)
    check(p1.stdout + p2.stdout == p.stdout, "1 epoch + 1 resumed prints what 2 at once print")
    check("resuming from checkpoint" in p2.stderr, "the resumed run says so on stderr")
    check(f"no checkpoint in '{half}' yet: training from the start, saving there after each "
          "epoch" in p1.stderr, f"a run on an empty checkpoint folder says so: {p1.stderr!r}")
    resumed, resumed_meta = read_checkpoint(half)
    check(all(np.array_equal(resumed[k], state[k]) for k in state),
          "1 epoch + 1 resumed ends with the same STATE, bit for bit")
    # Asking for no more epochs than the checkpoint holds trains nothing, says
    # so, exits 0 and leaves the checkpoint as it was.
    p3 = run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--checkpoint", half] + evals)
    check(f"checkpoint '{half}' already holds 2 finished epochs (--epochs 2): nothing to train"
          in p3.stderr and p3.stdout == "",
          f"--epochs at the checkpoint's count trains nothing and says so: {p3.stderr!r}")
    again, again_meta = read_checkpoint(half)
    check(again_meta == resumed_meta and all(np.array_equal(again[k], resumed[k]) for k in again),
          "--epochs at the checkpoint's count leaves the checkpoint unchanged")

    # Shuffling: numpy's replay of the documented order; same seed, same run.
    shuf = [kiln_run, so, "--train"] + data + ["--epochs", "2", "--shuffle-seed", "12345"]
    p = run(shuf)
    want_losses, _, _, _ = oracle(x, y, 2, 12345)
    got = np.array([l["loss"] for l in json_lines(p.stdout)])
    check(np.allclose(got, want_losses, rtol=1e-5, atol=1e-6),
          "--shuffle-seed: losses match numpy with the splitmix64 Fisher-Yates order")
    check(run(shuf).stdout == p.stdout, "--shuffle-seed: the same seed gives the same run")
    other = run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--shuffle-seed", "7"])
    check(other.stdout != p.stdout, "--shuffle-seed: another seed gives another run")

    p = run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--log-every", "3"])
    check([l["step"] for l in json_lines(p.stdout)] == [3, 6, 9], "--log-every 3 logs steps 3, 6, 9")
    check(p.stderr == "", "no progress line when stderr is not a terminal")
    progress = on_terminal([kiln_run, so, "--train"] + data + ["--epochs", "1", "--threads", "2"])
    check("epoch 1/1  step 5/5  loss" in progress[1] and
          progress[0] == run([kiln_run, so, "--train"] + data + ["--epochs", "1"]).stdout,
          "a progress line on stderr when it is a terminal; stdout unchanged (and by --threads 2)")

    # --save: the trained W and b in a copy of the source; what it does not train kept.
    import onnx
    from onnx import numpy_helper
    saved = os.path.join(work, "trained.onnx")
    run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--save", saved])
    model = onnx.load(saved)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    check(np.array_equal(inits["W"], state["W"]) and np.array_equal(inits["b"], state["b"]),
          "--save: the ONNX file holds the trained W and b")
    check(np.array_equal(inits["unrelated"], np.full(3, 7, np.float32)) and
          [n.op_type for n in model.graph.node] == ["MatMul", "Add"],
          "--save: the rest of the source model is unchanged")
    # A file or link planted where a fixed temporary name used to be
    # (OUT.tmp) is neither written through nor left as OUT.
    victim, planted = os.path.join(work, "victim.txt"), os.path.join(work, "planted.onnx")
    with open(victim, "w") as f:
        f.write("secret\n")
    os.symlink(victim, planted + ".tmp")
    run([kiln_run, so, "--train"] + data + ["--epochs", "2", "--save", planted])
    with open(victim) as f:
        kept = f.read() == "secret\n"
    check(kept and not os.path.islink(planted) and
          np.array_equal(numpy_helper.to_array(
              {t.name: t for t in onnx.load(planted).graph.initializer}["W"]), state["W"]),
          "--save: a link planted at OUT.tmp is not written through; OUT is a new regular file")
    check(not [n for n in os.listdir(work) if n.startswith("planted.onnx.tmp-")],
          "--save: no temporary file is left beside OUT")
    # A FIFO as OUT is written in place, opened without blocking: with no
    # reader it is an error, not a hang.
    fifo = os.path.join(work, "fifo.onnx")
    os.mkfifo(fifo)
    p = run([kiln_run, so, "--train"] + data + ["--epochs", "1", "--save", fifo], expect_rc=None)
    check(p.returncode == 1 and
          f"--save: cannot write '{fifo}': No such device or address" in p.stderr,
          f"--save onto a FIFO with no reader fails at once (exit {p.returncode}): "
          f"{p.stderr.strip()[-200:]}")
    infer_so = os.path.join(work, "trained_infer.so")
    run([compile_, saved, "-o", infer_so])
    out_dir = os.path.join(work, "infer_out")
    run([kiln_run, infer_so, "--input", f"x={files['ex']}", "--output-dir", out_dir])
    logits = np.load(os.path.join(out_dir, "logits.npy"))
    check(np.allclose(logits, ex @ want_w + want_b, atol=1e-4),
          "--save: the saved model, compiled for inference, gives numpy's trained logits")

    # --save to an output that exists and is no regular file (a link to
    # /dev/null) writes in place: the link and the device stay as they were
    # and nothing is left beside them (renaming a temporary over it would
    # replace the link, and /dev/null itself as root).
    special = os.path.join(work, "special")
    shutil.rmtree(special, ignore_errors=True)
    os.mkdir(special)
    link = os.path.join(special, "out.onnx")
    os.symlink("/dev/null", link)
    p = run([kiln_run, so, "--train"] + data + ["--epochs", "1", "--save", link])
    import stat
    check(p.returncode == 0 and os.path.islink(link) and os.readlink(link) == "/dev/null"
          and stat.S_ISCHR(os.stat(link).st_mode) and os.listdir(special) == ["out.onnx"],
          "--save to a link to /dev/null writes in place: the link and the device stay, "
          "nothing beside them")

    # The standalone executable trains like kiln-run (all but --save).
    p = run([exe, "--train"] + data + ["--epochs", "2", "--shuffle-seed", "12345"])
    check(p.stdout == run(shuf).stdout, "the standalone executable trains as kiln-run does")

    mse(compile_, kiln_run, work)
    errors(kiln_run, compile_, so, exe, work, source, files, data)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("training run matches numpy")


def mse(compile_, kiln_run, work):
    """An mse artifact: float targets shaped like the output, no accuracy."""
    so = os.path.join(work, "mse.so")
    run([compile_, MSE, "-o", so])
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 2)).astype(np.float32)
    t = (x @ np.array([[2.0], [-1.0]], np.float32) + 0.5).astype(np.float32)
    ex, et = x[:11], t[:11]
    for name, a in (("mx", x), ("mt", t), ("mex", ex), ("met", et)):
        np.save(os.path.join(work, name + ".npy"), a)
    p = run([kiln_run, so, "--train", "--data", f"x={work}/mx.npy", "--data", f"t={work}/mt.npy",
             "--batch", "8", "--epochs", "3", "--eval", f"x={work}/mex.npy,t={work}/met.npy"])
    w, c = np.array([[0.5], [-0.5]]), np.zeros(1)
    losses, evals = [], []
    for _ in range(3):
        for s in range(3):
            xb, tb = x[s * 8:(s + 1) * 8].astype(np.float64), t[s * 8:(s + 1) * 8]
            r = xb @ w + c - tb
            losses.append((r ** 2).mean())
            g = 2 * r / 8
            w, c = w - 0.1 * xb.T @ g, c - 0.1 * g.sum(axis=0)
        evals.append(((ex @ w + c - et) ** 2).mean())
    lines = json_lines(p.stdout)
    got = np.array([l["loss"] for l in lines if "loss" in l])
    check(np.allclose(got, losses, rtol=1e-5, atol=1e-6), "mse: losses match numpy SGD")
    ev = [l for l in lines if "eval_loss" in l]
    check(all("accuracy" not in l for l in ev) and
          np.allclose([l["eval_loss"] for l in ev], evals, rtol=1e-5),
          f"mse: eval loss over 11 rows (last batch padded) matches numpy, no accuracy: {ev}")


def errors(kiln_run, compile_, so, exe, work, source, files, data):
    """Every bad input exits non-zero with a message saying what is wrong."""
    train = [kiln_run, so, "--train"]
    x, y = f"x={files['x']}", f"y={files['y']}"
    plain = os.path.join(work, "plain.so")
    run([compile_, MULTI_ENTRY, "-o", plain])
    ckpt = os.path.join(work, "ckpt_other")
    os.makedirs(ckpt)
    with open(os.path.join(work, "ckpt_full", "checkpoint.txt")) as f:
        manifest = f.read()
    with open(os.path.join(ckpt, "checkpoint.txt"), "w") as f:
        f.write(manifest.replace("state W parameter", "state V parameter"))
    # A checkpoint at the most steps one holds (2^62): one more epoch could
    # not be saved (it trained, then failed), so it is refused before training.
    huge_ckpt = os.path.join(work, "ckpt_huge")
    shutil.copytree(os.path.join(work, "ckpt_full"), huge_ckpt)
    with open(os.path.join(huge_ckpt, "checkpoint.txt"), "w") as f:
        f.write(manifest.replace("epochs 2\n", "epochs 0\n")
                .replace("steps 10\n", f"steps {2**62}\n"))
    fifo_ckpt = os.path.join(work, "ckpt_fifo")
    os.makedirs(fifo_ckpt)
    os.mkfifo(os.path.join(fifo_ckpt, "checkpoint.txt"))
    not_npy = os.path.join(work, "not.npy")
    with open(not_npy, "w") as f:
        f.write("hello")
    cases = [  # (what, command, exit status, expected stderr text)
        ("missing --data for the label", train + ["--data", x, "--batch", "8", "--epochs", "1"], 1,
         "--data: missing input 'y' (i64 array of shape N with N rows; give --data y=FILE.npy)"),
        ("unknown --data name", train + data + ["--data", f"z={files['x']}", "--epochs", "1"], 1,
         "--data: unknown input 'z' (the artifact's batch inputs: x, y)"),
        ("--data given twice", train + data + ["--data", x, "--epochs", "1"], 1,
         "--data: input 'x' given more than once"),
        ("wrong dtype", train + ["--data", f"x={files['x64']}", "--data", y, "--batch", "8",
                                 "--epochs", "1"], 1,
         "--data 'x': expected f32 array of shape Nx4 (N rows), got f64 44x4"),
        ("wrong shape", train + ["--data", f"x={files['x5']}", "--data", y, "--batch", "8",
                                 "--epochs", "1"], 1,
         "--data 'x': expected f32 array of shape Nx4 (N rows), got f32 44x5"),
        ("different row counts", train + ["--data", x, "--data", f"y={files['y43']}", "--batch",
                                          "8", "--epochs", "1"], 1,
         "--data: expected arrays with the same number of rows, got 44 in 'x' and 43 in 'y'"),
        ("fewer rows than a batch", train + ["--data", f"x={files['x7']}", "--data",
                                             f"y={files['y7']}", "--batch", "8", "--epochs", "1"],
         1, "--data: expected at least one batch of 8 rows, got 7 rows"),
        ("not a .npy file", train + ["--data", f"x={not_npy}", "--data", y, "--batch", "8",
                                     "--epochs", "1"], 1, "--data 'x': "),
        ("--batch other than compiled", train + ["--data", x, "--data", y, "--batch", "4",
                                                 "--epochs", "1"], 1,
         "--batch 4: expected the artifact's compiled batch 8"),
        ("--eval without the label", train + data + ["--epochs", "1", "--eval",
                                                     f"x={files['ex']}"], 1,
         "--eval: missing input 'y'"),
        ("not a training artifact", [kiln_run, plain, "--train"] + data + ["--epochs", "1"], 1,
         "--train: expects a training artifact (compiled with kiln-compile --train), found a "
         "model without 'training' lines in its signature"),
        ("checkpoint of other STATE", train + data + ["--epochs", "1", "--checkpoint", ckpt], 1,
         "expects STATE 0 to be 'W' (parameter), found 'V' (parameter)"),
        ("a checkpoint at 2^62 steps (it trained an epoch, then could not be saved)",
         train + data + ["--epochs", "1", "--checkpoint", huge_ckpt], 1,
         f"--checkpoint: expects at most 2^62 steps and epochs in all (the most a checkpoint "
         f"holds), found {2**62} steps done before epoch 1 of 1, at 5 steps per epoch"),
        ("--epochs past 2^62 with a checkpoint",
         train + data + ["--epochs", str(2**62 + 1), "--checkpoint", huge_ckpt], 1,
         f"--checkpoint: expects at most 2^62 steps and epochs in all (the most a checkpoint "
         f"holds), found {2**62} steps done before epoch 1 of {2**62 + 1}, at 5 steps per epoch"),
        ("a FIFO as the checkpoint manifest (it blocked forever)",
         train + data + ["--epochs", "1", "--checkpoint", fifo_ckpt], 1,
         os.path.join(fifo_ckpt, "checkpoint.txt") + ": expects a regular checkpoint manifest"),
        ("--save onto a directory (refused only after training)",
         train + data + ["--epochs", "1", "--save", work], 1,
         f"--save: cannot write '{work}': Is a directory"),
        ("--save from a standalone executable", [exe, "--train"] + data +
         ["--epochs", "1", "--save", os.path.join(work, "no.onnx")], 1,
         "--save needs the ONNX library, which this program is built without"),
        ("--input with --train", train + data + ["--epochs", "1", "--input", x], 2,
         "option not used with --train: '--input'"),
        ("--train without --batch", train + ["--data", x, "--data", y, "--epochs", "1"], 2,
         "--train needs --batch B"),
        ("--epochs 0", train + data + ["--epochs", "0"], 2,
         "--epochs expects an integer >= 1, got '0'"),
        ("--threads past 1024 (it was capped silently)",
         train + data + ["--epochs", "1", "--threads", "1025"], 2,
         "--threads expects at most 1024 threads (T <= 0: hardware concurrency), got '1025'"),
        ("--shuffle-seed -1", train + data + ["--epochs", "1", "--shuffle-seed", "-1"], 2,
         "--shuffle-seed expects an integer from 0 to 2^64-1, got '-1'"),
        ("--shuffle-seed ' -1' (strtoull skipped the space and took 2^64-1)",
         train + data + ["--epochs", "1", "--shuffle-seed", " -1"], 2,
         "--shuffle-seed expects an integer from 0 to 2^64-1, got ' -1'"),
        ("--eval naming nothing (it ran no evaluation)",
         train + data + ["--epochs", "1", "--eval", ","], 2,
         "--eval expects NAME=FILE.npy,..., got ','"),
    ]
    for what, cmd, rc, text in cases:
        p = run(cmd, expect_rc=None)
        check(p.returncode == rc and text in p.stderr and p.stdout == "",
              f"error: {what} (exit {p.returncode}): {p.stderr.strip().splitlines()[0] if p.stderr.strip() else ''}")

    # --save against a source that is gone or changed since compiling.
    save = train + data + ["--epochs", "1", "--save", os.path.join(work, "out.onnx")]
    moved = source + ".moved"
    os.rename(source, moved)
    p = run(save, expect_rc=None)
    check(p.returncode == 1 and f"--save: cannot read the source model '{source}'" in p.stderr
          and p.stdout == "", "error: --save with the source model gone")
    os.mkfifo(source)  # a FIFO in its place blocked the read; a device never ended
    p = run(save, expect_rc=None)
    check(p.returncode == 1 and f"--save: expects the source model '{source}' to be a regular "
          "file" in p.stderr and p.stdout == "",
          f"error: --save with a FIFO as the source model (exit {p.returncode})")
    os.remove(source)
    make_source(source, w_shape=(5, 3))
    p = run(save, expect_rc=None)
    check(p.returncode == 1 and "initializer 'W' of" in p.stderr and
          "expects f32 [4,3] as the trained STATE tensor, found ONNX type 1 [5,3]" in p.stderr,
          "error: --save with W of another shape in the source")
    make_source(source, with_b=False)
    p = run(save, expect_rc=None)
    check(p.returncode == 1 and "to have an initializer 'b' (a trained STATE tensor), found none"
          in p.stderr, "error: --save with an initializer gone from the source")
    # These are refused before training now: nothing on stdout.
    check(p.stdout == "", "error: a source that changed since compiling is found before training")
    check(not os.path.exists(os.path.join(work, "out.onnx")), "--save writes nothing on error")

    # A source keeping an initializer it does not train ('unrelated') in an
    # external file: OUT must sit in the source's folder, however that folder
    # is spelt; elsewhere it is refused before any training time is spent.
    import onnx
    make_source(source)
    model = onnx.load(source)
    onnx.external_data_helper.convert_model_to_external_data(
        model, all_tensors_to_one_file=True, location="linear.bin", size_threshold=0)
    onnx.save(model, source)
    folder = os.path.dirname(source)
    respelt = os.path.join(folder, "..", os.path.basename(folder), ".", "ext.onnx")
    p = run(train + data + ["--epochs", "1", "--save", respelt], expect_rc=None)
    check(p.returncode == 0 and os.path.isfile(os.path.join(folder, "ext.onnx")),
          f"--save beside an external-data source, its folder spelt another way (exit "
          f"{p.returncode}): {p.stderr.strip()[-200:]}")
    p = run(train + data + ["--epochs", "1", "--save", os.path.join(work, "ext.onnx")],
            expect_rc=None)
    check(p.returncode == 1 and p.stdout == "" and
          "keeps its data in an external file; expects OUT.onnx in the source's directory" in
          p.stderr, f"error: --save of an external-data source into another folder is refused "
          f"before training (exit {p.returncode}): {p.stderr.strip()[-200:]}")
    os.remove(os.path.join(folder, "linear.bin"))
    os.replace(moved, source)


if __name__ == "__main__":
    main()
