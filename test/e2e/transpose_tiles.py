#!/usr/bin/python3
"""Transposes in square register tiles, on run-time data, against numpy.

A transpose that moves the input's innermost dim is cut into square tiles
of one vector's lanes and transposed in registers (compiler/Codegen/CPU/
Transpose.cpp) where the tile fits: 16x16 with AVX-512, 8x8 with AVX2. One
ONNX model holds transposes that take the tiles at both widths, at one
width only, and not at all (innermost extents of 3), with merged dims
(NCHW -> NHWC, a 5-D permutation), f32 and int32 elements, and one large
enough to be shared among threads. It is compiled for the host and for AVX2
(`--mcpu=x86-64-v3 --mattr=+avx2,-avx512f`, 8 lanes) and run at 1 and 2
threads; every output must equal numpy's transpose exactly.

    /usr/bin/python3 test/e2e/transpose_tiles.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_e2e as e2e

# name: (input shape, perm, dtype)
CASES = {
    "nchw_to_nhwc": ((3, 16, 8, 8), (0, 2, 3, 1), np.float32),
    "rows_48": ((2, 48, 32), (0, 2, 1), np.float32),
    "stem_weights": ((32, 16, 2, 3), (3, 2, 0, 1), np.float32),
    "threads": ((4, 256, 128), (0, 2, 1), np.float32),
    "int32_merged": ((2, 16, 4, 16), (0, 3, 1, 2), np.int32),
    "five_d_8_lanes": ((2, 8, 4, 16, 16), (0, 3, 4, 2, 1), np.float32),
    "narrow_3": ((16, 3, 32, 32), (0, 2, 3, 1), np.float32),
    "matrix": ((64, 32), (1, 0), np.float32),
}

ELEM = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32}


def build_model():
    rng = np.random.default_rng(11)
    inputs, expected, nodes, graph_in, graph_out = {}, {}, [], [], []
    for name, (shape, perm, dtype) in CASES.items():
        if dtype == np.int32:
            x = rng.integers(-2**31, 2**31 - 1, size=shape, dtype=np.int32)
        else:
            x = rng.standard_normal(shape).astype(np.float32)
        inputs["x_" + name] = x
        expected[name] = np.ascontiguousarray(x.transpose(perm))
        nodes.append(helper.make_node("Transpose", ["x_" + name], [name], perm=list(perm)))
        graph_in.append(helper.make_tensor_value_info("x_" + name, ELEM[dtype], shape))
        graph_out.append(helper.make_tensor_value_info(name, ELEM[dtype],
                                                       expected[name].shape))
    graph = helper.make_graph(nodes, "transpose_tiles", graph_in, graph_out)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model, full_check=True)
    return model, inputs, expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    try:
        with e2e.work_dir(args.work_dir) as work:
            model, inputs, expected = build_model()
            path = os.path.join(work, "transpose_tiles.onnx")
            onnx.save(model, path)
            for tag, flags in (("host", ()),
                               ("avx2", ("--mcpu=x86-64-v3", "--mattr=+avx2,-avx512f"))):
                failures += e2e.check_model_outputs(
                    args.bin_dir, work, path, inputs, expected, rtol=0, atol=0, oracle="numpy",
                    compile_args=flags, thread_counts=(1, 2), tag=tag)
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "transposes in square tiles against numpy")


if __name__ == "__main__":
    sys.exit(main())
