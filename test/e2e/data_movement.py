#!/usr/bin/python3
"""Slice, Split, Pad, Expand, Tile, Gather, Cast and CumSum on run-time data, against numpy.

The ONNX backend suite feeds the bounds of most of these ops as graph inputs,
which a static compiler cannot take; here they are constants, as exporters
write them. One model (built with onnx.helper) holds every case; numpy
computes each expected output from the same input independently (negative
steps, clamped bounds, unequal split parts, broadcasting, negative gather
indices, float-to-int casts). Constant gather indices out of range are a
compile-time error (test/Import/ONNX/data_movement.test).

    /usr/bin/python3 test/e2e/data_movement.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_e2e as e2e


def const(name, values, dtype=np.int64):
    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.array(values, dtype=dtype), name))


def build_model():
    x = np.random.default_rng(7).standard_normal((3, 4, 5)).astype(np.float32) * 4
    nodes = [
        const("s_starts", [2, -1, 1]), const("s_ends", [-100, 0, 100]),
        const("s_axes", [0, 1, 2]), const("s_steps", [-1, -2, 2]),
        helper.make_node("Slice", ["x", "s_starts", "s_ends", "s_axes", "s_steps"], ["slice"]),
        # Constant steps at INT64_MAX and INT64_MIN: the element count
        # ceil(span / |step|) overflowed (the first came out empty).
        const("big_starts", [0]), const("big_ends", [2**63 - 1]), const("big_steps", [2**63 - 1]),
        const("min_starts", [4]), const("min_ends", [-2**63]), const("min_steps", [-2**63]),
        const("axis2", [2]),
        helper.make_node("Slice", ["x", "big_starts", "big_ends", "axis2", "big_steps"],
                         ["slice_step_max"]),
        helper.make_node("Slice", ["x", "min_starts", "min_ends", "axis2", "min_steps"],
                         ["slice_step_min"]),
        const("split_sizes", [1, 3]),
        helper.make_node("Split", ["x", "split_sizes"], ["split0", "split1"], axis=1),
        const("pads", [0, 1, 2, 1, 0, 3]), const("pad_value", 1.5, np.float32),
        helper.make_node("Pad", ["x", "pads", "pad_value"], ["pad"]),
        const("shape", [2, 1, 4, 1]),
        const("starts1", [0]), const("ends1", [1]), const("axes1", [2]),
        helper.make_node("Slice", ["x", "starts1", "ends1", "axes1"], ["column"]),
        helper.make_node("Expand", ["column", "shape"], ["expand"]),
        const("repeats", [2, 1, 3]),
        helper.make_node("Tile", ["x", "repeats"], ["tile"]),
        const("ids", [[0, -1], [3, 2]]),
        helper.make_node("Gather", ["x", "ids"], ["gather"], axis=1),
        helper.make_node("Cast", ["x"], ["cast"], to=TensorProto.INT32),
        const("cum_axis", -1),
        helper.make_node("CumSum", ["x", "cum_axis"], ["cumsum"]),
        helper.make_node("CumSum", ["x", "cum_axis"], ["cumsum_rev_excl"], reverse=1, exclusive=1),
    ]
    expected = {
        "slice": x[2::-1, -1:0:-2, 1::2],
        "slice_step_max": x[:, :, 0:2**63 - 1:2**63 - 1],
        "slice_step_min": x[:, :, 4:-2**63:-2**63],
        "split0": x[:, :1], "split1": x[:, 1:],
        "pad": np.pad(x, [(0, 1), (1, 0), (2, 3)], constant_values=1.5),
        "expand": np.broadcast_to(x[:, :, 0:1], (2, 3, 4, 1)).copy(),
        "tile": np.tile(x, (2, 1, 3)),
        "gather": x[:, [[0, 3], [3, 2]]],
        "cast": np.trunc(x).astype(np.int32),
        # Sums in f64 (Kiln adds in f32, in its own order: checked to 1e-5).
        "cumsum": np.cumsum(x.astype(np.float64), axis=-1).astype(np.float32),
        # Reverse exclusive: the sum of the elements after each one.
        "cumsum_rev_excl": (np.flip(np.cumsum(np.flip(x.astype(np.float64), -1), axis=-1), -1)
                            - x).astype(np.float32),
    }
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int32): TensorProto.INT32}
    graph = helper.make_graph(
        nodes, "data_movement",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info(name, elem[v.dtype], v.shape)
         for name, v in expected.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model, full_check=True)
    return model, x, expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures = []
    try:
        with e2e.work_dir(args.work_dir) as work:
            model, x, expected = build_model()
            path = os.path.join(work, "data_movement.onnx")
            onnx.save(model, path)
            # Data movement is exact; the sums are checked to 1e-5.
            sums = {k: (1e-5, 1e-5) for k in expected if k.startswith("cumsum")}
            failures += e2e.check_model_outputs(args.bin_dir, work, path, {"x": x}, expected,
                                                rtol=0, atol=0, oracle="numpy", tolerances=sums)
    except e2e.E2EError as err:
        failures.append(str(err))
    return e2e.finish(failures, "data movement ops against numpy")


if __name__ == "__main__":
    sys.exit(main())
