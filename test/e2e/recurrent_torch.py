#!/usr/bin/python3
"""Recurrent layers (ONNX LSTM, GRU, RNN) against PyTorch and a numpy reference.

PyTorch 1.13 exports (opset 14) of a 2-layer LSTM, a bidirectional
batch-first GRU, a 2-layer ReLU RNN with an initial state and a
bidirectional batch-first LSTM are compiled by Kiln and compared with
PyTorch, once at the batch they were exported at and once exported with a
symbolic batch (dynamic_axes) and run at two batch sizes. Packed sequences:
an ONNX LSTM and GRU with sequence_lens, built by hand from the weights of a
torch.nn.LSTM / GRU, against pack_padded_sequence. Then hand-built cases
against a numpy reference written from the ONNX specification (opset 14):
peepholes, clip, activations with alpha and beta, input_forget,
linear_before_reset without B, layout 1, reverse with sequence_lens.
Every output must match within rtol 1e-4 (atol 1e-5); the largest relative
error of each comparison is printed.

    /usr/bin/python3 test/e2e/recurrent_torch.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np

import kiln_e2e as e2e

RTOL, ATOL = 1e-4, 1e-5

# Cases known to fail, printed as XFAIL (none today; the bidirectional exports
# with a symbolic batch and their Reshape to [0, 0, -1] pass since the importer
# gives that -1 its static size).
KNOWN_FAILING = set()


# --- running ---------------------------------------------------------------

def run_model(args, work, name, model_path, runs):
    """Compile `model_path` once; for each (inputs, expected) in `runs`, run
    and compare. Returns the problems."""
    compiler = e2e.find_tool("kiln-compile", args.bin_dir)
    runner = e2e.find_tool("kiln-run", args.bin_dir)
    case = os.path.join(work, name)
    os.makedirs(case, exist_ok=True)
    lib = os.path.join(case, name + ".so")
    problems = []
    try:
        e2e.kiln_compile(compiler, model_path, lib, timeout=300)
    except e2e.E2EError as err:
        return [f"{name}: {err}"]
    for r, (inputs, expected) in enumerate(runs):
        out = os.path.join(case, f"out{r}")
        npys = [(k, e2e.save_npy(os.path.join(case, f"{k}{r}.npy"), v)) for k, v in inputs.items()]
        try:
            e2e.kiln_run([runner, lib], npys, out, timeout=120)
        except e2e.E2EError as err:
            problems.append(f"{name} run {r}: {err}")
            continue
        worst = 0.0
        for oname, want in expected.items():
            try:
                got = e2e.load_output(out, oname)
            except e2e.E2EError as err:
                problems.append(f"{name}: {err}")
                continue
            problem = e2e.compare(got, want, rtol=RTOL, atol=ATOL, name=f"{name}.{oname}")
            if problem:
                problems.append(problem)
            else:
                worst = max(worst, e2e.relative_error(got, want))
        batch = next(iter(inputs.values())).shape
        print(f"  {name} (input {list(batch)}): max relative error {worst:.2e}", flush=True)
    return problems


# --- PyTorch exports --------------------------------------------------------

def torch_cases(work):
    """(name, path, runs) for the exported PyTorch models."""
    import torch

    torch.manual_seed(0)
    cases = []

    class LSTM2(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(6, 10, num_layers=2)

        def forward(self, x):
            y, (h, c) = self.rnn(x)
            return y, h, c

    class BiGRU(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.GRU(5, 7, bidirectional=True, batch_first=True)

        def forward(self, x):
            y, h = self.rnn(x)
            return y, h

    class ReluRNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.RNN(4, 9, num_layers=2, nonlinearity="relu")

        def forward(self, x, h0):
            y, h = self.rnn(x, h0)
            return y, h

    class BiLSTMBatchFirst(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(5, 8, bidirectional=True, batch_first=True)

        def forward(self, x):
            y, (h, c) = self.rnn(x)
            return y, h, c

    g = torch.Generator().manual_seed(1)

    def inputs_for(name, batch):
        if name == "lstm2":
            return {"x": torch.randn(7, batch, 6, generator=g)}
        if name == "bigru":
            return {"x": torch.randn(batch, 6, 5, generator=g)}
        if name == "relu_rnn":
            return {"x": torch.randn(5, batch, 4, generator=g),
                    "h0": torch.randn(2, batch, 9, generator=g)}
        return {"x": torch.randn(batch, 4, 5, generator=g)}

    specs = [("lstm2", LSTM2(), ["y", "h", "c"], {"x": 1}),
             ("bigru", BiGRU(), ["y", "h"], {"x": 0}),
             ("relu_rnn", ReluRNN(), ["y", "h"], {"x": 1, "h0": 1}),
             ("bilstm_bf", BiLSTMBatchFirst(), ["y", "h", "c"], {"x": 0})]
    for name, model, outs, batch_axes in specs:
        model.eval()

        def run_at(batch):
            ins = inputs_for(name, batch)
            with torch.no_grad():
                res = model(*ins.values())
            return ({k: v.numpy() for k, v in ins.items()},
                    {o: t.numpy() for o, t in zip(outs, res)})

        fixed = run_at(3)
        path = os.path.join(work, name + ".onnx")
        torch.onnx.export(model, tuple(torch.from_numpy(v) for v in fixed[0].values()), path,
                          opset_version=14, input_names=list(fixed[0]), output_names=outs)
        cases.append((name, path, [fixed]))
        # The same model with a symbolic batch, run at two sizes.
        dyn_path = os.path.join(work, name + "_dyn.onnx")
        dynamic_axes = {k: {axis: "batch"} for k, axis in batch_axes.items()}
        for o in outs:
            dynamic_axes[o] = {0 if (o == "y" and name in ("bigru", "bilstm_bf")) else
                               (2 if o == "y" else 1): "batch"}
        torch.onnx.export(model, tuple(torch.from_numpy(v) for v in fixed[0].values()), dyn_path,
                          opset_version=14, input_names=list(fixed[0]), output_names=outs,
                          dynamic_axes=dynamic_axes)
        cases.append((name + "_dyn", dyn_path, [run_at(2), run_at(5)]))
    return cases


# --- ONNX models built by hand ----------------------------------------------

def make_model(path, op, attrs, inputs, outputs, initializers):
    """One-node model at opset 14: `inputs` [(name or '', array, is_initializer)]."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    node_inputs, graph_inputs, inits, feeds = [], [], [], {}
    for name, value, is_init in inputs:
        node_inputs.append(name)
        if not name:
            continue
        if is_init:
            inits.append(numpy_helper.from_array(value, name))
        else:
            elem = TensorProto.INT32 if value.dtype == np.int32 else TensorProto.FLOAT
            graph_inputs.append(helper.make_tensor_value_info(name, elem, list(value.shape)))
            feeds[name] = value
    node = helper.make_node(op, node_inputs, [o for o, _ in outputs], **attrs)
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, list(v.shape))
            for o, v in outputs if o]
    graph = helper.make_graph([node], "rnn", graph_inputs, outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.save(model, path)
    return feeds


def reorder(w, order, h):
    """Gate blocks of w (rows of h) taken in `order`."""
    return np.concatenate([w[i * h:(i + 1) * h] for i in order], axis=0)


def packed_cases(work):
    """LSTM and GRU with sequence_lens against torch pack_padded_sequence."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    torch.manual_seed(2)
    cases = []
    seq, batch, inp, hid = 6, 4, 3, 5
    lengths = np.array([6, 2, 4, 1], dtype=np.int32)
    x = torch.randn(seq, batch, inp)
    for kind in ("LSTM", "GRU"):
        cls = torch.nn.LSTM if kind == "LSTM" else torch.nn.GRU
        model = cls(inp, hid, bidirectional=True).eval()
        h0 = torch.randn(2, batch, hid)
        with torch.no_grad():
            packed = pack_padded_sequence(x, torch.from_numpy(lengths).long(), enforce_sorted=False)
            if kind == "LSTM":
                c0 = torch.randn(2, batch, hid)
                out, (hn, cn) = model(packed, (h0, c0))
            else:
                out, hn = model(packed, h0)
            y, _ = pad_packed_sequence(out, total_length=seq)
        # torch: [seq, batch, 2*hid] -> ONNX y [seq, 2, batch, hid].
        y = y.numpy().reshape(seq, batch, 2, hid).transpose(0, 2, 1, 3)
        order = [0, 3, 1, 2] if kind == "LSTM" else [1, 0, 2]
        gates = 4 if kind == "LSTM" else 3
        ws, rs, bs = [], [], []
        for sfx in ("", "_reverse"):
            p = {n: getattr(model, n + sfx).detach().numpy()
                 for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")}
            ws.append(reorder(p["weight_ih_l0"], order, hid))
            rs.append(reorder(p["weight_hh_l0"], order, hid))
            bs.append(np.concatenate([reorder(p["bias_ih_l0"], order, hid),
                                      reorder(p["bias_hh_l0"], order, hid)]))
        assert ws[0].shape[0] == gates * hid
        inputs = [("x", x.numpy(), False), ("W", np.stack(ws), True), ("R", np.stack(rs), True),
                  ("B", np.stack(bs), True), ("lens", lengths, False),
                  ("h0", h0.numpy(), False)]
        expected = {"y": y, "y_h": hn.numpy()}
        outputs = [("y", y), ("y_h", hn.numpy())]
        attrs = {"hidden_size": hid, "direction": "bidirectional"}
        if kind == "LSTM":
            inputs.append(("c0", c0.numpy(), False))
            expected["y_c"] = cn.numpy()
            outputs.append(("y_c", cn.numpy()))
        else:
            attrs["linear_before_reset"] = 1
        name = f"packed_{kind.lower()}"
        path = os.path.join(work, name + ".onnx")
        feeds = make_model(path, kind, attrs, inputs, outputs, None)
        cases.append((name, path, [(feeds, expected)]))
        if kind == "LSTM":
            # Only y, at a symbolic batch: the unused y_h and y_c states once
            # shared a buffer (their equal initial tensors merged), a wrong y.
            name = "packed_lstm_y_only_symbolic"
            path = os.path.join(work, name + ".onnx")
            feeds = make_model(path, kind, attrs, inputs, [("y", y)], None)
            import onnx
            model = onnx.load(path)
            batch_axis = {"x": 1, "lens": 0, "h0": 1, "c0": 1}
            for vi in model.graph.input:
                if vi.name in batch_axis:
                    vi.type.tensor_type.shape.dim[batch_axis[vi.name]].dim_param = "N"
            model.graph.output[0].type.tensor_type.shape.dim[2].dim_param = "N"
            onnx.save(model, path)
            cases.append((name, path, [(feeds, {"y": y})]))
    return cases


# --- the numpy reference (ONNX opset 14) -------------------------------------

def act(name, x, alpha, beta):
    n = name.lower()
    if n == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if n == "tanh":
        return np.tanh(x)
    if n == "relu":
        return np.maximum(x, 0)
    if n == "affine":
        return alpha * x + beta
    if n == "leakyrelu":
        return np.where(x >= 0, x, alpha * x)
    if n == "thresholdedrelu":
        return np.where(x > alpha, x, 0)
    if n == "scaledtanh":
        return alpha * np.tanh(beta * x)
    if n == "hardsigmoid":
        return np.clip(alpha * x + beta, 0, 1)
    if n == "elu":
        return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))
    if n == "softsign":
        return x / (1 + np.abs(x))
    if n == "softplus":
        return np.log1p(np.exp(x))
    raise ValueError(name)


def reference(kind, x, w, r, b=None, lens=None, h0=None, c0=None, p=None, hidden=None,
              direction="forward", acts=None, alphas=(), betas=(), clip=None,
              input_forget=0, lbr=0, layout=0):
    """Y, Y_h (, Y_c) by the ONNX spec, in float64."""
    f64 = lambda a: None if a is None else np.asarray(a, np.float64)
    x, w, r, b, h0, c0, p = map(f64, (x, w, r, b, h0, c0, p))
    if layout == 1:
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    seq, batch, _ = x.shape
    dirs = 2 if direction == "bidirectional" else 1
    per = {"LSTM": 3, "GRU": 2, "RNN": 1}[kind]
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
    defaults = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"],
                "RNN": ["Tanh"]}[kind]
    acts = list(acts or defaults)
    if len(acts) == per and dirs == 2:
        acts = acts * 2
    # alpha/beta are consumed by the activations that take them, in order.
    takes_a = {"affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu"}
    takes_b = {"affine", "scaledtanh", "hardsigmoid"}
    da = {"affine": 1.0, "leakyrelu": 0.01, "thresholdedrelu": 1.0, "scaledtanh": 1.0,
          "hardsigmoid": 0.2, "elu": 1.0}
    db = {"affine": 0.0, "scaledtanh": 1.0, "hardsigmoid": 0.5}
    al, be, ia, ib = [], [], 0, 0
    for a in acts:
        n = a.lower()
        if n in takes_a:
            al.append(alphas[ia] if ia < len(alphas) else da[n])
            ia += n in takes_a and ia < len(alphas)
        else:
            al.append(0.0)
        if n in takes_b:
            be.append(betas[ib] if ib < len(betas) else db[n])
            ib += ib < len(betas)
        else:
            be.append(0.0)
    H = hidden
    lens = np.full(batch, seq) if lens is None else np.clip(lens, 0, seq)
    Y = np.zeros((seq, dirs, batch, H))
    YH = np.zeros((dirs, batch, H))
    YC = np.zeros((dirs, batch, H))

    def F(i, v):
        if clip is not None:
            v = np.clip(v, -clip, clip)
        return act(acts[i], v, al[i], be[i])

    for d in range(dirs):
        rev = d == 1 or direction == "reverse"
        W, R = w[d], r[d]
        Wb = b[d][:gates * H] if b is not None else np.zeros(gates * H)
        Rb = b[d][gates * H:] if b is not None else np.zeros(gates * H)
        k = d * per
        for n in range(batch):
            L = int(lens[n])
            h = h0[d, n] if h0 is not None else np.zeros(H)
            c = c0[d, n] if c0 is not None else np.zeros(H)
            steps = range(L - 1, -1, -1) if rev else range(L)
            for t in steps:
                xt = x[t, n]
                if kind == "RNN":
                    h = F(k, W @ xt + R @ h + Wb + Rb)
                elif kind == "LSTM":
                    g = W @ xt + R @ h + Wb + Rb
                    gi, go, gf, gc = np.split(g, 4)
                    pi, po, pf = np.split(p[d], 3) if p is not None else (0, 0, 0)
                    i = F(k, gi + pi * c)
                    f = 1 - i if input_forget else F(k, gf + pf * c)
                    cc = F(k + 1, gc)
                    c = f * c + i * cc
                    o = F(k, go + po * c)
                    h = o * F(k + 2, c)
                else:
                    gx = W @ xt + Wb
                    z = F(k, gx[:H] + R[:H] @ h + Rb[:H])
                    rr = F(k, gx[H:2 * H] + R[H:2 * H] @ h + Rb[H:2 * H])
                    if lbr:
                        hh = F(k + 1, gx[2 * H:] + rr * (R[2 * H:] @ h + Rb[2 * H:]))
                    else:
                        hh = F(k + 1, gx[2 * H:] + R[2 * H:] @ (rr * h) + Rb[2 * H:])
                    h = (1 - z) * hh + z * h
                Y[t, d, n] = h
            YH[d, n] = h
            YC[d, n] = c
    if layout == 1:
        Y, YH, YC = Y.transpose(2, 0, 1, 3), YH.transpose(1, 0, 2), YC.transpose(1, 0, 2)
    out = [Y.astype(np.float32), YH.astype(np.float32)]
    if kind == "LSTM":
        out.append(YC.astype(np.float32))
    return out


def spec_cases(work):
    rng = np.random.default_rng(3)
    seq, batch, inp, hid = 5, 3, 4, 6
    rnd = lambda *s: rng.standard_normal(s).astype(np.float32) * 0.5
    cases = []
    specs = [
        # name, kind, options, which optional inputs
        ("lstm_peepholes_clip", "LSTM",
         dict(direction="bidirectional", clip=0.7), ("B", "P", "h0", "c0")),
        ("lstm_activations", "LSTM",
         dict(acts=["HardSigmoid", "ScaledTanh", "Affine"], alphas=[0.3, 0.8, 1.5],
              betas=[0.45, 1.2, 0.1]), ("B",)),
        ("lstm_input_forget_reverse_lens", "LSTM",
         dict(direction="reverse", input_forget=1), ("B", "lens", "h0")),
        ("gru_lbr_no_bias", "GRU", dict(lbr=1), ()),
        ("gru_activations_layout1", "GRU",
         dict(direction="bidirectional", layout=1,
              acts=["LeakyRelu", "Elu", "ThresholdedRelu", "Softsign"],
              alphas=[0.2, 0.9, 0.1]), ("B", "h0")),
        ("gru_reverse_lens", "GRU", dict(direction="reverse"), ("B", "lens")),
        ("rnn_softplus_clip_bidir_lens", "RNN",
         dict(direction="bidirectional", acts=["Softplus", "Sigmoid"], clip=1.5),
         ("B", "lens", "h0")),
        ("rnn_relu_weights_as_inputs", "RNN", dict(acts=["Relu"]), ("B", "h0", "inputs")),
    ]
    for name, kind, opts, present in specs:
        gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
        dirs = 2 if opts.get("direction") == "bidirectional" else 1
        layout = opts.get("layout", 0)
        x = rnd(seq, batch, inp) if layout == 0 else rnd(batch, seq, inp)
        w, r = rnd(dirs, gates * hid, inp), rnd(dirs, gates * hid, hid)
        b = rnd(dirs, 2 * gates * hid) if "B" in present else None
        lens = np.array([5, 2, 0], dtype=np.int32)[:batch] if "lens" in present else None
        state = (dirs, batch, hid) if layout == 0 else (batch, dirs, hid)
        h0 = rnd(*state) if "h0" in present else None
        c0 = rnd(*state) if "c0" in present else None
        p = rnd(dirs, 3 * hid) if "P" in present else None
        expected = reference(kind, x, w, r, b, lens, h0, c0, p, hidden=hid, **opts)
        init = "inputs" not in present
        inputs = [("X", x, False), ("W", w, init), ("R", r, init)]
        optional = [("B", b, True), ("lens", lens, False), ("h0", h0, False)]
        if kind == "LSTM":
            optional += [("c0", c0, False), ("P", p, True)]
        for n, v, i in optional:
            inputs.append((n if v is not None else "", v, i))
        while inputs[-1][0] == "":
            inputs.pop()
        attrs = {"hidden_size": hid}
        for key, onnx_key in (("direction", "direction"), ("clip", "clip"),
                              ("acts", "activations"), ("alphas", "activation_alpha"),
                              ("betas", "activation_beta"), ("input_forget", "input_forget"),
                              ("lbr", "linear_before_reset"), ("layout", "layout")):
            if key in opts:
                attrs[onnx_key] = opts[key]
        names = ["Y", "Y_h", "Y_c"][:len(expected)]
        outputs = list(zip(names, expected))
        path = os.path.join(work, name + ".onnx")
        feeds = make_model(path, kind, attrs, inputs, outputs, None)
        cases.append((name, path, [(feeds, dict(outputs))]))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    parser.add_argument("cases", nargs="*", help="only these cases (all by default)")
    args = parser.parse_args()
    failures = []
    try:
        with e2e.work_dir(args.work_dir) as work:
            cases = spec_cases(work) + packed_cases(work) + torch_cases(work)
            for name, path, runs in cases:
                if args.cases and name not in args.cases:
                    continue
                problems = run_model(args, work, name, path, runs)
                if name in KNOWN_FAILING:
                    print(f"  XFAIL {name}: " + ("; ".join(problems) if problems
                                                  else "passes now: drop it from KNOWN_FAILING"),
                          flush=True)
                    if not problems:
                        failures.append(f"{name} passes: drop it from KNOWN_FAILING")
                    continue
                failures += problems
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "recurrent layers against PyTorch and the ONNX spec")


if __name__ == "__main__":
    sys.exit(main())
