#!/usr/bin/python3
"""The ONNX backend suite's Resize and Upsample cases with their scales and
sizes frozen into constants, against the suite's stored outputs.

The suite feeds scales, sizes and roi as graph inputs (onnx_backend.py runs
them so, through nn.dynamic_resize). Here each case's model gets those
inputs from its test_data_set_0 as initializers (how exporters write them),
is compiled, and runs on the remaining input X; the
output must match output_0.pb (rtol 1e-4, atol 1e-5). Constant scales or
sizes with nearest or linear take nn.resize; cubic and tf_crop_and_resize
take nn.dynamic_resize with constant operands.

    /usr/bin/python3 test/e2e/resize_constants.py --bin-dir build/bin [--work-dir DIR]
"""

import argparse
import glob
import os
import sys

import onnx

import kiln_e2e as e2e

DATA = "/usr/share/libonnx-testdata/data/node"
# align_corners with a scale whose product is fractional (4 * 0.6 = 2.4): the
# suite's reference divides by 2.4 - 1, PyTorch and ONNX Runtime by the
# integer output length 2 - 1; Kiln follows PyTorch (checked against it in
# torch_layers.py and resize_runtime.py), so these stored outputs are not the
# oracle.
ORACLE_DISAGREES = {"test_resize_downsample_scales_linear_align_corners",
                    "test_resize_downsample_scales_cubic_align_corners"}


def freeze(case_dir, path):
    """Write the case's model with every input but the first frozen; return (X, expected Y)."""
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    data = os.path.join(case_dir, "test_data_set_0")
    inputs = [e2e.load_tensor_pb(os.path.join(data, f"input_{i}.pb"))
              for i in range(len(model.graph.input))]
    for value_info, array in list(zip(model.graph.input, inputs))[1:]:
        model.graph.initializer.append(onnx.numpy_helper.from_array(array, value_info.name))
    del model.graph.input[1:]
    onnx.save(model, path)
    return model.graph.input[0].name, inputs[0], e2e.load_tensor_pb(os.path.join(data, "output_0.pb"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    e2e.add_common_args(parser)
    args = parser.parse_args()
    failures, checked = [], 0
    cases = sorted(glob.glob(os.path.join(DATA, "test_resize_*")) +
                   glob.glob(os.path.join(DATA, "test_upsample_*")))
    try:
        with e2e.work_dir(args.work_dir) as work:
            for case_dir in cases:
                name = os.path.basename(case_dir)
                case_work = os.path.join(work, name)
                os.makedirs(case_work, exist_ok=True)
                path = os.path.join(case_work, "model.onnx")
                x_name, x, y = freeze(case_dir, path)
                if name in ORACLE_DISAGREES:
                    print(f"  {name}: skipped (the suite's reference and PyTorch disagree)",
                          flush=True)
                    continue
                output = onnx.load(path).graph.output[0].name
                problems = e2e.check_model_outputs(args.bin_dir, case_work, path, {x_name: x},
                                                   {output: y}, rtol=1e-4, atol=1e-5,
                                                   oracle=f"{name}'s stored output")
                failures += [f"{name}: {p}" for p in problems]
                checked += 1
    except e2e.E2EError as err:
        failures.append(str(err))
    print(f"{checked} cases compared", flush=True)
    return e2e.finish(failures, "Resize/Upsample with constant scales and sizes")


if __name__ == "__main__":
    sys.exit(main())
