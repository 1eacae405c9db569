"""Writes models whose weight `w` (float[4]) lives in external data, some of
them hostile (for external-data.test): one directory per case under argv[1],
and argv[1]/secret.bin outside every model's directory."""
import os
import struct
import sys

import onnx
from onnx import TensorProto, helper

root = sys.argv[1]
os.makedirs(root, exist_ok=True)
secret = os.path.join(root, "secret.bin")
with open(secret, "wb") as f:
    f.write(struct.pack("<4f", 6, 6, 6, 6))
weights = struct.pack("<4f", 1, 2, 3, 4)


def case(name, entries, files=(), links=(), fifos=(), dirs=()):
    """A model in root/name whose initializer `w` has the external-data
    `entries` (key, value pairs, in order); `files` are (path, bytes),
    `links` (path, target), created inside the case's directory."""
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for sub in dirs:
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for path, data in files:
        os.makedirs(os.path.dirname(os.path.join(d, path)), exist_ok=True)
        with open(os.path.join(d, path), "wb") as f:
            f.write(data)
    for path, target in links:
        os.symlink(target, os.path.join(d, path))
    for path in fifos:
        os.mkfifo(os.path.join(d, path))
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4])
    w.data_location = TensorProto.EXTERNAL
    for key, value in entries:
        e = w.external_data.add()
        e.key, e.value = key, value
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                          name, [x], [y], initializer=[w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())


padded = b"\0" * 8 + weights
case("ok", [("location", "w.bin"), ("offset", "8"), ("length", "16")], files=[("w.bin", padded)])
case("ok_link_inside", [("location", "sub/w.bin")], files=[("data/w.bin", weights)],
     dirs=["sub"], links=[("sub/w.bin", "../data/w.bin")])
case("absolute", [("location", secret)])
# A NUL ends the path the system sees ("w.bin"); a newline or an escape is
# no file name a model should carry.
case("nul", [("location", "w.bin\0../../secret.bin")], files=[("w.bin", weights)])
case("newline", [("location", "w\n.bin")], files=[("w\n.bin", weights)])
case("escape", [("location", "w\x1b[2J.bin")], files=[("w\x1b[2J.bin", weights)])
case("delete", [("location", "w\x7f.bin")], files=[("w\x7f.bin", weights)])
case("dotdot", [("location", "../secret.bin")])
case("sub_dotdot", [("location", "sub/../../secret.bin")], dirs=["sub"])
case("dot_dotdot", [("location", "./../secret.bin")])
case("link_file", [("location", "w.bin")], links=[("w.bin", secret)])
case("link_dir", [("location", "up/secret.bin")], links=[("up", "..")])
case("link_device", [("location", "null")], links=[("null", "/dev/null")])
case("fifo", [("location", "pipe")], fifos=["pipe"])
case("directory", [("location", "sub")], dirs=["sub"])
case("missing", [("location", "nothing.bin")])
case("no_location", [("offset", "0")])
for label, text in [("abc", "abc"), ("hex", "0x10"), ("digits25", "1234567890123456789012345"),
                    ("negative", "-1"), ("plus", "+8"), ("space", " 8")]:
    case("offset_" + label, [("location", "w.bin"), ("offset", text)], files=[("w.bin", padded)])
case("length_huge", [("location", "w.bin"), ("length", str(2**62))], files=[("w.bin", weights)])
case("length_short", [("location", "w.bin"), ("length", "8")], files=[("w.bin", weights)])
case("past_end", [("location", "w.bin"), ("offset", "4")], files=[("w.bin", weights)])
case("duplicate_location", [("location", "w.bin"), ("location", "../secret.bin")],
     files=[("w.bin", weights)])
case("duplicate_offset", [("location", "w.bin"), ("offset", "0"), ("offset", "8")],
     files=[("w.bin", padded)])
for label, text in [("abc", "abc"), ("hex", "0x10"), ("digits25", "1234567890123456789012345")]:
    case("length_" + label, [("location", "w.bin"), ("length", text)], files=[("w.bin", weights)])
