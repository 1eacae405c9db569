"""Writes models whose weights exceed what one compiled artifact can address
(for weights-limit.test). The external data files are sparse: a few KiB of
disk whatever their size, since the refusal comes before any byte is read."""
import os
import sys

from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def external(name, n, location):
    t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=[n])
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value=location)
    with open(os.path.join(out, location), "wb") as f:
        f.truncate(4 * n)
    return t


def save(name, inits):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    nodes, last = [], "x"
    for i, init in enumerate(inits):
        nodes.append(helper.make_node("Add", [last, init.name], [f"s{i}"], name=f"add{i}"))
        last = f"s{i}"
    y = helper.make_tensor_value_info(last, TensorProto.FLOAT, [init.dims[0] for init in inits[:1]])
    g = helper.make_graph(nodes, name, [x], [y], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


# One 2.4 GB tensor; two of 1.2 GB each (each under the limit, not together).
save("one_huge", [external("w", 600_000_000, "huge.bin")])
save("two_large", [external("a", 300_000_000, "a.bin"), external("b", 300_000_000, "b.bin")])
