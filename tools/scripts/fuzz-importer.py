#!/usr/bin/python3
"""Mutate the ONNX backend suite's models and look for crashes in kiln-compile.

Each trial takes a model from libonnx-testdata, applies one mutation (a graph
input dimension set to an odd value, a window or integer attribute set to an
odd value, a node input removed, an initializer dimension changed) and runs
`kiln-compile MODEL --emit=llvm-dialect`. A clear error is fine; a signal, an
LLVM/MLIR crash report or a timeout is a problem: the mutated model is saved
under --out and listed. Exits 1 when there are problems.

    /usr/bin/python3 tools/scripts/fuzz-importer.py --bin-dir build/bin --seed 1 --models 250
"""

import argparse
import glob
import os
import random
import subprocess
import sys

import onnx

ODD = [-5, -1, 0, 1, 3, 99, 2**40]


def mutate(model, rng):
    g = model.graph
    kind = rng.randrange(4)
    if kind == 0 and g.input:
        dims = rng.choice(g.input).type.tensor_type.shape.dim
        if dims:
            rng.choice(dims).dim_value = rng.choice([0, 1, 2, 3, 7, 1000000007])
    elif kind == 1 and g.node:
        for a in rng.choice(g.node).attribute:
            if a.ints:
                a.ints[rng.randrange(len(a.ints))] = rng.choice(ODD)
            elif a.type == onnx.AttributeProto.INT:
                a.i = rng.choice(ODD)
    elif kind == 2 and g.node:
        node = rng.choice(g.node)
        if node.input:
            del node.input[rng.randrange(len(node.input))]
    elif kind == 3 and g.initializer:
        t = rng.choice(g.initializer)
        if t.dims:
            t.dims[rng.randrange(len(t.dims))] += rng.choice([-1, 1, 5])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default="build/bin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", type=int, default=250, help="models to mutate (default 250)")
    ap.add_argument("--trials", type=int, default=3, help="mutations per model (default 3)")
    ap.add_argument("--out", default="build/fuzz", help="where problem models are saved")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    compiler = os.path.join(args.bin_dir, "kiln-compile")
    os.makedirs(args.out, exist_ok=True)
    models = sorted(glob.glob("/usr/share/libonnx-testdata/data/*/*/model.onnx"))
    rng.shuffle(models)
    problems, runs = [], 0
    for path in models[:args.models]:
        try:
            base = onnx.load(path)
        except Exception:
            continue
        for _ in range(args.trials):
            model = onnx.ModelProto()
            model.CopyFrom(base)
            mutate(model, rng)
            case = os.path.join(args.out, "case.onnx")
            onnx.save(model, case)
            runs += 1
            try:
                res = subprocess.run([compiler, case, "--emit=llvm-dialect"], capture_output=True,
                                     timeout=60)
                err = res.stderr.decode(errors="replace")
                bad = (res.returncode < 0 or res.returncode >= 128 or "Stack dump" in err
                       or "LLVM ERROR" in err or "Assertion" in err)
                why = f"exit {res.returncode}"
            except subprocess.TimeoutExpired:
                bad, why = True, "timeout"
            if bad:
                saved = os.path.join(args.out, f"problem{len(problems)}.onnx")
                onnx.save(model, saved)
                problems.append(f"{saved} (from {path}): {why}")
    print(f"{runs} mutated models, {len(problems)} problems")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
