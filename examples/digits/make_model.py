#!/usr/bin/python3
"""Train the bundled digits CNN and export it to ONNX, with a test input and its oracle.

Trains a small CNN (Conv-BN-ReLU-MaxPool x2, Flatten, Linear) on 8x8 grayscale
digits for a few seconds on CPU, reports test accuracy, and writes next to this
script (or into --out-dir):

  digits_cnn.onnx        opset 13, input `image` float32 [1,1,8,8] (pixels in [0,1]),
                         output `logits` float32 [1,10], static shapes, eval mode
  input.npy              one test-set image, float32 [1,1,8,8]
  label.txt              its true label
  expected_logits.npy    PyTorch's output for input.npy (the oracle the e2e tests use)

Data: `--dataset sklearn` (the default) uses scikit-learn's bundled
`load_digits()` (offline, 1797 images). `--dataset synthetic` uses a deterministic
stand-in drawn here with numpy only: stroke templates of the ten digits, randomly
warped, rasterized at 32x32 and block-summed to 8x8 in 0..16, the way the UCI
optdigits behind `load_digits()` were made. Use it where scikit-learn is missing.

Everything is seeded (--seed), single-threaded and deterministic for a given
torch version.

Run with /usr/bin/python3 (it has torch, onnx and numpy):
    /usr/bin/python3 examples/digits/make_model.py [--dataset synthetic]
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


# --- data -------------------------------------------------------------------

def load_sklearn_digits():
    """Return (images float32 [N,8,8] in 0..16, labels int64 [N])."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("make_model.py: scikit-learn is not installed (Debian: python3-sklearn); "
                 "install it or pass --dataset synthetic")
    d = load_digits()
    return d.images.astype(np.float32), d.target.astype(np.int64)


def _arc(cx, cy, rx, ry, t0, t1, n=24):
    """Points of an elliptic arc; angles in degrees, y grows downwards (90 = bottom)."""
    t = np.deg2rad(np.linspace(t0, t1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _line(*pts):
    return np.array(pts, dtype=np.float64)


def _join(*parts):
    return np.concatenate(parts, axis=0)


# Each digit is a list of polylines in the unit square (x right, y down).
DIGIT_STROKES = {
    0: [_arc(0.5, 0.5, 0.27, 0.40, 0, 360, 40)],
    1: [_line((0.34, 0.24), (0.52, 0.08), (0.52, 0.92))],
    2: [_join(_arc(0.5, 0.32, 0.24, 0.22, 200, 390), _line((0.2, 0.9), (0.82, 0.9)))],
    3: [_arc(0.48, 0.30, 0.22, 0.20, 200, 450), _arc(0.48, 0.70, 0.25, 0.22, 270, 520)],
    4: [_line((0.66, 0.92), (0.66, 0.08), (0.2, 0.66), (0.84, 0.66))],
    5: [_join(_line((0.78, 0.1), (0.32, 0.1), (0.29, 0.46)),
              _arc(0.5, 0.66, 0.26, 0.24, 235, 510))],
    6: [_join(_line((0.72, 0.1), (0.5, 0.18), (0.35, 0.35), (0.28, 0.6), (0.29, 0.72)),
              _arc(0.5, 0.70, 0.21, 0.21, 180, 540, 32))],
    7: [_line((0.2, 0.1), (0.8, 0.1), (0.42, 0.92)), _line((0.4, 0.5), (0.72, 0.5))],
    8: [_arc(0.5, 0.29, 0.19, 0.19, 0, 360, 32), _arc(0.5, 0.70, 0.23, 0.21, 0, 360, 32)],
    9: [_arc(0.5, 0.31, 0.21, 0.21, 0, 360, 32), _line((0.71, 0.31), (0.68, 0.62), (0.55, 0.92))],
}

_GRID = (np.stack(np.meshgrid(np.arange(32), np.arange(32), indexing="xy"), axis=-1)
         .reshape(-1, 2) + 0.5) / 32.0  # pixel centres, (x, y)


def _segment_distance(points, a, b):
    """Distance of every point to the segment a-b."""
    ab = b - a
    denom = max(float(ab @ ab), 1e-12)
    t = np.clip(((points - a) @ ab) / denom, 0.0, 1.0)
    return np.linalg.norm(points - (a + t[:, None] * ab), axis=1)


def _draw(digit, rng):
    """One 8x8 image (values 0..16) of `digit` with random pose, warp, stroke ends and width."""
    angle = np.deg2rad(rng.uniform(-15, 15))
    shear = rng.uniform(-0.3, 0.3)
    sx, sy = rng.uniform(0.7, 1.1), rng.uniform(0.75, 1.1)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    mat = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, sy])
    shift = 0.5 + rng.uniform(-0.08, 0.08, size=2)
    amp = rng.uniform(0, 0.07, size=2)
    freq = rng.uniform(0.5, 1.5, size=2)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    half_width = rng.uniform(0.035, 0.07)

    dist = np.full(len(_GRID), np.inf)
    for stroke in DIGIT_STROKES[digit]:
        # A hand starts late and stops early now and then.
        n = len(stroke)
        cut = rng.randint(0, max(1, n // 8) + 1, size=2) if n > 4 else (0, 0)
        pts = (stroke[cut[0]:n - cut[1]] - 0.5) @ mat.T + shift
        warped = pts.copy()
        warped[:, 0] += amp[0] * np.sin(2 * np.pi * freq[0] * pts[:, 1] + phase[0])
        warped[:, 1] += amp[1] * np.sin(2 * np.pi * freq[1] * pts[:, 0] + phase[1])
        for a, b in zip(warped[:-1], warped[1:]):
            dist = np.minimum(dist, _segment_distance(_GRID, a, b))
    bitmap = (dist < half_width).reshape(32, 32)
    bitmap ^= rng.random((32, 32)) < 0.02  # scanner noise
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.float32)


def make_synthetic_digits(n, seed):
    """Return (images float32 [n,8,8] in 0..16, labels int64 [n])."""
    rng = np.random.RandomState(seed)
    labels = np.arange(n, dtype=np.int64) % 10
    rng.shuffle(labels)
    images = np.stack([_draw(int(d), rng) for d in labels])
    return images, labels


# --- model ------------------------------------------------------------------

def build_model(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),    # 8x4x4
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),  # 16x2x2
        nn.Flatten(), nn.Linear(64, 10))


def train(torch, model, x, y, epochs, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        sched.step()
    return float(loss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", choices=["sklearn", "synthetic"], default="sklearn",
                    help="sklearn.datasets.load_digits (default) or the numpy-drawn stand-in")
    ap.add_argument("--synthetic-count", type=int, default=3000,
                    help="number of images for --dataset synthetic (default 3000)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out-dir", default=HERE, help="where the outputs go (default: this folder)")
    args = ap.parse_args()

    import torch
    import onnx

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    if args.dataset == "sklearn":
        images, labels = load_sklearn_digits()
    else:
        images, labels = make_synthetic_digits(args.synthetic_count, args.seed)
    images = images / np.float32(16.0)  # pixels 0..16 -> [0, 1]
    perm = np.random.RandomState(args.seed).permutation(len(images))
    n_test = len(images) // 5
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    x = torch.from_numpy(images[:, None, :, :].astype(np.float32))
    y = torch.from_numpy(labels)

    model = build_model(torch)
    start = time.time()
    final_loss = train(torch, model, x[train_idx], y[train_idx], args.epochs, args.seed)
    model.eval()
    with torch.no_grad():
        test_logits = model(x[test_idx])
    pred = test_logits.argmax(dim=1).numpy()
    correct = int((pred == labels[test_idx]).sum())
    print(f"dataset {args.dataset}: {len(train_idx)} train / {n_test} test images; trained "
          f"{args.epochs} epochs in {time.time() - start:.1f} s, final loss {final_loss:.4f}")
    print(f"test accuracy: {100.0 * correct / n_test:.2f}% ({correct}/{n_test})")

    # The demo input: the first test image classified correctly with a clear margin,
    # so the argmax checks downstream do not hinge on rounding.
    top2 = test_logits.topk(2, dim=1).values
    margin = (top2[:, 0] - top2[:, 1]).numpy()
    ok = np.nonzero((pred == labels[test_idx]) & (margin > 1.0))[0]
    pick = int(test_idx[ok[0] if len(ok) else 0])
    example = x[pick:pick + 1].contiguous()
    with torch.no_grad():
        expected = model(example).numpy().astype(np.float32)

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "digits_cnn.onnx")
    torch.onnx.export(model, (example,), onnx_path, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto)
    assert [i.name for i in proto.graph.input] == ["image"], proto.graph.input
    assert [o.name for o in proto.graph.output] == ["logits"], proto.graph.output
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 1, 8, 8], dims

    np.save(os.path.join(args.out_dir, "input.npy"), example.numpy().astype(np.float32))
    np.save(os.path.join(args.out_dir, "expected_logits.npy"), expected)
    with open(os.path.join(args.out_dir, "label.txt"), "w") as f:
        f.write(f"{int(labels[pick])}\n")

    ops = sorted({n.op_type for n in proto.graph.node})
    print(f"exported {onnx_path} (opset 13, ops: {', '.join(ops)})")
    print(f"example: test image #{pick}, label {int(labels[pick])}, "
          f"PyTorch argmax {int(expected.argmax())}")
    for name in ["digits_cnn.onnx", "input.npy", "label.txt", "expected_logits.npy"]:
        print(f"  {name}: {os.path.getsize(os.path.join(args.out_dir, name))} bytes")


if __name__ == "__main__":
    main()
