"""Fails when an nn op (a `def NN_...Op` in dialects/NN) has no lowering test
in test/Conversion/NNToLinalg/*.mlir or no round-trip case in
test/Dialect/NN/ops.mlir or ops-semantic.mlir (the ops nn-decompose
expands), so coverage cannot shrink silently.

An op counts as tested when its mnemonic appears as `nn.<mnemonic>` in the
IR of a test file (comment and CHECK lines do not count)."""

import glob
import os
import re
import sys

src = sys.argv[1]
op_def = re.compile(r'^def\s+NN_\w+Op\s*:\s*\w+<\s*"([a-z0-9_]+)"', re.M)
ops = set()
for td in glob.glob(os.path.join(src, "dialects", "NN", "**", "*.td"), recursive=True):
    with open(td) as f:
        ops.update(op_def.findall(f.read()))
if not ops:
    sys.exit("op_coverage: expects nn op definitions under dialects/NN, found none")


def used_ops(paths):
    used = set()
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.lstrip().startswith("//"):
                    continue
                used.update(re.findall(r"\bnn\.([a-z0-9_]+)\b", line))
    return used


lowered = used_ops(glob.glob(os.path.join(src, "test", "Conversion", "NNToLinalg", "*.mlir")))
round_tripped = used_ops([os.path.join(src, "test", "Dialect", "NN", name)
                          for name in ("ops.mlir", "ops-semantic.mlir")])
missing = [(op, what) for op in sorted(ops)
           for what, seen in (("lowering test (test/Conversion/NNToLinalg)", lowered),
                              ("round-trip case (test/Dialect/NN/ops.mlir or ops-semantic.mlir)",
                               round_tripped))
           if op not in seen]
for op, what in missing:
    print(f"nn.{op}: expects a {what}, found none")
print(f"{len(ops)} nn ops, {len(missing)} missing tests")
sys.exit(1 if missing else 0)
