//===- Loss.cpp - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss --===//

#include "compiler/Import/ONNX/NodeBinder.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

/// NegativeLogLikelihoodLoss maps onto nn.nll_loss; SoftmaxCrossEntropyLoss
/// is nn.log_softmax over the class dimension (its optional second output)
/// followed by the same loss.
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
  Value logp = *scores;
  if (b.opType() == "SoftmaxCrossEntropyLoss") {
    FailureOr<Value> lp = b.create<LogSoftmaxOp>(*scores, builder.getI64IntegerAttr(1));
    if (failed(lp))
      return failure();
    logp = *lp;
    if (b.hasOutput(1))
      b.define(1, logp);
  }
  return b.defineResult(b.create<NLLLossOp>(logp, *target, *weight, reduction, ignore));
}

void kiln::onnx_import::registerLossOps(OpRegistry &r) {
  r.on("NegativeLogLikelihoodLoss", 12, importLoss);
  r.on("SoftmaxCrossEntropyLoss", 12, importLoss);
}
