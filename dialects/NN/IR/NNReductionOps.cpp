//===- NNReductionOps.cpp - nn dialect: reductions -------------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The shape of `in` reduced over `reduced` (one flag per dimension).
static RankedTensorType reducedType(RankedTensorType in, ArrayRef<bool> reduced, bool keepDims,
                                    Type elementType) {
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(in.getShape())) {
    if (!reduced[d])
      shape.push_back(size);
    else if (keepDims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, elementType);
}

static LogicalResult inferReduce(std::optional<Location> loc, StringRef name, Value input,
                                 ArrayRef<int64_t> axes, bool keepDims,
                                 SmallVectorImpl<Type> &types, bool allowNoAxes = false) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (axes.empty() && !allowNoAxes)
    return fail(loc, name, "expects at least one axis, found none");
  SmallVector<bool> reduced;
  if (failed(collectAxes(loc, name, axes, r, reduced)))
    return failure();
  types.push_back(reducedType(in, reduced, keepDims, in.getElementType()));
  return success();
}

#define NN_REDUCE_INFERENCE(OP)                                                \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, OP::getOperationName(), adaptor.getInput(),        \
                       adaptor.getAxes(), adaptor.getKeepDims(), types);       \
  }
NN_REDUCE_INFERENCE(ReduceSumOp)
NN_REDUCE_INFERENCE(ReduceMeanOp)
NN_REDUCE_INFERENCE(ReduceMaxOp)
NN_REDUCE_INFERENCE(ReduceMinOp)
NN_REDUCE_INFERENCE(ReduceProdOp)

/// The composed reductions: no axes is the elementwise part alone.
#define NN_COMPOSED_REDUCE_INFERENCE(OP)                                       \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, OP::getOperationName(), adaptor.getInput(),        \
                       adaptor.getAxes(), adaptor.getKeepDims(), types,        \
                       /*allowNoAxes=*/true);                                  \
  }
NN_COMPOSED_REDUCE_INFERENCE(ReduceL1Op)
NN_COMPOSED_REDUCE_INFERENCE(ReduceL2Op)
NN_COMPOSED_REDUCE_INFERENCE(ReduceSumSquareOp)
NN_COMPOSED_REDUCE_INFERENCE(ReduceLogSumOp)
NN_COMPOSED_REDUCE_INFERENCE(ReduceLogSumExpOp)
#undef NN_COMPOSED_REDUCE_INFERENCE
#undef NN_REDUCE_INFERENCE

static LogicalResult inferArgReduce(std::optional<Location> loc, StringRef name, Value input,
                                    int64_t axis, bool keepDims, SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input);
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, axis, -r, r - 1)))
    return failure();
  if (in.getDimSize(axis < 0 ? axis + r : axis) == 0)
    return fail(loc, name, "expects a non-empty axis, found size 0");
  SmallVector<bool> reduced(r, false);
  reduced[axis < 0 ? axis + r : axis] = true;
  types.push_back(reducedType(in, reduced, keepDims, IntegerType::get(in.getContext(), 64)));
  return success();
}

#define NN_ARG_INFERENCE(OP)                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferArgReduce(loc, OP::getOperationName(), adaptor.getInput(),     \
                          adaptor.getAxis(), adaptor.getKeepDims(), types);    \
  }
NN_ARG_INFERENCE(ArgMaxOp)
NN_ARG_INFERENCE(ArgMinOp)
#undef NN_ARG_INFERENCE

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}
