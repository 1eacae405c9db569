#!/usr/bin/python3
"""The ONNX backend cases again, with their inputs turned into constants.

Checks Kiln's constant folding against the backend suite's stored outputs
(libonnx-testdata): for every listed case, the inputs of test_data_set_0
become initializers, so the importer folds the graph through the nn
dialect's evaluator wherever every tensor has at most 64 Ki elements
(docs/onnx-import.md, "Constant folding"). The model is compiled and run
(it has no inputs left) and each output compared with output_K.pb like
onnx_backend.py does (rtol 1e-3, atol 1e-5). Cases whose inputs exceed the
folding limit, or that are not tensors, are skipped. It prints how many
cases folded to constants entirely (`--emit=nn` holds nothing but
nn.constant).

    /usr/bin/python3 test/e2e/folded_backend.py --bin-dir build/bin \\
        --list test/e2e/onnx_backend_passing.txt [-j 2] [--filter REGEX]
"""

import argparse
import concurrent.futures
import glob
import os
import re
import sys
import tempfile

import numpy as np

import kiln_e2e as e2e
import onnx_backend

MAX_FOLD_ELEMENTS = 64 * 1024


def constant_model(case_dir, path):
    """Writes the case's model with test_data_set_0's inputs as initializers
    to `path`; returns the output names, or None when the case is skipped."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in initializers]
    data = os.path.join(case_dir, "test_data_set_0")
    if any(onnx_backend.value_kind(v) != "tensor" for v in list(inputs) + list(graph.output)):
        return None
    arrays = []
    for k, v in enumerate(inputs):
        pb = os.path.join(data, f"input_{k}.pb")
        if not os.path.isfile(pb):
            return None
        array = e2e.load_tensor_pb(pb)
        if array.size > MAX_FOLD_ELEMENTS:
            return None
        arrays.append((v, array))
    for v, array in arrays:
        graph.input.remove(v)
        graph.initializer.append(numpy_helper.from_array(array, v.name))
    onnx.save(model, path)
    return [v.name for v in graph.output]


def run_case(name, args, tools):
    """(name, 'skip' | 'folded' | 'partly folded' | failure reason)."""
    case_dir = os.path.join(args.data_dir, name)
    try:
        with tempfile.TemporaryDirectory(prefix="kiln-folded-") as work:
            path = os.path.join(work, "model.onnx")
            outputs = constant_model(case_dir, path)
            if outputs is None:
                return name, "skip"
            nn = e2e.run([tools["kiln-compile"], path, "--emit=nn"], timeout=args.timeout)
            e2e.check(nn, "kiln-compile --emit=nn")
            ops = set(re.findall(r"= (nn\.[a-z_]+)", nn.stdout))
            library = os.path.join(work, "model.so")
            e2e.kiln_compile(tools["kiln-compile"], path, library, args.timeout)
            out = os.path.join(work, "out")
            e2e.kiln_run([tools["kiln-run"], library], [], out, args.timeout)
            for k, output in enumerate(outputs):
                want = e2e.load_tensor_pb(os.path.join(case_dir, "test_data_set_0",
                                                       f"output_{k}.pb"))
                problem = e2e.compare(e2e.load_output(out, output), want, args.rtol, args.atol,
                                      f"output '{output}'")
                if problem:
                    return name, problem
            return name, "folded" if ops <= {"nn.constant"} else "partly folded"
    except e2e.E2EError as err:
        return name, str(err)
    except Exception as err:  # harness or data problem: this case's failure
        return name, f"harness error: {type(err).__name__}: {e2e.first_line(str(err))}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", metavar="FILE", required=True, help="the cases to run")
    ap.add_argument("--filter", metavar="REGEX", help="only cases matching REGEX")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--data-dir", default=onnx_backend.DATA_DIR)
    ap.add_argument("--bin-dir", default=None)
    args = ap.parse_args()
    tools = {t: e2e.find_tool(t, args.bin_dir) for t in ("kiln-compile", "kiln-run")}
    cases = onnx_backend.read_list(args.list)
    if args.filter:
        cases = [c for c in cases if re.search(args.filter, c)]
    counts = {"folded": 0, "partly folded": 0, "skip": 0}
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, result in pool.map(lambda c: run_case(c, args, tools), cases):
            if result in counts:
                counts[result] += 1
                print(f"{result.upper()} {name}", flush=True)
            else:
                failed.append(name)
                print(f"FAIL {name}: {' '.join(result.split())}", flush=True)
    print(f"{counts['folded']} folded, {counts['partly folded']} partly folded, "
          f"{counts['skip']} skipped, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
