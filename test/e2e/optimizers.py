#!/usr/bin/python3
"""The optimizer update ops against torch.optim (torch 1.13).

One nn-dialect module holds a public function per optimizer configuration: it
takes a parameter, its gradient and the optimizer's state and returns the
updated parameter and state (nn.sgd_update, nn.rmsprop_update, nn.adam_update).
Kiln runs 5 consecutive steps, feeding its own updated state back, and every
step's parameter and state are compared with torch.optim.SGD (plain, momentum,
Nesterov, weight decay), RMSprop, Adam and AdamW given the same gradients
(p.grad set by hand). f32 within 1e-6 relative (plus 1e-6 of the tensor's largest
magnitude for elements whose terms cancel); three f64 configurations within 1e-12.

    /usr/bin/python3 test/e2e/optimizers.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import torch

import kiln_e2e as e2e

SHAPE = [7, 5]
STEPS = 5

# name: (torch optimizer, its arguments, nn op, op attributes, state names)
CONFIGS = {
    "sgd_plain": (torch.optim.SGD, dict(lr=0.1), "sgd",
                  dict(lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0)),
    "sgd_weight_decay": (torch.optim.SGD, dict(lr=0.1, weight_decay=0.05), "sgd",
                         dict(lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.05)),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.05, momentum=0.9), "sgd",
                     dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.0)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
                     "sgd", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01), "rmsprop",
                dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0)),
    "rmsprop_weight_decay": (torch.optim.RMSprop,
                             dict(lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.05), "rmsprop",
                             dict(lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.05)),
    "adam": (torch.optim.Adam, dict(lr=0.01), "adam",
             dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False)),
    "adam_weight_decay": (torch.optim.Adam,
                          dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), "adam",
                          dict(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1,
                               decoupled=False)),
    "adamw": (torch.optim.AdamW, dict(lr=0.01), "adam",
              dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, decoupled=True)),
    "adamw_betas": (torch.optim.AdamW, dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.2), "adam",
                    dict(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-8, weight_decay=0.2,
                         decoupled=True)),
}
# Configurations also checked in f64 (name suffix _f64).
F64 = ("sgd_nesterov", "rmsprop_weight_decay", "adamw")

STATE = {"sgd": ["momentum_buffer"], "rmsprop": ["square_avg"], "adam": ["exp_avg", "exp_avg_sq"]}
OP = {"sgd": "nn.sgd_update", "rmsprop": "nn.rmsprop_update", "adam": "nn.adam_update"}


def attr_text(attrs):
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f"{float(v):.17e} : f64"
    return "{" + ", ".join(f"{k} = {value(v)}" for k, v in sorted(attrs.items())) + "}"


def function(name, kind, attrs, elem):
    t = f"tensor<{'x'.join(map(str, SHAPE))}x{elem}>"
    names = ["param", "grad"] + STATE[kind] + (["step"] if kind == "adam" else [])
    types = [t] * (len(names) - (kind == "adam")) + (["tensor<i64>"] if kind == "adam" else [])
    args = ", ".join(f'%{n}: {ty} {{kiln.name = "{n}"}}' for n, ty in zip(names, types))
    results = ["param_out"] + [s + "_out" for s in STATE[kind]]
    vals = ", ".join("%r" + str(i) for i in range(len(results)))
    rtypes = ", ".join([t] * len(results))
    operands = ", ".join("%" + n for n in names)
    return (f"func.func @{name}({args}) -> ({rtypes}) attributes {{kiln.result_names = "
            f"[{', '.join(chr(34) + r + chr(34) for r in results)}]}} {{\n"
            f"  {vals} = {OP[kind]} {operands} {attr_text(attrs)}\n"
            f"      : ({', '.join(types)}) -> ({rtypes})\n"
            f"  return {vals} : {rtypes}\n}}\n")


def torch_steps(opt_class, opt_args, kind, p0, grads):
    """Per step: the parameter and the state torch.optim leaves, as numpy."""
    p = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    opt = opt_class([p], **opt_args)
    steps = []
    for g in grads:
        p.grad = torch.from_numpy(g.copy())
        opt.step()
        state = opt.state[p]
        out = {"param_out": p.detach().numpy().copy()}
        for s in STATE[kind]:
            buf = state.get(s)
            # SGD without momentum keeps no buffer: Kiln passes its own through.
            out[s + "_out"] = (np.zeros_like(p0) if buf is None else buf.detach().numpy().copy())
        steps.append(out)
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    args = ap.parse_args()
    failures = []
    torch.set_num_threads(1)
    runs = []
    for name, (opt_class, opt_args, kind, attrs) in CONFIGS.items():
        runs.append((name, opt_class, opt_args, kind, attrs, np.float32, "f32", 1e-6))
        if name in F64:
            runs.append((name + "_f64", opt_class, opt_args, kind, attrs, np.float64, "f64", 1e-12))
    with e2e.work_dir(args.work_dir) as work:
        tools = {t: e2e.find_tool(t, args.bin_dir) for t in ("kiln-compile", "kiln-run")}
        module = os.path.join(work, "optimizers.mlir")
        with open(module, "w") as f:
            f.write("\n".join(function(r[0], r[3], r[4], r[6]) for r in runs))
        lib = os.path.join(work, "optimizers.so")
        e2e.kiln_compile(tools["kiln-compile"], module, lib, timeout=300)
        rng = np.random.default_rng(0)
        for name, opt_class, opt_args, kind, attrs, dtype, _, rtol in runs:
            p0 = rng.standard_normal(SHAPE).astype(dtype)
            grads = [rng.standard_normal(SHAPE).astype(dtype) for _ in range(STEPS)]
            want = torch_steps(opt_class, opt_args, kind, p0, grads)
            state = {"param": p0, **{s: np.zeros_like(p0) for s in STATE[kind]}}
            worst = 0.0
            for i, g in enumerate(grads):
                inputs = dict(state, grad=g)
                if kind == "adam":
                    inputs["step"] = np.array(i + 1, np.int64)
                tag = f"{name}_{i}"
                npys = [(n, e2e.save_npy(os.path.join(work, f"{tag}_{n}.npy"), v))
                        for n, v in inputs.items()]
                out = os.path.join(work, tag)
                e2e.kiln_run([tools["kiln-run"], lib, "--entry", name], npys, out, timeout=60)
                for r, expected in want[i].items():
                    got = e2e.load_output(out, r)
                    # An absolute floor of rtol * max|expected| for elements
                    # whose terms nearly cancel (m = b1 m + (1 - b1) g): there
                    # torch's fused multiply-adds (vec::fmadd in its add with
                    # alpha) and Kiln's separate roundings differ by an ulp of
                    # the terms, a few 1e-6 of the small result.
                    atol = rtol * float(np.abs(expected).max())
                    problem = e2e.compare(got, expected, rtol=rtol, atol=atol, name=f"{r}")
                    e2e.expect(failures, problem is None,
                               f"{name} step {i + 1}: {problem} (torch.optim.{opt_class.__name__})")
                    worst = max(worst, e2e.relative_error(got, expected))
                state = {"param": e2e.load_output(out, "param_out"),
                         **{s: e2e.load_output(out, s + "_out") for s in STATE[kind]}}
            print(f"  {name}: {STEPS} steps match torch.optim.{opt_class.__name__} "
                  f"(max |kiln - torch| / max |torch| {worst:.2g})", flush=True)
    return e2e.finish(failures, "optimizer updates against torch.optim")


if __name__ == "__main__":
    sys.exit(main())
