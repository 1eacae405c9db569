//===- NNToLinalgUtils.cpp - helpers shared by the nn lowerings ----------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln::nntolinalg {

bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

bool isUnsigned(Type t) { return getElementTypeOrSelf(t).isUnsignedInteger(); }

arith::CmpIPredicate intPredicate(arith::CmpIPredicate pred, Type t) {
  if (!isUnsigned(t))
    return pred;
  switch (pred) {
  case arith::CmpIPredicate::slt:
    return arith::CmpIPredicate::ult;
  case arith::CmpIPredicate::sle:
    return arith::CmpIPredicate::ule;
  case arith::CmpIPredicate::sgt:
    return arith::CmpIPredicate::ugt;
  case arith::CmpIPredicate::sge:
    return arith::CmpIPredicate::uge;
  default:
    return pred;
  }
}

Value maxOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return b.create<arith::MaximumFOp>(loc, x, y);
  if (isUnsigned(x.getType()))
    return b.create<arith::MaxUIOp>(loc, x, y);
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return b.create<arith::MinimumFOp>(loc, x, y);
  if (isUnsigned(x.getType()))
    return b.create<arith::MinUIOp>(loc, x, y);
  return b.create<arith::MinSIOp>(loc, x, y);
}

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
  if (isUnsigned(type))
    v = largest ? APInt::getMaxValue(width) : APInt::getMinValue(width);
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, v));
}

SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> sizes;
  auto type = cast<RankedTensorType>(v.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(b.create<tensor::DimOp>(loc, v, d));
  return sizes;
}

SmallVector<Value> allSizes(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < cast<RankedTensorType>(v.getType()).getRank(); ++d)
    sizes.push_back(
        getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, v, d)));
  return sizes;
}

Value elementCount(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> dims, Type elem) {
  Value count = b.create<arith::ConstantIndexOp>(loc, 1);
  for (int64_t d : dims)
    count = b.createOrFold<arith::MulIOp>(
        loc, count,
        getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, v, d)));
  Value i64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), count);
  return isFloat(elem) ? b.create<arith::SIToFPOp>(loc, elem, i64).getResult()
                       : convertElement(b, loc, i64, elem);
}

FailureOr<SmallVector<Value>> resultSizes(OpBuilder &b, Operation *op, unsigned r) {
  auto type = cast<RankedTensorType>(op->getResult(r).getType());
  if (type.hasStaticShape())
    return SmallVector<Value>{};
  ReifiedRankedShapedTypeDims shapes;
  if (failed(nn::reifyNNResultShapes(b, op, shapes)))
    return failure();
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, op->getLoc(), shapes[r][d]));
  return sizes;
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type, ValueRange dynSizes) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType(), dynSizes);
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type, Value value,
             ValueRange dynSizes) {
  Value empty = emptyTensor(b, loc, type, dynSizes);
  return b.create<linalg::FillOp>(loc, value, empty).getResult(0);
}

std::string checkPrefix(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  // The node's name, also from inside a fused location.
  NameLoc name;
  op->getLoc()->walk([&](Location l) {
    name = dyn_cast<NameLoc>(l);
    return name ? WalkResult::interrupt() : WalkResult::advance();
  });
  // The name comes from the model: escaped as the importer shows it.
  if (name) {
    os << "node '";
    llvm::printEscapedString(name.getName().getValue(), os);
    os << "' (" << op->getName() << "): ";
  }
  else
    os << op->getName() << ": ";
  return s;
}

void assertEqual(OpBuilder &b, Location loc, Operation *op, Value x, Value y,
                 const llvm::Twine &what) {
  if (x == y)
    return;
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy && *cx == *cy)
    return;
  // The same dimension of the same tensor.
  auto dx = x.getDefiningOp<tensor::DimOp>(), dy = y.getDefiningOp<tensor::DimOp>();
  if (dx && dy && dx.getSource() == dy.getSource() && dx.getConstantIndex() &&
      dx.getConstantIndex() == dy.getConstantIndex())
    return;
  Value same = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, y);
  b.create<cf::AssertOp>(loc, same, (checkPrefix(op) + what).str());
}

void assertBroadcast(OpBuilder &b, Location loc, Operation *op, ValueRange operands,
                     ArrayRef<Value> sizes) {
  int64_t rank = sizes.size();
  for (Value v : operands) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t offset = rank - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.getDimSize(d) == 1)
        continue;
      Value size = getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, v, d));
      assertEqual(b, loc, op, size, sizes[offset + d],
                  "expects dim " + llvm::Twine(offset + d) +
                      " of the operands to be equal (a dynamic size does not broadcast)");
    }
  }
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
                  ArrayRef<AffineMap> explicitMaps, ValueRange dynSizes) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(explicitMaps);
  if (maps.empty())
    for (Value in : inputs)
      maps.push_back(broadcastMap(
          ctx, cast<RankedTensorType>(in.getType()).getShape(), resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<Value> sizes(dynSizes);
  if (sizes.empty()) {
    for (int64_t d = 0; d < resultType.getRank(); ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      // The first input that reads dimension d directly has its size.
      Value size;
      for (auto [v, map] : llvm::zip(inputs, maps)) {
        for (auto [i, e] : llvm::enumerate(map.getResults())) {
          auto de = dyn_cast<AffineDimExpr>(e);
          if (!size && de && de.getPosition() == d)
            size = b.create<tensor::DimOp>(loc, v, i);
        }
      }
      assert(size && "a dynamic result size that no input reads");
      sizes.push_back(size);
    }
  }
  Value init = emptyTensor(b, loc, resultType, sizes);
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
             ArrayRef<AffineMap> maps, ValueRange dynSizes) {
  return elementwise(b, loc, resultType, input,
                     [](OpBuilder &, Location, ValueRange args) { return args[0]; }, maps,
                     dynSizes);
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
             Value initValue,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    if (llvm::is_contained(reduced, d)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(inType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
    if (inType.isDynamicDim(d))
      dynSizes.push_back(b.create<tensor::DimOp>(loc, input, d));
  }
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  Value init = filled(b, loc, outType, initValue, dynSizes);
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

/// Groups each dimension of `shape` that is not a static 1 with the unit
/// dimensions before it (trailing ones join the last group): the
/// reassociation between `shape` and `shape` without its unit dimensions.
static SmallVector<ReassociationIndices> unitDimGroups(ArrayRef<int64_t> shape) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    pending.push_back(d);
    if (shape[d] != 1) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    llvm::append_range(groups.back(), pending);
  return groups;
}

/// reshapeTo with dynamic sizes: unit dimensions removed then added where the
/// other dimensions pair in order, otherwise through one dimension with the
/// result's one dynamic size given.
static Value reshapeDynamic(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                            ValueRange dynSizes) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type elem = inType.getElementType();
  SmallVector<int64_t> kept;
  for (int64_t d : inType.getShape())
    if (d != 1)
      kept.push_back(d);
  SmallVector<int64_t> outKept;
  for (int64_t d : type.getShape())
    if (d != 1)
      outKept.push_back(d);
  if (kept == outKept) {
    auto keptType = RankedTensorType::get(kept, elem);
    Value v = input;
    if (keptType != inType)
      v = b.create<tensor::CollapseShapeOp>(loc, keptType, v, unitDimGroups(inType.getShape()));
    if (keptType != type)
      v = b.create<tensor::ExpandShapeOp>(loc, type, v, unitDimGroups(type.getShape()));
    return v;
  }
  // Through one dimension: every size of the result as a fold result.
  Value flat = input;
  auto flatType = RankedTensorType::get({ShapedType::kDynamic}, elem);
  if (inType.getRank() == 0)
    flat = b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get({1}, elem), input,
                                           ArrayRef<ReassociationIndices>{});
  else if (inType.getRank() > 1 || !inType.isDynamicDim(0))
    flat = b.create<tensor::CollapseShapeOp>(
        loc, inType.hasStaticShape() ? RankedTensorType::get({inType.getNumElements()}, elem)
                                     : flatType,
        input,
        ArrayRef<ReassociationIndices>{
            llvm::to_vector<2>(llvm::seq<int64_t>(0, std::max<int64_t>(inType.getRank(), 1)))});
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{});
  SmallVector<OpFoldResult> outShape;
  size_t next = 0;
  for (int64_t d : type.getShape())
    outShape.push_back(ShapedType::isDynamic(d) ? OpFoldResult(dynSizes[next++])
                                                : OpFoldResult(b.getIndexAttr(d)));
  if (cast<RankedTensorType>(flat.getType()) != flatType && !type.hasStaticShape())
    flat = b.create<tensor::CastOp>(loc, flatType, flat);
  if (type.getRank() == 1)
    return flat.getType() == type ? flat : b.create<tensor::CastOp>(loc, type, flat).getResult();
  ReassociationIndices all = llvm::to_vector<2>(llvm::seq<int64_t>(0, type.getRank()));
  if (type.hasStaticShape() && cast<RankedTensorType>(flat.getType()).isDynamicDim(0))
    flat = b.create<tensor::CastOp>(
        loc, RankedTensorType::get({type.getNumElements()}, elem), flat);
  return b.create<tensor::ExpandShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{all},
                                         outShape);
}

Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                ValueRange dynSizes) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == type)
    return input;
  if (!inType.hasStaticShape() || !type.hasStaticShape())
    return reshapeDynamic(b, loc, input, type, dynSizes);
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
    if (!ShapedType::isDynamic(shape[firstDim + i]))
      shape[firstDim + i] += low[i] + high[i];
    offsets[firstDim + i] = b.getIndexAttr(low[i]);
  }
  // A dynamic dimension grows by its pads at run time.
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    if (!inType.isDynamicDim(d))
      continue;
    Value size = b.create<tensor::DimOp>(loc, input, d);
    int64_t i = d - firstDim;
    if (i >= 0 && i < static_cast<int64_t>(low.size()) && low[i] + high[i] != 0)
      size = b.create<arith::AddIOp>(
          loc, size, b.create<arith::ConstantIndexOp>(loc, low[i] + high[i]));
    dynSizes.push_back(size);
  }
  auto paddedType = RankedTensorType::get(shape, inType.getElementType());
  SmallVector<OpFoldResult> sizes, strides(inType.getRank(), b.getIndexAttr(1));
  for (int64_t d = 0; d < inType.getRank(); ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, input, d));
  bool bands = inType.hasStaticShape() && llvm::all_of(low, [](int64_t p) { return p >= 0; }) &&
               llvm::all_of(high, [](int64_t p) { return p >= 0; });
  if (!bands) {
    Value padded = filled(b, loc, paddedType, value, dynSizes);
    return b.create<tensor::InsertSliceOp>(loc, input, padded, offsets, sizes, strides);
  }
  // Static shapes: the input copied into the interior, then only the border
  // filled, band by band (each padded dim's low and high bands, over the
  // interior of the dims padded before it): filling the whole buffer first
  // wrote the interior twice.
  Value result = b.create<tensor::InsertSliceOp>(loc, input, emptyTensor(b, loc, paddedType),
                                                 offsets, sizes, strides);
  SmallVector<int64_t> bandOffsets(shape.size(), 0), bandSizes(shape);
  auto fillBand = [&](int64_t d, int64_t offset, int64_t size) {
    if (size == 0)
      return;
    bandOffsets[d] = offset;
    bandSizes[d] = size;
    SmallVector<OpFoldResult> at = getAsIndexOpFoldResult(b.getContext(), bandOffsets);
    SmallVector<OpFoldResult> extent = getAsIndexOpFoldResult(b.getContext(), bandSizes);
    Value band = b.create<tensor::ExtractSliceOp>(loc, result, at, extent, strides);
    Value fill = b.create<linalg::FillOp>(loc, value, band).getResult(0);
    result = b.create<tensor::InsertSliceOp>(loc, fill, result, at, extent, strides);
  };
  for (size_t i = 0; i < low.size(); ++i) {
    int64_t d = firstDim + i, inner = inType.getDimSize(d);
    fillBand(d, 0, low[i]);
    fillBand(d, low[i] + inner, high[i]);
    bandOffsets[d] = low[i];
    bandSizes[d] = inner;
  }
  return result;
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
  // bfloat16 through its bits (LLVM's bfloat conversions call a libgcc
  // function Debian's GCC 12 lacks): the high half of a binary32, and to it
  // by dropping the low half, a truncation, as ONNX 1.12's Cast does.
  Type i16 = b.getI16Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  if (from.isBF16()) {
    Value bits = b.create<arith::ExtUIOp>(loc, i32, b.create<arith::BitcastOp>(loc, i16, x));
    Value wide = b.create<arith::ShLIOp>(loc, bits, scalar(b, loc, i32, 16));
    return convertElement(b, loc, b.create<arith::BitcastOp>(loc, f32, wide), to);
  }
  if (to.isBF16()) {
    Value bits = b.create<arith::BitcastOp>(loc, i32, convertElement(b, loc, x, f32));
    Value high = b.create<arith::TruncIOp>(
        loc, i16, b.create<arith::ShRUIOp>(loc, bits, scalar(b, loc, i32, 16)));
    return b.create<arith::BitcastOp>(loc, to, high);
  }
  auto ff = dyn_cast<FloatType>(from), ft = dyn_cast<FloatType>(to);
  if (ff && ft)
    return ff.getWidth() < ft.getWidth() ? b.create<arith::ExtFOp>(loc, to, x).getResult()
                                         : b.create<arith::TruncFOp>(loc, to, x).getResult();
  if (to.isInteger(1)) {
    if (ff)
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, scalar(b, loc, from, 0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, scalar(b, loc, from, 0));
  }
  if (ff) {
    // Saturating, as LLVM's fptosi.sat: a value beyond the integer type's
    // range gives its nearest bound and NaN gives 0. ONNX leaves those
    // results undefined, but a bare fptosi is poison for them, which lets
    // LLVM store whatever a register holds (different on every run).
    bool sign = !isUnsigned(to);
    unsigned width = to.getIntOrFloatBitWidth();
    auto floatOf = [&](const APInt &v, bool isSigned, APFloat::roundingMode mode) {
      APFloat f(ff.getFloatSemantics());
      f.convertFromAPInt(v, isSigned, mode);
      return b.create<arith::ConstantOp>(loc, b.getFloatAttr(ff, f)).getResult();
    };
    auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) {
      return b.create<arith::CmpFOp>(loc, p, l, r).getResult();
    };
    APInt maxInt = sign ? APInt::getSignedMaxValue(width) : APInt::getMaxValue(width);
    APInt minInt = sign ? APInt::getSignedMinValue(width) : APInt::getZero(width);
    // The bounds in the float type, toward zero (finite: clamping into
    // them keeps the conversion defined), and 2^(w-1) (2^w unsigned) and
    // -2^(w-1), past which the result is the integer bound itself.
    Value loIn = floatOf(minInt, sign, APFloat::rmTowardZero);
    Value hiIn = floatOf(maxInt, sign, APFloat::rmTowardZero);
    Value top = floatOf(APInt::getOneBitSet(width + 1, sign ? width - 1 : width), false,
                        APFloat::rmNearestTiesToEven);
    Value c = b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::OLT, x, loIn), loIn, x);
    c = b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::OGT, c, hiIn), hiIn, c);
    Value r = sign ? b.create<arith::FPToSIOp>(loc, to, c).getResult()
                   : b.create<arith::FPToUIOp>(loc, to, c).getResult();
    auto intConst = [&](const APInt &v) {
      return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(to, v)).getResult();
    };
    r = b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::OGE, x, top), intConst(maxInt), r);
    if (sign) {
      Value bottom = floatOf(minInt, true, APFloat::rmNearestTiesToEven);
      r = b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::OLE, x, bottom),
                                    intConst(minInt), r);
    }
    return b.create<arith::SelectOp>(loc, cmp(arith::CmpFPredicate::UNO, x, x),
                                     scalar(b, loc, to, 0), r);
  }
  bool zeroExtend = from.isInteger(1) || isUnsigned(from);
  if (ft)
    return zeroExtend ? b.create<arith::UIToFPOp>(loc, to, x).getResult()
                      : b.create<arith::SIToFPOp>(loc, to, x).getResult();
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    // Same bits, another signedness: the pass ends with signless types, so
    // a value of one is a value of the other (an identity cast, folded).
    return b.create<UnrealizedConversionCastOp>(loc, to, x).getResult(0);
  if (fromWidth > toWidth)
    return b.create<arith::TruncIOp>(loc, to, x);
  return zeroExtend ? b.create<arith::ExtUIOp>(loc, to, x).getResult()
                    : b.create<arith::ExtSIOp>(loc, to, x).getResult();
}

} // namespace kiln::nntolinalg
