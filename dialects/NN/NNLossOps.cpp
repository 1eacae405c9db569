//===- NNLossOps.cpp - nn dialect: losses ----------------------------------===//

#include "dialects/NN/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput()), target = rankedType(adaptor.getTarget());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input [N, C, ...] of rank >= 2, found rank ")
           << in.getRank();
  SmallVector<int64_t> expected{in.getDimSize(0)};
  llvm::append_range(expected, in.getShape().drop_front(2));
  if (target.getShape() != ArrayRef<int64_t>(expected))
    return fail(loc, name, "expects a target of shape ")
           << shapeStr(expected) << " (the input without its class dimension), found "
           << shapeStr(target.getShape());
  if (Value w = adaptor.getWeight()) {
    RankedTensorType wt = rankedType(w);
    if (wt.getRank() != 1 || wt.getDimSize(0) != in.getDimSize(1) ||
        wt.getElementType() != in.getElementType())
      return fail(loc, name, "expects a weight of shape ")
             << shapeStr(in.getDimSize(1)) << " " << in.getElementType() << ", found "
             << shapeStr(wt.getShape()) << " " << wt.getElementType();
  }
  StringRef reduction = adaptor.getReduction();
  if (reduction == "none")
    types.push_back(RankedTensorType::get(expected, in.getElementType()));
  else if (reduction == "sum" || reduction == "mean")
    types.push_back(RankedTensorType::get({}, in.getElementType()));
  else
    return fail(loc, name, "expects reduction 'none', 'sum' or 'mean', found '")
           << reduction << "'";
  return success();
}
