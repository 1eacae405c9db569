"""Builds the seed corpora of the libFuzzer targets (docs/fuzzing.md).

importer: the ONNX backend suite's node models, the ONNX text models of the
importer's lit tests (split out with split-file) and the broken graphs
test/Import/ONNX/malformed-graph.test.py writes; npy: their test_data_set_0
inputs and outputs, converted from TensorProto .pb to .npy with numpy;
signature: the committed fuzz/corpus/signature texts (taken from compiled
models); artifact: the runtime tests' fake model libraries, linked as the
compiler links a model (cc -shared) and sealed with the checksum trailer it
appends. Nothing generated here is committed.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

NODE_DIR = "/usr/share/libonnx-testdata/data/node"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="directory that gets importer/, npy/, signature/")
    ap.add_argument("--source", required=True, help="repository root (for fuzz/corpus)")
    args = ap.parse_args()
    dirs = {k: os.path.join(args.out, k) for k in ("importer", "npy", "signature", "artifact")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    cases = sorted(glob.glob(os.path.join(NODE_DIR, "*", "model.onnx")))
    if not cases:
        sys.exit(f"fuzz-seeds: expects backend models in {NODE_DIR}, found none "
                 "(install libonnx-testdata)")
    models = npys = 0
    for model in cases:
        case = os.path.basename(os.path.dirname(model))
        shutil.copyfile(model, os.path.join(dirs["importer"], case + ".onnx"))
        models += 1
        for pb in sorted(glob.glob(os.path.join(os.path.dirname(model), "test_data_set_0", "*.pb"))):
            tensor = onnx.TensorProto()
            with open(pb, "rb") as f:
                tensor.ParseFromString(f.read())
            try:
                array = numpy_helper.to_array(tensor)
            except Exception:  # sequences, optionals, odd dtypes: not .npy material
                continue
            if array.dtype == object or array.nbytes > 1 << 16:
                continue
            name = f"{case}-{os.path.splitext(os.path.basename(pb))[0]}.npy"
            np.save(os.path.join(dirs["npy"], name), array)
            npys += 1
    texts = 0
    with tempfile.TemporaryDirectory() as tmp:
        for test in sorted(glob.glob(os.path.join(args.source, "test", "Import", "ONNX", "*.test"))):
            split = os.path.join(tmp, os.path.basename(test))
            if subprocess.run(["/usr/lib/llvm-19/bin/split-file", test, split],
                              capture_output=True).returncode != 0:
                continue
            for txt in sorted(glob.glob(os.path.join(split, "*.onnxtxt"))):
                name = f"{os.path.basename(test)}-{os.path.basename(txt)}"
                shutil.copyfile(txt, os.path.join(dirs["importer"], name))
                texts += 1
        gen = os.path.join(args.source, "test", "Import", "ONNX", "malformed-graph.test.py")
        if os.path.exists(gen):
            broken = os.path.join(tmp, "malformed-graph")
            if subprocess.run([sys.executable, gen, broken], capture_output=True).returncode == 0:
                for m in sorted(glob.glob(os.path.join(broken, "*.onnx"))):
                    shutil.copyfile(m, os.path.join(dirs["importer"], "malformed-graph-" + os.path.basename(m)))
                    texts += 1
    sigs = 0
    for txt in sorted(glob.glob(os.path.join(args.source, "fuzz", "corpus", "signature", "*"))):
        shutil.copy(txt, dirs["signature"])
        sigs += 1
    libs = 0
    # Each library gets the checksum trailer kiln-compile appends, so that
    # mutations reach the checksum's verification, not only its absence.
    runtime_tests = os.path.join(args.source, "test", "unit", "runtime")
    seal = os.path.join(args.out, "seal_artifact")
    sealing = subprocess.run(["clang-19", "-O1", "-I" + os.path.join(args.source, "runtime"),
                              os.path.join(runtime_tests, "seal_artifact.c"), "-o", seal],
                             capture_output=True).returncode == 0
    for fake in ("fake_model", "fake_model_parallel", "fake_model_bad_signature"):
        src = os.path.join(runtime_tests, fake + ".c")
        lib = os.path.join(dirs["artifact"], fake + ".so")
        cmd = ["clang-19", "-O1", "-shared", "-fPIC", "-I" + os.path.join(args.source, "runtime"),
               src, "-o", lib]
        if (os.path.exists(src) and subprocess.run(cmd, capture_output=True).returncode == 0
                and sealing and subprocess.run([seal, lib]).returncode == 0):
            libs += 1
    print(f"fuzz-seeds: {models} backend models, {texts} lit-test models, {npys} .npy files, {sigs} signatures, {libs} libraries in {args.out}")


if __name__ == "__main__":
    main()
