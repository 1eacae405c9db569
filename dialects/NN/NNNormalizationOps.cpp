//===- NNNormalizationOps.cpp - nn dialect: normalization and softmax ------===//

#include "dialects/NN/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input of rank >= 2 (N, C, ...), found rank ")
           << in.getRank();
  int64_t c = in.getDimSize(1);
  for (auto [what, v] :
       {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
        {"bias", adaptor.getBias()},
        {"mean", adaptor.getMean()},
        {"variance", adaptor.getVariance()}}) {
    RankedTensorType t = rankedType(v);
    if (t.getRank() != 1 || dimsMayDiffer(t.getDimSize(0), c) ||
        t.getElementType() != in.getElementType())
      return fail(loc, name, "expects ")
             << what << " of shape " << shapeStr(c) << " " << in.getElementType()
             << ", found " << shapeStr(t.getShape()) << " " << t.getElementType();
  }
  types.push_back(in);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}
