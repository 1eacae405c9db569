//===- Elementwise.cpp - gradient rules of the elementwise ops -------------===//
//
// Binary ops broadcast by numpy's rules, so each operand's gradient is the
// result's gradient summed back to the operand's shape (unbroadcast).
// Derivatives are written in terms of the op's result where that is cheaper
// (exp, tanh, sigmoid, sqrt, reciprocal, tan) so backward reads what forward
// kept. At kinks and ties the rules take PyTorch 1.13's choice (checked
// against torch.autograd); docs/training.md lists them.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

/// Sets operand i's gradient to `g` summed to its shape, when it needs one.
void setBroadcast(GradientEmitter &e, unsigned i, function_ref<Value()> g) {
  if (e.needs(i))
    e.setOperandGrad(i, e.unbroadcast(g(), typeOf(e.getOp()->getOperand(i))));
}

LogicalResult addGradient(AddOp op, GradientEmitter &e) {
  Value g = e.resultGradOrZeros(0);
  setBroadcast(e, 0, [&] { return g; });
  setBroadcast(e, 1, [&] { return g; });
  return success();
}

LogicalResult subGradient(SubOp op, GradientEmitter &e) {
  Value g = e.resultGradOrZeros(0);
  setBroadcast(e, 0, [&] { return g; });
  setBroadcast(e, 1, [&] { return make<NegOp>(e, g); });
  return success();
}

LogicalResult mulGradient(MulOp op, GradientEmitter &e) {
  Value g = e.resultGradOrZeros(0);
  setBroadcast(e, 0, [&] { return make<MulOp>(e, g, op.getRhs()); });
  setBroadcast(e, 1, [&] { return make<MulOp>(e, g, op.getLhs()); });
  return success();
}

// d(l/r) = dl / r - dr * (l/r) / r.
LogicalResult divGradient(DivOp op, GradientEmitter &e) {
  if (!isa<FloatType>(elemOf(op.getLhs())))
    return op.emitOpError("expects a float element type for a gradient, found ")
           << elemOf(op.getLhs());
  Value g = e.resultGradOrZeros(0);
  Value gOverR;
  auto scaled = [&] {
    if (!gOverR)
      gOverR = make<DivOp>(e, g, op.getRhs());
    return gOverR;
  };
  setBroadcast(e, 0, scaled);
  setBroadcast(e, 1, [&] { return make<NegOp>(e, make<MulOp>(e, scaled(), op.getOutput())); });
  return success();
}

LogicalResult negGradient(NegOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, make<NegOp>(e, e.resultGradOrZeros(0)));
  return success();
}

// The subgradient at 0 is 0, as in PyTorch. The mask reads the output
// (relu(x) > 0 exactly where x > 0, NaN included): backward then keeps the
// ReLU's output, which the next layer keeps anyway, and not its input, which
// elementwise fusion no longer has to write out (a batch norm's output).
LogicalResult reluGradient(ReluOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value zero = e.scalar(elemOf(op.getInput()), 0.0);
  Value positive = make<GreaterOp>(e, op.getOutput(), zero);
  e.setOperandGrad(0, e.builder().create<WhereOp>(e.loc(), positive, e.resultGradOrZeros(0), zero));
  return success();
}

LogicalResult expGradient(ExpOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, make<MulOp>(e, e.resultGradOrZeros(0), op.getOutput()));
  return success();
}

LogicalResult logGradient(LogOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, make<DivOp>(e, e.resultGradOrZeros(0), op.getInput()));
  return success();
}

// d sqrt(x) = 0.5 / sqrt(x).
LogicalResult sqrtGradient(SqrtOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value half = e.scalar(elemOf(op.getInput()), 0.5);
  e.setOperandGrad(0, make<DivOp>(e, make<MulOp>(e, e.resultGradOrZeros(0), half),
                                  op.getOutput()));
  return success();
}

// d tanh(x) = 1 - tanh(x)^2.
LogicalResult tanhGradient(TanhOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value y = op.getOutput();
  Value one = e.scalar(elemOf(y), 1.0);
  Value d = make<SubOp>(e, one, make<MulOp>(e, y, y));
  e.setOperandGrad(0, make<MulOp>(e, e.resultGradOrZeros(0), d));
  return success();
}

// d sigmoid(x) = s (1 - s).
LogicalResult sigmoidGradient(SigmoidOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value y = op.getOutput();
  Value one = e.scalar(elemOf(y), 1.0);
  Value d = make<MulOp>(e, y, make<SubOp>(e, one, y));
  e.setOperandGrad(0, make<MulOp>(e, e.resultGradOrZeros(0), d));
  return success();
}

// d (1/x) = -(1/x)^2.
LogicalResult reciprocalGradient(ReciprocalOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value y = op.getOutput();
  e.setOperandGrad(0, make<NegOp>(e, make<MulOp>(e, e.resultGradOrZeros(0), make<MulOp>(e, y, y))));
  return success();
}

//===----------------------------------------------------------------------===//
// Unary ops: the result's gradient times the derivative
//===----------------------------------------------------------------------===//

Value cst(GradientEmitter &e, Value like, double v) { return e.scalar(elemOf(like), v); }
Value select(GradientEmitter &e, Value cond, Value a, Value b) {
  return e.builder().create<WhereOp>(e.loc(), cond, a, b);
}
Value square(GradientEmitter &e, Value x) { return make<MulOp>(e, x, x); }

/// A unary rule: dx = dy * Deriv(op), the derivative at the op's input.
template <typename OpTy, Value (*Deriv)(OpTy, GradientEmitter &)>
LogicalResult chainGradient(OpTy op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, make<MulOp>(e, e.resultGradOrZeros(0), Deriv(op, e)));
  return success();
}

/// Piecewise-constant ops (floor, ceil, round, sign): zero almost everywhere,
/// and zero at the jumps too, as PyTorch.
template <typename OpTy>
LogicalResult zeroGradient(OpTy op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.zeros(typeOf(op->getOperand(0))));
  return success();
}

Value sinDeriv(SinOp op, GradientEmitter &e) { return make<CosOp>(e, op.getInput()); }
Value cosDeriv(CosOp op, GradientEmitter &e) {
  return make<NegOp>(e, make<SinOp>(e, op.getInput()));
}
// 1 + tan(x)^2.
Value tanDeriv(TanOp op, GradientEmitter &e) {
  Value y = op.getOutput();
  return make<AddOp>(e, cst(e, y, 1.0), square(e, y));
}
// 1 / sqrt(1 - x^2).
Value asinDeriv(AsinOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, make<SqrtOp>(e, make<SubOp>(e, cst(e, x, 1.0), square(e, x))));
}
Value acosDeriv(AcosOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<NegOp>(e, make<ReciprocalOp>(
                            e, make<SqrtOp>(e, make<SubOp>(e, cst(e, x, 1.0), square(e, x)))));
}
Value atanDeriv(AtanOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, make<AddOp>(e, cst(e, x, 1.0), square(e, x)));
}
Value sinhDeriv(SinhOp op, GradientEmitter &e) { return make<CoshOp>(e, op.getInput()); }
Value coshDeriv(CoshOp op, GradientEmitter &e) { return make<SinhOp>(e, op.getInput()); }
Value asinhDeriv(AsinhOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, make<SqrtOp>(e, make<AddOp>(e, square(e, x), cst(e, x, 1.0))));
}
Value acoshDeriv(AcoshOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, make<SqrtOp>(e, make<SubOp>(e, square(e, x), cst(e, x, 1.0))));
}
Value atanhDeriv(AtanhOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, make<SubOp>(e, cst(e, x, 1.0), square(e, x)));
}
// 2 / sqrt(pi) * exp(-x^2).
Value erfDeriv(ErfOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<MulOp>(e, cst(e, x, 1.1283791670955126),
                     make<ExpOp>(e, make<NegOp>(e, square(e, x))));
}
// sign(x): 0 at 0, as PyTorch's abs.
Value absDeriv(AbsOp op, GradientEmitter &e) { return make<SignOp>(e, op.getInput()); }
Value softplusDeriv(SoftplusOp op, GradientEmitter &e) {
  return make<SigmoidOp>(e, op.getInput());
}
// 1 / (1 + |x|)^2.
Value softsignDeriv(SoftsignOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return make<ReciprocalOp>(e, square(e, make<AddOp>(e, cst(e, x, 1.0), make<AbsOp>(e, x))));
}
// With t = tanh(softplus(x)): t + x * sigmoid(x) * (1 - t^2).
Value mishDeriv(MishOp op, GradientEmitter &e) {
  Value x = op.getInput();
  Value t = make<TanhOp>(e, make<SoftplusOp>(e, x));
  Value dt = make<SubOp>(e, cst(e, x, 1.0), square(e, t));
  return make<AddOp>(e, t, make<MulOp>(e, make<MulOp>(e, x, make<SigmoidOp>(e, x)), dt));
}
// PyTorch takes the negative slope at 0.
Value leakyReluDeriv(LeakyReluOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return select(e, make<GreaterOp>(e, x, cst(e, x, 0.0)), cst(e, x, 1.0),
                cst(e, x, op.getAlpha().convertToDouble()));
}
// The exponential branch at 0 (alpha), as PyTorch.
Value eluDeriv(EluOp op, GradientEmitter &e) {
  Value x = op.getInput();
  double alpha = op.getAlpha().convertToDouble();
  return select(e, make<GreaterOp>(e, x, cst(e, x, 0.0)), cst(e, x, 1.0),
                make<MulOp>(e, cst(e, x, alpha), make<ExpOp>(e, x)));
}
Value seluDeriv(SeluOp op, GradientEmitter &e) {
  Value x = op.getInput();
  double alpha = op.getAlpha().convertToDouble(), gamma = op.getGamma().convertToDouble();
  return select(e, make<GreaterOp>(e, x, cst(e, x, 0.0)), cst(e, x, gamma),
                make<MulOp>(e, cst(e, x, gamma * alpha), make<ExpOp>(e, x)));
}
Value celuDeriv(CeluOp op, GradientEmitter &e) {
  Value x = op.getInput();
  double alpha = op.getAlpha().convertToDouble();
  return select(e, make<GreaterOp>(e, x, cst(e, x, 0.0)), cst(e, x, 1.0),
                make<ExpOp>(e, make<MulOp>(e, x, cst(e, x, 1.0 / alpha))));
}
// alpha strictly inside the linear part (PyTorch's hardsigmoid: 0 at the kinks).
Value hardSigmoidDeriv(HardSigmoidOp op, GradientEmitter &e) {
  Value x = op.getInput();
  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  Value v = make<AddOp>(e, make<MulOp>(e, x, cst(e, x, alpha)), cst(e, x, beta));
  Value zero = cst(e, x, 0.0);
  return select(e, make<GreaterOp>(e, v, zero),
                select(e, make<LessOp>(e, v, cst(e, x, 1.0)), cst(e, x, alpha), zero), zero);
}
// 0 below -3, x / 3 + 1/2 on [-3, 3), 1 from 3 on: PyTorch 1.13's vectorized
// hardswish_backward (its scalar tail loop takes 3/2 at 3 instead; the
// vectorized one is what tensors of 8 doubles or more get).
Value hardSwishDeriv(HardSwishOp op, GradientEmitter &e) {
  Value x = op.getInput();
  Value mid = make<AddOp>(e, make<MulOp>(e, x, cst(e, x, 1.0 / 3.0)), cst(e, x, 0.5));
  return select(e, make<LessOp>(e, x, cst(e, x, -3.0)), cst(e, x, 0.0),
                select(e, make<LessOp>(e, x, cst(e, x, 3.0)), mid, cst(e, x, 1.0)));
}
// 1 above the threshold, 0 at and below it (PyTorch's threshold).
Value thresholdedReluDeriv(ThresholdedReluOp op, GradientEmitter &e) {
  Value x = op.getInput();
  return select(e, make<GreaterOp>(e, x, cst(e, x, op.getAlpha().convertToDouble())),
                cst(e, x, 1.0), cst(e, x, 0.0));
}
// 1 outside [-lambd, lambd], 0 on it (PyTorch's hardshrink/softshrink).
Value shrinkDeriv(ShrinkOp op, GradientEmitter &e) {
  Value x = op.getInput();
  double lambd = op.getLambd().convertToDouble();
  Value one = cst(e, x, 1.0);
  return select(e, make<LessOp>(e, x, cst(e, x, -lambd)), one,
                select(e, make<GreaterOp>(e, x, cst(e, x, lambd)), one, cst(e, x, 0.0)));
}
// 1 on [min, max], bounds included (PyTorch's clamp), 0 outside.
Value clipDeriv(ClipOp op, GradientEmitter &e) {
  Value x = op.getInput();
  Value one = cst(e, x, 1.0), zero = cst(e, x, 0.0);
  Value d = one;
  if (auto max = op.getMax())
    d = select(e, make<GreaterOp>(e, x, cst(e, x, max->convertToDouble())), zero, d);
  if (auto min = op.getMin())
    d = select(e, make<LessOp>(e, x, cst(e, x, min->convertToDouble())), zero, d);
  return d;
}

/// Identity on the values: the gradient converted back to the input's type
/// (only float-to-float casts carry a gradient: an integer result is never
/// differentiated, an integer input never needs one).
LogicalResult castGradient(CastOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  auto inType = typeOf(op.getInput());
  if (!isa<FloatType>(elemOf(op.getOutput()))) {
    e.setOperandGrad(0, e.zeros(inType));
    return success();
  }
  e.setOperandGrad(0, e.builder().create<CastOp>(e.loc(), inType, e.resultGradOrZeros(0)));
  return success();
}

//===----------------------------------------------------------------------===//
// Binary and ternary ops
//===----------------------------------------------------------------------===//

/// `value` converted to element type `elem` (same shape).
Value castTo(GradientEmitter &e, Value value, Type elem) {
  if (elemOf(value) == elem)
    return value;
  return e.builder().create<CastOp>(e.loc(), typeOf(value).clone(elem), value);
}

// PyTorch's pow: d lhs = rhs * lhs^(rhs - 1), 0 where rhs == 0; d rhs =
// lhs^rhs * log(lhs), 0 where lhs == 0 and rhs >= 0. A float rhs of another
// type computes in lhs's type and converts back.
LogicalResult powGradient(PowOp op, GradientEmitter &e) {
  Value l = op.getLhs(), y = op.getOutput();
  if (!e.needs(0) && !e.needs(1))
    return success();
  Value g = e.resultGradOrZeros(0);
  Value r = castTo(e, op.getRhs(), elemOf(l));
  Value zero = cst(e, l, 0.0);
  setBroadcast(e, 0, [&] {
    Value d = make<MulOp>(e, r, make<PowOp>(e, l, make<SubOp>(e, r, cst(e, l, 1.0))));
    return select(e, make<EqualOp>(e, r, zero), zero, make<MulOp>(e, g, d));
  });
  if (e.needs(1)) {
    Value d = make<MulOp>(e, make<MulOp>(e, g, y), make<LogOp>(e, l));
    Value atZero = make<AndOp>(e, make<EqualOp>(e, l, zero), make<GreaterEqualOp>(e, r, zero));
    Value dr = select(e, atZero, zero, d);
    auto rType = typeOf(op.getRhs());
    dr = e.unbroadcast(dr, typeOf(r));
    e.setOperandGrad(1, castTo(e, dr, rType.getElementType()));
  }
  return success();
}

// PyTorch's maximum/minimum: the gradient goes to the larger (smaller)
// operand; a tie splits it evenly between both.
template <typename OpTy, bool IsMax>
LogicalResult extremumGradient(OpTy op, GradientEmitter &e) {
  Value l = op.getLhs(), r = op.getRhs();
  if (!e.needs(0) && !e.needs(1))
    return success();
  Value g = e.resultGradOrZeros(0);
  Value zero = cst(e, l, 0.0);
  Value half = make<MulOp>(e, g, cst(e, l, 0.5));
  Value tie = make<EqualOp>(e, l, r);
  auto share = [&](Value self, Value other) {
    Value wins = IsMax ? make<GreaterOp>(e, self, other) : make<LessOp>(e, self, other);
    return select(e, wins, g, select(e, tie, half, zero));
  };
  setBroadcast(e, 0, [&] { return share(l, r); });
  setBroadcast(e, 1, [&] { return share(r, l); });
  return success();
}

// PyTorch's fmod: d lhs = 1, d rhs = -trunc(lhs / rhs) (floats always take
// fmod; integers never get a gradient).
LogicalResult modGradient(ModOp op, GradientEmitter &e) {
  Value l = op.getLhs(), r = op.getRhs();
  Value g = e.resultGradOrZeros(0);
  setBroadcast(e, 0, [&] { return g; });
  setBroadcast(e, 1, [&] {
    Value q = make<DivOp>(e, l, r);
    Value whole = select(e, make<LessOp>(e, q, cst(e, l, 0.0)), make<CeilOp>(e, q),
                         make<FloorOp>(e, q));
    return make<NegOp>(e, make<MulOp>(e, g, whole));
  });
  return success();
}

// PyTorch's prelu: the slope's branch at 0; d slope = x where x <= 0.
LogicalResult preluGradient(PReluOp op, GradientEmitter &e) {
  Value x = op.getLhs(), slope = op.getRhs();
  Value g = e.resultGradOrZeros(0);
  Value positive = make<GreaterOp>(e, x, cst(e, x, 0.0));
  setBroadcast(e, 0, [&] { return select(e, positive, g, make<MulOp>(e, g, slope)); });
  setBroadcast(e, 1, [&] { return select(e, positive, cst(e, x, 0.0), make<MulOp>(e, g, x)); });
  return success();
}

// Each branch gets the gradient where it was picked; the condition has none.
LogicalResult whereGradient(WhereOp op, GradientEmitter &e) {
  Value c = op.getCondition();
  Value g = e.resultGradOrZeros(0);
  auto zero = [&] { return cst(e, op.getOutput(), 0.0); };
  setBroadcast(e, 1, [&] { return select(e, c, g, zero()); });
  setBroadcast(e, 2, [&] { return select(e, c, zero(), g); });
  return success();
}

} // namespace

void kiln::nn::registerElementwiseGradients(MLIRContext *ctx) {
  attachGradient<AddOp, addGradient>(ctx);
  attachGradient<SubOp, subGradient>(ctx);
  attachGradient<MulOp, mulGradient>(ctx);
  attachGradient<DivOp, divGradient>(ctx);
  attachGradient<NegOp, negGradient>(ctx);
  attachGradient<ReluOp, reluGradient>(ctx);
  attachGradient<ExpOp, expGradient>(ctx);
  attachGradient<LogOp, logGradient>(ctx);
  attachGradient<SqrtOp, sqrtGradient>(ctx);
  attachGradient<TanhOp, tanhGradient>(ctx);
  attachGradient<SigmoidOp, sigmoidGradient>(ctx);
  attachGradient<ReciprocalOp, reciprocalGradient>(ctx);
  attachGradient<SinOp, chainGradient<SinOp, sinDeriv>>(ctx);
  attachGradient<CosOp, chainGradient<CosOp, cosDeriv>>(ctx);
  attachGradient<TanOp, chainGradient<TanOp, tanDeriv>>(ctx);
  attachGradient<AsinOp, chainGradient<AsinOp, asinDeriv>>(ctx);
  attachGradient<AcosOp, chainGradient<AcosOp, acosDeriv>>(ctx);
  attachGradient<AtanOp, chainGradient<AtanOp, atanDeriv>>(ctx);
  attachGradient<SinhOp, chainGradient<SinhOp, sinhDeriv>>(ctx);
  attachGradient<CoshOp, chainGradient<CoshOp, coshDeriv>>(ctx);
  attachGradient<AsinhOp, chainGradient<AsinhOp, asinhDeriv>>(ctx);
  attachGradient<AcoshOp, chainGradient<AcoshOp, acoshDeriv>>(ctx);
  attachGradient<AtanhOp, chainGradient<AtanhOp, atanhDeriv>>(ctx);
  attachGradient<ErfOp, chainGradient<ErfOp, erfDeriv>>(ctx);
  attachGradient<AbsOp, chainGradient<AbsOp, absDeriv>>(ctx);
  attachGradient<SoftplusOp, chainGradient<SoftplusOp, softplusDeriv>>(ctx);
  attachGradient<SoftsignOp, chainGradient<SoftsignOp, softsignDeriv>>(ctx);
  attachGradient<MishOp, chainGradient<MishOp, mishDeriv>>(ctx);
  attachGradient<LeakyReluOp, chainGradient<LeakyReluOp, leakyReluDeriv>>(ctx);
  attachGradient<EluOp, chainGradient<EluOp, eluDeriv>>(ctx);
  attachGradient<SeluOp, chainGradient<SeluOp, seluDeriv>>(ctx);
  attachGradient<CeluOp, chainGradient<CeluOp, celuDeriv>>(ctx);
  attachGradient<HardSigmoidOp, chainGradient<HardSigmoidOp, hardSigmoidDeriv>>(ctx);
  attachGradient<HardSwishOp, chainGradient<HardSwishOp, hardSwishDeriv>>(ctx);
  attachGradient<ThresholdedReluOp, chainGradient<ThresholdedReluOp, thresholdedReluDeriv>>(ctx);
  attachGradient<ShrinkOp, chainGradient<ShrinkOp, shrinkDeriv>>(ctx);
  attachGradient<ClipOp, chainGradient<ClipOp, clipDeriv>>(ctx);
  attachGradient<FloorOp, zeroGradient<FloorOp>>(ctx);
  attachGradient<CeilOp, zeroGradient<CeilOp>>(ctx);
  attachGradient<RoundOp, zeroGradient<RoundOp>>(ctx);
  attachGradient<SignOp, zeroGradient<SignOp>>(ctx);
  attachGradient<CastOp, castGradient>(ctx);
  attachGradient<PowOp, powGradient>(ctx);
  attachGradient<MaxOp, extremumGradient<MaxOp, true>>(ctx);
  attachGradient<MinOp, extremumGradient<MinOp, false>>(ctx);
  attachGradient<ModOp, modGradient>(ctx);
  attachGradient<PReluOp, preluGradient>(ctx);
  attachGradient<WhereOp, whereGradient>(ctx);
}
