//===- NNElementwiseOps.cpp - nn dialect: elementwise ops ------------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    StringRef opName, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types, bool mixedTypes = false) {
  RankedTensorType l = rankedType(lhs), r = rankedType(rhs);
  if (!mixedTypes && l.getElementType() != r.getElementType())
    return fail(loc, opName, "expects operands of one element type, found ")
           << l.getElementType() << " and " << r.getElementType();
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(l.getShape(), r.getShape(), shape)))
    return fail(loc, opName, "expects broadcast-compatible shapes, found ")
           << shapeStr(l.getShape()) << " and " << shapeStr(r.getShape());
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

#define NN_BROADCAST_INFERENCE(OP)                                             \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, OP::getOperationName(), adaptor.getLhs(),       \
                          adaptor.getRhs(), types);                            \
  }
NN_BROADCAST_INFERENCE(AddOp)
NN_BROADCAST_INFERENCE(SubOp)
NN_BROADCAST_INFERENCE(MulOp)
NN_BROADCAST_INFERENCE(DivOp)
LogicalResult PowOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferBroadcast(loc, getOperationName(), adaptor.getLhs(), adaptor.getRhs(), types,
                        /*mixedTypes=*/true);
}
NN_BROADCAST_INFERENCE(MaxOp)
NN_BROADCAST_INFERENCE(MinOp)
NN_BROADCAST_INFERENCE(PReluOp)
NN_BROADCAST_INFERENCE(ModOp)
NN_BROADCAST_INFERENCE(AndOp)
NN_BROADCAST_INFERENCE(OrOp)
NN_BROADCAST_INFERENCE(XorOp)
NN_BROADCAST_INFERENCE(BitShiftOp)
#undef NN_BROADCAST_INFERENCE

/// Comparisons: the broadcast shape, of bools.
#define NN_COMPARE_INFERENCE(OP)                                               \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    if (failed(inferBroadcast(loc, OP::getOperationName(), adaptor.getLhs(),   \
                              adaptor.getRhs(), types)))                       \
      return failure();                                                        \
    types.back() = cast<RankedTensorType>(types.back()).clone(IntegerType::get(ctx, 1)); \
    return success();                                                          \
  }
NN_COMPARE_INFERENCE(EqualOp)
NN_COMPARE_INFERENCE(LessOp)
NN_COMPARE_INFERENCE(LessEqualOp)
NN_COMPARE_INFERENCE(GreaterOp)
NN_COMPARE_INFERENCE(GreaterEqualOp)
#undef NN_COMPARE_INFERENCE

LogicalResult ModOp::verify() {
  if (isa<FloatType>(getLhs().getType().getElementType()) && !getFmod())
    return emitOpError("expects fmod = true for floats (the remainder of truncated division)");
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType c = rankedType(adaptor.getCondition()), a = rankedType(adaptor.getThenValue()),
                   b = rankedType(adaptor.getElseValue());
  if (a.getElementType() != b.getElementType())
    return fail(loc, name, "expects then and else of one element type, found ")
           << a.getElementType() << " and " << b.getElementType();
  SmallVector<int64_t> ab, shape;
  if (failed(broadcastShapes(a.getShape(), b.getShape(), ab)) ||
      failed(broadcastShapes(c.getShape(), ab, shape)))
    return fail(loc, name, "expects broadcast-compatible shapes, found ")
           << shapeStr(c.getShape()) << ", " << shapeStr(a.getShape()) << " and "
           << shapeStr(b.getShape());
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}
