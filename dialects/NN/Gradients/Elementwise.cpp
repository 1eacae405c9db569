//===- Elementwise.cpp - gradient rules of the elementwise ops -------------===//
//
// Binary ops broadcast by numpy's rules, so each operand's gradient is the
// result's gradient summed back to the operand's shape (unbroadcast).
// Derivatives are written in terms of the op's result where that is cheaper
// (exp, tanh, sigmoid, sqrt, reciprocal) so backward reads what forward kept.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Type elemOf(Value v) { return typeOf(v).getElementType(); }

template <typename OpTy>
Value make(GradientEmitter &e, Value a, Value b) {
  return e.builder().create<OpTy>(e.loc(), a, b);
}
template <typename OpTy>
Value make(GradientEmitter &e, Value a) {
  return e.builder().create<OpTy>(e.loc(), a);
}

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

// The subgradient at 0 is 0, as in PyTorch.
LogicalResult reluGradient(ReluOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value zero = e.scalar(elemOf(op.getInput()), 0.0);
  Value positive = make<GreaterOp>(e, op.getInput(), zero);
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
}
