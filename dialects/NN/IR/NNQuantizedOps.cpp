//===- NNQuantizedOps.cpp - nn dialect: linear quantization ---------------===//

#include "dialects/NN/IR/NNInference.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

/// `scale` and `zero_point` are one pair (rank 0) or one pair per index of
/// the input's dimension `axis` (rank 1); the input's type with `elem`.
static LogicalResult inferQuantized(std::optional<Location> loc, StringRef name, Value input,
                                    Value scale, Value zeroPoint, int64_t axis, Type elem,
                                    SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedType(input), s = rankedType(scale), zp = rankedType(zeroPoint);
  if (s.getShape() != zp.getShape())
    return fail(loc, name, "expects scale and zero_point of one shape, found ")
           << shapeStr(s.getShape()) << " and " << shapeStr(zp.getShape());
  if (s.getRank() > 1)
    return fail(loc, name, "expects a scale of rank 0 or 1, found rank ") << s.getRank();
  if (s.getRank() == 1) {
    if (failed(checkAxis(loc, name, axis, 0, in.getRank() - 1)))
      return failure();
    if (dimsMayDiffer(s.getDimSize(0), in.getDimSize(axis)))
      return fail(loc, name, "expects a scale of ")
             << shapeStr(in.getDimSize(axis)) << " (dimension " << axis
             << " of the input), found " << shapeStr(s.getShape());
  }
  // A dynamic dim `axis` met by a per-axis scale's static size is that size
  // (the lowering broadcasts the scale along it, checked at run time).
  SmallVector<int64_t> shape(in.getShape());
  if (s.getRank() == 1 && ShapedType::isDynamic(shape[axis]) &&
      !ShapedType::isDynamic(s.getDimSize(0)))
    shape[axis] = s.getDimSize(0);
  types.push_back(RankedTensorType::get(shape, elem));
  return success();
}

LogicalResult QuantizeLinearOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Type elem = rankedType(adaptor.getInput()).getElementType();
  if (!isa<FloatType>(elem) && !elem.isSignlessInteger(32))
    return fail(loc, getOperationName(), "expects a float or i32 input, found ") << elem;
  return inferQuantized(loc, getOperationName(), adaptor.getInput(), adaptor.getScale(),
                        adaptor.getZeroPoint(), adaptor.getAxis(),
                        rankedType(adaptor.getZeroPoint()).getElementType(), types);
}

LogicalResult DequantizeLinearOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                   Adaptor adaptor,
                                                   SmallVectorImpl<Type> &types) {
  Type in = rankedType(adaptor.getInput()).getElementType(),
       zp = rankedType(adaptor.getZeroPoint()).getElementType();
  if (in != zp)
    return fail(loc, getOperationName(), "expects input and zero_point of one element type, found ")
           << in << " and " << zp;
  return inferQuantized(loc, getOperationName(), adaptor.getInput(), adaptor.getScale(),
                        adaptor.getZeroPoint(), adaptor.getAxis(),
                        rankedType(adaptor.getScale()).getElementType(), types);
}
