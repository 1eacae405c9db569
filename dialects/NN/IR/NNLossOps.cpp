//===- NNLossOps.cpp - nn dialect: losses ----------------------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// The loss of nll_loss and softmax_cross_entropy: scores or
/// log-probabilities `input` against `target`.
static LogicalResult inferLoss(std::optional<Location> loc, StringRef name, Value input,
                               Value targetValue, Value weight, StringRef reduction,
                               SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input), target = rankedType(targetValue);
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input [N, C, ...] of rank >= 2, found rank ")
           << in.getRank();
  SmallVector<int64_t> expected{in.getDimSize(0)};
  llvm::append_range(expected, in.getShape().drop_front(2));
  bool matches = target.getRank() == static_cast<int64_t>(expected.size());
  for (size_t d = 0; matches && d < expected.size(); ++d)
    matches = !dimsMayDiffer(target.getDimSize(d), expected[d]);
  if (!matches)
    return fail(loc, name, "expects a target of shape ")
           << shapeStr(expected) << " (the input without its class dimension), found "
           << shapeStr(target.getShape());
  if (weight) {
    RankedTensorType wt = rankedType(weight);
    if (wt.getRank() != 1 || dimsMayDiffer(wt.getDimSize(0), in.getDimSize(1)) ||
        wt.getElementType() != in.getElementType())
      return fail(loc, name, "expects a weight of shape ")
             << shapeStr(in.getDimSize(1)) << " " << in.getElementType() << ", found "
             << shapeStr(wt.getShape()) << " " << wt.getElementType();
  }
  // Where the input leaves a dimension dynamic the target may know it.
  for (size_t d = 0; d < expected.size(); ++d)
    if (ShapedType::isDynamic(expected[d]))
      expected[d] = target.getDimSize(d);
  if (reduction == "none")
    types.push_back(RankedTensorType::get(expected, in.getElementType()));
  else if (reduction == "sum" || reduction == "mean")
    types.push_back(RankedTensorType::get({}, in.getElementType()));
  else
    return fail(loc, name, "expects reduction 'none', 'sum' or 'mean', found '")
           << reduction << "'";
  return success();
}

LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferLoss(loc, getOperationName(), adaptor.getInput(), adaptor.getTarget(),
                   adaptor.getWeight(), adaptor.getReduction(), types);
}

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                      Adaptor adaptor,
                                                      SmallVectorImpl<Type> &types) {
  if (failed(inferLoss(loc, getOperationName(), adaptor.getScores(), adaptor.getTarget(),
                       adaptor.getWeight(), adaptor.getReduction(), types)))
    return failure();
  types.push_back(adaptor.getScores().getType());
  return success();
}
