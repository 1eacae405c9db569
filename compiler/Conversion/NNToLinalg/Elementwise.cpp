//===- Elementwise.cpp - elementwise nn ops to linalg.generic ------------===//
//
// Unary, binary (numpy broadcasting), comparison, logic, select, cast and
// mask ops: each is one parallel linalg.generic whose body is the scalar op.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

/// An elementwise generic over the result of `op`, which broadcasts
/// `inputs` by numpy's rules. With a dynamic size anywhere the result is
/// sized from the op's reified shape and every operand dimension that is
/// read directly is checked against it at run time.
Value broadcastGeneric(ConversionPatternRewriter &rewriter, Operation *op, ValueRange inputs,
                       BodyFn body) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  bool dynamic = !type.hasStaticShape() || llvm::any_of(inputs, [](Value v) {
    return !cast<RankedTensorType>(v.getType()).hasStaticShape();
  });
  if (!dynamic)
    return elementwise(rewriter, loc, type, inputs, body);
  SmallVector<Value> dyn = *resultSizes(rewriter, op);
  SmallVector<Value> sizes;
  size_t next = 0;
  for (int64_t d : type.getShape())
    sizes.push_back(ShapedType::isDynamic(d) ? dyn[next++]
                                             : rewriter.create<arith::ConstantIndexOp>(loc, d));
  assertBroadcast(rewriter, loc, op, inputs, sizes);
  return elementwise(rewriter, loc, type, inputs, body, {}, dyn);
}

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

/// -1, 0 or 1 by the sign of `x` (float or integer; unsigned is 0 or 1); a
/// NaN stays NaN, as numpy's sign (ONNX's reference) gives.
Value signOf(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value zero = scalar(b, loc, t, 0);
  Value pos, neg;
  if (isFloat(t)) {
    pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
    neg = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
    Value isNaN = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
    zero = b.create<arith::SelectOp>(loc, isNaN, x, zero);
  } else {
    pos = b.create<arith::CmpIOp>(loc, intPredicate(arith::CmpIPredicate::sgt, t), x, zero);
    neg = b.create<arith::CmpIOp>(loc, intPredicate(arith::CmpIPredicate::slt, t), x, zero);
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

KILN_UNARY(ReluOp, maxOf(b, loc, x, scalar(b, loc, t, 0)))
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
KILN_UNARY(AbsOp, isFloat(t)      ? b.create<math::AbsFOp>(loc, x).getResult()
                  : isUnsigned(t) ? x
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
      x = maxOf(b, loc, x, scalar(b, loc, t, lo->convertToDouble()));
    if (auto hi = op.getMax())
      x = minOf(b, loc, x, scalar(b, loc, t, hi->convertToDouble()));
    return x;
  }
};

/// Binary ops: one arith op for floats, another for signed integers.
/// Integer division or remainder that never traps: ONNX leaves x / 0
/// undefined and LLVM makes it poison (a crash, or garbage for the whole
/// tensor once folded). Kiln defines x / 0 and x % 0 as 0, as numpy does, and
/// x / -1 as the wrapping -x (so INT_MIN / -1 is INT_MIN), x % -1 as 0.
/// The divisor is made safe arithmetically (0 and -1 become 1), not with a
/// select: LLVM drops a select whose constant arm holds a zero lane.
/// Unsigned integers (`UnsignedOp`) only need the guard against 0.
template <typename IntOp, typename UnsignedOp>
static Value guardedIntegerDivision(OpBuilder &b, Location loc, Value x, Value y) {
  Type type = x.getType();
  Value zero = scalar(b, loc, type, 0);
  Value byZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, zero);
  if (isUnsigned(type)) {
    Value safe = b.create<arith::AddIOp>(loc, y, b.create<arith::ExtUIOp>(loc, type, byZero));
    Value r = b.create<UnsignedOp>(loc, x, safe);
    return b.create<arith::SelectOp>(loc, byZero, zero, r);
  }
  Value byMinusOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, scalar(b, loc, type, -1));
  Value safe = b.create<arith::AddIOp>(
      loc, b.create<arith::AddIOp>(loc, y, b.create<arith::ExtUIOp>(loc, type, byZero)),
      b.create<arith::ShLIOp>(loc, b.create<arith::ExtUIOp>(loc, type, byMinusOne),
                              scalar(b, loc, type, 1)));
  Value r = b.create<IntOp>(loc, x, safe);
  Value byMinusOneResult = std::is_same_v<IntOp, arith::DivSIOp>
                               ? b.create<arith::SubIOp>(loc, zero, x).getResult()
                               : zero;
  r = b.create<arith::SelectOp>(loc, byMinusOne, byMinusOneResult, r);
  return b.create<arith::SelectOp>(loc, byZero, zero, r);
}

template <typename Op, typename FloatOp, typename IntOp>
struct BinaryLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isFloat(args[0].getType()))
            return b.create<FloatOp>(loc, args[0], args[1]);
          if constexpr (std::is_same_v<IntOp, arith::DivSIOp>)
            return guardedIntegerDivision<arith::DivSIOp, arith::DivUIOp>(b, loc, args[0],
                                                                          args[1]);
          if constexpr (std::is_same_v<IntOp, arith::MaxSIOp>)
            return maxOf(b, loc, args[0], args[1]);
          if constexpr (std::is_same_v<IntOp, arith::MinSIOp>)
            return minOf(b, loc, args[0], args[1]);
          return b.create<IntOp>(loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Comparisons: an ordered float predicate, or a signed or unsigned integer
/// one by the operands' type.
template <typename Op, arith::CmpFPredicate FloatPred, arith::CmpIPredicate IntPred>
struct CompareLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isFloat(args[0].getType()))
            return b.create<arith::CmpFOp>(loc, FloatPred, args[0], args[1]);
          return b.create<arith::CmpIOp>(loc, intPredicate(IntPred, args[0].getType()), args[0],
                                         args[1]);
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
    Value result = broadcastGeneric(
        rewriter, op,
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
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0], y = args[1];
          if (isFloat(x.getType()))
            return b.create<arith::RemFOp>(loc, x, y);
          Value r = guardedIntegerDivision<arith::RemSIOp, arith::RemUIOp>(b, loc, x, y);
          if (fmod || isUnsigned(x.getType()))
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

/// `x` (an integer) to the integer power `n`, exactly and wrapping as
/// numpy's power (ONNX's reference): by squaring, over every bit of `n`.
/// numpy refuses a negative exponent; here it gives 1 for a base of 1,
/// -1 or 1 for -1 by the exponent's parity, else 0 (1 / x truncated).
Value integerPower(OpBuilder &b, Location loc, Value x, Value n) {
  Type t = x.getType(), nt = n.getType();
  unsigned bits = nt.getIntOrFloatBitWidth();
  Value nOne = scalar(b, loc, nt, 1), nZero = scalar(b, loc, nt, 0);
  Value one = scalar(b, loc, t, 1), zero = scalar(b, loc, t, 0);
  Value result = one, base = x, e = n;
  for (unsigned i = 0; i < bits; ++i) {
    Value bit = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne,
                                        b.create<arith::AndIOp>(loc, e, nOne), nZero);
    result = b.create<arith::SelectOp>(loc, bit, b.create<arith::MulIOp>(loc, result, base), result);
    if (i + 1 == bits)
      break;
    base = b.create<arith::MulIOp>(loc, base, base);
    e = b.create<arith::ShRUIOp>(loc, e, nOne);
  }
  if (isUnsigned(nt))
    return result;
  Value odd = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne,
                                      b.create<arith::AndIOp>(loc, n, nOne), nZero);
  Value minusOne = scalar(b, loc, t, -1);
  Value isOne = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, one);
  Value isMinusOne = isUnsigned(t)
                         ? b.create<arith::ConstantIntOp>(loc, 0, 1).getResult()
                         : b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, minusOne)
                               .getResult();
  Value negative = b.create<arith::SelectOp>(
      loc, isOne, one,
      b.create<arith::SelectOp>(loc, isMinusOne,
                                b.create<arith::SelectOp>(loc, odd, minusOne, one), zero));
  Value below = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, n, nZero);
  return b.create<arith::SelectOp>(loc, below, negative, result);
}

/// Pow: a float base takes the exponent in its own type; an integer base
/// with an integer exponent is raised exactly (integerPower); an integer
/// base with a float exponent is raised in f64 and converted back.
struct PowLowering : OpConversionPattern<PowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elem = op.getType().getElementType();
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (!isFloat(elem) && !isFloat(args[1].getType()))
            return integerPower(b, loc, args[0], args[1]);
          Type compute = isFloat(elem) ? elem : b.getF64Type();
          Value p = b.create<math::PowFOp>(loc, convertElement(b, loc, args[0], compute),
                                           convertElement(b, loc, args[1], compute));
          return convertElement(b, loc, p, elem);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// BitShift: shl or shrui, with shifts by the bit width or more giving 0
/// (LLVM makes them poison).
struct BitShiftLowering : OpConversionPattern<BitShiftOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BitShiftOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool left = op.getLeft();
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0], n = args[1];
          Type t = x.getType();
          Value width = scalar(b, loc, t, t.getIntOrFloatBitWidth());
          Value inRange = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, n, width);
          Value shifted = left ? b.create<arith::ShLIOp>(loc, x, n).getResult()
                               : b.create<arith::ShRUIOp>(loc, x, n).getResult();
          return b.create<arith::SelectOp>(loc, inRange, shifted, scalar(b, loc, t, 0));
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
    Value result = broadcastGeneric(
        rewriter, op, {adaptor.getLhs(), adaptor.getRhs()},
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

} // namespace

void kiln::populateNNToLinalgElementwisePatterns(RewritePatternSet &patterns) {
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
      SimpleUnary<ShrinkOp, ShrinkOpBody>, SimpleUnary<NotOp, NotOpBody>>(ctx);
  patterns.add<BinaryLowering<AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryLowering<SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryLowering<MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryLowering<DivOp, arith::DivFOp, arith::DivSIOp>,
               BinaryLowering<MaxOp, arith::MaximumFOp, arith::MaxSIOp>,
               BinaryLowering<MinOp, arith::MinimumFOp, arith::MinSIOp>,
               BinaryLowering<AndOp, arith::AndIOp, arith::AndIOp>,
               BinaryLowering<OrOp, arith::OrIOp, arith::OrIOp>,
               BinaryLowering<XorOp, arith::XOrIOp, arith::XOrIOp>, PReluLowering,
               ModLowering, PowLowering, WhereLowering, BitShiftLowering>(ctx);
  patterns.add<
      CompareLowering<EqualOp, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq>,
      CompareLowering<LessOp, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt>,
      CompareLowering<LessEqualOp, arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle>,
      CompareLowering<GreaterOp, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt>,
      CompareLowering<GreaterEqualOp, arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge>>(
      ctx);
  patterns.add<IsNaNLowering, IsInfLowering, CastLowering, TriluLowering>(ctx);
}
