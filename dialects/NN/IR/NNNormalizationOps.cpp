//===- NNNormalizationOps.cpp - nn dialect: normalization and softmax ------===//

#include "dialects/NN/IR/NNInference.h"
#include "dialects/NN/IR/NNStatistics.h"

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
        {"variance", adaptor.getVariance()}})
    if (failed(checkPerChannel(loc, name, what, rankedType(v), in, c)))
      return failure();
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

LogicalResult HardmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferAlongAxis(loc, getOperationName(), adaptor.getInput(), adaptor.getAxis(), types);
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  int64_t r = in.getRank();
  if (r == 0)
    return fail(loc, name, "expects an input of rank >= 1");
  if (failed(checkAxis(loc, name, adaptor.getAxis(), -r, r - 1)) ||
      failed(checkBroadcastsTo(loc, name, "scale", rankedType(adaptor.getScale()), in)))
    return failure();
  if (Value bias = adaptor.getBias())
    if (failed(checkBroadcastsTo(loc, name, "bias", rankedType(bias), in)))
      return failure();
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis < 0)
    axis += r;
  SmallVector<int64_t> statistics(in.getShape());
  std::fill(statistics.begin() + axis, statistics.end(), 1);
  RankedTensorType statisticsType = in.clone(statistics);
  // A dynamic dim that meets a static one (not 1) of scale or bias is that
  // size: the result is the broadcast of the three, checked at run time.
  SmallVector<int64_t> shape(in.getShape());
  for (Value v : {adaptor.getScale(), adaptor.getBias()}) {
    if (!v)
      continue;
    ArrayRef<int64_t> p = rankedType(v).getShape();
    for (size_t i = 0; i < p.size() && i < shape.size(); ++i) {
      int64_t &d = shape[shape.size() - p.size() + i];
      if (ShapedType::isDynamic(d) && !ShapedType::isDynamic(p[i]) && p[i] != 1)
        d = p[i];
    }
  }
  types.append({in.clone(shape), statisticsType, statisticsType});
  return success();
}

/// Instance norm and LRN: an [N, C, spatial...] input.
static LogicalResult requireChannelsAndSpace(std::optional<Location> loc, StringRef name,
                                             RankedTensorType in) {
  if (in.getRank() < 3)
    return fail(loc, name, "expects an input of rank >= 3 (N, C, spatial...), found rank ")
           << in.getRank();
  return success();
}

LogicalResult InstanceNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                               Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (failed(requireChannelsAndSpace(loc, name, in)))
    return failure();
  int64_t c = in.getDimSize(1);
  if (failed(checkPerChannel(loc, name, "scale", rankedType(adaptor.getScale()), in, c)) ||
      failed(checkPerChannel(loc, name, "bias", rankedType(adaptor.getBias()), in, c)))
    return failure();
  // A dynamic C is the scale's or bias's static one (checked at run time).
  SmallVector<int64_t> shape(in.getShape());
  for (Value v : {adaptor.getScale(), adaptor.getBias()})
    if (ShapedType::isDynamic(shape[1]) && rankedType(v).getRank() == 1)
      shape[1] = rankedType(v).getDimSize(0);
  types.push_back(in.clone(shape));
  return success();
}

LogicalResult LRNOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (failed(requireChannelsAndSpace(loc, name, in)))
    return failure();
  // The attribute is an I64Attr, whose getter returns it as unsigned.
  int64_t size = adaptor.getSizeAttr().getInt();
  if (size < 1)
    return fail(loc, name, "expects size >= 1, found ") << size;
  types.push_back(in);
  return success();
}

LogicalResult MeanVarianceNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                   Adaptor adaptor,
                                                   SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = rankedType(adaptor.getInput());
  if (adaptor.getAxes().empty())
    return fail(loc, name, "expects at least one axis, found none");
  SmallVector<bool> reduced;
  if (failed(collectAxes(loc, name, adaptor.getAxes(), in.getRank(), reduced)))
    return failure();
  types.push_back(in);
  return success();
}

//===----------------------------------------------------------------------===//
// Batch statistics (NNStatistics.h)
//===----------------------------------------------------------------------===//

BatchStatistics kiln::nn::buildBatchStatistics(OpBuilder &b, Location loc, Value x,
                                               ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  BoolAttr kept = b.getBoolAttr(true);
  auto mean = [&](Value v) -> Value {
    if (axes.size() > 1)
      v = b.create<ReduceMeanOp>(loc, v, b.getDenseI64ArrayAttr(axes.take_front()), kept);
    return b.create<ReduceMeanOp>(
        loc, v, b.getDenseI64ArrayAttr(axes.size() > 1 ? axes.drop_front() : axes), kept);
  };
  // The shift needs a first element in every reduced dim, known at compile
  // time: an empty or run-time-sized one takes two passes instead, mean
  // first, then E[(x - mean)^2].
  if (llvm::any_of(axes, [&](int64_t a) {
        return type.isDynamicDim(a) || type.getDimSize(a) == 0;
      })) {
    Value m = mean(x);
    Value centered = b.create<SubOp>(loc, x, m);
    return {m, mean(b.create<MulOp>(loc, centered, centered))};
  }
  SmallVector<int64_t> zeros(rank, 0), sizes(type.getShape()), ones(rank, 1);
  for (int64_t a : axes)
    sizes[a] = 1;
  Value shift = b.create<SliceOp>(loc, x, b.getDenseI64ArrayAttr(zeros),
                                  b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(ones));
  Value d = b.create<SubOp>(loc, x, shift);
  Value m1 = mean(d);
  Value m2 = mean(b.create<MulOp>(loc, d, d));
  Value var = b.create<ReluOp>(loc, b.create<SubOp>(loc, m2, b.create<MulOp>(loc, m1, m1)));
  return {b.create<AddOp>(loc, shift, m1), var};
}
