"""kiln-compile interrupted, failing, or reading external data that changes
under it, leaves nothing behind and never dies of SIGBUS.

Checks, on a generated model with 16 MiB of weights in an external data file
(nothing large is committed):

1. SIGTERM, and SIGINT, while the temporary objects exist
   (/tmp/kiln-weights-*.o, kiln-model-*.o): kiln-compile ends by the
   signal, and its temporary folder ($TMPDIR) and the output folder are
   left empty.
2. SIGTERM while the linker runs (a stand-in linker, KILN_LINKER, that starts
   writing the output and then waits): the linker is stopped too, and no
   output or partial output is left.
3. A failing linker: the exact error and exit 1, and nothing left behind.
4. The external data file truncated while kiln-compile has it mapped (the
   compile is stopped with SIGSTOP as soon as the file is mapped, the file
   truncated, the compile resumed): exit 1 with the exact message, not
   SIGBUS, and nothing left behind.

Usage:
    /usr/bin/python3 test/e2e/compile_interrupts.py --bin-dir build/bin [--work-dir DIR]
"""
import argparse
import glob
import os
import signal
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kiln_e2e as e2e  # noqa: E402

DIM = 2048  # one 2048x2048 float weight: 16 MiB


def build_model(path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.standard_normal((DIM, DIM)).astype(np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Softmax", ["r"], ["y"], name="sm", axis=1)]
    graph = helper.make_graph(nodes, "interrupts",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, DIM])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, DIM])],
                              [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="w.bin", size_threshold=0)


def start(cmd, tmp, env_extra=None):
    env = dict(os.environ, TMPDIR=tmp, **(env_extra or {}))
    return subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace", env=env,
                            start_new_session=True)


def wait_for(cond, proc, timeout=300):
    """Poll `cond` until true (True), or until `proc` ends or time runs out (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def finish_proc(proc, timeout=300):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return e2e.Result([], proc.returncode, out, err, 0, False, timeout)


def fresh(folder):
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    return folder


def left(*folders):
    return sorted(f for d in folders for f in os.listdir(d))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    failures = []
    with e2e.work_dir(args.work_dir) as work:
        model_dir = os.path.join(work, "model")
        os.makedirs(model_dir, exist_ok=True)
        model = os.path.join(model_dir, "model.onnx")
        data = os.path.join(model_dir, "w.bin")
        build_model(model)
        tmp, out = os.path.join(work, "tmp"), os.path.join(work, "out")
        lib = os.path.join(out, "m.so")

        # 1. SIGTERM (or SIGINT) while the temporary objects exist.
        for sig in (signal.SIGTERM, signal.SIGINT):
            fresh(tmp), fresh(out)
            proc = start([compiler, model, "-o", lib], tmp)
            seen = wait_for(lambda: glob.glob(os.path.join(tmp, "kiln-weights-*.o")), proc)
            if seen:
                proc.send_signal(sig)
            res = finish_proc(proc)
            e2e.expect(failures, seen, "the weights object appeared in $TMPDIR before the "
                       "compile ended", res)
            # A signal that lands after codegen, while the linker runs, removes
            # the objects under the linker: the link then fails (status 1).
            # Either way the compile stops and leaves nothing (checked below).
            during_link = res.returncode == 1 and "linking with" in (res.stderr or "")
            e2e.expect(failures, res.returncode == -sig or during_link,
                       f"{sig.name} ends kiln-compile by the signal (rc {res.returncode})", res)
            e2e.expect(failures, not left(tmp, out),
                       f"{sig.name} during codegen leaves nothing behind (left {left(tmp, out)})")

        # 2. SIGTERM while the linker writes the output: a stand-in linker.
        fresh(tmp), fresh(out)
        linker = os.path.join(work, "slow-linker.sh")
        pid_file = os.path.join(work, "linker.pid")
        with open(linker, "w") as f:
            f.write('#!/bin/sh\necho $$ > "%s"\nwhile [ "$1" != -o ]; do shift; done\n'
                    'echo partial > "$2"\nexec sleep 600\n' % pid_file)
        os.chmod(linker, 0o755)
        if os.path.exists(pid_file):
            os.remove(pid_file)
        proc = start([compiler, model, "-o", lib], tmp, {"KILN_LINKER": linker})
        linking = wait_for(lambda: os.path.exists(pid_file) and
                           any(f.startswith("m.so.tmp-") for f in os.listdir(out)) and
                           os.path.getsize(os.path.join(out, [f for f in os.listdir(out)
                                                               if f.startswith("m.so.tmp-")][0])),
                           proc)
        if linking:
            proc.send_signal(signal.SIGTERM)
        res = finish_proc(proc)
        e2e.expect(failures, linking, "the stand-in linker started writing the output", res)
        e2e.expect(failures, res.returncode == -signal.SIGTERM,
                   f"SIGTERM during the link ends kiln-compile by the signal (rc {res.returncode})",
                   res)
        linker_pid = int(open(pid_file).read()) if os.path.exists(pid_file) else 0
        alive = False
        if linker_pid:
            time.sleep(0.2)
            try:
                os.kill(linker_pid, 0)
                alive = True
                os.kill(linker_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        e2e.expect(failures, not alive, "the linker is stopped with kiln-compile")
        e2e.expect(failures, not left(tmp, out),
                   f"SIGTERM during the link leaves nothing behind (left {left(tmp, out)})")

        # 3. A failing linker: the error, exit 1, nothing left behind.
        fresh(tmp), fresh(out)
        res = finish_proc(start([compiler, model, "-o", lib], tmp, {"KILN_LINKER": "/bin/false"}))
        e2e.expect_refused(failures, res, "error: linking with '/bin/false' failed (exit 1)",
                           "a failing linker is an error")
        e2e.expect(failures, not left(tmp, out),
                   f"a failed link leaves nothing behind (left {left(tmp, out)})")

        # 4. The external data truncated while mapped.
        fresh(tmp), fresh(out)
        proc = start([compiler, model, "-o", lib], tmp)

        def mapped():
            try:
                with open(f"/proc/{proc.pid}/maps") as f:
                    return data in f.read()
            except OSError:
                return False
        stopped = wait_for(mapped, proc)
        if stopped:
            os.killpg(proc.pid, signal.SIGSTOP)
            os.truncate(data, 0)
            os.killpg(proc.pid, signal.SIGCONT)
        res = finish_proc(proc)
        e2e.expect(failures, stopped, "the external data file was mapped before the compile ended",
                   res)
        e2e.expect_refused(failures, res,
                           f"error: external data file '{data}' was truncated while it was being "
                           "read (it must not change during a compile)",
                           "external data truncated while mapped is an error, not SIGBUS")
        e2e.expect(failures, not left(tmp, out),
                   f"the refused compile leaves nothing behind (left {left(tmp, out)})")
    return e2e.finish(failures, "interrupted and failing compiles leave nothing behind")


if __name__ == "__main__":
    sys.exit(main())
