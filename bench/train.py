#!/usr/bin/python3
"""Training steps per second and memory: Kiln's compiled step against PyTorch eager.

For each model (built here in torch, default initialization, seed 0; nothing
downloaded), both sides run the same training step on the same machine with
the same thread count: softmax cross-entropy on random data with random
labels, Adam (lr 1e-3), batch norm in training mode.

* Kiln: examples/digits/model.py exports the model to ONNX (batch norm kept,
  torch's parameter names) and `kiln-compile --train --optimizer=adam --batch B`
  builds the step. bench/train_loop.c (built here against the runtime's
  trainer API) loads the artifact, runs init, then 3 warm-up steps and 3
  timed rounds of steps over the same 8 batches, keeping the fastest round:
  the same loop as PyTorch's below. Where the runtime has no trainer API, the
  steps per second come instead from the wall times of two `kiln-run --train`
  runs, a short and a long one ((long - short) / steps difference, so loading
  and init cancel out), each the fastest of 3.
* PyTorch eager: a fresh Python process (torch.set_num_threads(T),
  set_num_interop_threads(1)) builds the same model from the same seed, runs 3
  warm-up steps (zero_grad, forward, loss, backward, optimizer step), then times
  steps in 3 rounds and keeps the fastest round. The process runs with glibc
  malloc tuned so that freed blocks stay in the process (GLIBC_TUNABLES
  mmap_threshold 32 MiB, trim_threshold 256 MiB; `--torch-malloc default`
  leaves glibc's defaults). With the defaults, some processes keep unmapping
  and re-faulting their large temporaries every step: measured on an AMD EPYC
  VM, 300,000-590,000 page faults and 15-26 steps/s for the ResNet-style CNN
  against 43,000-52,000 and 58-71 steps/s, per process at random. Tuned, PyTorch
  gets its fast draw every time, which is the fair peer (PyTorch's CPU
  performance guide advises a caching allocator such as jemalloc for the same
  reason).
* Rounds: the two sides are timed in turn, Kiln then PyTorch, `--rounds`
  times (default 3), and each side's fastest round is kept. This machine's
  speed moves by 10-30% over minutes, and a single timing of each put a slow
  spell on one side only: the ResNet-style CNN's ratio read anywhere from
  1.59 to 2.60 in six single-round runs of one build on 2026-12-02.
* Memory: Kiln's planned arena of the train_step entry (`kiln-compile
  --report`, else the entry's `workspace` line in the artifact's signature):
  every intermediate of forward and backward, gradients included, planned at
  compile time; the table adds the optimizer state (Adam's two moments, 2x the
  trainable parameters' bytes), which the runtime holds beside the
  parameters. PyTorch's figure is the peak of the bytes its CPU allocator
  holds during the first training step beyond those it held before (the
  parameters, buffers and data): torch.profiler with profile_memory=True,
  every op's own allocations minus frees summed in time order. That covers
  activations, gradients and Adam's moments (both created in the first step)
  and temporaries, not the allocator's slack or the interpreter. Both sides
  thus leave out parameters and input data.

    /usr/bin/python3 bench/train.py --bin-dir build/bin [--threads 1]
        [--work-dir build/bench/train] [--models digits_cnn,...] [--markdown FILE]
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "examples", "digits"))

BATCHES = 8   # distinct batches per epoch (both sides cycle through them)
LR = 1e-3


# --- models ------------------------------------------------------------------

def build(name):
    """(module, input shape with the batch, number of classes), seeded."""
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    if name == "digits_cnn":
        from model import build_model
        return build_model(0), (32, 1, 8, 8), 10

    if name == "resnet_32x32":
        class Block(nn.Module):
            def __init__(self, cin, cout, stride):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(cout)
                self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(cout)
                self.down = None
                if stride != 1 or cin != cout:
                    self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                              nn.BatchNorm2d(cout))

            def forward(self, x):
                out = torch.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                return torch.relu(out + (x if self.down is None else self.down(x)))

        class ResNet(nn.Module):
            """CIFAR-style: a 3x3 stem, residual blocks at 32, 16 and 8 pixels."""
            def __init__(self):
                super().__init__()
                self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False),
                                          nn.BatchNorm2d(16), nn.ReLU())
                self.blocks = nn.Sequential(Block(16, 16, 1), Block(16, 32, 2),
                                            Block(32, 64, 2))
                self.fc = nn.Linear(64, 10)

            def forward(self, x):
                x = self.blocks(self.stem(x))
                return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))

        return ResNet(), (16, 3, 32, 32), 10

    if name == "lstm_classifier":
        class LSTMClassifier(nn.Module):
            """2-layer LSTM over 32 steps, the last step's hidden state into a Linear."""
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(32, 64, num_layers=2, batch_first=True)
                self.fc = nn.Linear(64, 10)

            def forward(self, x):
                return self.fc(self.rnn(x)[0][:, -1])

        return LSTMClassifier(), (16, 32, 32), 10
    raise ValueError(name)


MODELS = ["digits_cnn", "resnet_32x32", "lstm_classifier"]


def make_data(shape, classes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((shape[0] * BATCHES, *shape[1:])).astype(np.float32)
    y = rng.integers(0, classes, shape[0] * BATCHES).astype(np.int64)
    return x, y


# --- PyTorch (run in a fresh process) ----------------------------------------

def profiled_peak_bytes(prof):
    """Peak of the bytes torch's CPU allocator holds beyond what it held when the
    profile started: every event's own allocations minus frees, in time order."""
    live = peak = 0
    for event in sorted(prof.events(), key=lambda e: e.time_range.start):
        live += event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak


def torch_worker(name, threads, steps):
    import torch
    from torch.profiler import ProfilerActivity, profile
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    module, shape, classes = build(name)
    x, y = (torch.from_numpy(a) for a in make_data(shape, classes))
    batch = shape[0]
    batches = [(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
               for i in range(BATCHES)]
    module.train()
    opt = torch.optim.Adam(module.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i):
        xb, yb = batches[i % BATCHES]
        opt.zero_grad()
        loss = loss_fn(module(xb), yb)
        loss.backward()
        opt.step()

    # The first step allocates the gradients and Adam's moments too.
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step(0)
    peak = profiled_peak_bytes(prof)
    for i in range(1, 3):
        step(i)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"steps_per_s": steps / best, "peak_mib": peak / 2**20}))


# glibc malloc keeps freed blocks up to these sizes in the process instead of
# returning them to the kernel (see the module docstring).
TORCH_MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456"


def bench_torch(name, threads, steps, malloc="tuned"):
    env = dict(os.environ)
    if malloc == "tuned":
        env["GLIBC_TUNABLES"] = TORCH_MALLOC_TUNABLES
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-worker", name,
                           "--threads", str(threads), "--steps", str(steps)],
                          capture_output=True, text=True, timeout=1200, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"PyTorch worker for {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- Kiln ----------------------------------------------------------------------

def arena_bytes(report, library):
    """The train_step entry's planned arena: from kiln-compile --report when it
    names the entry with a byte count, else the entry's signature workspace."""
    for line in report.splitlines():
        if "train_step" in line:
            numbers = re.findall(r"\b(\d+)\b", line)
            if numbers:
                return int(numbers[0]), "report"
    data = open(library, "rb").read()
    m = re.search(rb"entry train_step\n(?:[^\n\0]*\n)*?workspace (\d+)\n", data)
    if m:
        return int(m.group(1)), "signature"
    raise RuntimeError(f"no train_step arena in kiln-compile --report nor in {library}")


def timed(cmd, timeout=1200):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.strip()}")
    return seconds


def bench_kiln(name, args, bins):
    from model import export_training_onnx
    import torch
    work = os.path.join(args.work_dir, name)
    os.makedirs(work, exist_ok=True)
    module, shape, classes = build(name)
    batch = shape[0]
    onnx_path = os.path.join(work, "model.onnx")
    export_training_onnx(module, (torch.zeros(*shape),), onnx_path)
    x, y = make_data(shape, classes)
    xs, ys = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
    np.save(xs, x)
    np.save(ys, y)
    lib = os.path.join(work, "train.so")
    cmd = [bins["kiln-compile"], onnx_path, "--train", "--loss=softmax-cross-entropy",
           "--label=label", "--optimizer=adam", f"--lr={LR:g}", f"--batch={batch}",
           "--report", "-o", lib, *shlex.split(args.compile_args)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    compile_s = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"kiln-compile --train failed for {name} ({proc.returncode}):\n"
                           f"{proc.stderr.strip()}")
    arena, arena_from = arena_bytes(proc.stdout + proc.stderr, lib)

    if bins.get("train_loop"):
        def loop(steps, rounds):
            proc = subprocess.run([bins["train_loop"], lib, xs, ys, str(args.threads),
                                   str(steps), str(rounds)],
                                  capture_output=True, text=True, timeout=1200)
            if proc.returncode != 0:
                raise RuntimeError(f"train_loop failed for {name}:\n{proc.stderr.strip()}")
            return json.loads(proc.stdout.strip().splitlines()[-1])["steps_per_s"]
        probe = loop(5, 1)
        steps = max(5, int(args.seconds * probe / args.repeats))
        steps_per_s, method = loop(steps, args.repeats), "trainer API"
        retime = lambda: loop(steps, args.repeats)
    else:
        def run(epochs):
            return timed([bins["kiln-run"], lib, "--train", "--data", f"input={xs}",
                          "--data", f"label={ys}", "--batch", str(batch), "--epochs",
                          str(epochs), "--log-every", "1000000000", "--threads",
                          str(args.threads)])

        # Size the long run to about --seconds of stepping.
        probe = max(run(2) - run(1), 1e-4) / BATCHES
        long_epochs = max(2, min(1000, int(args.seconds / probe / BATCHES)))
        def measure():
            short = min(run(1) for _ in range(args.repeats))
            long = min(run(long_epochs) for _ in range(args.repeats))
            return (long_epochs - 1) * BATCHES / max(long - short, 1e-9)
        steps_per_s, method, retime = measure(), "kiln-run wall time", measure
    params = sum(p.numel() * p.element_size() for p in module.parameters() if p.requires_grad)
    return {"steps_per_s": steps_per_s, "arena_mib": arena / 2**20, "arena_from": arena_from,
            "state_mib": 2 * params / 2**20, "compile_s": compile_s, "batch": batch,
            "method": method, "retime": retime}


def build_train_loop(bin_dir, work):
    """Compile bench/train_loop.c against the runtime library; None when the
    runtime has no trainer API (then kiln-run's wall times are used)."""
    lib = os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "lib", "libkiln_runtime.a")
    header = os.path.join(REPO_ROOT, "runtime", "kiln_runtime.h")
    trainer_header = os.path.join(REPO_ROOT, "runtime", "kiln_train.h")
    if not os.path.isfile(lib) or not os.path.isfile(trainer_header) or \
            "kiln_trainer_step" not in open(trainer_header).read():
        return None
    exe = os.path.join(work, "train_loop")
    proc = subprocess.run(["clang-19", "-O2", "-I", os.path.dirname(header),
                           os.path.join(REPO_ROOT, "bench", "train_loop.c"), lib, "-rdynamic",
                           "-lm", "-lpthread", "-ldl", "-o", exe], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"bench-train: train_loop.c did not build, timing kiln-run instead:\n"
              f"{proc.stderr.strip()}", file=sys.stderr)
        return None
    return exe


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO_ROOT, "build", "bin"))
    ap.add_argument("--work-dir", default=os.path.join(REPO_ROOT, "build", "bench", "train"))
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for both Kiln and PyTorch (default 1)")
    ap.add_argument("--compile-args", default="",
                    help="extra kiln-compile flags, e.g. \"--mcpu=x86-64-v3 --mattr=+avx2,-avx512f\" "
                         "for AVX2 code on an AVX-512 machine")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated models (default: all): " + ", ".join(MODELS))
    ap.add_argument("--seconds", type=float, default=3.0,
                    help="about how many seconds each Kiln timing steps, split over --repeats "
                         "runs; each of PyTorch's 3 timed runs steps as many steps as Kiln "
                         "makes in a third of it (default 3)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="Kiln's runs per timing, the fastest kept (default 3; PyTorch's "
                         "worker always keeps the fastest of 3)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="Kiln and PyTorch timed in turn this many times, the fastest of each "
                         "kept (default 3), so that a slow spell of the machine does not fall "
                         "on one side only")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--torch-malloc", choices=("tuned", "default"), default="tuned",
                    help="glibc malloc settings of the PyTorch process: tuned (freed blocks "
                         "stay in the process; the default) or glibc's defaults")
    ap.add_argument("--torch-worker", help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rounds < 1 or args.repeats < 1:
        ap.error("--rounds and --repeats expect at least 1")
    if args.torch_worker:
        torch_worker(args.torch_worker, args.threads, args.steps)
        return 0

    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    bins = {t: os.path.join(args.bin_dir, t) for t in ("kiln-compile", "kiln-run")}
    for t, p in bins.items():
        if not os.access(p, os.X_OK):
            sys.exit(f"bench-train: {t} not found in {args.bin_dir} (build first: make build)")
    bins["train_loop"] = build_train_loop(args.bin_dir, args.work_dir)
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"bench-train: unknown models {unknown}; known: {', '.join(MODELS)}")

    rows, failed = [], []
    for name in names:
        print(f"bench-train: {name} ...", file=sys.stderr, flush=True)
        try:
            kiln = bench_kiln(name, args, bins)
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            # One model's failure (printed) does not hide the others' rows.
            print(f"bench-train: error: {name}: {str(err)[:2000]}", file=sys.stderr)
            failed.append(name)
            continue
        torch_steps = max(10, min(500, int(args.seconds * kiln["steps_per_s"] / 3)))
        try:
            torch_row = bench_torch(name, args.threads, torch_steps, args.torch_malloc)
            for _ in range(1, args.rounds):
                kiln["steps_per_s"] = max(kiln["steps_per_s"], kiln["retime"]())
                again = bench_torch(name, args.threads, torch_steps, args.torch_malloc)
                torch_row["steps_per_s"] = max(torch_row["steps_per_s"], again["steps_per_s"])
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            print(f"bench-train: error: {name}: {str(err)[:2000]}", file=sys.stderr)
            failed.append(name)
            continue
        rows.append((name, kiln, torch_row))

    from run import cpu_model  # bench/run.py, beside this script
    cpu = cpu_model()
    import torch
    malloc = (f"tuned ({TORCH_MALLOC_TUNABLES})" if args.torch_malloc == "tuned"
              else "defaults")
    lines = [
        f"Machine: {cpu}, {os.cpu_count()} cores. Threads: {args.threads} (kiln-run --threads, "
        f"torch.set_num_threads). PyTorch {torch.__version__} eager, glibc malloc "
        f"{malloc}. Adam lr {LR:g}, softmax "
        "cross-entropy, batch norm in training mode."
        + (f" Extra kiln-compile flags: {args.compile_args}." if args.compile_args else ""),
        "",
        "| model | batch | Kiln steps/s | PyTorch steps/s | Kiln/PyTorch | Kiln arena MiB "
        "| Kiln arena + Adam state MiB | PyTorch peak MiB | PyTorch/Kiln memory "
        "| Kiln compile s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, k, t in rows:
        kiln_mem = k["arena_mib"] + k["state_mib"]
        lines.append(
            f"| {name} | {k['batch']} | {k['steps_per_s']:.1f} | {t['steps_per_s']:.1f} | "
            f"{k['steps_per_s'] / t['steps_per_s']:.2f} | {k['arena_mib']:.2f} | "
            f"{kiln_mem:.2f} | {t['peak_mib']:.2f} | "
            f"{t['peak_mib'] / kiln_mem:.1f} | {k['compile_s']:.1f} |")
    for name in failed:
        lines.append(f"| {name} | failed: see the error above | | | | | | | | |")
    sources = sorted({k["arena_from"] for _, k, _ in rows})
    methods = sorted({k["method"] for _, k, _ in rows})
    lines += ["", f"Kiln timed through: {', '.join(methods)}; arena from: {', '.join(sources)}."]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
