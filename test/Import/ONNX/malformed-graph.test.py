"""Writes ONNX models that are structurally broken (for malformed-graph.test)."""
import os
import sys

import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])


def save(name, nodes, inits=()):
    g = helper.make_graph(nodes, name, [x], [y], initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


save("no_output", [helper.make_node("Relu", ["x"], [], name="r"),
                   helper.make_node("Relu", ["x"], ["y"], name="r2")])
w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[-3])
save("bad_dim", [helper.make_node("Relu", ["x"], ["y"])], [w])
save("shape_no_input", [helper.make_node("Shape", [], ["s"], name="s"),
                        helper.make_node("Relu", ["x"], ["y"])])
