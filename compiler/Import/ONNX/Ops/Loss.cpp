//===- Loss.cpp - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss --===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

/// NegativeLogLikelihoodLoss maps onto nn.nll_loss, SoftmaxCrossEntropyLoss
/// onto nn.softmax_cross_entropy (whose log-probabilities are ONNX's
/// optional second output).
static LogicalResult importLoss(NodeBinder &b) {
  FailureOr<Value> scores = b.input(0), target = b.input(1);
  if (failed(scores) || failed(target))
    return failure();
  FailureOr<Value> weight = b.optionalInput(2);
  if (failed(weight))
    return failure();
  OpBuilder &builder = b.builder();
  IntegerAttr ignore;
  if (b.hasAttr("ignore_index"))
    ignore = builder.getI64IntegerAttr(b.attrInt("ignore_index", 0));
  StringAttr reduction = builder.getStringAttr(b.attrString("reduction", "mean"));
  if (b.opType() == "SoftmaxCrossEntropyLoss") {
    FailureOr<Operation *> op =
        b.createMulti<SoftmaxCrossEntropyOp>(2, *scores, *target, *weight, reduction, ignore);
    if (failed(op))
      return failure();
    b.define(0, (*op)->getResult(0));
    if (b.hasOutput(1))
      b.define(1, (*op)->getResult(1));
    return success();
  }
  return b.defineResult(b.create<NLLLossOp>(*scores, *target, *weight, reduction, ignore));
}

void kiln::onnx_import::registerLossOps(OpRegistry &r) {
  r.on("NegativeLogLikelihoodLoss", 12, importLoss);
  r.on("SoftmaxCrossEntropyLoss", 12, importLoss);
}
