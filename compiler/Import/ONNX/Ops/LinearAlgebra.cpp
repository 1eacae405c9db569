//===- LinearAlgebra.cpp - Det -------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

void kiln::onnx_import::registerLinearAlgebraOps(OpRegistry &r) {
  r.on("Det", 11, [](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    return b.defineResult(b.create<DetOp>(*x));
  });
}
