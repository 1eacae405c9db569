#!/usr/bin/python3
"""Kiln's compiled training step against PyTorch 1.13 (torch.autograd, torch.optim).

Each model is built in torch (seeded default initialization), exported to ONNX
by examples/digits/model.py's export_training_onnx (batch norm kept as
BatchNormalization, every parameter an initializer under its torch name, a
symbolic batch pinned by kiln-compile --batch), compiled with
`kiln-compile --train --loss=softmax-cross-entropy` and trained with
`kiln-run --train ... --save after.onnx`. The oracle is torch in float64 started
from the same float32 parameters and fed the same float32 batches.

a. Gradients of a CNN (Conv, BatchNorm in training mode, max and average
   pooling, Linear), a 2-layer LSTM classifier (the last step's hidden state
   into a Linear) and a transformer encoder layer (nn.TransformerEncoderLayer,
   batch_first, dropout 0, then a mean over the sequence and a Linear). The
   artifact has no gradient output, so one step of plain SGD (momentum 0,
   weight decay 0) with lr = 2^10 is run and gradient = (before - after) / lr:
   a power of two keeps lr * g exact, and a large lr makes the float32 rounding
   of `after` (ulp(max(|p|, lr |g|))) negligible against lr |g| even for
   gradients far smaller than their parameter (with lr = 1 it would cost up to
   6e-6 of relative error here). Each parameter's gradient must match
   torch.autograd's within --rtol (1e-4) norm-wise: |g_kiln - g_torch| /
   |g_torch|. The step's loss and the batch-norm running statistics after it
   (torch's momentum 0.1 and unbiased variance) are checked too.
b. SGD with momentum 0.9 and Adam on the CNN, 20 steps over 20 batches in
   order (no shuffling): each step's loss (kiln-run's JSON lines) and every
   parameter and running statistic after the 20 steps within --rtol of
   torch.optim's (norm-wise per tensor). The convolutions feeding a batch norm
   have no bias, as usual: the gradient of such a bias is zero in exact
   arithmetic and only rounding noise in float32, which Adam's normalization
   would turn into full-size steps.
c. Beyond the issue's two, the same 20-step check for the other optimizers and
   options: SGD with Nesterov momentum and weight decay, Adam with weight decay
   and other betas, AdamW, RMSprop, SGD with gradient clipping by global norm
   (torch.nn.utils.clip_grad_norm_), and Adam with the convolutions and the
   first batch norm frozen (--freeze; torch: requires_grad False, so they
   must come back unchanged, while bn1's running statistics still update).
   --optimizer-model trains another model instead of the CNN; the transformer
   only suits SGD: the key part of attention's in_proj_bias has a zero
   gradient in exact arithmetic (softmax ignores a constant added to a row's
   scores), so Adam and RMSprop turn float32 noise there into real steps.

    /usr/bin/python3 test/e2e/train_torch.py --bin-dir build/bin [--work-dir DIR]
        [--cases cnn,lstm,transformer,sgd_momentum,adam,...]   (default: all)
"""

import argparse
import copy
import json
import os
import sys

import numpy as np

import kiln_e2e as e2e

sys.path.insert(0, os.path.join(e2e.REPO_ROOT, "examples", "digits"))
from model import export_training_onnx  # noqa: E402  (examples/digits/model.py)

CLASSES = 5
GRAD_LR = 1024.0
STEPS = 20


# --- models ------------------------------------------------------------------

def build(name):
    """(module, input shape at the compiled batch, opset) of model `name`, seeded."""
    import torch
    nn = torch.nn
    F = nn.functional

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 12, 3, stride=2, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(12)
            self.fc = nn.Linear(12 * 2 * 2, CLASSES)

        def forward(self, x):
            x = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
            x = F.avg_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
            return self.fc(torch.flatten(x, 1))

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(6, 12, num_layers=2, batch_first=True)
            self.fc = nn.Linear(12, CLASSES)

        def forward(self, x):
            return self.fc(self.rnn(x)[0][:, -1])

    class TransformerClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
            self.fc = nn.Linear(16, CLASSES)

        def forward(self, x):
            return self.fc(self.enc(x).mean(dim=1))

    torch.manual_seed(0)
    if name == "cnn":
        return CNN(), (8, 3, 16, 16), 15
    if name == "lstm":
        return LSTMClassifier(), (4, 7, 6), 15
    if name == "transformer":
        return TransformerClassifier(), (4, 6, 16), 17
    raise ValueError(name)


def make_data(shape, batches, seed):
    rng = np.random.default_rng(seed)
    n = shape[0] * batches
    x = rng.standard_normal((n, *shape[1:])).astype(np.float32)
    y = rng.integers(0, CLASSES, n).astype(np.int64)
    return x, y


def buffers(module):
    """Names of the float buffers training updates (batch-norm running statistics)."""
    return [n for n, b in module.named_buffers() if b.is_floating_point()]


# --- Kiln --------------------------------------------------------------------

def kiln_train(tools, work, tag, onnx_path, x, y, batch, optimizer_flags):
    """Compile `onnx_path` for training, run one epoch over (x, y) in order with
    every step logged; return (losses, {initializer name: array} of after.onnx)."""
    import onnx
    from onnx import numpy_helper
    lib = os.path.join(work, f"{tag}.so")
    e2e.kiln_compile(tools["kiln-compile"], onnx_path, lib, timeout=600,
                     extra=["--train", "--loss=softmax-cross-entropy", "--label=label",
                            f"--batch={batch}", *optimizer_flags])
    xs = e2e.save_npy(os.path.join(work, f"{tag}_x.npy"), x)
    ys = e2e.save_npy(os.path.join(work, f"{tag}_y.npy"), y)
    saved = os.path.join(work, f"{tag}_after.onnx")
    res = e2e.check(e2e.run([tools["kiln-run"], lib, "--train", "--data", f"input={xs}",
                             "--data", f"label={ys}", "--batch", batch, "--epochs", 1,
                             "--log-every", 1, "--save", saved], timeout=300), "train")
    losses = []
    for line in res.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if "loss" in record:
                losses.append(record["loss"])
    if not os.path.isfile(saved):
        raise e2e.E2EError(f"kiln-run --save wrote no {os.path.basename(saved)}")
    params = {t.name: numpy_helper.to_array(t) for t in onnx.load(saved).graph.initializer}
    return losses, params


def rel_norm(actual, expected):
    a, e = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    scale = np.linalg.norm(e)
    return np.linalg.norm(a - e) / scale if scale > 0 else np.linalg.norm(a)


def check_tensors(failures, tag, what, kiln, torch_values, rtol):
    """Compare each named tensor of `torch_values` with Kiln's; print one line each."""
    worst = 0.0
    for name, want in torch_values.items():
        got = kiln.get(name)
        if got is None:
            e2e.expect(failures, False, f"{tag}: {name} missing from the saved model")
            continue
        if got.shape != want.shape:
            e2e.expect(failures, False, f"{tag}: {name} has shape {list(got.shape)}, "
                                        f"torch {list(want.shape)}")
            continue
        err = rel_norm(got, want)
        worst = max(worst, err)
        print(f"    {what} {name} {list(want.shape)}: rel err {err:.2e}", flush=True)
        e2e.expect(failures, err <= rtol,
                   f"{tag}: {what} of {name} off by {err:.3g} relative (norm-wise), "
                   f"above {rtol:g}")
    return worst


def check_losses(failures, tag, kiln_losses, torch_losses, rtol):
    if len(kiln_losses) != len(torch_losses):
        e2e.expect(failures, False, f"{tag}: kiln-run logged {len(kiln_losses)} losses, "
                                    f"expected {len(torch_losses)}")
        return 0.0
    errs = [abs(k - t) / abs(t) for k, t in zip(kiln_losses, torch_losses)]
    worst = max(errs)
    print(f"    losses: " + " ".join(f"{k:.6g}" for k in kiln_losses), flush=True)
    print(f"    worst relative loss error over {len(errs)} steps: {worst:.2e}", flush=True)
    e2e.expect(failures, worst <= rtol,
               f"{tag}: loss of step {errs.index(worst) + 1} off by {worst:.3g} relative "
               f"(kiln {kiln_losses[errs.index(worst)]!r}, torch "
               f"{torch_losses[errs.index(worst)]!r}), above {rtol:g}")
    return worst


# --- a: gradients ------------------------------------------------------------

def check_gradients(name, tools, work, rtol, failures, summary):
    import torch
    module, shape, opset = build(name)
    onnx_path = os.path.join(work, f"{name}.onnx")
    x, y = make_data(shape, 1, seed=1)
    export_training_onnx(module, (torch.from_numpy(x),), onnx_path, opset=opset)
    before = {n: p.detach().numpy().copy() for n, p in module.state_dict().items()}
    losses, after = kiln_train(tools, work, f"{name}_grad", onnx_path, x, y, shape[0],
                               ["--optimizer=sgd", f"--lr={GRAD_LR:g}"])

    ref = copy.deepcopy(module).double().train()
    loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(x).double()),
                                             torch.from_numpy(y))
    loss.backward()
    torch_grads = {n: p.grad.numpy() for n, p in ref.named_parameters()}
    kiln_grads = {n: (before[n].astype(np.float64) - after[n]) / GRAD_LR
                  for n in torch_grads if n in after}
    print(f"  {name}: {len(torch_grads)} parameters, loss {loss.item():.6g}", flush=True)
    check_losses(failures, f"{name} gradients", losses, [loss.item()], rtol)
    worst = check_tensors(failures, f"{name} gradients", "grad", kiln_grads, torch_grads, rtol)
    stats = {n: b.numpy() for n, b in ref.named_buffers() if n in buffers(module)}
    if stats:
        check_tensors(failures, f"{name} running statistics", "after 1 step", after, stats, rtol)
    summary.append(f"{name}: worst gradient rel err {worst:.2e}")


# --- b: optimizers -----------------------------------------------------------

class Opt:
    """A training configuration: kiln-compile flags and the same in torch."""

    def __init__(self, flags, make, clip=None, freeze=None):
        self.flags, self.make, self.clip, self.freeze = flags, make, clip, freeze


OPTIMIZERS = {
    "sgd_momentum": Opt(["--optimizer=sgd", "--lr=0.05", "--momentum=0.9"],
                        lambda torch, p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "adam": Opt(["--optimizer=adam", "--lr=0.01"],
                lambda torch, p: torch.optim.Adam(p, lr=0.01)),
    # Beyond the two: the other optimizers and options of kiln-compile --train.
    "sgd_nesterov_wd": Opt(["--optimizer=sgd", "--lr=0.05", "--momentum=0.9", "--nesterov",
                            "--weight-decay=0.01"],
                           lambda torch, p: torch.optim.SGD(p, lr=0.05, momentum=0.9,
                                                            nesterov=True, weight_decay=0.01)),
    "adam_wd": Opt(["--optimizer=adam", "--lr=0.01", "--weight-decay=0.01", "--beta1=0.8",
                    "--beta2=0.99"],
                   lambda torch, p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01,
                                                     betas=(0.8, 0.99))),
    "adamw": Opt(["--optimizer=adamw", "--lr=0.01", "--weight-decay=0.1"],
                 lambda torch, p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    "rmsprop": Opt(["--optimizer=rmsprop", "--lr=0.001", "--alpha=0.9"],
                   lambda torch, p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9)),
    "sgd_clip": Opt(["--optimizer=sgd", "--lr=0.1", "--clip-norm=0.5"],
                    lambda torch, p: torch.optim.SGD(p, lr=0.1), clip=0.5),
    # bn1's prefix matches its running statistics too: --freeze leaves them
    # updating, as torch's training mode does (they froze before).
    "adam_freeze": Opt(["--optimizer=adam", "--lr=0.01", "--freeze=^(conv[12]|bn1)\\."],
                       lambda torch, p: torch.optim.Adam(p, lr=0.01),
                       freeze=r"^(conv[12]|bn1)\."),
}


OPTIMIZER_MODEL = ["cnn"]  # --optimizer-model


def check_optimizer(name, tools, work, rtol, failures, summary):
    import re

    import torch
    opt_spec = OPTIMIZERS[name]
    module, shape, opset = build(OPTIMIZER_MODEL[0])
    batch = shape[0]
    onnx_path = os.path.join(work, f"{name}_{OPTIMIZER_MODEL[0]}.onnx")
    x, y = make_data(shape, STEPS, seed=2)
    export_training_onnx(module, (torch.from_numpy(x[:batch]),), onnx_path, opset=opset)
    losses, after = kiln_train(tools, work, name, onnx_path, x, y, batch, opt_spec.flags)

    ref = copy.deepcopy(module).double().train()
    frozen = [n for n, _ in ref.named_parameters()
              if opt_spec.freeze and re.search(opt_spec.freeze, n)]
    for n, p in ref.named_parameters():
        p.requires_grad_(n not in frozen)
    opt = opt_spec.make(torch, [p for p in ref.parameters() if p.requires_grad])
    torch_losses = []
    for i in range(STEPS):
        xb = torch.from_numpy(x[i * batch:(i + 1) * batch]).double()
        yb = torch.from_numpy(y[i * batch:(i + 1) * batch])
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(ref(xb), yb)
        loss.backward()
        if opt_spec.clip is not None:
            torch.nn.utils.clip_grad_norm_(ref.parameters(), opt_spec.clip)
        opt.step()
        torch_losses.append(loss.item())
    print(f"  {name}: {STEPS} steps of batch {batch} ({' '.join(opt_spec.flags)})", flush=True)
    if frozen:
        print(f"    frozen: {', '.join(frozen)}", flush=True)
    loss_err = check_losses(failures, name, losses, torch_losses, rtol)
    state = {n: v.numpy() for n, v in ref.state_dict().items() if v.is_floating_point()}
    worst = check_tensors(failures, name, f"after {STEPS} steps", after, state, rtol)
    summary.append(f"{name}: worst loss rel err {loss_err:.2e}, worst parameter rel err "
                   f"{worst:.2e} after {STEPS} steps")


CASES = {name: (lambda n: lambda *a: check_gradients(n, *a))(name)
         for name in ("cnn", "lstm", "transformer")}
CASES.update({name: (lambda n: lambda *a: check_optimizer(n, *a))(name) for name in OPTIMIZERS})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    e2e.add_common_args(ap)
    ap.add_argument("--cases", default=",".join(CASES),
                    help=f"comma-separated subset of {','.join(CASES)}")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--optimizer-model", choices=["cnn", "lstm", "transformer"], default="cnn",
                    help="the model the optimizer cases train (default cnn)")
    args = ap.parse_args()
    OPTIMIZER_MODEL[0] = args.optimizer_model
    try:
        tools = {t: e2e.find_tool(t, args.bin_dir) for t in ("kiln-compile", "kiln-run")}
    except e2e.E2EError as err:
        e2e.die(str(err))
    names = [n for n in args.cases.split(",") if n]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        e2e.die(f"unknown cases {', '.join(unknown)}; known: {', '.join(CASES)}")

    import torch
    torch.set_num_threads(1)
    failures, summary = [], []
    with e2e.work_dir(args.work_dir, prefix="kiln-train-torch-") as work:
        for name in names:
            print(f"{name}:", flush=True)
            try:
                CASES[name](tools, work, args.rtol, failures, summary)
            except e2e.E2EError as err:
                e2e.expect(failures, False, f"{name}: {err}")
    for line in summary:
        print(f"  {line}")
    return e2e.finish(failures, "training against PyTorch")


if __name__ == "__main__":
    sys.exit(main())
