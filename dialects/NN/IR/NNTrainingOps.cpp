//===- NNTrainingOps.cpp - nn dialect: dropout, batch norm training, det ---===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput()), ratio = rankedType(adaptor.getRatio());
  if (ratio.getRank() != 0 || ratio.getElementType() != in.getElementType())
    return fail(loc, getOperationName(), "expects a rank-0 ratio of type ")
           << in.getElementType() << ", found " << ratio;
  types.push_back(in);
  types.push_back(in.clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult BatchNormTrainingOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (in.getRank() < 2)
    return fail(loc, name, "expects an input of rank >= 2 (N, C, ...), found rank ")
           << in.getRank();
  int64_t c = in.getDimSize(1);
  for (auto [what, v] : {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
                         {"bias", adaptor.getBias()},
                         {"input_mean", adaptor.getInputMean()},
                         {"input_var", adaptor.getInputVar()}})
    if (failed(checkPerChannel(loc, name, what, rankedType(v), in, c)))
      return failure();
  double momentum = adaptor.getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return fail(loc, name, "expects momentum in [0, 1], found ") << momentum;
  auto stat = RankedTensorType::get({c}, in.getElementType());
  types.append({in, stat, stat});
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (r < 2 || dimsMayDiffer(in.getDimSize(r - 1), in.getDimSize(r - 2)))
    return fail(loc, getOperationName(), "expects square matrices [*, M, M], found ")
           << shapeStr(in.getShape());
  types.push_back(in.clone(in.getShape().drop_back(2)));
  return success();
}
