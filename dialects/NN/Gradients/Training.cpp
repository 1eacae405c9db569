//===- Training.cpp - gradient rules of dropout and batch-statistics norm --===//
//
// Dropout reuses the mask its forward drew, so backward needs no generator.
// Training-mode batch norm differentiates through the batch's mean and
// variance; its running statistics are state updates, not part of the loss.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"
#include "dialects/NN/Gradients/NormalizeGradient.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

// dx = mask ? dy / (1 - ratio) : 0, the forward's mask result reused. (A ratio
// of 1 or more drops everything: the mask is all false and so is dx.)
LogicalResult dropoutGradient(DropoutOp op, GradientEmitter &e) {
  if (e.needs(1))
    return op.emitOpError("expects a ratio that needs no gradient (dropout is not "
                          "differentiated with respect to its ratio)");
  if (!e.needs(0))
    return success();
  Value x = op.getInput();
  Value keep = make<SubOp>(e, e.scalar(elemOf(x), 1.0), op.getRatio());
  Value scaled = make<DivOp>(e, e.resultGradOrZeros(0), keep);
  e.setOperandGrad(0, e.builder().create<WhereOp>(e.loc(), op.getMask(), scaled,
                                                  e.scalar(elemOf(x), 0.0)));
  return success();
}

// The batch's statistics over every dimension but the channels (1), the
// gradients by channelNormGradient.
// The running statistics are refused as differentiated results (they feed
// the next step's state, not this step's loss); input_mean and input_var
// only reach them, so their gradient is zero (left unset).
LogicalResult batchNormTrainingGradient(BatchNormTrainingOp op, GradientEmitter &e) {
  if (e.resultGrad(1) || e.resultGrad(2))
    return op.emitOpError("expects no gradient reaching the running statistics results "
                          "(they are not differentiated)");
  Value x = op.getInput();
  ChannelNormGrads grads = channelNormGradient(
      e, x, e.resultGradOrZeros(0), op.getScale(), allAxesBut(typeOf(x).getRank(), {1}),
      op.getEpsilon().convertToDouble(), e.needs(0), e.needs(1), e.needs(2));
  e.setOperandGrad(0, grads.input);
  e.setOperandGrad(1, grads.scale);
  e.setOperandGrad(2, grads.bias);
  return success();
}

} // namespace

void kiln::nn::registerTrainingGradients(MLIRContext *ctx) {
  attachGradient<DropoutOp, dropoutGradient>(ctx);
  attachGradient<BatchNormTrainingOp, batchNormTrainingGradient>(ctx);
}
