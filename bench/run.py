#!/usr/bin/python3
"""Kiln against ONNX Runtime on this machine: time, floors, memory, agreement.

For each model (generated here, never downloaded): compile with kiln-compile,
time with `kiln-run --bench N --threads T`, time the same .onnx file and input
with ONNX Runtime (onnxruntime-node, same thread count, one warm-up run, N
timed runs), and print one table row:

  model | GFLOP | Kiln ms | ORT ms | Kiln/ORT | floor ms | Kiln % of floor |
  workspace MiB | Kiln peak RSS MiB | ORT peak RSS MiB | max rel diff

* The floor is max(FLOPs / (FMA peak x threads), bytes / read bandwidth): FLOPs counted
  from the graph (2 per multiply-add in Conv, Gemm, MatMul, LSTM, GRU, RNN), bytes the
  weights plus inputs and outputs read or written once; the peak and the
  bandwidth are measured on this machine by bench/machine_peak.c.
* Peak RSS is each process's own maximum resident set (GNU time's %M). ORT's
  includes Node.js itself.
* The workspace is the planned arena for intermediate values, from the
  model's signature (`workspace BYTES`).
* max rel diff is max|kiln - ort| / max|ort| over the first output.

    /usr/bin/python3 bench/run.py --bin-dir build/bin [--threads 1] [--runs 20]
        [--work-dir build/bench] [--models resnet18,conv3x3_64,...] [--markdown FILE]
        [--baseline-bin-dir OTHER_BUILD/bin]   # adds a before/after table

ONNX Runtime is installed with `npm install --ignore-scripts
onnxruntime-node@1.30.0` into WORK_DIR/node (done here when missing).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_PACKAGE = "onnxruntime-node@1.30.0"


# --- models ------------------------------------------------------------------

def export_torch(module, shape, path, seed=1, dynamic_batch=False):
    """Export `module` (eval mode) with a seeded random input; return the input.

    With `dynamic_batch`, dim 0 of the input and output is the symbol N
    (torch.onnx.export's dynamic_axes): Kiln compiles one artifact for any
    batch, and the table times it at the input's batch."""
    import torch
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    axes = {"input": {0: "N"}, "output": {0: "N"}} if dynamic_batch else None
    torch.onnx.export(module.eval(), (x,), path, opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True,
                      dynamic_axes=axes)
    return x.numpy()


def make_resnet18(path, dynamic_batch=False):
    import torch
    import torchvision
    torch.manual_seed(0)
    return export_torch(torchvision.models.resnet18(weights=None), (1, 3, 224, 224), path,
                        dynamic_batch=dynamic_batch)


def make_conv(cin, cout, hw, k, stride):
    def make(path):
        import torch
        torch.manual_seed(0)
        block = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, k, stride, k // 2), torch.nn.ReLU())
        return export_torch(block, (1, cin, hw, hw), path)
    return make


def make_mlp(path):
    import torch
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                              torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                              torch.nn.Linear(1024, 10))
    return export_torch(mlp, (64, 1024), path)


def make_lstm(batch):
    """PyTorch's 2-layer torch.nn.LSTM (input 128, hidden 256) over 64 steps:
    two ONNX LSTM nodes whose weights are initializers; the output is y."""
    def make(path):
        import torch
        torch.manual_seed(0)

        class LSTM2(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = torch.nn.LSTM(128, 256, num_layers=2)

            def forward(self, x):
                return self.rnn(x)[0]
        return export_torch(LSTM2(), (64, batch, 128), path)
    return make


def make_transformer(path):
    """A 2-layer torch.nn.TransformerEncoder (d_model 128, 4 heads, feed-forward
    512, batch_first) exported with symbolic batch N and sequence S; timed at
    N=4, S=127. The exporter computes every Reshape's shape at run time."""
    import torch
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512,
                                             dropout=0.0, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, num_layers=2).eval()
    x = torch.randn(4, 127, 128, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(model, (x,), path, opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True,
                      dynamic_axes={"input": {0: "N", 1: "S"}, "output": {0: "N", 1: "S"}})
    return x.numpy()


def make_maxpool(path):
    """ResNet-18's max pooling (3x3, stride 2, padding 1) over [1, 64, 112, 112],
    exported with symbolic N, H and W."""
    import torch
    x = torch.randn(1, 64, 112, 112, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(torch.nn.MaxPool2d(3, stride=2, padding=1).eval(), (x,), path,
                      opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N", 2: "H", 3: "W"},
                                    "output": {0: "N", 2: "OH", 3: "OW"}})
    return x.numpy()


def make_matvec(path):
    """`W[256,512] @ x[512,N]` (W an initializer) exported with symbolic N;
    timed at N=1."""
    import torch

    class WeightTimes(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.randn(256, 512))

        def forward(self, x):
            return self.w @ x

    torch.manual_seed(0)
    x = torch.randn(512, 1, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(WeightTimes().eval(), (x,), path, opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True,
                      dynamic_axes={"input": {1: "N"}, "output": {1: "N"}})
    return x.numpy()


def make_digits(path):
    import shutil
    src = os.path.join(REPO_ROOT, "examples", "digits")
    shutil.copyfile(os.path.join(src, "digits_cnn.onnx"), path)
    return np.load(os.path.join(src, "input.npy"))


MODELS = {
    "resnet18": make_resnet18,
    # The same export with a symbolic batch, compiled without --input-shape
    # and timed at batch 1: the cost of one artifact for every batch size.
    "resnet18_dyn_batch": lambda path: make_resnet18(path, dynamic_batch=True),
    "conv3x3_64x56": make_conv(64, 64, 56, 3, 1),
    "conv3x3_256x14": make_conv(256, 256, 14, 3, 1),
    "conv1x1_256x14": make_conv(256, 1024, 14, 1, 1),
    "mlp_b64": make_mlp,
    "digits_cnn": make_digits,
    # One export with symbolic batch and sequence, compiled as it is, with
    # bounds (N <= 8, S <= 128), and pinned to the timed size (COMPILE_FLAGS):
    # the cost of symbolic dims. ORT runs the same file in each row.
    "transformer_dyn": make_transformer,
    "transformer_dyn_bounded": make_transformer,
    "transformer_pinned": make_transformer,
    # Kernels over symbolic sizes (masked partial tiles) against the same
    # export pinned to the timed size.
    "maxpool_dyn_hw": make_maxpool,
    "maxpool_pinned": make_maxpool,
    "matvec_dyn_n1": make_matvec,
    "matvec_pinned_n1": make_matvec,
    "lstm2_s64_b1": make_lstm(1),
    "lstm2_s64_b8": make_lstm(8),
}


# kiln-compile flags beyond the model and -o, per model.
COMPILE_FLAGS = {"transformer_pinned": ["--input-shape", "input=4x127x128"],
                 "maxpool_pinned": ["--input-shape", "input=1x64x112x112"],
                 "matvec_pinned_n1": ["--input-shape", "input=512x1"],
                 "transformer_dyn_bounded": ["--dim-bound", "N=8", "--dim-bound", "S=128"]}


# --- counting ----------------------------------------------------------------

def count_work(model_path, input_shape=None):
    """(FLOPs, bytes) of an ONNX model: multiply-adds in Conv/Gemm/MatMul and
    the recurrent layers' products x2;
    weights + graph inputs + graph outputs, each moved once."""
    import onnx
    from onnx import numpy_helper, shape_inference
    model = onnx.load(model_path)
    # Symbolic dims are counted at the size the table runs them at: the
    # timed input's, or 1.
    sizes = {}
    if input_shape is not None:
        for d, n in zip(model.graph.input[0].type.tensor_type.shape.dim, input_shape):
            if d.HasField("dim_param"):
                sizes[d.dim_param] = n
    for vi in model.graph.input:
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_param"):
                d.dim_value = sizes.get(d.dim_param, 1)
    # An output symbol that no input has (a pooled size OH) is left to
    # shape inference.
    for vi in model.graph.output:
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_param"):
                if d.dim_param in sizes or input_shape is None:
                    d.dim_value = sizes.get(d.dim_param, 1)
                else:
                    d.Clear()
    model = shape_inference.infer_shapes(model)
    g = model.graph
    shapes = {}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = dims
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for name, arr in inits.items():
        shapes[name] = list(arr.shape)
    flops = 0
    for node in g.node:
        # A product whose operand shapes inference leaves unknown (shapes
        # computed at run time) is not counted.
        if node.op_type in ("Conv", "Gemm", "MatMul") and not all(
                shapes.get(v) and all(d > 0 for d in shapes[v])
                for v in (node.input[0], node.input[1], node.output[0])):
            continue
        if node.op_type == "Conv":
            w = shapes[node.input[1]]
            out = shapes[node.output[0]]
            flops += 2 * int(np.prod(out)) * int(np.prod(w[1:]))
        elif node.op_type in ("Gemm", "MatMul"):
            out = shapes[node.output[0]]
            a = shapes[node.input[0]]
            trans_a = any(at.name == "transA" and at.i for at in node.attribute)
            k = a[-2] if trans_a else a[-1]
            flops += 2 * int(np.prod(out)) * k
        elif node.op_type in ("LSTM", "GRU", "RNN"):
            # Every step: [batch, input + hidden] x [input + hidden, gates*hidden]
            # per direction.
            seq, batch, _ = shapes[node.input[0]]
            dirs, gh, inp = shapes[node.input[1]]
            hidden = shapes[node.input[2]][2]
            flops += 2 * seq * batch * dirs * gh * (inp + hidden)
    weight_bytes = sum(a.nbytes for a in inits.values())
    io_bytes = 4 * sum(int(np.prod(shapes[v.name])) for v in list(g.input) + list(g.output)
                       if v.name not in inits)
    return flops, weight_bytes + io_bytes


# --- running -----------------------------------------------------------------

def cpu_model():
    """The CPU's model name and widest x86 vector extension from /proc/cpuinfo,
    for the tables' machine line: "AMD EPYC (AVX-512)". The flags decide, not
    the name: an AMD EPYC may or may not have AVX-512."""
    name, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and name == "unknown CPU":
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    isa = ("AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags
           else "no AVX2" if flags else None)
    return f"{name} ({isa})" if isa else name


def run_with_rss(cmd, env=None):
    """Run `cmd`; return (stdout, peak RSS in MiB of that process alone).

    GNU time reports the child's own maximum resident set; measuring from
    here (os.wait4) would count the pages the child inherits from this
    Python process at fork."""
    marker = "KILN_BENCH_MAXRSS_KB="
    proc = subprocess.run(["/usr/bin/time", "-f", marker + "%M", *cmd], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    rss = [line for line in proc.stderr.splitlines() if line.startswith(marker)]
    return proc.stdout, int(rss[-1][len(marker):]) / 1024.0


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON line in:\n{text}")


def machine_peak(work):
    exe = os.path.join(work, "machine_peak")
    src = os.path.join(REPO_ROOT, "bench", "machine_peak.c")
    subprocess.run(["clang-19", "-O2", "-march=native", "-mprefer-vector-width=512",
                    "-ffp-contract=fast", "-Wno-invalid-feature-combination", "-o", exe, src],
                   check=True)
    return last_json(subprocess.run([exe], check=True, capture_output=True, text=True).stdout)


def ensure_ort(work):
    node_dir = os.path.join(work, "node")
    mod = os.path.join(node_dir, "node_modules", "onnxruntime-node")
    if not os.path.isdir(mod):
        os.makedirs(node_dir, exist_ok=True)
        print(f"installing {ORT_PACKAGE} into {node_dir} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--silent", "--ignore-scripts", "--prefix", node_dir,
                        ORT_PACKAGE], check=True)
    return os.path.join(node_dir, "node_modules")


def workspace_bytes(library):
    data = open(library, "rb").read()
    m = re.search(rb"kiln-model \d+\n[^\0]*?workspace (\d+)\n", data)
    return int(m.group(1)) if m else 0


def bench_model(name, args, bins, node_modules, peak):
    work = os.path.join(args.work_dir, name)
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "model.onnx")
    x = MODELS[name](onnx_path)
    in_path = os.path.join(work, "input.npy")
    np.save(in_path, x.astype(np.float32))
    lib = os.path.join(work, "model.so")
    t0 = time.perf_counter()
    subprocess.run([bins["kiln-compile"], onnx_path, "-o", lib, *COMPILE_FLAGS.get(name, [])],
                   check=True)
    compile_s = time.perf_counter() - t0

    import onnx
    m = onnx.load(onnx_path)
    in_name = m.graph.input[0].name
    out_name = m.graph.output[0].name
    out_dir = os.path.join(work, "kiln_out")
    kiln_text, kiln_rss = run_with_rss(
        [bins["kiln-run"], lib, "--input", f"{in_name}={in_path}", "--output-dir", out_dir,
         "--threads", str(args.threads), "--bench", str(args.runs)])
    kiln = last_json(kiln_text)
    ort_out = os.path.join(work, "ort_output.npy")
    env = dict(os.environ, NODE_PATH=node_modules)
    ort_text, ort_rss = run_with_rss(
        ["node", os.path.join(REPO_ROOT, "bench", "ort_bench.js"), onnx_path, in_path,
         str(args.threads), str(args.runs), "--output", ort_out], env=env)
    ort = last_json(ort_text)

    a = np.load(os.path.join(out_dir, f"{out_name}.npy")).astype(np.float64)
    b = np.load(ort_out).astype(np.float64)
    rel = float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))

    flops, nbytes = count_work(onnx_path, x.shape)
    # T threads can at best multiply the single-thread FMA peak by T (up to the
    # cores); the read bandwidth is kept at one thread's, a generous floor.
    fma = peak["fma_gflops"] * min(args.threads, os.cpu_count() or 1)
    floor_ms = max(flops / (fma * 1e9), nbytes / (peak["read_gbps"] * 1e9)) * 1e3
    row = {
        "model": name, "gflop": flops / 1e9, "kiln_ms": kiln["median_ms"],
        "ort_ms": ort["median_ms"], "ratio": kiln["median_ms"] / ort["median_ms"],
        "floor_ms": floor_ms, "pct_floor": 100.0 * floor_ms / kiln["median_ms"],
        "bound": "FMA" if flops / fma >= nbytes / peak["read_gbps"] else "bytes",
        "workspace_mib": workspace_bytes(lib) / 2**20, "kiln_rss": kiln_rss,
        "ort_rss": ort_rss, "rel": rel, "compile_s": compile_s,
    }
    if args.baseline_bin_dir:
        row["base"] = bench_kiln_only(args, args.baseline_bin_dir, work, onnx_path, in_name,
                                      in_path, COMPILE_FLAGS.get(name, []))
    return row


def bench_kiln_only(args, bin_dir, work, onnx_path, in_name, in_path, flags=()):
    """Compile and time the model with another build of Kiln (the baseline of a
    before/after comparison); returns its compile seconds, median ms and peak RSS."""
    base_work = os.path.join(work, "baseline")
    os.makedirs(base_work, exist_ok=True)
    lib = os.path.join(base_work, "model.so")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(bin_dir, "kiln-compile"), onnx_path, "-o", lib, *flags],
                   check=True)
    compile_s = time.perf_counter() - t0
    text, rss = run_with_rss(
        [os.path.join(bin_dir, "kiln-run"), lib, "--input", f"{in_name}={in_path}",
         "--output-dir", os.path.join(base_work, "out"), "--threads", str(args.threads),
         "--bench", str(args.runs)])
    return {"compile_s": compile_s, "kiln_ms": last_json(text)["median_ms"], "kiln_rss": rss}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO_ROOT, "build", "bin"))
    ap.add_argument("--work-dir", default=os.path.join(REPO_ROOT, "build", "bench"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--baseline-bin-dir",
                    help="another build's bin dir (e.g. of an earlier commit): adds a "
                         "before/after table, both builds timed in this one run")
    args = ap.parse_args()
    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    bins = {t: os.path.join(args.bin_dir, t) for t in ("kiln-compile", "kiln-run")}
    for t, p in bins.items():
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: {t} not found in {args.bin_dir} (build first: make build)")
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"bench: unknown models {unknown}; known: {', '.join(MODELS)}")

    node_modules = ensure_ort(args.work_dir)
    peak = machine_peak(args.work_dir)
    rows = [bench_model(n, args, bins, node_modules, peak) for n in names]

    cpu = cpu_model()
    lines = [
        f"Machine: {cpu}, {os.cpu_count()} cores; measured single-thread peaks: "
        f"{peak['fma_gflops']:.1f} GFLOP/s f32 FMA ({peak['vector_lanes']} lanes), "
        f"{peak['read_gbps']:.1f} GB/s read. Threads: {args.threads}. "
        f"Runs: {args.runs} timed after one warm-up (median). ONNX Runtime: {ORT_PACKAGE}.",
        "",
        "| model | GFLOP | Kiln ms | ORT ms | Kiln/ORT | floor ms (bound) | Kiln % of floor "
        "| workspace MiB | Kiln peak RSS MiB | ORT peak RSS MiB | max rel diff | compile s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['gflop']:.3f} | {r['kiln_ms']:.3f} | {r['ort_ms']:.3f} | "
            f"{r['ratio']:.2f} | {r['floor_ms']:.3f} ({r['bound']}) | {r['pct_floor']:.0f}% | "
            f"{r['workspace_mib']:.2f} | {r['kiln_rss']:.0f} | {r['ort_rss']:.0f} | "
            f"{r['rel']:.1e} | {r['compile_s']:.1f} |")
    if args.baseline_bin_dir:
        lines += [
            "",
            f"Before/after: baseline tools from {args.baseline_bin_dir}, timed in the same run.",
            "",
            "| model | before ms | after ms | after/before | before compile s | after compile s "
            "| before peak RSS MiB | after peak RSS MiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            b = r["base"]
            lines.append(
                f"| {r['model']} | {b['kiln_ms']:.3f} | {r['kiln_ms']:.3f} | "
                f"{r['kiln_ms'] / b['kiln_ms']:.2f} | {b['compile_s']:.1f} | "
                f"{r['compile_s']:.1f} | {b['kiln_rss']:.0f} | {r['kiln_rss']:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
