"""Writes models whose declared output or value_info types disagree with what
their graph computes (for declared-types.test)."""
import os
import sys

from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])


def save(name, y, value_info=()):
    nodes = [helper.make_node("Relu", ["x"], ["t"], name="r"),
             helper.make_node("Neg", ["t"], ["y"], name="n")]
    g = helper.make_graph(nodes, name, [x], [y], value_info=list(value_info))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


vi = helper.make_tensor_value_info
save("output_shape", vi("y", TensorProto.FLOAT, [2, 4]))
save("output_rank", vi("y", TensorProto.FLOAT, [6]))
save("output_type", vi("y", TensorProto.INT64, [2, 3]))
save("value_info_shape", vi("y", TensorProto.FLOAT, [2, 3]), [vi("t", TensorProto.FLOAT, [3, 2])])
save("value_info_type", vi("y", TensorProto.FLOAT, [2, 3]), [vi("t", TensorProto.DOUBLE, None)])
# A dim_param, an unknown dim, no shape and no element type all agree.
save("output_symbolic", vi("y", TensorProto.FLOAT, ["N", None]), [vi("t", TensorProto.FLOAT, None)])
save("output_untyped", vi("y", TensorProto.UNDEFINED, None))
save("output_exact", vi("y", TensorProto.FLOAT, [2, 3]), [vi("t", TensorProto.FLOAT, [2, 3])])
