#!/usr/bin/python3
"""Run cases of the ONNX backend test suite through kiln-compile and kiln-run.

Oracle: the stored inputs and expected outputs of the Debian package
libonnx-testdata (/usr/share/libonnx-testdata/data/{node,simple,
pytorch-converted,pytorch-operator}/<case>/). For each case, model.onnx is
compiled to a shared library; for every test_data_set_* of the case,
input_K.pb becomes the K-th graph input that is not an initializer, kiln-run
writes the outputs, and output_K.pb is compared with the K-th graph output:
shapes and dtypes must match, floats within abs(a - e) <= atol + rtol*abs(e)
(rtol 1e-3, atol 1e-5), other dtypes exactly.

Modes:
  --list FILE      run the cases listed in FILE (`node/test_relu` per line, `#`
                   comments); exit 1 if any fails
  --sweep          run every case (or those matching --filter REGEX); with
                   --write-passing FILE, add the passing ones to FILE (a list
                   only grows: listed cases that fail stay listed); with
                   --coverage FILE, write a markdown page of the results
                   (counts per suite and per operator, failures grouped by
                   reason, every case with its result and reason); exit 0
  CASE ...         run the named cases; exit 1 if any fails

Each case prints `PASS suite/case` or `FAIL suite/case: <reason>`; the last
line is `N passed, N failed`.

    /usr/bin/python3 test/e2e/onnx_backend.py --bin-dir build/bin \\
        --list test/e2e/onnx_backend_passing.txt
"""

import argparse
import concurrent.futures
import glob
import os
import re
import sys
import tempfile
import time

import numpy as np

import kiln_e2e as e2e

DATA_DIR = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "simple", "pytorch-converted", "pytorch-operator")

PASSING_HEADER = """\
# ONNX backend test cases (libonnx-testdata) that Kiln compiles and runs correctly.
# test/e2e/onnx_backend.py --list runs them and fails if any of them fails.
# This list only grows: add cases when they start to pass, with
#   onnx_backend.py --sweep --write-passing test/e2e/onnx_backend_passing.txt
# (which adds and never removes); a listed case that fails is a regression to fix,
# not a line to delete. One `suite/case` per line, sorted; `#` starts a comment.
"""


def all_cases(data_dir):
    cases = []
    for suite in SUITES:
        for path in glob.glob(os.path.join(data_dir, suite, "*", "model.onnx")):
            cases.append(f"{suite}/{os.path.basename(os.path.dirname(path))}")
    return sorted(cases)


def read_list(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                cases.append(line)
    return cases


def value_kind(value_info):
    """'tensor', 'sequence', 'optional', ... for a graph input or output."""
    kind = value_info.type.WhichOneof("value")
    return kind[:-len("_type")] if kind and kind.endswith("_type") else str(kind)


def signature(model_path):
    """(input names, output names) of a model; raise E2EError for non-tensor values."""
    import onnx
    model = onnx.load(model_path)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in initializers]
    for role, values in (("input", inputs), ("output", model.graph.output)):
        for v in values:
            if value_kind(v) != "tensor":
                raise e2e.E2EError(f"{role} '{v.name}' has {value_kind(v)} type; "
                                   "only tensors travel through .npy files")
    return [v.name for v in inputs], [v.name for v in model.graph.output], type_only_inputs(model)


def type_only_inputs(model):
    """{name: declared shape} of the graph inputs whose values are never read.

    Such an input is unused, or only gives CastLike (its second operand) an
    element type. libonnx-testdata 1.12 stores test_castlike_*'s `like` as a
    one-element tensor while the model declares it 3x4 (the generator took
    the declared type from the output; the _expanded models do not use it);
    run_set resizes the stored data to the declared shape for these inputs
    only, which cannot change any result.
    """
    def subgraph_names(graph, names):
        for node in graph.node:
            for attr in node.attribute:
                for g in list(attr.graphs) + ([attr.g] if attr.HasField("g") else []):
                    for n in g.node:
                        names.update(n.input)
                    names.update(o.name for o in g.output)
                    subgraph_names(g, names)
        return names

    captured = subgraph_names(model.graph, set())
    graph_outputs = {o.name for o in model.graph.output}
    result = {}
    for v in model.graph.input:
        uses = [(node.op_type, k) for node in model.graph.node
                for k, name in enumerate(node.input) if name == v.name]
        dims = v.type.tensor_type.shape.dim
        if (all(use == ("CastLike", 1) for use in uses) and v.name not in captured
                and v.name not in graph_outputs and all(d.HasField("dim_value") for d in dims)):
            result[v.name] = tuple(d.dim_value for d in dims)
    return result


class Case:
    """One backend test case, run against the tools with a deadline."""

    def __init__(self, name, args, tools):
        self.name = name
        self.args = args
        self.tools = tools
        self.dir = os.path.join(args.data_dir, name)

    def remaining(self, deadline_start):
        left = self.args.timeout - (time.monotonic() - deadline_start)
        if left <= 0:
            raise e2e.E2EError(f"case timed out after {self.args.timeout} s")
        return left

    def run(self, work):
        """None on success, else a one-line reason."""
        model = os.path.join(self.dir, "model.onnx")
        if not os.path.isfile(model):
            return f"no such case in {self.args.data_dir}"
        start = time.monotonic()
        input_names, output_names, type_only = signature(model)
        sets = sorted(glob.glob(os.path.join(self.dir, "test_data_set_*")))
        if not sets:
            return "case has no test_data_set_*"

        library = os.path.join(work, "model.so")
        e2e.kiln_compile(self.tools["kiln-compile"], model, library, self.remaining(start))

        for data in sets:
            tag = os.path.basename(data)
            try:
                self.run_set(data, work, library, input_names, output_names, type_only, start)
            except e2e.E2EError as err:
                return f"{tag}: {err}"
        return None

    def run_set(self, data, work, library, input_names, output_names, type_only, start):
        tag = os.path.basename(data)
        n_in = len(glob.glob(os.path.join(data, "input_*.pb")))
        if n_in != len(input_names):
            raise e2e.E2EError(f"{n_in} input_*.pb files for {len(input_names)} graph inputs")
        inputs = []
        for k, name in enumerate(input_names):
            array = e2e.load_tensor_pb(os.path.join(data, f"input_{k}.pb"))
            if name in type_only and array.shape != type_only[name] and array.size:
                array = np.resize(array, type_only[name])
            inputs.append((name, e2e.save_npy(os.path.join(work, f"{tag}_input_{k}.npy"), array)))
        out_dir = os.path.join(work, f"{tag}_outputs")
        e2e.kiln_run([self.tools["kiln-run"], library], inputs, out_dir,
                     self.remaining(start), threads=self.args.run_threads)
        for k, name in enumerate(output_names):
            expected = e2e.load_tensor_pb(os.path.join(data, f"output_{k}.pb"))
            actual = e2e.load_output(out_dir, name)
            problem = e2e.compare(actual, expected, self.args.rtol, self.args.atol,
                                  f"output '{name}'")
            if problem:
                raise e2e.E2EError(problem)


def run_case(name, args, tools):
    """(name, reason or None); never raises, so one broken case cannot stop the rest."""
    work_root = args.work_dir or None
    try:
        if work_root:
            work = os.path.join(work_root, name.replace("/", "__"))
            os.makedirs(work, exist_ok=True)
            return name, Case(name, args, tools).run(work)
        with tempfile.TemporaryDirectory(prefix="kiln-onnx-") as work:
            return name, Case(name, args, tools).run(work)
    except e2e.E2EError as err:
        return name, str(err)
    except Exception as err:  # harness or data problem: report it as this case's failure
        return name, f"harness error: {type(err).__name__}: {e2e.first_line(str(err))}"


def run_all(cases, args, tools):
    """Run `cases` with args.jobs workers, print one line each in order; return the passing set."""
    passed, failed = [], {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, reason in pool.map(lambda c: run_case(c, args, tools), cases):
            if reason is None:
                passed.append(name)
                print(f"PASS {name}", flush=True)
            else:
                failed[name] = ' '.join(reason.split())
                print(f"FAIL {name}: {failed[name]}", flush=True)
    print(f"{len(passed)} passed, {len(failed)} failed", flush=True)
    return passed, failed


def short_reason(reason):
    """A failure reason without the tool's exit status and the model's path."""
    return re.sub(r"^(test_data_set_\d+: )?(compile|run): kiln-\S+ exited with -?\d+: "
                  r"(\S+\.onnx:\d+:\d+: )?(error: )?", r"\1\2: ", reason)


def reason_class(reason):
    """A failure reason with what varies between cases (names, numbers, types) blanked."""
    r = re.sub(r"^(test_data_set_\d+: )", "", reason)
    r = re.sub(r"^(compile|run): kiln-\S+ exited with -?\d+: (\S+\.onnx:\d+:\d+: )?(error: )?",
               r"\1: ", r)
    if "unsupported operator" in r:
        ops = sorted(set(re.findall(r"\((\w+), opset", r)))
        return "unsupported operator: " + ", ".join(ops)
    r = re.sub(r"node '[^']*'", "node '…'", r)
    r = re.sub(r"'[^']*'", "'…'", r)
    r = re.sub(r"tensor<[^>]*>", "tensor<…>", r)
    r = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", r)
    return r[:160]


def model_ops(data_dir, name):
    """The operator types of a case's model (subgraphs included), `domain.Op` outside
    the default domain."""
    import onnx
    try:
        model = onnx.load(os.path.join(data_dir, name, "model.onnx"))
    except Exception:  # an unreadable model has no operators to count
        return set()
    ops = set()

    def walk(graph):
        for node in graph.node:
            domain = "" if node.domain in ("", "ai.onnx") else node.domain + "."
            ops.add(domain + node.op_type)
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    walk(attr.g)
                for g in attr.graphs:
                    walk(g)
    walk(model.graph)
    return ops


def write_coverage(path, passed, failed, data_dir=DATA_DIR):
    """Write the sweep as a markdown page: totals per suite and per operator, failures
    grouped by reason, and every case with its result and, when it fails, the reason."""
    suites = sorted({c.split("/")[0] for c in list(passed) + list(failed)})
    total = len(passed) + len(failed)
    lines = ["# ONNX backend coverage", "",
             "Generated by `make test-onnx-full` (`test/e2e/onnx_backend.py --sweep --coverage`);",
             "do not edit. Oracle: the stored outputs of Debian's libonnx-testdata.", "",
             f"**{len(passed)} of {total} cases pass.**", "",
             "| suite | pass | fail |", "| --- | ---: | ---: |"]
    for s in suites:
        p = sum(1 for c in passed if c.startswith(s + "/"))
        f = sum(1 for c in failed if c.startswith(s + "/"))
        lines.append(f"| {s} | {p} | {f} |")

    # Per operator: the cases whose model uses it. A failing case counts against
    # every operator it uses, so the column says where to look, not who is at fault.
    per_op = {}
    for name in sorted(list(passed) + list(failed)):
        for op in model_ops(data_dir, name):
            per_op.setdefault(op, [0, 0])[0 if name in passed else 1] += 1
    lines += ["", "## Per operator", "",
              "Cases whose model uses the operator (subgraphs included); a failing case",
              "counts for each operator in it.", "",
              "| operator | cases | pass | fail |", "| --- | ---: | ---: | ---: |"]
    for op, (p, f) in sorted(per_op.items(), key=lambda kv: kv[0].lower()):
        lines.append(f"| {op} | {p + f} | {p} | {f} |")

    groups = {}
    for name, reason in failed.items():
        groups.setdefault(reason_class(reason), []).append(name)
    lines += ["", "## Failures by reason", "",
              "Most common first; the reason is the first line of the error with names and",
              "numbers blanked.", ""]
    for reason, names in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(n.split("/", 1)[1].removeprefix("test_") for n in sorted(names))
        lines.append(f"- **{len(names)}** — `{reason}`: {shown}")

    lines += ["", "## Every case", "",
              "| case | result | reason |", "| --- | --- | --- |"]
    for name in sorted(list(passed) + list(failed)):
        reason = failed.get(name)
        if reason is None:
            lines.append(f"| {name} | pass | |")
        else:
            shown = short_reason(e2e.first_line(reason)).replace("|", "\\|").replace("`", "'")
            if len(shown) > 300:
                shown = shown[:297] + "..."
            lines.append(f"| {name} | FAIL | {shown} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{path}: {len(passed)} of {total} pass", flush=True)


def write_passing(path, passed, failed):
    """Add `passed` to the list in `path`; never remove a line (regressions stay visible)."""
    listed = set(read_list(path)) if os.path.isfile(path) else set()
    added = sorted(set(passed) - listed)
    regressions = sorted(listed & set(failed))
    with open(path, "w") as f:
        f.write(PASSING_HEADER)
        for name in sorted(listed | set(passed)):
            f.write(name + "\n")
    print(f"{path}: {len(added)} case(s) added, {len(listed | set(passed))} listed", flush=True)
    if regressions:
        print(f"{path}: {len(regressions)} listed case(s) failed in this sweep and stay listed: "
              + ", ".join(regressions), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--list", metavar="FILE", help="run the cases listed in FILE")
    mode.add_argument("--sweep", action="store_true", help="run every case (see --filter)")
    ap.add_argument("cases", nargs="*", metavar="CASE", help="cases to run, e.g. node/test_relu")
    ap.add_argument("--filter", metavar="REGEX", help="with --sweep: only cases matching REGEX")
    ap.add_argument("--write-passing", metavar="FILE",
                    help="with --sweep: add passing cases to FILE")
    ap.add_argument("--coverage", metavar="FILE",
                    help="with --sweep: write the results as a markdown page (docs/onnx-coverage.md)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per case (default 120)")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--run-threads", type=int, default=None,
                    help="pass --threads T to kiln-run (default: not passed)")
    ap.add_argument("--data-dir", default=DATA_DIR, help=f"test data root (default {DATA_DIR})")
    e2e.add_common_args(ap)
    args = ap.parse_args()

    if sum(bool(m) for m in (args.list, args.sweep, args.cases)) != 1:
        ap.error("give exactly one of --list FILE, --sweep, or case names")
    if (args.filter or args.write_passing or args.coverage) and not args.sweep:
        ap.error("--filter, --write-passing and --coverage go with --sweep")
    if not os.path.isdir(args.data_dir):
        e2e.die(f"{args.data_dir} not found (Debian package libonnx-testdata)")
    try:
        tools = {t: e2e.find_tool(t, args.bin_dir) for t in ("kiln-compile", "kiln-run")}
    except e2e.E2EError as err:
        e2e.die(str(err))
    if args.work_dir:
        args.work_dir = os.path.abspath(args.work_dir)

    if args.sweep:
        cases = all_cases(args.data_dir)
        if args.filter:
            try:
                pattern = re.compile(args.filter)
            except re.error as err:
                ap.error(f"--filter: {err}")
            cases = [c for c in cases if pattern.search(c)]
        passed, failed = run_all(cases, args, tools)
        if args.write_passing:
            write_passing(args.write_passing, passed, failed)
        if args.coverage:
            write_coverage(args.coverage, passed, failed, args.data_dir)
        return 0

    cases = read_list(args.list) if args.list else args.cases
    _, failed = run_all(cases, args, tools)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
