#!/usr/bin/python3
"""Write scikit-learn's bundled 8x8 digits as .npy files for `make train-demo`.

Reads `sklearn.datasets.load_digits()` (1797 images shipped inside Debian's
python3-sklearn; nothing is downloaded), scales the pixels from 0..16 to [0, 1]
and splits the images 80/20 with a fixed seed (the split make_model.py uses):

  train_x.npy  float32 [1438, 1, 8, 8]     train_y.npy  int64 [1438]
  test_x.npy   float32 [359, 1, 8, 8]      test_y.npy   int64 [359]

    /usr/bin/python3 examples/digits/make_data.py OUT_DIR [--seed 0]
"""

import argparse
import os
import sys

import numpy as np


def load_split(seed=0):
    """(train_x, train_y, test_x, test_y) as described in the module doc."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("make_data.py: scikit-learn is not installed (Debian: apt-get install "
                 "python3-sklearn)")
    digits = load_digits()
    x = (digits.images.astype(np.float32) / np.float32(16.0))[:, None, :, :]
    y = digits.target.astype(np.int64)
    perm = np.random.RandomState(seed).permutation(len(x))
    n_test = len(x) // 5
    test, train = perm[:n_test], perm[n_test:]
    return (np.ascontiguousarray(x[train]), y[train], np.ascontiguousarray(x[test]), y[test])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="folder for the four .npy files (created if missing)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the 80/20 split (default 0)")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    arrays = dict(zip(["train_x", "train_y", "test_x", "test_y"], load_split(args.seed)))
    for name, value in arrays.items():
        np.save(os.path.join(args.out_dir, name + ".npy"), value, allow_pickle=False)
    print(f"digits: {len(arrays['train_y'])} training and {len(arrays['test_y'])} test images "
          f"(8x8, pixels in [0, 1]) in {args.out_dir}")


if __name__ == "__main__":
    main()
