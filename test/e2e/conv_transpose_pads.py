#!/usr/bin/python3
"""ConvTranspose with pads beyond dilation * (kernel - 1), against PyTorch.

ONNX ConvTranspose removes `pads` from the full transposed convolution's
output. Where a pad exceeds dilation * (kernel - 1), nn-decompose's direct
convolution cannot pad negatively and crops its result instead. The oracle
is PyTorch's unpadded conv_transpose2d cropped by the same pads (PyTorch's
own padding is symmetric only); outputs must match within rtol 1e-4,
atol 1e-5.

    /usr/bin/python3 test/e2e/conv_transpose_pads.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e

# (name, strides, dilations, pads as ONNX writes them: starts then ends)
CASES = [
    ("crop_begin", [2, 2], [1, 1], [3, 1, 0, 2]),
    ("crop_dilated", [1, 2], [2, 1], [5, 3, 1, 0]),
]


def model(path, strides, dilations, pads, x, w, b):
    node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], strides=strides,
                            dilations=dilations, pads=pads)
    graph = helper.make_graph(
        [node], "convt",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m = onnx.shape_inference.infer_shapes(m)
    onnx.save(m, path)


def reference(x, w, b, strides, dilations, pads):
    import torch
    full = torch.nn.functional.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w),
                                                torch.from_numpy(b), stride=strides,
                                                dilation=dilations).numpy()
    h, wd = full.shape[2:]
    return full[:, :, pads[0]:h - pads[2], pads[1]:wd - pads[3]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    rng = np.random.default_rng(0)
    try:
        with e2e.work_dir(args.work_dir) as work:
            for name, strides, dilations, pads in CASES:
                x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
                w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
                b = rng.standard_normal(3).astype(np.float32)
                case = os.path.join(work, name)
                os.makedirs(case, exist_ok=True)
                path = os.path.join(case, name + ".onnx")
                model(path, strides, dilations, pads, x, w, b)
                want = reference(x, w, b, strides, dilations, pads)
                print(f"{name}: y {list(want.shape)}", flush=True)
                failures += e2e.check_model_outputs(args.bin_dir, case, path, {"x": x}, {"y": want},
                                                    rtol=1e-4, atol=1e-5, oracle="PyTorch")
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "ConvTranspose with pads beyond the kernel")


if __name__ == "__main__":
    sys.exit(main())
