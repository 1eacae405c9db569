#!/usr/bin/python3
"""`make train-demo`: train the digits CNN with Kiln, then check the saved model.

Steps, each printed as it runs:
  1. make_data.py: scikit-learn's bundled digits as .npy (80/20 split);
  2. model.py: the untrained CNN exported to ONNX (torch's initialization);
  3. kiln-compile --train: one native training step (forward, backward, Adam);
  4. kiln-run --train: EPOCHS epochs of batches of 32, shuffled, evaluated on
     the test images after each epoch, trained parameters saved to trained.onnx;
  5. kiln-compile trained.onnx (plain inference) and kiln-run on the test
     images; numpy computes the accuracy from the logits;
  6. when Node.js and onnxruntime-node are there (NODE_MODULES, which
     `make bench` installs into build/bench/node), ONNX Runtime runs
     trained.onnx on the same images.
It fails unless every accuracy is at least --min-accuracy (97%) and Kiln's and
ONNX Runtime's agree.

    /usr/bin/python3 examples/digits/train_demo.py --bin-dir build/bin --work-dir build/train-demo
        [--epochs 10] [--lr 0.003] [--node-modules build/bench/node/node_modules]
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
BATCH = 32


class DemoError(Exception):
    pass


def step(title):
    print(f"--- {title}", flush=True)


def shown(arg):
    """`arg` relative to the current folder when it is a path below it (shorter echoes)."""
    if os.path.isabs(arg) and arg.startswith(os.getcwd() + os.sep):
        return os.path.relpath(arg)
    return arg


def run(cmd, timeout, stream=False):
    """Run `cmd`, echoing it; with `stream`, print its stdout lines as they come.
    Returns stdout. Raises DemoError (with the tool's message) on failure."""
    cmd = [str(c) for c in cmd]
    print("$ " + shlex.join(shown(c) for c in cmd), flush=True)
    start = time.monotonic()
    # stderr is passed through: kiln-run draws its progress line there on a terminal.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE if not stream
                            else None, text=True, start_new_session=True)
    # A watchdog kills the whole process group, so a hung tool cannot stall the demo.
    timed_out = []
    watchdog = threading.Timer(timeout, lambda: (timed_out.append(1), os.killpg(proc.pid, 9)))
    watchdog.start()
    try:
        if stream:
            lines = []
            for line in proc.stdout:
                lines.append(line)
                print("  " + line.rstrip("\n"), flush=True)
            proc.wait()
            out, err = "".join(lines), ""
        else:
            out, err = proc.communicate()
    finally:
        watchdog.cancel()
    if timed_out:
        raise DemoError(f"{os.path.basename(cmd[0])} did not finish in {timeout:g} s")
    if proc.returncode != 0:
        message = (err or "").strip() or out.strip()
        raise DemoError(f"{os.path.basename(cmd[0])} failed (exit {proc.returncode}):\n{message}")
    if not stream and out.strip():
        print("  " + out.strip().replace("\n", "\n  "), flush=True)
    print(f"  ({time.monotonic() - start:.1f} s)", flush=True)
    return out


def accuracy(logits, labels):
    return float((np.asarray(logits).argmax(axis=1) == labels).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO_ROOT, "build", "bin"))
    ap.add_argument("--work-dir", default=os.path.join(REPO_ROOT, "build", "train-demo"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", default="0.003", help="Adam's learning rate (default 0.003)")
    ap.add_argument("--min-accuracy", type=float, default=0.97)
    ap.add_argument("--node-modules", default=os.path.join(REPO_ROOT, "build", "bench", "node",
                                                           "node_modules"),
                    help="a node_modules folder holding onnxruntime-node (skipped when absent)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per command")
    args = ap.parse_args()

    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    compiler = os.path.join(args.bin_dir, "kiln-compile")
    runner = os.path.join(args.bin_dir, "kiln-run")
    for tool in (compiler, runner):
        if not os.access(tool, os.X_OK):
            sys.exit(f"train-demo: {tool} not found (build first: make build)")
    f = lambda name: os.path.join(work, name)  # noqa: E731
    start = time.monotonic()
    try:
        step("1/6 data: scikit-learn's 8x8 digits, 80/20 split")
        run([sys.executable, os.path.join(HERE, "make_data.py"), work], 120)
        step("2/6 model: an untrained CNN exported from PyTorch")
        run([sys.executable, os.path.join(HERE, "model.py"), f("model.onnx")], 120)

        step(f"3/6 compile one training step (softmax cross-entropy, Adam lr {args.lr}, "
             f"batch {BATCH})")
        run([compiler, f("model.onnx"), "--train", "--loss=softmax-cross-entropy",
             "--label=label", "--optimizer=adam", f"--lr={args.lr}", "--batch", BATCH,
             "-o", f("train.so")], args.timeout)

        step(f"4/6 train {args.epochs} epochs, evaluating on the test images after each")
        steps_per_epoch = len(np.load(f("train_y.npy"))) // BATCH
        out = run([runner, f("train.so"), "--train", "--data", f"input={f('train_x.npy')}",
                   "--data", f"label={f('train_y.npy')}", "--batch", BATCH,
                   "--epochs", args.epochs, "--shuffle-seed", 1,
                   "--log-every", max(1, steps_per_epoch // 4),
                   "--eval", f"input={f('test_x.npy')},label={f('test_y.npy')}",
                   "--save", f("trained.onnx")], args.timeout, stream=True)
        evals = [json.loads(line) for line in out.splitlines()
                 if line.startswith("{") and "accuracy" in line]
        if len(evals) != args.epochs:
            raise DemoError(f"kiln-run printed {len(evals)} eval lines, expected {args.epochs}")
        eval_acc = evals[-1]["accuracy"]

        step("5/6 compile trained.onnx for inference and classify the test images")
        run([compiler, f("trained.onnx"), "-o", f("infer.so")], args.timeout)
        run([runner, f("infer.so"), "--input", f"input={f('test_x.npy')}",
             "--output-dir", f("infer_out")], args.timeout)
        labels = np.load(f("test_y.npy"))
        kiln_logits = np.load(os.path.join(f("infer_out"), "logits.npy"))
        kiln_acc = accuracy(kiln_logits, labels)
        results = [("kiln-run --train eval entry, last epoch", eval_acc),
                   ("kiln-compile trained.onnx", kiln_acc)]

        step("6/6 ONNX Runtime on trained.onnx")
        ort_js = os.path.join(REPO_ROOT, "bench", "ort_bench.js")
        if shutil.which("node") and os.path.isdir(os.path.join(args.node_modules,
                                                               "onnxruntime-node")):
            env = dict(os.environ, NODE_PATH=os.path.abspath(args.node_modules))
            cmd = ["node", ort_js, f("trained.onnx"), f("test_x.npy"), "1", "1",
                   "--output", f("ort_logits.npy")]
            print("$ " + shlex.join(cmd), flush=True)
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                  timeout=args.timeout)
            if proc.returncode != 0:
                raise DemoError(f"ONNX Runtime failed: {proc.stderr.strip()}")
            ort_logits = np.load(f("ort_logits.npy"))
            results.append(("ONNX Runtime (onnxruntime-node) trained.onnx",
                            accuracy(ort_logits, labels)))
            diff = float(np.abs(ort_logits - kiln_logits).max())
            print(f"  max |Kiln - ONNX Runtime| logit difference: {diff:.2g}")
        else:
            print(f"  skipped: no node or no onnxruntime-node under {args.node_modules} "
                  "(`make bench` installs it)")
    except (DemoError, subprocess.TimeoutExpired, OSError) as err:
        print(f"train-demo: error: {err}", file=sys.stderr, flush=True)
        return 1

    n = len(labels)
    print(f"--- test accuracy on {n} held-out images:")
    for what, acc in results:
        print(f"  {100 * acc:6.2f}% ({round(acc * n)}/{n})  {what}")
    failures = [what for what, acc in results if acc < args.min_accuracy]
    if failures:
        print(f"train-demo: error: accuracy below {100 * args.min_accuracy:g}%: "
              f"{'; '.join(failures)}", file=sys.stderr)
        return 1
    # The saved model must classify as the training artifact's eval entry did, and
    # ONNX Runtime as Kiln (one image of slack for a near tie between two logits).
    spread = max(acc for _, acc in results) - min(acc for _, acc in results)
    if spread * n > 1.5:
        print(f"train-demo: error: the accuracies disagree by {round(spread * n)} images",
              file=sys.stderr)
        return 1
    print(f"train-demo: OK in {time.monotonic() - start:.0f} s "
          f"(trained model: {shown(f('trained.onnx'))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
