#!/usr/bin/python3
"""Run the dynamic-shape lowerings at several sizes and compare with PyTorch.

The functions of dynamic-resnet-block.mlir (symbolic batch),
dynamic-resnet-spatial.mlir (symbolic batch, height and width),
dynamic-transformer.mlir (symbolic batch and sequence), dynamic-misc.mlir
(a symbolic batch through a dozen more op families) and dynamic-decomposed.mlir
(conv_transpose and hardmax through nn-decompose) are lowered by
`kiln-opt --nn-decompose --convert-nn-to-linalg` and then by a plain upstream
pipeline (one-shot bufferization, loops, LLVM dialect) and run with
mlir-cpu-runner: the upstream pipeline stands in for Kiln's code generation,
so this checks the linalg the conversion produces, at sizes it never saw.
Inputs are seeded random constants passed through tensor.cast to the dynamic
type; the oracle is the same computation in PyTorch, and a case passes when
max|mlir - torch| / max|torch| <= 1e-4. A last case feeds two operands whose
sizes disagree and expects the run to abort on the broadcast check.

    /usr/bin/python3 dynamic_numerics.py --kiln-bin build/bin [--llvm-bin /usr/lib/llvm-19/bin]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def function_of(lit_file):
    """The func.func of a lit test, comments dropped."""
    text = open(os.path.join(HERE, lit_file)).read()
    return re.sub(r"//.*", "", text[text.index("func.func"):])


def resnet_case(n, h=16, w=16, spatial=False):
    rng = np.random.default_rng(n)
    a = {"x": rng.standard_normal((n, 3, h, w)), "w1": rng.standard_normal((4, 3, 3, 3)) * 0.3,
         "w2": rng.standard_normal((4, 4, 3, 3)) * 0.3, "b": rng.standard_normal(4),
         "fc": rng.standard_normal((10, 4)), "fb": rng.standard_normal(10)}
    a = {k: v.astype(np.float32) for k, v in a.items()}
    t = {k: torch.tensor(v) for k, v in a.items()}
    y = F.relu(F.conv2d(t["x"], t["w1"], t["b"], stride=2, padding=1))
    p = F.max_pool2d(y, 3, 2, 1)
    z = F.relu(F.conv2d(p, t["w2"], t["b"], padding=1) + p)
    expected = z.mean(dim=(2, 3)) @ t["fc"].T + t["fb"]
    if not spatial:
        return ("dynamic-resnet-block.mlir", "resnet", a, {"x": "tensor<?x3x16x16xf32>"},
                "tensor<?x10xf32>", expected.numpy())
    return ("dynamic-resnet-spatial.mlir", "resnet_hw", a, {"x": "tensor<?x3x?x?xf32>"},
            "tensor<?x10xf32>", expected.numpy())


def encoder_case(n, s):
    rng = np.random.default_rng(10 * n + s)
    a = {"x": rng.standard_normal((n, s, 32)), "g": rng.standard_normal(32),
         "bb": rng.standard_normal(32)}
    a = {k: v.astype(np.float32) for k, v in a.items()}
    t = {k: torch.tensor(v) for k, v in a.items()}
    x = t["x"]
    qh = (x @ torch.full((32, 32), 0.01) + 0.5).reshape(n, s, 4, 8)
    qt, kt = qh.permute(0, 2, 1, 3), qh.permute(0, 2, 3, 1)
    p = torch.softmax((qt @ kt) * 0.35, -1)
    o = (p @ qt).permute(0, 2, 1, 3).reshape(n, s, 32)
    y = F.layer_norm(x + o, (32,), t["g"], t["bb"], 1e-5)
    expected = y - y.mean(dim=1, keepdim=True)
    return ("dynamic-transformer.mlir", "encoder", a, {"x": "tensor<?x?x32xf32>"},
            "tensor<?x?x32xf32>", expected.numpy())


def misc_case(n):
    rng = np.random.default_rng(100 + n)
    a = {"x": rng.standard_normal((n, 4, 6, 6)), "w": rng.standard_normal((4, 2, 3, 3)) * 0.3,
         "s": rng.uniform(0.5, 1.5, 4), "i": np.array([4, -1, 0])}
    a = {k: v.astype(np.int64 if k == "i" else np.float32) for k, v in a.items()}
    t = {k: torch.tensor(v) for k, v in a.items()}
    s = t["s"]
    y = F.conv2d(t["x"], t["w"], groups=2, padding=1)
    y = F.batch_norm(y, s, s, s, s, False, 0.0, 1e-5)
    p = F.avg_pool2d(y, 2, 2, ceil_mode=True, count_include_pad=False)
    q = F.instance_norm(p, weight=s, bias=s, eps=1e-5)
    c = torch.cat([q, p], 1)[:, 2:7]
    g = c[:, [4, 4, 0]]
    pd = F.pad(g, (0, 1, 1, 0), value=0.5)
    m = pd.amax(3, keepdim=True).expand(-1, -1, -1, 4)
    w = torch.where(pd > m, pd, m)
    am = w.flatten(1).argmax(1).float().reshape(n, 1)
    expected = w.mean(dim=(2, 3)) + am
    return ("dynamic-misc.mlir", "misc", a, {"x": "tensor<?x4x6x6xf32>"}, "tensor<?x3xf32>",
            expected.numpy())


def decomposed_case(n):
    rng = np.random.default_rng(200 + n)
    a = {"x": rng.standard_normal((n, 2, 3, 3)), "w": rng.standard_normal((2, 4, 3, 3)),
         "b": rng.standard_normal(4)}
    a = {k: v.astype(np.float32) for k, v in a.items()}
    t = {k: torch.tensor(v) for k, v in a.items()}
    y = F.conv_transpose2d(t["x"], t["w"], t["b"], stride=2, padding=1, output_padding=1)
    hard = F.one_hot(y.argmax(1), 4).permute(0, 3, 1, 2).float()
    return ("dynamic-decomposed.mlir", "decomposed", a, {"x": "tensor<?x2x3x3xf32>"},
            "tensor<?x4x6x6xf32>", (y + hard).numpy())


def tensor_type(a, elem="f32"):
    return "tensor<" + "x".join(map(str, a.shape)) + "x" + elem + ">"


def main_function(name, args, dynamic, result_type):
    lines = ["func.func @main() {"]
    operands = []
    for k, v in args.items():
        elem = "i64" if v.dtype == np.int64 else "f32"
        values = ",".join(str(int(x)) if elem == "i64" else "%.8e" % x for x in v.ravel())
        flat = f"tensor<{v.size}x{elem}>"
        lines.append(f"  %{k} = arith.constant dense<[{values}]> : {flat}")
        lines.append(f"  %{k}_s = tensor.expand_shape %{k} [[{', '.join(map(str, range(v.ndim)))}]] "
                     f"output_shape [{', '.join(map(str, v.shape))}] : {flat} "
                     f"into {tensor_type(v, elem)}" if v.ndim > 1 else f"  %{k}_s = tensor.cast %{k} : "
                     f"{flat} to {tensor_type(v, elem)}")
        if k in dynamic:
            lines.append(f"  %{k}_d = tensor.cast %{k}_s : {tensor_type(v, elem)} to {dynamic[k]}")
            operands.append((f"%{k}_d", dynamic[k]))
        else:
            operands.append((f"%{k}_s", tensor_type(v, elem)))
    lines.append(f"  %r = call @{name}({', '.join(o for o, _ in operands)}) : "
                 f"({', '.join(t for _, t in operands)}) -> {result_type}")
    lines.append(f"  %u = tensor.cast %r : {result_type} to tensor<*xf32>")
    lines.append("  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()")
    lines.append("  return\n}")
    lines.append("func.func private @printMemrefF32(tensor<*xf32>)")
    return "\n".join(lines) + "\n"


def run(module_text, work, tag, args):
    src = os.path.join(work, tag + ".mlir")
    with open(src, "w") as f:
        f.write(module_text)
    linalg, llvm = src + ".linalg", src + ".llvm"
    subprocess.run([os.path.join(args.kiln_bin, "kiln-opt"), src, "--nn-decompose", "--canonicalize",
                    "--convert-nn-to-linalg", "--canonicalize", "--cse", "-o", linalg], check=True)
    subprocess.run([os.path.join(args.llvm_bin, "mlir-opt"), linalg,
                    "--one-shot-bufferize=bufferize-function-boundaries "
                    "function-boundary-type-conversion=identity-layout-map",
                    "--convert-linalg-to-loops", "--convert-scf-to-cf", "--expand-strided-metadata",
                    "--lower-affine", "--finalize-memref-to-llvm", "--convert-math-to-llvm",
                    "--convert-math-to-libm", "--convert-arith-to-llvm", "--convert-index-to-llvm",
                    "--convert-cf-to-llvm", "--convert-func-to-llvm", "--reconcile-unrealized-casts",
                    "-o", llvm], check=True)
    lib = os.path.join(os.path.dirname(args.llvm_bin), "lib")
    return subprocess.run([os.path.join(args.llvm_bin, "mlir-cpu-runner"), llvm, "-e", "main",
                           "-entry-point-result=void",
                           "-shared-libs=" + os.path.join(lib, "libmlir_c_runner_utils.so") + "," +
                           os.path.join(lib, "libmlir_runner_utils.so")],
                          capture_output=True, text=True)


def printed_values(stdout):
    data = stdout.split("data =", 1)[1]
    return np.array([float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", data)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kiln-bin", required=True)
    ap.add_argument("--llvm-bin", default="/usr/lib/llvm-19/bin")
    args = ap.parse_args()
    cases = [resnet_case(1), resnet_case(3), resnet_case(2, 16, 16, True),
             resnet_case(1, 13, 10, True),
             encoder_case(1, 5), encoder_case(3, 7), misc_case(1), misc_case(4),
             decomposed_case(1), decomposed_case(3)]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="kiln-dynamic-") as work:
        for i, (lit_file, name, inputs, dynamic, result_type, expected) in enumerate(cases):
            text = function_of(lit_file) + "\n" + main_function(name, inputs, dynamic, result_type)
            res = run(text, work, f"case{i}", args)
            what = f"{name} {'x'.join(map(str, inputs['x'].shape))}"
            if res.returncode != 0:
                print(f"FAIL {what}: mlir-cpu-runner exited {res.returncode}\n{res.stderr[-2000:]}")
                failures += 1
                continue
            got = printed_values(res.stdout)
            err = np.abs(got - expected.ravel()).max() / np.abs(expected).max()
            ok = got.size == expected.size and err <= 1e-4
            print(f"{'ok' if ok else 'FAIL'} {what}: max rel err {err:.2e}")
            failures += not ok
        # Sizes that do not broadcast stop the run at the check.
        bad = ("func.func @f(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {\n"
               "  %0 = nn.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>\n"
               "  return %0 : tensor<?x3xf32>\n}\n")
        inputs = {"x": np.ones((2, 3), np.float32), "y": np.ones((4, 3), np.float32)}
        res = run(bad + main_function("f", inputs, {"x": "tensor<?x3xf32>", "y": "tensor<?x3xf32>"},
                                      "tensor<?x3xf32>"), work, "mismatch", args)
        ok = res.returncode != 0 and "data =" not in res.stdout
        print(f"{'ok' if ok else 'FAIL'} add 2x3 + 4x3 stops at the broadcast check")
        failures += not ok
    if failures:
        sys.exit(f"{failures} dynamic-shape case(s) failed")


if __name__ == "__main__":
    main()
