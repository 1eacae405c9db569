//===- NNToLinalgUtils.cpp - helpers shared by the nn lowerings ----------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"

using namespace mlir;

namespace kiln::nntolinalg {

bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

Value scalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(ft, value));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value extreme(OpBuilder &b, Location loc, Type type, bool largest) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(
        loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), !largest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = largest ? APInt::getSignedMaxValue(width) : APInt::getSignedMinValue(width);
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, v));
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<linalg::FillOp>(loc, value, empty).getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operand,
                       ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  size_t offset = result.size() - operand.size();
  for (auto [i, d] : llvm::enumerate(operand)) {
    if (d == 1 && result[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(result.size(), 0, exprs, ctx);
}

Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, BodyFn body,
                  ArrayRef<AffineMap> explicitMaps) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(explicitMaps);
  if (maps.empty())
    for (Value in : inputs)
      maps.push_back(broadcastMap(
          ctx, cast<RankedTensorType>(in.getType()).getShape(), resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  Value init = b.create<tensor::EmptyOp>(loc, resultType.getShape(),
                                         resultType.getElementType());
  SmallVector<utils::IteratorType> iters(resultType.getRank(),
                                         utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, resultType, inputs, init, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value copied(OpBuilder &b, Location loc, RankedTensorType resultType, Value input,
             ArrayRef<AffineMap> maps) {
  return elementwise(b, loc, resultType, input,
                     [](OpBuilder &, Location, ValueRange args) { return args[0]; }, maps);
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
             Value initValue,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    if (llvm::is_contained(reduced, d)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(inType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  Value init = filled(b, loc, outType, initValue);
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(inType.getRank()),
      AffineMap::get(inType.getRank(), 0, outExprs, ctx)};
  auto generic = b.create<linalg::GenericOp>(
      loc, outType, input, init, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, combine(nb, nloc, args[1], args[0]));
      });
  return generic.getResult(0);
}

Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == type)
    return input;
  auto flatType = RankedTensorType::get({inType.getNumElements()},
                                        inType.getElementType());
  Value flat = input;
  if (inType.getRank() == 0) {
    flat = b.create<tensor::ExpandShapeOp>(loc, flatType, input,
                                           ArrayRef<ReassociationIndices>{});
  } else if (inType.getRank() > 1) {
    ReassociationIndices all = llvm::to_vector<2>(llvm::seq<int64_t>(0, inType.getRank()));
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, input,
                                             ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, type, flat,
                                             ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices all = llvm::to_vector<2>(llvm::seq<int64_t>(0, type.getRank()));
  return b.create<tensor::ExpandShapeOp>(loc, type, flat,
                                         ArrayRef<ReassociationIndices>{all});
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value value, int64_t firstDim) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(inType.getShape());
  SmallVector<OpFoldResult> offsets(inType.getRank(), b.getIndexAttr(0));
  for (size_t i = 0; i < low.size(); ++i) {
    shape[firstDim + i] += low[i] + high[i];
    offsets[firstDim + i] = b.getIndexAttr(low[i]);
  }
  Value padded = filled(b, loc, RankedTensorType::get(shape, inType.getElementType()), value);
  SmallVector<OpFoldResult> sizes, strides(inType.getRank(), b.getIndexAttr(1));
  for (int64_t d : inType.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return b.create<tensor::InsertSliceOp>(loc, input, padded, offsets, sizes, strides);
}

Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value x, Value y) {
  if (isFloat(acc.getType()))
    return b.create<arith::AddFOp>(loc, acc, b.create<arith::MulFOp>(loc, x, y));
  return b.create<arith::AddIOp>(loc, acc, b.create<arith::MulIOp>(loc, x, y));
}

Value convertElement(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto ff = dyn_cast<FloatType>(from), ft = dyn_cast<FloatType>(to);
  if (ff && ft)
    return ff.getWidth() < ft.getWidth() ? b.create<arith::ExtFOp>(loc, to, x).getResult()
                                         : b.create<arith::TruncFOp>(loc, to, x).getResult();
  if (to.isInteger(1)) {
    if (ff)
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, scalar(b, loc, from, 0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, scalar(b, loc, from, 0));
  }
  if (ff)
    return b.create<arith::FPToSIOp>(loc, to, x);
  if (from.isInteger(1))
    return ft ? b.create<arith::UIToFPOp>(loc, to, x).getResult()
              : b.create<arith::ExtUIOp>(loc, to, x).getResult();
  if (ft)
    return b.create<arith::SIToFPOp>(loc, to, x);
  return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
             ? b.create<arith::ExtSIOp>(loc, to, x).getResult()
             : b.create<arith::TruncIOp>(loc, to, x).getResult();
}

} // namespace kiln::nntolinalg
