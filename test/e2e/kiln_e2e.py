"""Shared helpers for Kiln's end-to-end test scripts.

Finds the Kiln tools, runs them with a timeout, converts tensors between .npy
files and ONNX TensorProto .pb files, and compares tensors with a report that
says how far apart they are. The scripts that use it compare Kiln's results
with an independent oracle (PyTorch, the stored outputs of libonnx-testdata),
never with Kiln's own earlier output.

Only numpy is needed at import time; onnx is imported where it is used.
"""

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class E2EError(Exception):
    """A problem that fails a test step; the message is one line for the report."""


# --- command line -----------------------------------------------------------

def add_common_args(parser):
    """Add the options every e2e script takes: --bin-dir and --work-dir."""
    parser.add_argument("--bin-dir", default=None,
                        help="folder holding kiln-compile, kiln-run, ... "
                             "(default: $KILN_BIN_DIR, then PATH)")
    parser.add_argument("--work-dir", default=None,
                        help="keep intermediate files here (default: a temporary folder, "
                             "removed at the end)")


def find_tool(name, bin_dir=None):
    """Path of the Kiln tool `name`: from bin_dir, else $KILN_BIN_DIR, else PATH."""
    env_dir = os.environ.get("KILN_BIN_DIR")
    for folder, origin in ((bin_dir, "--bin-dir"), (env_dir, "KILN_BIN_DIR")):
        if folder:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return os.path.abspath(path)
            raise E2EError(f"{name} not found in {folder} (from {origin})")
    path = shutil.which(name)
    if path:
        return path
    raise E2EError(f"{name} not found: pass --bin-dir or set KILN_BIN_DIR")


def built_with_asan(tool):
    """True when the executable `tool` carries AddressSanitizer's runtime (a
    `make test-sanitize` build): valgrind cannot run such a program."""
    with open(tool, "rb") as f:
        return b"__asan_init" in f.read()


@contextlib.contextmanager
def work_dir(path=None, prefix="kiln-e2e-"):
    """Yield `path` (created, kept afterwards) or a temporary folder removed on exit."""
    if path:
        os.makedirs(path, exist_ok=True)
        yield os.path.abspath(path)
    else:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield tmp


# --- running commands -------------------------------------------------------

class Result:
    """What a finished (or timed-out) command left behind."""

    def __init__(self, cmd, returncode, stdout, stderr, seconds, timed_out, timeout):
        self.cmd = cmd
        self.timeout = timeout
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.timed_out = timed_out

    @property
    def ok(self):
        return not self.timed_out and self.returncode == 0

    def why(self):
        """One line: why the command failed (timeout, signal, or its first message line)."""
        tool = os.path.basename(self.cmd[0])
        if self.timed_out:
            return f"{tool} timed out after {self.timeout:g} s"
        if self.returncode < 0:
            try:
                sig = signal.Signals(-self.returncode).name
            except ValueError:
                sig = f"signal {-self.returncode}"
            status = f"{tool} killed by {sig}"
        else:
            status = f"{tool} exited with {self.returncode}"
        line = first_line(self.stderr) or first_line(self.stdout)
        return f"{status}: {line}" if line else status


def first_line(text):
    """The first non-blank line of `text` that mentions an error, else the first non-blank one."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if "error" in line.lower():
            # A list announced by a trailing colon ("2 unsupported operators in
            # the model:") is part of the message.
            if line.endswith(":"):
                line += " " + "; ".join(lines[i + 1:i + 9])
            return line
    return lines[0] if lines else ""


def command_line(cmd):
    return shlex.join(str(c) for c in cmd)


def run(cmd, timeout, cwd=None, echo=False):
    """Run `cmd` (a list), capture its output, kill it after `timeout` seconds."""
    cmd = [str(c) for c in cmd]
    if echo:
        print(f"$ {command_line(cmd)}", flush=True)
    start = time.monotonic()
    # A new session, so a timeout kills the whole process group, not just the first process.
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=max(timeout, 0.1))
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        timed_out = True
    return Result(cmd, proc.returncode, out, err, time.monotonic() - start, timed_out, timeout)


def check(result, what):
    """Raise E2EError naming `what` unless `result` succeeded."""
    if not result.ok:
        raise E2EError(f"{what}: {result.why()}")
    return result


# --- the Kiln tools ---------------------------------------------------------

def kiln_compile(compiler, model, out, timeout, extra=(), echo=False):
    """kiln-compile MODEL -o OUT (OUT.so: shared library; otherwise an executable)."""
    res = check(run([compiler, model, "-o", out, *extra], timeout, echo=echo), "compile")
    if not os.path.isfile(out):
        raise E2EError(f"compile: kiln-compile exited 0 but wrote no {os.path.basename(out)}")
    return res


def kiln_run(runner, inputs, output_dir, timeout, threads=None, echo=False):
    """Run a compiled model and write DIR/<output>.npy for each output.

    `runner` is [kiln-run, MODEL.so] for a shared library or [EXECUTABLE] for a
    standalone executable; `inputs` is a list of (name, npy path) pairs.
    """
    os.makedirs(output_dir, exist_ok=True)
    cmd = list(runner)
    for name, path in inputs:
        cmd += ["--input", f"{name}={path}"]
    cmd += ["--output-dir", output_dir]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    return check(run(cmd, timeout, echo=echo), "run")


def run_model(runner, lib, arrays, work, tag, timeout=120):
    """Run `kiln-run LIB` on `arrays` ({input name: array}, saved as
    WORK/TAG_NAME.npy) with --output-dir WORK/out_TAG, not checking the
    result; returns (Result, that output folder)."""
    cmd = [runner, lib]
    for name, array in arrays.items():
        cmd += ["--input", f"{name}={save_npy(os.path.join(work, f'{tag}_{name}.npy'), array)}"]
    out = os.path.join(work, "out_" + tag)
    return run(cmd + ["--output-dir", out], timeout), out


def expect_refused(failures, result, message, what, output_dir=None, exact=False,
                   stdout_lacks=None):
    """A check (see `expect`) that `result` is a clean refusal: exit status 1
    (not a signal, not a timeout), `message` on stderr (with `exact`, as a
    whole line, after the tool's "NAME: " prefix), nothing written into
    `output_dir` when given, and `stdout_lacks` (when given) not on stdout."""
    lines = [line.split(": ", 1)[-1] for line in (result.stderr or "").splitlines()]
    said = message in lines if exact else message in (result.stderr or "")
    written = os.listdir(output_dir) if output_dir and os.path.isdir(output_dir) else []
    ok = (not result.timed_out and result.returncode == 1 and said and not written
          and not (stdout_lacks and stdout_lacks in (result.stdout or "")))
    if not ok and written:
        what += f" (wrote {sorted(written)})"
    expect(failures, ok, what, result)


def output_path(output_dir, name):
    """Where kiln-run writes output `name` ('/' and control characters become '_')."""
    file = "".join("_" if c == "/" or ord(c) < 0x20 or ord(c) == 0x7f else c for c in name)
    return os.path.join(output_dir, file + ".npy")


def load_output(output_dir, name):
    path = output_path(output_dir, name)
    if not os.path.isfile(path):
        raise E2EError(f"output '{name}' not written (expected {os.path.basename(path)})")
    return load_npy(path)


# --- tensors ----------------------------------------------------------------

def save_npy(path, array):
    """Write `array` to `path` as a C-contiguous .npy (no pickled objects)."""
    array = np.asarray(array, order="C")  # not ascontiguousarray: it turns 0-d into 1-d
    if array.dtype == object:  # ONNX strings: fixed-width bytes, never a pickle
        array = array.astype(np.bytes_)
    np.save(path, array, allow_pickle=False)
    return path


def load_npy(path):
    try:
        return np.load(path, allow_pickle=False)
    except Exception as e:  # a malformed file is a test failure, not a crash
        raise E2EError(f"cannot read {os.path.basename(path)}: {e}") from None


def load_tensor_pb(path):
    """An ONNX TensorProto .pb file as a numpy array."""
    import onnx
    from onnx import numpy_helper
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def compare(actual, expected, rtol, atol, name="output"):
    """None if `actual` matches `expected`, else a one-line report of the mismatch.

    Floats match when abs(a - e) <= atol + rtol * abs(e) everywhere (NaN matches
    NaN, an infinity only the same infinity); other dtypes must be equal. Shapes
    and dtypes must match exactly.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.dtype != expected.dtype:
        return f"{name}: dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"{name}: shape {list(actual.shape)}, expected {list(expected.shape)}"
    if actual.size == 0:
        return None
    if not np.issubdtype(expected.dtype, np.inexact):
        bad = actual != expected
        if not bad.any():
            return None
        idx = np.unravel_index(np.argmax(bad), bad.shape)
        return (f"{name}: {int(bad.sum())} of {bad.size} elements differ, first at {list(idx)}: "
                f"got {actual[idx]!r}, expected {expected[idx]!r}")
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(e)
        err = np.abs(a - e)
        ok = np.where(finite, err <= atol + rtol * np.abs(e),  # False where a is NaN or inf
                      np.where(np.isnan(e), np.isnan(a), a == e))
        if ok.all():
            return None
        bad = ~ok
        err = np.where(ok & ~finite, 0.0, err)
        err = np.where(bad & ~np.isfinite(err), np.inf, err)
        scaled = finite & (e != 0)
        rel = np.where(scaled, err / np.where(scaled, np.abs(e), 1.0), np.where(bad, np.inf, 0.0))
    idx = np.unravel_index(np.argmax(err), err.shape)
    return (f"{name}: {int(bad.sum())} of {bad.size} elements differ by more than "
            f"atol {atol:g} + rtol {rtol:g}*|expected|; max abs err {err.max():.3g} "
            f"at {list(idx)} (got {a[idx]:.7g}, expected {e[idx]:.7g}), "
            f"max rel err {rel.max():.3g}")


def relative_error(actual, expected):
    """max|actual - expected| / max|expected| (the whole-tensor relative error)."""
    a, e = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    scale = np.abs(e).max() if e.size else 0.0
    diff = np.abs(a - e).max() if e.size else 0.0
    return diff / scale if scale > 0 else diff


def check_model_outputs(bin_dir, work, model, inputs, expected, rtol, atol, oracle,
                        tolerances=None, compile_timeout=300, run_timeout=60,
                        compile_args=(), thread_counts=(None,), tag=""):
    """Compile `model` to a shared library in `work` (with `compile_args`),
    run it on `inputs` ({name: array}) at each of `thread_counts` (None: the
    default) and compare each output with `expected` ({name: array}), within
    rtol/atol or, for the outputs `tolerances` names, its (rtol, atol); returns
    the list of problems (empty when every output matches). `tag` names this
    build's files in `work` and its problems, for several builds of one model."""
    compiler = find_tool("kiln-compile", bin_dir)
    runner = find_tool("kiln-run", bin_dir)
    suffix = f"_{tag}" if tag else ""
    lib = os.path.join(work, os.path.splitext(os.path.basename(model))[0] + suffix + ".so")
    kiln_compile(compiler, model, lib, timeout=compile_timeout, extra=compile_args)
    npys = [(name, save_npy(os.path.join(work, name + ".npy"), value))
            for name, value in inputs.items()]
    problems = []
    for threads in thread_counts:
        out = os.path.join(work, "out" + suffix + (f"_{threads}" if threads else ""))
        kiln_run([runner, lib], npys, out, timeout=run_timeout, threads=threads)
        where = ", ".join(w for w in (tag, f"{threads} threads" if threads else "") if w)
        problems += _compare_outputs(out, expected, rtol, atol, oracle, tolerances,
                                     f" ({where})" if where else "")
    return problems


def _compare_outputs(out, expected, rtol, atol, oracle, tolerances, where):
    problems = []
    for name, want in expected.items():
        got = load_output(out, name)
        out_rtol, out_atol = (tolerances or {}).get(name, (rtol, atol))
        problem = compare(got, want, rtol=out_rtol, atol=out_atol, name=name + where)
        if problem:
            problems.append(problem)
            continue
        finite = np.isfinite(want)
        err = np.abs(got[finite].astype(np.float64) - want[finite]).max(initial=0.0)
        print(f"  {name}{where}: {list(got.shape)} {got.dtype} matches {oracle} "
              f"(max abs err {err:.2g})",
              flush=True)
    return problems


def expect(failures, cond, what, result=None):
    """A check that does not stop the script: unless `cond`, print `what` (with
    `result`'s exit status and output when given) and append it to `failures`,
    for `finish` to report."""
    if not cond:
        if result is not None:
            # Cut: a crash prints pages.
            what += (f"\n  rc={result.returncode}\n  stdout={_cut(result.stdout)!r}"
                     f"\n  stderr={_cut(result.stderr)!r}")
        failures.append(what)
        print("FAIL:", what, flush=True)


def _cut(text, limit=2000):
    return text if not text or len(text) <= limit else text[:limit] + "..."


def finish(failures, what):
    """Print the verdict and return the process exit status (0 pass, 1 fail)."""
    if failures:
        print(f"FAIL {what}: {len(failures)} problem(s)", flush=True)
        for f in failures:
            print(f"  - {f}", flush=True)
        return 1
    print(f"PASS {what}", flush=True)
    return 0


def die(message):
    """Report a problem that stops the script before any test ran; exit 1."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)
