"""Writes ONNX models that are structurally broken (for malformed-graph.test)."""
import os
import sys

import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
w = helper.make_tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0])


def save(name, nodes, inits=(), inputs=(x,), outputs=(y,), opset=13, opsets=None,
         ir_version=None):
    g = helper.make_graph(nodes, name, list(inputs), list(outputs), initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid(d, v) for d, v in
                                            (opsets or [("", opset)])])
    if ir_version is not None:
        m.ir_version = ir_version
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


relu = helper.make_node("Relu", ["x"], ["y"], name="r")
save("no_output", [helper.make_node("Relu", ["x"], [], name="r"),
                   helper.make_node("Relu", ["x"], ["y"], name="r2")])
save("bad_dim", [relu], [TensorProto(name="v", data_type=TensorProto.FLOAT, dims=[-3])])
save("shape_no_input", [helper.make_node("Shape", [], ["s"], name="s"), relu])
save("two_producers", [relu, helper.make_node("Neg", ["x"], ["y"], name="n")])
save("writes_input", [helper.make_node("Relu", ["x"], ["x"], name="a"),
                      helper.make_node("Neg", ["x"], ["y"], name="n")])
save("writes_initializer", [helper.make_node("Relu", ["x"], ["w"], name="a"),
                            helper.make_node("Add", ["x", "w"], ["y"], name="n")], [w])
save("duplicate_input", [relu], inputs=[x, x])
save("duplicate_initializer", [helper.make_node("Add", ["x", "w"], ["y"], name="n")], [w, w])
save("no_outputs", [relu], outputs=[])
save("undefined", [helper.make_node("Relu", ["q"], ["y"], name="r")])
save("cycle", [helper.make_node("Relu", ["b"], ["a"], name="ra"),
               helper.make_node("Relu", ["a"], ["b"], name="rb"),
               helper.make_node("Add", ["x", "b"], ["y"], name="n")])
save("never_computed", [relu], outputs=[y, helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])])
save("relu_three_inputs", [helper.make_node("Relu", ["x", "x", "x"], ["y"], name="r")])
save("relu_two_outputs", [helper.make_node("Relu", ["x"], ["y", "z"], name="r")])
save("opset_9999", [relu], opset=9999)
save("opset_negative", [relu], opset=-1)
# One domain imported twice ("" and "ai.onnx" are the same domain): the last
# entry used to win.
save("opset_default_twice", [relu], opsets=[("", 13), ("ai.onnx", 11)])
save("opset_domain_twice", [relu], opsets=[("", 13), ("com.microsoft", 1),
                                           ("com.microsoft", 1)])
# IR versions that do not exist (0 is the unset field), and the oldest and
# newest that do.
for ir in (0, -1, 14, 99, 1, 13):
    save(f"ir_version_{ir}", [relu], ir_version=ir)
save("group_float", [helper.make_node("Conv", ["i", "k"], ["c"], name="c", group=1.5),
                     relu],
     inputs=[x, helper.make_tensor_value_info("i", TensorProto.FLOAT, [1, 1, 3, 3]),
             helper.make_tensor_value_info("k", TensorProto.FLOAT, [1, 1, 1, 1])])
# Conv strides typed INTS with the values in `floats` (read as no strides,
# so stride 1), and one attribute holding both ints and floats.
strides_in_floats = helper.make_node("Conv", ["i", "k"], ["c"], name="c")
attr = strides_in_floats.attribute.add()
attr.name, attr.type = "strides", onnx.AttributeProto.INTS
attr.floats.extend([2.0, 2.0])
save("strides_in_floats", [strides_in_floats, relu],
     inputs=[x, helper.make_tensor_value_info("i", TensorProto.FLOAT, [1, 1, 3, 3]),
             helper.make_tensor_value_info("k", TensorProto.FLOAT, [1, 1, 1, 1])])
untyped_both = helper.make_node("Conv", ["i", "k"], ["c"], name="c")
attr = untyped_both.attribute.add()
attr.name = "strides"
attr.ints.extend([2, 2])
attr.floats.extend([3.0])
save("strides_untyped_both", [untyped_both, relu],
     inputs=[x, helper.make_tensor_value_info("i", TensorProto.FLOAT, [1, 1, 3, 3]),
             helper.make_tensor_value_info("k", TensorProto.FLOAT, [1, 1, 1, 1])])
# Tile whose result size wraps past 2^64 (4 x 2^62 read as 0 elements).
save("tile_wrap", [helper.make_node("Tile", ["x4", "reps"], ["y"], name="t")],
     [helper.make_tensor("reps", TensorProto.INT64, [1], [2**62])],
     inputs=[helper.make_tensor_value_info("x4", TensorProto.FLOAT, [4])])
save("relu_ai_onnx", [helper.make_node("Relu", ["x", "x"], ["y"], name="r", domain="ai.onnx")])
image = helper.make_tensor_value_info("i", TensorProto.FLOAT, [1, 1, 3, 3])
kernel = helper.make_tensor_value_info("k", TensorProto.FLOAT, [1, 1, 1, 1])
save("conv_pads_huge", [helper.make_node("Conv", ["i", "k"], ["c"], name="c",
                                         pads=[2**40, 0, 0, 0]), relu],
     inputs=[x, image, kernel])
big = helper.make_tensor("s", TensorProto.INT64, [2], [2**20, 2**20])
save("constant_of_shape_huge", [helper.make_node("ConstantOfShape", ["s"], ["z"], name="z"), relu],
     [big])
save("input_huge", [relu], inputs=[x, helper.make_tensor_value_info("h", TensorProto.FLOAT,
                                                                    [2**20, 2**20])])
save("valid", [relu])
save("duplicate_attribute", [helper.make_node("Softmax", ["x"], ["y"], name="s", axis=0)])
# helper.make_node cannot repeat a keyword: append the second `axis` by hand.
m = onnx.load(os.path.join(out, "duplicate_attribute.onnx"))
m.graph.node[0].attribute.append(helper.make_attribute("axis", -1))
onnx.save(m, os.path.join(out, "duplicate_attribute.onnx"))
save("duplicate_output", [relu], outputs=[y, y])
# Window attributes past the limit, or below it, on the other windowed ops too.
for attr, value in [("strides", [2**40, 1]), ("strides", [0, 1]), ("dilations", [2**40, 1]),
                    ("kernel_shape", [2**40, 1]), ("group", 2**40)]:
    label = f"{value[0] if isinstance(value, list) else value}"
    save(f"conv_{attr}_{label}", [helper.make_node("Conv", ["i", "k"], ["c"], name="c",
                                                   **{attr: value}), relu],
         inputs=[x, image, kernel])
save("pool_kernel_huge", [helper.make_node("MaxPool", ["i"], ["c"], name="p",
                                           kernel_shape=[2**40, 1]), relu], inputs=[x, image])
# An initializer whose dims multiply past the element limit (no data needed).
save("initializer_huge", [relu], [TensorProto(name="v", data_type=TensorProto.FLOAT,
                                               dims=[2**20, 2**20])])
# Dims whose product passes int64, as an initializer and as a Constant's value.
save("initializer_overflow", [relu], [TensorProto(name="v", data_type=TensorProto.FLOAT,
                                                   dims=[2**32, 2**32])])
save("constant_overflow", [helper.make_node(
    "Constant", [], ["c"], name="k",
    value=TensorProto(name="c", data_type=TensorProto.FLOAT, dims=[2**32, 2**32])),
    helper.make_node("Add", ["x", "c"], ["y"], name="a")])


# Subgraphs (If branches) are in SSA form together with the graphs around them.
def branch(name, then_nodes):
    then_g = helper.make_graph(then_nodes, "then", [], [helper.make_tensor_value_info(
        "t", TensorProto.FLOAT, [2])])
    else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e"], name="ne")], "else", [],
                               [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2])])
    save(name, [helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g,
                                 else_branch=else_g)],
         inputs=[x, helper.make_tensor_value_info("c", TensorProto.BOOL, [])])


branch("sub_two_producers", [helper.make_node("Relu", ["x"], ["t"], name="a"),
                             helper.make_node("Neg", ["x"], ["t"], name="b")])
branch("sub_writes_outer", [helper.make_node("Relu", ["x"], ["x"], name="a"),
                            helper.make_node("Neg", ["x"], ["t"], name="b")])
branch("sub_undefined", [helper.make_node("Relu", ["q"], ["t"], name="a")])
branch("sub_never_computed", [helper.make_node("Relu", ["x"], ["u"], name="a")])
# Attributes the op's schema does not have, and required ones left out.
save("relu_unknown_attribute", [helper.make_node("Relu", ["x"], ["y"], name="r", alpha=0.5)])
save("conv_stride_typo", [helper.make_node("Conv", ["i", "k"], ["c"], name="c", stride=[2, 2]),
                          relu], inputs=[x, image, kernel])
save("cast_without_to", [helper.make_node("Cast", ["x"], ["y"], name="c")])

# Names, op types and attribute names from the model are shown escaped (NUL,
# newlines, terminal escapes, `\\` and `"`, bytes past ASCII).
save("escaped_node_name", [helper.make_node("Relu", ["x", "x"], ["y"],
                                            name="r\nerror: forged\x1b[31m")])
save("escaped_value_name", [helper.make_node("Relu", ["q\0x"], ["y"], name="r")])
save("escaped_op_type", [helper.make_node("Re\nlu", ["x"], ["y"], name="r")])
save("escaped_attribute", [helper.make_node("Relu", ["x"], ["y"], name="r",
                                            **{"alpha\x07": 1.0})])
save("escaped_output", [relu], outputs=[y, helper.make_tensor_value_info(
    'z\r\\"\u00fc', TensorProto.FLOAT, [2])])
# A node name that reaches a run-time check's message (a Reshape whose shape
# is an input).
save("escaped_runtime_name", [helper.make_node("Reshape", ["x", "s"], ["y"], name="r\ns")],
     inputs=[x, helper.make_tensor_value_info("s", TensorProto.INT64, [1])])


# Messages nested past protobuf's recursion limit (100), counted here by
# python-protobuf's reflection: the model is depth 0, each sub-message one
# more.
def nesting(m):
    deepest = 0
    for f, v in m.ListFields():
        if f.type == f.TYPE_MESSAGE:
            for sub in (v if f.label == f.LABEL_REPEATED else [v]):
                deepest = max(deepest, 1 + nesting(sub))
    return deepest


def save_nested(name, model, depth):
    assert nesting(model) == depth, (name, nesting(model))
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


# Sequence types 48 deep (depth 100: parsed) and 49 deep (102: not).
for wraps, depth in ((48, 100), (49, 102)):
    t = helper.make_tensor_type_proto(TensorProto.FLOAT, None)
    for _ in range(wraps):
        t = helper.make_sequence_type_proto(t)
    g = helper.make_graph([helper.make_node("Identity", ["s"], ["u"], name="i")], "seq",
                          [helper.make_value_info("s", t)], [helper.make_value_info("u", t)])
    save_nested(f"nested_types_{depth}", helper.make_model(
        g, opset_imports=[helper.make_opsetid("", 13)]), depth)
# 33 If nodes, each in the previous one's then_branch (depth 105).
leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["y"], name="leaf")], "leaf", [],
                         [y])
g = leaf
for i in range(33):
    g = helper.make_graph([helper.make_node("If", ["c"], ["y"], name=f"if{i}", then_branch=g,
                                            else_branch=leaf)], f"g{i}", [], [y])
save_nested("nested_ifs", helper.make_model(
    helper.make_graph(g.node, "nested_ifs",
                      [helper.make_tensor_value_info("c", TensorProto.BOOL, []), x], [y]),
    opset_imports=[helper.make_opsetid("", 13)]), 105)
