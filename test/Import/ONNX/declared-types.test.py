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


# value_info inside subgraphs (If branches, Loop bodies) is held the same way.
def save_if(name, then_info, then_out=None):
    cond = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
    then_g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["tt"], name="tr"),
         helper.make_node("Neg", ["tt"], ["to"], name="tn")],
        "then", [], [then_out or vi("to", TensorProto.FLOAT, [2, 3])], value_info=then_info)
    else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["eo"], name="en")], "else", [],
                               [vi("eo", TensorProto.FLOAT, [2, 3])])
    node = helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g,
                            else_branch=else_g)
    g = helper.make_graph([node], name, [x, cond], [vi("y", TensorProto.FLOAT, [2, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


def save_loop(name, body_info, v_out=None):
    body = helper.make_graph(
        [helper.make_node("Relu", ["v_in"], ["b"], name="br"),
         helper.make_node("Neg", ["b"], ["v_out"], name="bn"),
         helper.make_node("Identity", ["cond_in"], ["cond_out"], name="bc")],
        "body",
        [vi("i", TensorProto.INT64, []), vi("cond_in", TensorProto.BOOL, []),
         vi("v_in", TensorProto.FLOAT, [2, 3])],
        [vi("cond_out", TensorProto.BOOL, []), v_out or vi("v_out", TensorProto.FLOAT, [2, 3])],
        value_info=body_info)
    trip = helper.make_tensor("trip", TensorProto.INT64, [], [3])
    node = helper.make_node("Loop", ["trip", "", "x"], ["y"], name="loop", body=body)
    g = helper.make_graph([node], name, [x], [vi("y", TensorProto.FLOAT, [2, 3])],
                          initializer=[trip])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


save_if("if_value_info_shape", [vi("tt", TensorProto.FLOAT, [3, 2])])
save_if("if_value_info_type", [vi("tt", TensorProto.INT32, [2, 3])])
save_if("if_value_info_exact", [vi("tt", TensorProto.FLOAT, [2, 3])])
save_loop("loop_value_info_shape", [vi("b", TensorProto.FLOAT, [2, 4])])
save_loop("loop_value_info_rank", [vi("b", TensorProto.FLOAT, [6])])
save_loop("loop_value_info_type", [vi("b", TensorProto.DOUBLE, None)])
save_loop("loop_value_info_exact", [vi("b", TensorProto.FLOAT, ["N", 3])])

# The types subgraphs declare for their outputs are held too.
save_if("if_output_shape", [], vi("to", TensorProto.FLOAT, [3, 2]))
save_if("if_output_type", [], vi("to", TensorProto.INT64, [2, 3]))
save_loop("loop_output_shape", [], vi("v_out", TensorProto.FLOAT, [2, 4]))
save_loop("loop_output_rank", [], vi("v_out", TensorProto.FLOAT, [6]))
save_loop("loop_output_type", [], vi("v_out", TensorProto.FLOAT16, None))
save_loop("loop_output_symbolic", [], vi("v_out", TensorProto.FLOAT, ["N", "M"]))


def save_scan(name, row_out):
    body = helper.make_graph([helper.make_node("Relu", ["row"], ["r"], name="sr")], "scan_body",
                             [vi("row", TensorProto.FLOAT, [3])], [row_out])
    node = helper.make_node("Scan", ["x"], ["y"], name="scan", body=body, num_scan_inputs=1)
    g = helper.make_graph([node], name, [x], [vi("y", TensorProto.FLOAT, [2, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


save_scan("scan_output_shape", vi("r", TensorProto.FLOAT, [4]))
save_scan("scan_output_exact", vi("r", TensorProto.FLOAT, [3]))
