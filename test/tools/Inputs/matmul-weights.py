"""Writes a MatMul model whose 64x64 f32 weight (16 KiB, distinct values) is
large enough to leave the LLVM IR for the weights object."""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

w = (np.arange(64 * 64, dtype=np.float32) / 4096).reshape(64, 64)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["y"])], "matmul_weights",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])],
    [numpy_helper.from_array(w, "w")])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
