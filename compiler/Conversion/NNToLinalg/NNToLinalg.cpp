//===- NNToLinalg.cpp - lower nn ops to linalg on tensors ----------------===//
//
// One pattern per nn op family. Shapes are static here (the importer
// specializes them), which keeps every lowering a fixed set of upstream ops
// that later tiling and vectorization passes understand.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "dialects/NN/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

Value convertElement(OpBuilder &b, Location loc, Value x, Type to);

bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

Value scalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(ft, value));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

/// The identity of a max (`largest` false: -inf or the smallest integer) or
/// min (`largest` true: +inf or the largest integer) reduction.
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

/// The indexing map that reads `operand` at the iteration point of `result`
/// under numpy broadcasting (shapes aligned right; size-1 dims read index 0).
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

/// A parallel linalg.generic over `resultType` reading `inputs` with
/// broadcasting; `body` maps the input elements to the result element.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, BodyFn body,
                  ArrayRef<AffineMap> explicitMaps = {}) {
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

/// A copy of `input` into `resultType` read through `maps` (by default the
/// broadcast map): expands, tiles, reversed slices.
Value copied(OpBuilder &b, Location loc, RankedTensorType resultType, Value input,
             ArrayRef<AffineMap> maps = {}) {
  return elementwise(b, loc, resultType, input,
                     [](OpBuilder &, Location, ValueRange args) { return args[0]; }, maps);
}

/// A generic that reduces `input` over `reduced` dims into a tensor without
/// them, starting from `init` and combining with `combine(acc, x)`.
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

/// Reinterprets a static tensor with a new shape of the same element count.
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

/// Pads the dims from `firstDim` on (by default the spatial dims 2... of an
/// NC... tensor) with `value`: a filled tensor with the input inserted.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value value, int64_t firstDim = 2) {
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

/// Inserts a unit dim at index 2 of a rank-3 NC[W] tensor, giving NC1W, so
/// 1-D windows reuse the 2-D lowering.
Value expandTo2D(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto type = RankedTensorType::get({t.getDimSize(0), t.getDimSize(1), 1, t.getDimSize(2)},
                                    t.getElementType());
  return b.create<tensor::ExpandShapeOp>(
      loc, type, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

Value collapseFrom2D(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  return b.create<tensor::CollapseShapeOp>(
      loc, type, v, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// Window parameters widened to two spatial dims (1-D gets a unit H).
struct Window2D {
  SmallVector<int64_t> kernel, strides, dilations, low, high;
  Window2D(ArrayRef<int64_t> k, ArrayRef<int64_t> s, ArrayRef<int64_t> d,
           ArrayRef<int64_t> pads) {
    size_t n = k.size();
    if (n == 1) {
      kernel = {1, k[0]};
      strides = {1, s[0]};
      dilations = {1, d[0]};
      low = {0, pads[0]};
      high = {0, pads[1]};
    } else {
      kernel.assign(k.begin(), k.end());
      strides.assign(s.begin(), s.end());
      dilations.assign(d.begin(), d.end());
      low.assign(pads.begin(), pads.begin() + n);
      high.assign(pads.begin() + n, pads.end());
    }
  }
  /// Grows `high` so the padded input holds every window of `out`
  /// (ceil mode), given the unpadded spatial sizes `in`.
  void coverOutput(ArrayRef<int64_t> in, ArrayRef<int64_t> out) {
    for (int i = 0; i < 2; ++i) {
      int64_t needed = (out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = in[i] + low[i] + high[i];
      if (needed > have)
        high[i] += needed - have;
    }
  }
};

/// Axis attributes are stored as i64 but read back unsigned; negative
/// values count from the end.
int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64VectorAttr(values);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename Op>
struct UnaryLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using Adaptor = typename Op::Adaptor;

  virtual Value body(Op op, OpBuilder &b, Location loc, Value x) const = 0;

  LogicalResult
  matchAndRewrite(Op op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(op, b, loc, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A unary op whose body is given by a lambda type.
template <typename Op, typename Fn>
struct SimpleUnary : UnaryLowering<Op> {
  using UnaryLowering<Op>::UnaryLowering;
  Value body(Op op, OpBuilder &b, Location loc, Value x) const override {
    return Fn()(op, b, loc, x);
  }
};

/// -1, 0 or 1 by the sign of `x` (float or signed integer).
Value signOf(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value zero = scalar(b, loc, t, 0);
  Value pos, neg;
  if (isFloat(t)) {
    pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
    neg = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
  } else {
    pos = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, x, zero);
    neg = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, zero);
  }
  Value negOrZero = b.create<arith::SelectOp>(loc, neg, scalar(b, loc, t, -1), zero);
  return b.create<arith::SelectOp>(loc, pos, scalar(b, loc, t, 1), negOrZero);
}

/// ONNX Shrink: `x + bias` below `-lambd`, `x - bias` above `lambd`, else 0.
Value shrink(OpBuilder &b, Location loc, Value x, double lambd, double bias) {
  Type t = x.getType();
  Value below = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, scalar(b, loc, t, -lambd));
  Value above = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, scalar(b, loc, t, lambd));
  Value zeroOrUp = b.create<arith::SelectOp>(
      loc, above, b.create<arith::SubFOp>(loc, x, scalar(b, loc, t, bias)), scalar(b, loc, t, 0));
  return b.create<arith::SelectOp>(
      loc, below, b.create<arith::AddFOp>(loc, x, scalar(b, loc, t, bias)), zeroOrUp);
}

#define KILN_UNARY(OP, EXPR)                                                    \
  struct OP##Body {                                                             \
    Value operator()(OP op, OpBuilder &b, Location loc, Value x) const {        \
      Type t = x.getType();                                                     \
      (void)op;                                                                 \
      (void)t;                                                                  \
      return EXPR;                                                              \
    }                                                                           \
  };

KILN_UNARY(ReluOp, isFloat(t) ? b.create<arith::MaximumFOp>(loc, x, scalar(b, loc, t, 0)).getResult()
                              : b.create<arith::MaxSIOp>(loc, x, scalar(b, loc, t, 0)).getResult())
KILN_UNARY(SigmoidOp, b.create<arith::DivFOp>(
    loc, scalar(b, loc, t, 1),
    b.create<arith::AddFOp>(loc, scalar(b, loc, t, 1),
                            b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x)))))
KILN_UNARY(TanhOp, b.create<math::TanhOp>(loc, x))
KILN_UNARY(ExpOp, b.create<math::ExpOp>(loc, x))
KILN_UNARY(LogOp, b.create<math::LogOp>(loc, x))
KILN_UNARY(ErfOp, b.create<math::ErfOp>(loc, x))
KILN_UNARY(SqrtOp, b.create<math::SqrtOp>(loc, x))
KILN_UNARY(ReciprocalOp, b.create<arith::DivFOp>(loc, scalar(b, loc, t, 1), x))
KILN_UNARY(NegOp, isFloat(t) ? b.create<arith::NegFOp>(loc, x).getResult()
                             : b.create<arith::SubIOp>(loc, scalar(b, loc, t, 0), x).getResult())
KILN_UNARY(AbsOp, isFloat(t) ? b.create<math::AbsFOp>(loc, x).getResult()
                             : b.create<math::AbsIOp>(loc, x).getResult())
KILN_UNARY(FloorOp, b.create<math::FloorOp>(loc, x))
KILN_UNARY(CeilOp, b.create<math::CeilOp>(loc, x))
KILN_UNARY(SinOp, b.create<math::SinOp>(loc, x))
KILN_UNARY(CosOp, b.create<math::CosOp>(loc, x))
// Stable form: max(x, 0) + log1p(exp(-|x|)).
KILN_UNARY(SoftplusOp, b.create<arith::AddFOp>(
    loc, b.create<arith::MaximumFOp>(loc, x, scalar(b, loc, t, 0)),
    b.create<math::Log1pOp>(loc, b.create<math::ExpOp>(
        loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x))))))
KILN_UNARY(LeakyReluOp, b.create<arith::SelectOp>(
    loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, scalar(b, loc, t, 0)), x,
    b.create<arith::MulFOp>(loc, x, scalar(b, loc, t, op.getAlpha().convertToDouble()))))
KILN_UNARY(EluOp, b.create<arith::SelectOp>(
    loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, scalar(b, loc, t, 0)), x,
    b.create<arith::MulFOp>(loc, b.create<math::ExpM1Op>(loc, x),
                            scalar(b, loc, t, op.getAlpha().convertToDouble()))))
KILN_UNARY(HardSigmoidOp, b.create<arith::MaximumFOp>(
    loc, scalar(b, loc, t, 0),
    b.create<arith::MinimumFOp>(
        loc, scalar(b, loc, t, 1),
        b.create<arith::AddFOp>(
            loc, b.create<arith::MulFOp>(loc, x, scalar(b, loc, t, op.getAlpha().convertToDouble())),
            scalar(b, loc, t, op.getBeta().convertToDouble())))))
KILN_UNARY(TanOp, b.create<math::TanOp>(loc, x))
KILN_UNARY(NotOp, b.create<arith::XOrIOp>(loc, x, scalar(b, loc, t, 1)))
KILN_UNARY(AsinOp, b.create<math::AsinOp>(loc, x))
KILN_UNARY(AcosOp, b.create<math::AcosOp>(loc, x))
KILN_UNARY(AtanOp, b.create<math::AtanOp>(loc, x))
KILN_UNARY(SinhOp, b.create<math::SinhOp>(loc, x))
KILN_UNARY(CoshOp, b.create<math::CoshOp>(loc, x))
KILN_UNARY(AsinhOp, b.create<math::AsinhOp>(loc, x))
KILN_UNARY(AcoshOp, b.create<math::AcoshOp>(loc, x))
KILN_UNARY(AtanhOp, b.create<math::AtanhOp>(loc, x))
KILN_UNARY(RoundOp, b.create<math::RoundEvenOp>(loc, x))
KILN_UNARY(SignOp, signOf(b, loc, x))
KILN_UNARY(SoftsignOp, b.create<arith::DivFOp>(
    loc, x, b.create<arith::AddFOp>(loc, scalar(b, loc, t, 1), b.create<math::AbsFOp>(loc, x))))
KILN_UNARY(HardSwishOp, b.create<arith::MulFOp>(
    loc, x,
    b.create<arith::MaximumFOp>(
        loc, scalar(b, loc, t, 0),
        b.create<arith::MinimumFOp>(
            loc, scalar(b, loc, t, 1),
            b.create<arith::AddFOp>(loc, b.create<arith::MulFOp>(loc, x, scalar(b, loc, t, 1.0 / 6)),
                                    scalar(b, loc, t, 0.5))))))
// x * tanh(softplus(x)), softplus in its stable form.
KILN_UNARY(MishOp, b.create<arith::MulFOp>(
    loc, x,
    b.create<math::TanhOp>(
        loc, b.create<arith::AddFOp>(
                 loc, b.create<arith::MaximumFOp>(loc, x, scalar(b, loc, t, 0)),
                 b.create<math::Log1pOp>(
                     loc, b.create<math::ExpOp>(
                              loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x))))))))
KILN_UNARY(SeluOp, b.create<arith::MulFOp>(
    loc, scalar(b, loc, t, op.getGamma().convertToDouble()),
    b.create<arith::SelectOp>(
        loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, scalar(b, loc, t, 0)), x,
        b.create<arith::MulFOp>(loc, b.create<math::ExpM1Op>(loc, x),
                                scalar(b, loc, t, op.getAlpha().convertToDouble())))))
KILN_UNARY(CeluOp, b.create<arith::AddFOp>(
    loc, b.create<arith::MaximumFOp>(loc, x, scalar(b, loc, t, 0)),
    b.create<arith::MinimumFOp>(
        loc, scalar(b, loc, t, 0),
        b.create<arith::MulFOp>(
            loc, scalar(b, loc, t, op.getAlpha().convertToDouble()),
            b.create<math::ExpM1Op>(
                loc, b.create<arith::DivFOp>(
                         loc, x, scalar(b, loc, t, op.getAlpha().convertToDouble())))))))
KILN_UNARY(ThresholdedReluOp, b.create<arith::SelectOp>(
    loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x,
                                 scalar(b, loc, t, op.getAlpha().convertToDouble())),
    x, scalar(b, loc, t, 0)))
KILN_UNARY(ShrinkOp, shrink(b, loc, x, op.getLambd().convertToDouble(),
                            op.getBias().convertToDouble()))
#undef KILN_UNARY

struct ClipBody {
  Value operator()(ClipOp op, OpBuilder &b, Location loc, Value x) const {
    Type t = x.getType();
    if (auto lo = op.getMin())
      x = isFloat(t) ? b.create<arith::MaximumFOp>(loc, x, scalar(b, loc, t, lo->convertToDouble())).getResult()
                     : b.create<arith::MaxSIOp>(loc, x, scalar(b, loc, t, lo->convertToDouble())).getResult();
    if (auto hi = op.getMax())
      x = isFloat(t) ? b.create<arith::MinimumFOp>(loc, x, scalar(b, loc, t, hi->convertToDouble())).getResult()
                     : b.create<arith::MinSIOp>(loc, x, scalar(b, loc, t, hi->convertToDouble())).getResult();
    return x;
  }
};

/// Binary ops: one arith op for floats, another for signed integers.
template <typename Op, typename FloatOp, typename IntOp>
struct BinaryLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isFloat(args[0].getType()))
            return b.create<FloatOp>(loc, args[0], args[1]);
          return b.create<IntOp>(loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Comparisons: an ordered float predicate or a signed integer one.
template <typename Op, arith::CmpFPredicate FloatPred, arith::CmpIPredicate IntPred>
struct CompareLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isFloat(args[0].getType()))
            return b.create<arith::CmpFOp>(loc, FloatPred, args[0], args[1]);
          return b.create<arith::CmpIOp>(loc, IntPred, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct WhereLowering : OpConversionPattern<WhereOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WhereOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getCondition(), adaptor.getThenValue(), adaptor.getElseValue()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return b.create<arith::SelectOp>(loc, args[0], args[1], args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Mod: floats and `fmod` integers take the truncated remainder; otherwise a
/// non-zero remainder whose sign differs from the divisor's gets the divisor
/// added (floored division, Python's %).
struct ModLowering : OpConversionPattern<ModOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ModOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool fmod = op.getFmod();
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0], y = args[1];
          if (isFloat(x.getType()))
            return b.create<arith::RemFOp>(loc, x, y);
          Value r = b.create<arith::RemSIOp>(loc, x, y);
          if (fmod)
            return r;
          Value zero = scalar(b, loc, x.getType(), 0);
          Value nonZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, r, zero);
          Value signsDiffer = b.create<arith::XOrIOp>(
              loc, b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, r, zero),
              b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, y, zero));
          Value adjust = b.create<arith::AndIOp>(loc, nonZero, signsDiffer);
          return b.create<arith::SelectOp>(loc, adjust, b.create<arith::AddIOp>(loc, r, y), r);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Pow: a float base takes the exponent in its own type; an integer base is
/// raised in f64 and truncated back.
struct PowLowering : OpConversionPattern<PowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elem = op.getType().getElementType();
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Type compute = isFloat(elem) ? elem : b.getF64Type();
          Value p = b.create<math::PowFOp>(loc, convertElement(b, loc, args[0], compute),
                                           convertElement(b, loc, args[1], compute));
          return convertElement(b, loc, p, elem);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// PRelu: `x` where `x >= 0`, else `slope * x`, the slope broadcast.
struct PReluLowering : OpConversionPattern<PReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          Value nonNegative = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x,
                                                      scalar(b, loc, x.getType(), 0));
          return b.create<arith::SelectOp>(loc, nonNegative, x,
                                           b.create<arith::MulFOp>(loc, x, args[1]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value x, Value y) {
  if (isFloat(acc.getType()))
    return b.create<arith::AddFOp>(loc, acc, b.create<arith::MulFOp>(loc, x, y));
  return b.create<arith::AddIOp>(loc, acc, b.create<arith::MulIOp>(loc, x, y));
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    Type elem = lt.getElementType();
    // Vectors become matrices; the unit dim is dropped again at the end.
    if (lt.getRank() == 1) {
      lt = RankedTensorType::get({1, lt.getDimSize(0)}, elem);
      lhs = reshapeTo(rewriter, loc, lhs, lt);
    }
    if (rt.getRank() == 1) {
      rt = RankedTensorType::get({rt.getDimSize(0), 1}, elem);
      rhs = reshapeTo(rewriter, loc, rhs, rt);
    }
    SmallVector<int64_t> batch;
    (void)broadcastShapes(lt.getShape().drop_back(2), rt.getShape().drop_back(2), batch);
    int64_t m = lt.getShape().end()[-2], k = lt.getShape().back(), n = rt.getShape().back();
    SmallVector<int64_t> shape(batch);
    shape.append({m, n});
    auto fullType = RankedTensorType::get(shape, elem);
    Value init = filled(rewriter, loc, fullType, scalar(rewriter, loc, elem, 0));
    Value result;
    if (batch.empty()) {
      result = rewriter.create<linalg::MatmulOp>(loc, ValueRange{lhs, rhs}, init).getResult(0);
    } else {
      // Batch dims, then m, n, k.
      size_t nb = batch.size();
      auto operandMap = [&](RankedTensorType t, int64_t row, int64_t col) {
        SmallVector<AffineExpr> exprs;
        size_t tb = t.getRank() - 2;
        for (size_t i = 0; i < tb; ++i) {
          size_t d = nb - tb + i;
          exprs.push_back(t.getDimSize(i) == 1 && batch[d] != 1
                              ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(d, ctx));
        }
        exprs.push_back(getAffineDimExpr(row, ctx));
        exprs.push_back(getAffineDimExpr(col, ctx));
        return AffineMap::get(nb + 3, 0, exprs, ctx);
      };
      SmallVector<AffineExpr> outExprs;
      for (size_t d = 0; d < nb + 2; ++d)
        outExprs.push_back(getAffineDimExpr(d, ctx));
      SmallVector<AffineMap> maps{operandMap(lt, nb, nb + 2), operandMap(rt, nb + 2, nb + 1),
                                  AffineMap::get(nb + 3, 0, outExprs, ctx)};
      SmallVector<utils::IteratorType> iters(nb + 2, utils::IteratorType::parallel);
      iters.push_back(utils::IteratorType::reduction);
      (void)k;
      result = rewriter
                   .create<linalg::GenericOp>(
                       loc, fullType, ValueRange{lhs, rhs}, init, maps, iters,
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         b.create<linalg::YieldOp>(l, multiplyAdd(b, l, args[2], args[0], args[1]));
                       })
                   .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// Einsum: one generic whose dimensions are the result's letters (parallel)
/// then the summed ones (reduction); each operand reads its letters, so a
/// repeated letter reads a diagonal.
struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto [operands, result] = *parseEinsum(op.getEquation());
    std::string letters = result;
    for (const std::string &o : operands)
      for (char c : o)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    auto dim = [&](char c) { return getAffineDimExpr(letters.find(c), ctx); };
    SmallVector<AffineMap> maps;
    for (const std::string &o : operands) {
      SmallVector<AffineExpr> exprs;
      for (char c : o)
        exprs.push_back(dim(c));
      maps.push_back(AffineMap::get(letters.size(), 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (char c : result)
      outExprs.push_back(dim(c));
    maps.push_back(AffineMap::get(letters.size(), 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iters(result.size(), utils::IteratorType::parallel);
    iters.append(letters.size() - result.size(), utils::IteratorType::reduction);
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    Value init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0));
    bool fp = isFloat(elem);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, adaptor.getInputs(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value prod = args[0];
          for (Value v : args.drop_front().drop_back())
            prod = fp ? b.create<arith::MulFOp>(l, prod, v).getResult()
                      : b.create<arith::MulIOp>(l, prod, v).getResult();
          Value acc = args.back();
          b.create<linalg::YieldOp>(l, fp ? b.create<arith::AddFOp>(l, acc, prod).getResult()
                                          : b.create<arith::AddIOp>(l, acc, prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    // The accumulator starts as beta * c broadcast to [M, N], or zero.
    Value init;
    if (Value c = adaptor.getC(); c && beta != 0.0) {
      Value betaV = scalar(rewriter, loc, elem, beta);
      init = elementwise(rewriter, loc, type, c,
                         [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                           if (beta == 1.0)
                             return args[0];
                           return b.create<arith::MulFOp>(l, args[0], betaV);
                         });
    } else {
      init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0));
    }
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps{
        AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, ctx),
        AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n}, ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<utils::IteratorType> iters{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction};
    Value alphaV = scalar(rewriter, loc, elem, alpha);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, ValueRange{adaptor.getA(), adaptor.getB()}, init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value prod = b.create<arith::MulFOp>(l, args[0], args[1]);
          if (alpha != 1.0)
            prod = b.create<arith::MulFOp>(l, prod, alphaV);
          b.create<linalg::YieldOp>(l, b.create<arith::AddFOp>(l, args[2], prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// A 3-D (or any-rank) grouped convolution as one generic: iteration
/// dimensions (n, g, f, o..., c, k...), reading the padded input at
/// `o * stride + k * dilation` with channels split into [group, C/group].
Value conv3D(OpBuilder &b, Location loc, ConvOp op, ConvOp::Adaptor adaptor) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = op.getType();
  Type elem = outType.getElementType();
  int64_t sp = outType.getRank() - 2, g = op.getGroup();
  ArrayRef<int64_t> pads = op.getPads();
  Value input = padSpatial(b, loc, adaptor.getInput(), pads.take_front(sp), pads.drop_front(sp),
                           scalar(b, loc, elem, 0));
  auto in = cast<RankedTensorType>(input.getType());
  auto wt = cast<RankedTensorType>(adaptor.getWeight().getType());
  int64_t n = in.getDimSize(0), c = in.getDimSize(1), f = wt.getDimSize(0);
  SmallVector<int64_t> gin{n, g, c / g}, gw{g, f / g, c / g}, gout{n, g, f / g};
  llvm::append_range(gin, in.getShape().drop_front(2));
  llvm::append_range(gw, wt.getShape().drop_front(2));
  llvm::append_range(gout, outType.getShape().drop_front(2));
  // [N, C, x...] -> [N, g, C/g, x...] and [F, C/g, k...] -> [g, F/g, C/g, k...].
  SmallVector<ReassociationIndices> splitChannels{{0}, {1, 2}}, splitFilters{{0, 1}, {2}};
  for (int64_t i = 0; i < sp; ++i) {
    splitChannels.push_back({3 + i});
    splitFilters.push_back({3 + i});
  }
  Value gInput = b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get(gin, elem), input,
                                                 splitChannels);
  Value gWeight = b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get(gw, elem),
                                                  adaptor.getWeight(), splitFilters);
  auto goutType = RankedTensorType::get(gout, elem);
  Value init;
  if (Value bias = adaptor.getBias()) {
    Value gBias = b.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({g, f / g}, elem), bias, ArrayRef<ReassociationIndices>{{0, 1}});
    AffineMap biasMap = AffineMap::get(3 + sp, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    init = copied(b, loc, goutType, gBias, {biasMap});
  } else {
    init = filled(b, loc, goutType, scalar(b, loc, elem, 0));
  }
  // Dims: n g f o_0.. o_{sp-1} c k_0.. k_{sp-1}.
  int64_t dims = 4 + 2 * sp;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1), d(3 + sp)}, wExprs{d(1), d(2), d(3 + sp)},
      outExprs{d(0), d(1), d(2)};
  for (int64_t i = 0; i < sp; ++i) {
    inExprs.push_back(d(3 + i) * op.getStrides()[i] + d(4 + sp + i) * op.getDilations()[i]);
    wExprs.push_back(d(4 + sp + i));
    outExprs.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(dims, 0, inExprs, ctx),
                              AffineMap::get(dims, 0, wExprs, ctx),
                              AffineMap::get(dims, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(3 + sp, utils::IteratorType::parallel);
  iters.append(1 + sp, utils::IteratorType::reduction);
  Value conv = b.create<linalg::GenericOp>(
                    loc, goutType, ValueRange{gInput, gWeight}, init, maps, iters,
                    [&](OpBuilder &nb, Location l, ValueRange args) {
                      nb.create<linalg::YieldOp>(l, multiplyAdd(nb, l, args[2], args[0], args[1]));
                    })
                   .getResult(0);
  return b.create<tensor::CollapseShapeOp>(loc, outType, conv, splitChannels);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    if (outType.getRank() == 5) {
      rewriter.replaceOp(op, conv3D(rewriter, loc, op, adaptor));
      return success();
    }
    bool is1D = outType.getRank() == 3;
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (is1D) {
      input = expandTo2D(rewriter, loc, input);
      weight = expandTo2D(rewriter, loc, weight);
    }
    Window2D w(cast<RankedTensorType>(op.getWeight().getType()).getShape().drop_front(2),
               op.getStrides(), op.getDilations(), op.getPads());
    input = padSpatial(rewriter, loc, input, w.low, w.high, scalar(rewriter, loc, elem, 0));

    auto in = cast<RankedTensorType>(input.getType());
    auto wt = cast<RankedTensorType>(weight.getType());
    int64_t n = in.getDimSize(0), c = in.getDimSize(1), f = wt.getDimSize(0);
    int64_t oh = is1D ? 1 : outType.getDimSize(2), ow = outType.getShape().back();
    int64_t g = op.getGroup();
    auto out2D = RankedTensorType::get({n, f, oh, ow}, elem);

    // The accumulator starts as the bias broadcast along channels, or zero.
    Value init;
    if (Value bias = adaptor.getBias()) {
      AffineMap biasMap = AffineMap::get(4, 0, getAffineDimExpr(1, ctx), ctx);
      init = copied(rewriter, loc, out2D, bias, {biasMap});
    } else {
      init = filled(rewriter, loc, out2D, scalar(rewriter, loc, elem, 0));
    }
    Attribute strides = i64Vector(rewriter, w.strides);
    Attribute dilations = i64Vector(rewriter, w.dilations);
    Value result;
    if (g == 1) {
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(loc, TypeRange{out2D},
                                                     ValueRange{input, weight}, init,
                                                     strides, dilations)
                   .getResult(0);
    } else {
      // Split channels into [group, channels per group].
      auto gin = RankedTensorType::get({n, g, c / g, in.getDimSize(2), in.getDimSize(3)}, elem);
      auto gw = RankedTensorType::get({g, f / g, wt.getDimSize(1), wt.getDimSize(2), wt.getDimSize(3)}, elem);
      auto gout = RankedTensorType::get({n, g, f / g, oh, ow}, elem);
      Value gInput = rewriter.create<tensor::ExpandShapeOp>(
          loc, gin, input, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value gWeight = rewriter.create<tensor::ExpandShapeOp>(
          loc, gw, weight, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value gInit = rewriter.create<tensor::ExpandShapeOp>(
          loc, gout, init, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value conv = rewriter
                       .create<linalg::Conv2DNgchwGfchwOp>(loc, TypeRange{gout},
                                                           ValueRange{gInput, gWeight}, gInit,
                                                           strides, dilations)
                       .getResult(0);
      result = rewriter.create<tensor::CollapseShapeOp>(
          loc, out2D, conv, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
    if (is1D)
      result = collapseFrom2D(rewriter, loc, result, outType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Shared by max and average pooling: widens to 2-D, pads, and runs the named
/// pooling op `PoolOp` from `initValue`.
template <typename PoolOp>
Value pool2D(OpBuilder &b, Location loc, Value input, RankedTensorType outType,
             Window2D &w, Value padValue, Value initValue) {
  bool is1D = outType.getRank() == 3;
  if (is1D)
    input = expandTo2D(b, loc, input);
  auto in = cast<RankedTensorType>(input.getType());
  int64_t oh = is1D ? 1 : outType.getDimSize(2), ow = outType.getShape().back();
  w.coverOutput({in.getDimSize(2), in.getDimSize(3)}, {oh, ow});
  input = padSpatial(b, loc, input, w.low, w.high, padValue);
  Type elem = outType.getElementType();
  auto out2D = RankedTensorType::get({in.getDimSize(0), in.getDimSize(1), oh, ow}, elem);
  Value init = filled(b, loc, out2D, initValue);
  Value window = b.create<tensor::EmptyOp>(loc, w.kernel, elem);
  Value result = b.create<PoolOp>(loc, TypeRange{out2D}, ValueRange{input, window}, init,
                                  i64Vector(b, w.strides), i64Vector(b, w.dilations))
                     .getResult(0);
  return is1D ? collapseFrom2D(b, loc, result, outType) : result;
}

/// A 3-D (or any-rank) max or sum pooling as one generic over
/// (n, c, o..., k...), the window's shape given by an empty tensor operand.
/// The end padding grows to hold every window of the result (ceil mode).
template <typename PoolOp>
Value poolND(OpBuilder &b, Location loc, PoolOp op, Value input, ArrayRef<int64_t> dilations,
             Value padValue, Value initValue, bool isMax) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = op.getType();
  Type elem = outType.getElementType();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t sp = outType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads();
  SmallVector<int64_t> low(pads.take_front(sp)), high(pads.drop_front(sp));
  for (int64_t i = 0; i < sp; ++i) {
    int64_t needed =
        (outType.getDimSize(2 + i) - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inType.getDimSize(2 + i) + low[i] + high[i];
    if (needed > have)
      high[i] += needed - have;
  }
  Value padded = padSpatial(b, loc, input, low, high, padValue);
  Value window = b.create<tensor::EmptyOp>(loc, kernel, elem);
  Value init = filled(b, loc, outType, initValue);
  int64_t dims = 2 + 2 * sp;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1)}, winExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < sp; ++i) {
    inExprs.push_back(d(2 + i) * strides[i] + d(2 + sp + i) * dilations[i]);
    winExprs.push_back(d(2 + sp + i));
    outExprs.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(dims, 0, inExprs, ctx),
                              AffineMap::get(dims, 0, winExprs, ctx),
                              AffineMap::get(dims, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(2 + sp, utils::IteratorType::parallel);
  iters.append(sp, utils::IteratorType::reduction);
  return b
      .create<linalg::GenericOp>(
          loc, outType, ValueRange{padded, window}, init, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value r = isMax ? nb.create<arith::MaximumFOp>(l, args[2], args[0]).getResult()
                            : nb.create<arith::AddFOp>(l, args[2], args[0]).getResult();
            nb.create<linalg::YieldOp>(l, r);
          })
      .getResult(0);
}

/// The divisor of each output position of an average pool, computed at
/// compile time since shapes are static: per spatial dimension the window's
/// overlap with the input (plus the explicit padding when
/// `count_include_pad`, never the ceil-mode overhang), multiplied together.
SmallVector<float> averageDivisors(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> pads, bool includePad) {
  int64_t sp = in.size(), total = 1;
  for (int64_t o : out)
    total *= o;
  SmallVector<float> divisors;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, count = 1;
    for (int64_t i = sp - 1; i >= 0; --i) {
      int64_t idx = rest % out[i];
      rest /= out[i];
      int64_t start = idx * strides[i] - pads[i];
      int64_t end = start + kernel[i];
      int64_t lo = includePad ? -pads[i] : 0;
      int64_t hi = includePad ? in[i] + pads[sp + i] : in[i];
      count *= std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo));
    }
    divisors.push_back(static_cast<float>(count));
  }
  return divisors;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type elem = op.getType().getElementType();
    Value neg = extreme(rewriter, loc, elem, /*largest=*/false);
    if (op.getType().getRank() == 5) {
      rewriter.replaceOp(op, poolND(rewriter, loc, op, adaptor.getInput(), op.getDilations(), neg,
                                    neg, true));
      return success();
    }
    Window2D w(op.getKernelShape(), op.getStrides(), op.getDilations(), op.getPads());
    rewriter.replaceOp(op, pool2D<linalg::PoolingNchwMaxOp>(
                               rewriter, loc, adaptor.getInput(), op.getType(), w, neg, neg));
    return success();
  }
};

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    int64_t rank = outType.getRank();
    Value zero = scalar(rewriter, loc, elem, 0);
    SmallVector<int64_t> ones(op.getKernelShape().size(), 1);
    Value sum;
    if (rank == 5) {
      sum = poolND(rewriter, loc, op, adaptor.getInput(), ones, zero, zero, false);
    } else {
      Window2D w(op.getKernelShape(), op.getStrides(), ones, op.getPads());
      sum = pool2D<linalg::PoolingNchwSumOp>(rewriter, loc, adaptor.getInput(), outType, w,
                                             zero, zero);
    }
    // Divide each sum by its window's count, a constant over the spatial dims.
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape().drop_front(2);
    ArrayRef<int64_t> outShape = outType.getShape().drop_front(2);
    SmallVector<float> divisors =
        averageDivisors(inShape, outShape, op.getKernelShape(), op.getStrides(), op.getPads(),
                        op.getCountIncludePad());
    auto divType = RankedTensorType::get(outShape, rewriter.getF32Type());
    Value div = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(divType, ArrayRef<float>(divisors)));
    SmallVector<AffineExpr> divExprs;
    for (int64_t i = 2; i < rank; ++i)
      divExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                                AffineMap::get(rank, 0, divExprs, ctx)};
    rewriter.replaceOp(op, elementwise(
                               rewriter, loc, outType, {sum, div},
                               [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                 return b.create<arith::DivFOp>(
                                     l, args[0], convertElement(b, l, args[1], elem));
                               },
                               maps));
    return success();
  }
};

template <typename Op, bool IsMax>
struct GlobalPoolLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Type elem = outType.getElementType();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<int64_t> spatial = llvm::to_vector(llvm::seq<int64_t>(2, inType.getRank()));
    Value init = IsMax ? extreme(rewriter, loc, elem, /*largest=*/false) : scalar(rewriter, loc, elem, 0);
    Value reduced = reduce(rewriter, loc, adaptor.getInput(), spatial, init,
                           [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                             if (IsMax)
                               return b.create<arith::MaximumFOp>(l, acc, x);
                             return b.create<arith::AddFOp>(l, acc, x);
                           });
    if (!IsMax) {
      int64_t count = 1;
      for (int64_t d : spatial)
        count *= inType.getDimSize(d);
      Value countV = scalar(rewriter, loc, elem, static_cast<double>(count));
      reduced = elementwise(rewriter, loc, cast<RankedTensorType>(reduced.getType()), reduced,
                            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                              return b.create<arith::DivFOp>(l, args[0], countV);
                            });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, outType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), channel, channel,
                                channel, channel};
    Value eps = scalar(rewriter, loc, type.getElementType(), op.getEpsilon().convertToDouble());
    Value result = elementwise(
        rewriter, loc, type,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
         adaptor.getVariance()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inv = b.create<math::RsqrtOp>(l, b.create<arith::AddFOp>(l, a[4], eps));
          Value norm = b.create<arith::MulFOp>(l, b.create<arith::SubFOp>(l, a[0], a[3]), inv);
          return b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, norm, a[1]), a[2]);
        },
        maps);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Softmax, or with `Log` log-softmax, along one axis: the maximum, the
/// shifted exponentials, their sum, then the quotient (or `x - max - log sum`).
template <typename Op, bool Log>
struct SoftmaxLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value x = adaptor.getInput();
    SmallVector<AffineExpr> keep;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        keep.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                                AffineMap::get(rank, 0, keep, ctx)};
    Value max = reduce(rewriter, loc, x, axis, extreme(rewriter, loc, elem, /*largest=*/false),
                       [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                         return b.create<arith::MaximumFOp>(l, acc, v);
                       });
    Value e = elementwise(
        rewriter, loc, type, {x, max},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<math::ExpOp>(l, b.create<arith::SubFOp>(l, a[0], a[1]));
        },
        maps);
    Value sum = reduce(rewriter, loc, e, axis, scalar(rewriter, loc, elem, 0),
                       [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                         return b.create<arith::AddFOp>(l, acc, v);
                       });
    Value result;
    if (Log) {
      SmallVector<AffineMap> logMaps{maps[0], maps[1], maps[1]};
      result = elementwise(
          rewriter, loc, type, {x, max, sum},
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
            return b.create<arith::SubFOp>(l, shifted, b.create<math::LogOp>(l, a[2]));
          },
          logMaps);
    } else {
      result = elementwise(
          rewriter, loc, type, {e, sum},
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return b.create<arith::DivFOp>(l, a[0], a[1]);
          },
          maps);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename Op, ReduceKind Kind>
struct ReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elem = inType.getElementType();
    bool fp = isFloat(elem);
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t a : op.getAxes()) {
      axes.push_back(normalizeAxis(a, inType.getRank()));
      count *= inType.getDimSize(axes.back());
    }
    Value init;
    switch (Kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = scalar(rewriter, loc, elem, 0);
      break;
    case ReduceKind::Prod:
      init = scalar(rewriter, loc, elem, 1);
      break;
    case ReduceKind::Max:
      init = extreme(rewriter, loc, elem, /*largest=*/false);
      break;
    case ReduceKind::Min:
      init = extreme(rewriter, loc, elem, /*largest=*/true);
      break;
    }
    Value reduced = reduce(rewriter, loc, adaptor.getInput(), axes, init,
                           [&](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                             switch (Kind) {
                             case ReduceKind::Sum:
                             case ReduceKind::Mean:
                               return fp ? b.create<arith::AddFOp>(l, acc, x).getResult()
                                         : b.create<arith::AddIOp>(l, acc, x).getResult();
                             case ReduceKind::Prod:
                               return fp ? b.create<arith::MulFOp>(l, acc, x).getResult()
                                         : b.create<arith::MulIOp>(l, acc, x).getResult();
                             case ReduceKind::Max:
                               return fp ? b.create<arith::MaximumFOp>(l, acc, x).getResult()
                                         : b.create<arith::MaxSIOp>(l, acc, x).getResult();
                             case ReduceKind::Min:
                               return fp ? b.create<arith::MinimumFOp>(l, acc, x).getResult()
                                         : b.create<arith::MinSIOp>(l, acc, x).getResult();
                             }
                             llvm_unreachable("reduction kind");
                           });
    if (Kind == ReduceKind::Mean) {
      Value countV = scalar(rewriter, loc, elem, static_cast<double>(count));
      reduced = elementwise(rewriter, loc, cast<RankedTensorType>(reduced.getType()), reduced,
                            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                              return b.create<arith::DivFOp>(l, args[0], countV);
                            });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

/// CumSum: a generic over (result dims..., k) reducing over k, the input read
/// at k along the axis and counted when k <= i (k < i exclusive; k >= i or
/// k > i in reverse). Quadratic in the axis length, and simple.
struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank(), axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0));
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    auto pred = reverse ? (exclusive ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
                        : (exclusive ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, adaptor.getInput(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value k = b.create<linalg::IndexOp>(l, rank), i = b.create<linalg::IndexOp>(l, axis);
          Value counted = b.create<arith::CmpIOp>(l, pred, k, i);
          Value x = b.create<arith::SelectOp>(l, counted, args[0], scalar(b, l, elem, 0));
          b.create<linalg::YieldOp>(l, isFloat(elem)
                                           ? b.create<arith::AddFOp>(l, args[1], x).getResult()
                                           : b.create<arith::AddIOp>(l, args[1], x).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Arg max / arg min: one generic reducing the axis into a (value, index)
/// pair; a strictly better value (or, with select_last_index, an equal one)
/// takes the current index.
template <typename Op, bool IsMax>
struct ArgReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elem = inType.getElementType();
    int64_t rank = inType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool last = op.getSelectLastIndex();
    SmallVector<int64_t> outShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        iters.push_back(utils::IteratorType::reduction);
        continue;
      }
      iters.push_back(utils::IteratorType::parallel);
      outShape.push_back(inType.getDimSize(d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    Type i64 = rewriter.getI64Type();
    auto valueType = RankedTensorType::get(outShape, elem);
    auto indexType = RankedTensorType::get(outShape, i64);
    Value values = filled(rewriter, loc, valueType, extreme(rewriter, loc, elem, !IsMax));
    Value indices = filled(rewriter, loc, indexType, scalar(rewriter, loc, i64, 0));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), outMap, outMap};
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, indexType}, adaptor.getInput(), ValueRange{values, indices},
        maps, iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = b.create<arith::IndexCastOp>(l, i64, b.create<linalg::IndexOp>(l, axis));
          Value better;
          if (isFloat(elem)) {
            auto pred = IsMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT);
            better = b.create<arith::CmpFOp>(l, pred, x, best);
          } else {
            auto pred = IsMax ? (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt)
                              : (last ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt);
            better = b.create<arith::CmpIOp>(l, pred, x, best);
          }
          // The first element always counts, so an axis of only -inf (or
          // only the extreme integer) still yields a valid index.
          Value first = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, index,
                                                scalar(b, l, i64, 0));
          better = b.create<arith::OrIOp>(l, better, first);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::SelectOp>(l, better, x, best),
                            b.create<arith::SelectOp>(l, better, index, bestIndex)});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1), op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

template <typename Op>
struct ReshapeLikeLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    auto t = rewriter.create<linalg::TransposeOp>(op.getLoc(), adaptor.getInput(), init,
                                                  op.getPerm());
    rewriter.replaceOp(op, t.getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value result = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto t = cast<RankedTensorType>(in.getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      offsets[axis] = rewriter.getIndexAttr(offset);
      for (int64_t d : t.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      result = rewriter.create<tensor::InsertSliceOp>(loc, in, result, offsets, sizes, strides);
      offset += t.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertNNToLinalgPass
    : kiln::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every op the lowering cannot take before touching anything.
    bool bad = false;
    module.walk([&](Operation *op) {
      if (!isa<NNDialect>(op->getDialect()))
        return;
      SmallVector<Type> types(op->getOperandTypes());
      llvm::append_range(types, op->getResultTypes());
      for (Type t : types) {
        auto rt = dyn_cast<RankedTensorType>(t);
        if (!rt || rt.hasStaticShape())
          continue;
        op->emitOpError("expects static shapes for code generation, found ")
            << t << " (specialize symbolic dimensions with --input-shape)";
        bad = true;
        return;
      }
    });
    if (bad)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    RewritePatternSet patterns(&getContext());
    populateNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

/// Trilu: a generic over the input compares `j - i` with `k` (read from its
/// 0-d tensor) and keeps the element or yields zero.
struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    Value kTensor = adaptor.getK();
    bool upper = op.getUpper();
    Value result = elementwise(
        rewriter, op.getLoc(), type, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type i64 = b.getI64Type();
          Value i = b.create<arith::IndexCastOp>(l, i64, b.create<linalg::IndexOp>(l, rank - 2));
          Value j = b.create<arith::IndexCastOp>(l, i64, b.create<linalg::IndexOp>(l, rank - 1));
          Value k = kTensor ? b.create<tensor::ExtractOp>(l, kTensor, ValueRange{}).getResult()
                            : scalar(b, l, i64, 0);
          Value diff = b.create<arith::SubIOp>(l, j, i);
          Value keep = b.create<arith::CmpIOp>(
              l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, diff, k);
          return b.create<arith::SelectOp>(l, keep, a[0], scalar(b, l, a[0].getType(), 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct IsNaNLowering : OpConversionPattern<IsNaNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IsNaNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
                                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                         return b.create<arith::CmpFOp>(
                                             l, arith::CmpFPredicate::UNO, a[0], a[0]);
                                       }));
    return success();
  }
};

struct IsInfLowering : OpConversionPattern<IsInfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IsInfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool pos = op.getDetectPositive(), neg = op.getDetectNegative();
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
                        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                          Type t = a[0].getType();
                          Value result = scalar(b, l, b.getI1Type(), 0);
                          if (pos)
                            result = b.create<arith::OrIOp>(
                                l, result,
                                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[0],
                                                        extreme(b, l, t, /*largest=*/true)));
                          if (neg)
                            result = b.create<arith::OrIOp>(
                                l, result,
                                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[0],
                                                        extreme(b, l, t, /*largest=*/false)));
                          return result;
                        }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// One generic over the target's positions gives each position's loss and
/// weight (both 0 where the target is ignored), reading the input and the
/// weight at the clamped target; `sum` and `mean` reduce them.
struct NLLLossLowering : OpConversionPattern<NLLLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NLLLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto inType = cast<RankedTensorType>(input.getType());
    auto targetType = cast<RankedTensorType>(adaptor.getTarget().getType());
    Type elem = inType.getElementType();
    int64_t rank = targetType.getRank(), classes = inType.getDimSize(1);
    std::optional<int64_t> ignore = op.getIgnoreIndex();
    auto positionType = RankedTensorType::get(targetType.getShape(), elem);
    SmallVector<AffineMap> maps(3, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Value lossInit = rewriter.create<tensor::EmptyOp>(loc, targetType.getShape(), elem);
    Value weightInit = rewriter.create<tensor::EmptyOp>(loc, targetType.getShape(), elem);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{positionType, positionType}, adaptor.getTarget(),
        ValueRange{lossInit, weightInit}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = args[0];
          Type it = t.getType();
          Value clamped = b.create<arith::MinSIOp>(
              l, b.create<arith::MaxSIOp>(l, t, scalar(b, l, it, 0)),
              scalar(b, l, it, static_cast<double>(classes - 1)));
          Value cls = b.create<arith::IndexCastOp>(l, b.getIndexType(), clamped);
          SmallVector<Value> at{b.create<linalg::IndexOp>(l, 0), cls};
          for (int64_t d = 1; d < rank; ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d));
          Value logp = b.create<tensor::ExtractOp>(l, input, at);
          Value w = weight ? b.create<tensor::ExtractOp>(l, weight, cls).getResult()
                           : scalar(b, l, elem, 1);
          if (ignore) {
            Value ignored = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, t,
                                                    scalar(b, l, it, static_cast<double>(*ignore)));
            w = b.create<arith::SelectOp>(l, ignored, scalar(b, l, elem, 0), w);
          }
          Value loss = b.create<arith::NegFOp>(l, b.create<arith::MulFOp>(l, logp, w));
          b.create<linalg::YieldOp>(l, ValueRange{loss, w});
        });
    Value losses = generic.getResult(0);
    StringRef reduction = op.getReduction();
    if (reduction == "none") {
      rewriter.replaceOp(op, losses);
      return success();
    }
    SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
      return b.create<arith::AddFOp>(l, acc, x);
    };
    Value zero = scalar(rewriter, loc, elem, 0);
    Value total = reduce(rewriter, loc, losses, all, zero, add);
    if (reduction == "mean") {
      Value weights = reduce(rewriter, loc, generic.getResult(1), all, zero, add);
      total = elementwise(rewriter, loc, cast<RankedTensorType>(total.getType()),
                          {total, weights}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return b.create<arith::DivFOp>(l, a[0], a[1]);
                          });
    }
    rewriter.replaceOp(op, total);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Indexing and data movement on run-time values
//===----------------------------------------------------------------------===//

/// Forward windows are `tensor.extract_slice` (a view after bufferization);
/// a window with a negative stride is a generic reading
/// `offset + i * stride`.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    if (llvm::all_of(op.getStrides(), [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
          op.getOffsets(), op.getSizes(), op.getStrides());
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (auto [d, offset, stride] : llvm::enumerate(op.getOffsets(), op.getStrides()))
      exprs.push_back(getAffineDimExpr(d, ctx) * stride + offset);
    SmallVector<AffineMap> maps{AffineMap::get(type.getRank(), 0, exprs, ctx)};
    rewriter.replaceOp(op, copied(rewriter, loc, type, adaptor.getInput(), maps));
    return success();
  }
};

/// An ONNX index into a dimension of size `dim` as an `index`: a negative
/// one counts from the end, and the result is clamped into `[0, dim)`.
Value indexInRange(OpBuilder &b, Location l, Value k, int64_t dim) {
  Type it = k.getType();
  Value zero = scalar(b, l, it, 0), size = scalar(b, l, it, static_cast<double>(dim));
  Value negative = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, k, zero);
  k = b.create<arith::SelectOp>(l, negative, b.create<arith::AddIOp>(l, k, size), k);
  k = b.create<arith::MaxSIOp>(l, k, zero);
  k = b.create<arith::MinSIOp>(l, k, scalar(b, l, it, static_cast<double>(dim - 1)));
  return b.create<arith::IndexCastOp>(l, b.getIndexType(), k);
}

/// A generic over the indices reads each one and extracts the input element
/// at the same position with the axis coordinate replaced.
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value result = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getIndices(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis ? indexInRange(b, l, a[0], inType.getDimSize(axis))
                                   : b.create<linalg::IndexOp>(l, d).getResult());
          return b.create<tensor::ExtractOp>(l, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A generic over the result (the outer dims are the index tuple's position,
/// the rest the slice's) extracts the tuple's elements from the indices,
/// then the input element they name.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(input.getType());
    auto idxType = cast<RankedTensorType>(indices.getType());
    RankedTensorType type = op.getType();
    int64_t b = op.getBatchDims(), q = idxType.getRank(), m = idxType.getShape().back();
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(type.getRank())};
    SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        op.getLoc(), type, ValueRange{}, init, maps, iters,
        [&](OpBuilder &bld, Location l, ValueRange) {
          SmallVector<Value> tuplePos;
          for (int64_t d = 0; d < q - 1; ++d)
            tuplePos.push_back(bld.create<linalg::IndexOp>(l, d));
          SmallVector<Value> at;
          for (int64_t d = 0; d < b; ++d)
            at.push_back(tuplePos[d]);
          for (int64_t j = 0; j < m; ++j) {
            SmallVector<Value> pos(tuplePos);
            pos.push_back(bld.create<arith::ConstantIndexOp>(l, j));
            Value k = bld.create<tensor::ExtractOp>(l, indices, pos);
            at.push_back(indexInRange(bld, l, k, inType.getDimSize(b + j)));
          }
          for (int64_t d = b + m; d < inType.getRank(); ++d)
            at.push_back(bld.create<linalg::IndexOp>(l, q - 1 + d - (b + m)));
          bld.create<linalg::YieldOp>(l, bld.create<tensor::ExtractOp>(l, input, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// A generic over the result reads the batch entry's length and takes the
/// element at `length - 1 - t` along the time axis when `t < length`.
struct ReverseSequenceLowering : OpConversionPattern<ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), batch = op.getBatchAxis(), time = op.getTimeAxis();
    int64_t steps = type.getDimSize(time);
    SmallVector<AffineMap> maps{
        AffineMap::get(rank, 0, getAffineDimExpr(batch, rewriter.getContext())),
    };
    Value result = elementwise(
        rewriter, op.getLoc(), type, adaptor.getLengths(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type it = a[0].getType();
          Value len = b.create<arith::MinSIOp>(
              l, b.create<arith::MaxSIOp>(l, a[0], scalar(b, l, it, 0)),
              scalar(b, l, it, static_cast<double>(steps)));
          len = b.create<arith::IndexCastOp>(l, b.getIndexType(), len);
          Value t = b.create<linalg::IndexOp>(l, time);
          Value inside = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, t, len);
          Value mirrored = b.create<arith::SubIOp>(
              l, b.create<arith::SubIOp>(l, len, b.create<arith::ConstantIndexOp>(l, 1)), t);
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == time ? b.create<arith::SelectOp>(l, inside, mirrored, t).getResult()
                                   : b.create<linalg::IndexOp>(l, d).getResult());
          return b.create<tensor::ExtractOp>(l, input, at);
        },
        maps);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A generic over the result reads each index, wraps a negative one, clamps
/// it into range and extracts the input element there.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t axis = normalizeAxis(op.getAxis(), inType.getRank());
    int64_t idxRank = idxType.getRank();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < idxRank; ++d)
      idxExprs.push_back(getAffineDimExpr(axis + d, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(type.getRank(), 0, idxExprs, ctx)};
    int64_t dim = inType.getDimSize(axis);
    Value result = elementwise(
        rewriter, loc, type, adaptor.getIndices(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d));
          at.push_back(indexInRange(b, l, a[0], dim));
          for (int64_t d = axis + 1; d < inType.getRank(); ++d)
            at.push_back(b.create<linalg::IndexOp>(l, d - 1 + idxRank));
          return b.create<tensor::ExtractOp>(l, input, at);
        },
        maps);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Element conversions between float and signless integer types; integers
/// are signed, and i1 (bool) is the comparison with zero.
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

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), type, adaptor.getInput(),
                                       [&](OpBuilder &b, Location l, ValueRange a) {
                                         return convertElement(b, l, a[0],
                                                               type.getElementType());
                                       }));
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value value = scalar(rewriter, op.getLoc(), op.getType().getElementType(),
                         op.getValue().convertToDouble());
    rewriter.replaceOp(op, padSpatial(rewriter, op.getLoc(), adaptor.getInput(), op.getLow(),
                                      op.getHigh(), value, /*firstDim=*/0));
    return success();
  }
};

/// Expand is a copy with the input's broadcast indexing map.
struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, copied(rewriter, op.getLoc(), op.getType(), adaptor.getInput()));
    return success();
  }
};

/// Tile reads the input at `i mod size` in each repeated dimension.
struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<AffineExpr> exprs;
    for (auto [d, rep] : llvm::enumerate(op.getRepeats())) {
      AffineExpr e = getAffineDimExpr(d, ctx);
      exprs.push_back(rep == 1 || inType.getDimSize(d) == 0 ? e : e % inType.getDimSize(d));
    }
    SmallVector<AffineMap> maps{AffineMap::get(inType.getRank(), 0, exprs, ctx)};
    rewriter.replaceOp(op, copied(rewriter, op.getLoc(), op.getType(), adaptor.getInput(), maps));
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<
      SimpleUnary<ReluOp, ReluOpBody>, SimpleUnary<SigmoidOp, SigmoidOpBody>,
      SimpleUnary<TanhOp, TanhOpBody>, SimpleUnary<ExpOp, ExpOpBody>,
      SimpleUnary<LogOp, LogOpBody>, SimpleUnary<ErfOp, ErfOpBody>,
      SimpleUnary<SqrtOp, SqrtOpBody>, SimpleUnary<ReciprocalOp, ReciprocalOpBody>,
      SimpleUnary<NegOp, NegOpBody>, SimpleUnary<AbsOp, AbsOpBody>,
      SimpleUnary<FloorOp, FloorOpBody>, SimpleUnary<CeilOp, CeilOpBody>,
      SimpleUnary<SinOp, SinOpBody>, SimpleUnary<CosOp, CosOpBody>,
      SimpleUnary<SoftplusOp, SoftplusOpBody>, SimpleUnary<LeakyReluOp, LeakyReluOpBody>,
      SimpleUnary<EluOp, EluOpBody>, SimpleUnary<HardSigmoidOp, HardSigmoidOpBody>,
      SimpleUnary<ClipOp, ClipBody>, SimpleUnary<TanOp, TanOpBody>,
      SimpleUnary<AsinOp, AsinOpBody>, SimpleUnary<AcosOp, AcosOpBody>,
      SimpleUnary<AtanOp, AtanOpBody>, SimpleUnary<SinhOp, SinhOpBody>,
      SimpleUnary<CoshOp, CoshOpBody>, SimpleUnary<AsinhOp, AsinhOpBody>,
      SimpleUnary<AcoshOp, AcoshOpBody>, SimpleUnary<AtanhOp, AtanhOpBody>,
      SimpleUnary<RoundOp, RoundOpBody>, SimpleUnary<SignOp, SignOpBody>,
      SimpleUnary<SoftsignOp, SoftsignOpBody>, SimpleUnary<HardSwishOp, HardSwishOpBody>,
      SimpleUnary<MishOp, MishOpBody>, SimpleUnary<SeluOp, SeluOpBody>,
      SimpleUnary<CeluOp, CeluOpBody>, SimpleUnary<ThresholdedReluOp, ThresholdedReluOpBody>,
      SimpleUnary<ShrinkOp, ShrinkOpBody>, SimpleUnary<NotOp, NotOpBody>, PReluLowering,
      ModLowering, WhereLowering, PowLowering>(ctx);
  patterns.add<
      CompareLowering<EqualOp, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq>,
      CompareLowering<LessOp, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt>,
      CompareLowering<LessEqualOp, arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle>,
      CompareLowering<GreaterOp, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt>,
      CompareLowering<GreaterEqualOp, arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge>,
      BinaryLowering<AndOp, arith::AndIOp, arith::AndIOp>,
      BinaryLowering<OrOp, arith::OrIOp, arith::OrIOp>,
      BinaryLowering<XorOp, arith::XOrIOp, arith::XOrIOp>>(ctx);
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp>,

               BinaryLowering<MaxOp, arith::MaximumFOp, arith::MaxSIOp>,
               BinaryLowering<MinOp, arith::MinimumFOp, arith::MinSIOp>>(ctx);
  patterns.add<MatMulLowering, GemmLowering, ConvLowering, MaxPoolLowering,
               AveragePoolLowering, GlobalPoolLowering<GlobalAveragePoolOp, false>,
               GlobalPoolLowering<GlobalMaxPoolOp, true>, BatchNormLowering,
               SoftmaxLowering<SoftmaxOp, false>, SoftmaxLowering<LogSoftmaxOp, true>,
               ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>, ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>, ConstantLowering, ReshapeLikeLowering<ReshapeOp>,
               ReshapeLikeLowering<FlattenOp>, TransposeLowering, ConcatLowering>(ctx);
  patterns.add<CumSumLowering, EinsumLowering, TriluLowering, IsNaNLowering, IsInfLowering, NLLLossLowering, SliceLowering, GatherLowering, GatherElementsLowering, GatherNDLowering, ReverseSequenceLowering, CastLowering, PadLowering, ExpandLowering,
               TileLowering>(ctx);
}
