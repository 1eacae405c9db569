//===- Reduction.cpp - gradient rules of the reductions --------------------===//
//
// The gradient of a reduction is first brought to the input's rank with the
// reduced dims kept as size 1 ("keep shape"), then broadcast over them:
// explicitly (nn.expand) when the rule reads nothing of the input's shape,
// by the elementwise ops' numpy broadcasting otherwise. Where the forward
// result is cheaper to read than to recompute (max, l2, log_sum,
// log_sum_exp) the rule reads it.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

/// The pieces every reduction rule needs.
struct Reduced {
  RankedTensorType in;
  SmallVector<int64_t> axes;  // normalized, in [0, rank)
  RankedTensorType keepType;  // the input's shape with the reduced dims 1
  Type elem;
};

Reduced reduced(Value input, ArrayRef<int64_t> axes) {
  Reduced r;
  r.in = typeOf(input);
  r.elem = r.in.getElementType();
  SmallVector<int64_t> keep(r.in.getShape());
  for (int64_t a : axes) {
    int64_t d = a < 0 ? a + r.in.getRank() : a;
    r.axes.push_back(d);
    keep[d] = 1;
  }
  llvm::sort(r.axes);
  r.keepType = r.in.clone(keep);
  return r;
}

/// A value of the keep shape broadcast to the input's shape.
Value expandTo(GradientEmitter &e, Value v, RankedTensorType in) {
  if (v.getType() == in)
    return v;
  OpBuilder &b = e.builder();
  return b.create<ExpandOp>(e.loc(), in, v, b.getDenseI64ArrayAttr(in.getShape()));
}

Value where(GradientEmitter &e, Value c, Value a, Value b) {
  return e.builder().create<WhereOp>(e.loc(), c, a, b);
}

Value toFloat(GradientEmitter &e, Value mask, Type elem) {
  return e.builder().create<CastOp>(e.loc(), typeOf(mask).clone(elem), mask);
}

LogicalResult reduceSumGradient(ReduceSumOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  e.setOperandGrad(0, expandTo(e, g, r.in));
  return success();
}

LogicalResult reduceMeanGradient(ReduceMeanOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  int64_t count = 1;
  for (int64_t d : r.axes)
    count *= r.in.getDimSize(d);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  if (count > 1)
    g = make<MulOp>(e, g, e.scalar(r.elem, 1.0 / static_cast<double>(count)));
  e.setOperandGrad(0, expandTo(e, g, r.in));
  return success();
}

// The gradient goes to the elements equal to the extremum, split evenly
// between ties (torch.amax/amin and full torch.max/min; torch.max(x, dim),
// which ONNX export also writes as ReduceMax, gives it all to one index).
template <typename OpTy>
LogicalResult reduceExtremumGradient(OpTy op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value y = e.reshape(op.getOutput(), r.keepType);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value hit = make<EqualOp>(e, op.getInput(), y);
  Value count = e.reduceSum(toFloat(e, hit, r.elem), r.axes, /*keepDims=*/true);
  Value share = make<DivOp>(e, g, count);
  e.setOperandGrad(0, where(e, hit, share, e.scalar(r.elem, 0.0)));
  return success();
}

// d prod / d x_i = the product of the other elements, computed without
// dividing by zero: with no zero in the group it is prod / x_i; with one
// zero, only that element's gradient is non-zero (the product of the
// non-zero ones); with more, every gradient is zero.
LogicalResult reduceProdGradient(ReduceProdOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value x = op.getInput();
  Value zero = e.scalar(r.elem, 0.0), one = e.scalar(r.elem, 1.0);
  Value isZero = make<EqualOp>(e, x, zero);
  Value nonZero = where(e, isZero, one, x);
  OpBuilder &b = e.builder();
  Value prod = b.create<ReduceProdOp>(e.loc(), r.keepType, nonZero,
                                      b.getDenseI64ArrayAttr(r.axes), b.getBoolAttr(true));
  Value zeros = e.reduceSum(toFloat(e, isZero, r.elem), r.axes, /*keepDims=*/true);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value scaled = make<MulOp>(e, g, prod);
  Value ifNone = where(e, make<EqualOp>(e, zeros, zero), scaled, zero);
  Value ifOne = where(e, make<EqualOp>(e, zeros, one), scaled, zero);
  e.setOperandGrad(0, where(e, isZero, ifOne, make<DivOp>(e, ifNone, nonZero)));
  return success();
}

// sum(|x|): sign(x), 0 at 0 (torch's subgradient).
LogicalResult reduceL1Gradient(ReduceL1Op op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value sign = e.builder().create<SignOp>(e.loc(), op.getInput());
  e.setOperandGrad(0, make<MulOp>(e, sign, g));
  return success();
}

// sqrt(sum(x^2)): x / y, 0 where y is 0 (all x are then 0; torch's choice).
LogicalResult reduceL2Gradient(ReduceL2Op op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value y = e.reshape(op.getOutput(), r.keepType);
  Value zero = e.scalar(r.elem, 0.0);
  Value safe = where(e, make<EqualOp>(e, y, zero), e.scalar(r.elem, 1.0), y);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  e.setOperandGrad(0, make<MulOp>(e, op.getInput(), make<DivOp>(e, g, safe)));
  return success();
}

// sum(x^2): 2x.
LogicalResult reduceSumSquareGradient(ReduceSumSquareOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value twice = make<MulOp>(e, g, e.scalar(r.elem, 2.0));
  e.setOperandGrad(0, make<MulOp>(e, op.getInput(), twice));
  return success();
}

// log(sum(x)): 1 / sum(x) = exp(-y).
LogicalResult reduceLogSumGradient(ReduceLogSumOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value y = e.reshape(op.getOutput(), r.keepType);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value sum = e.builder().create<ExpOp>(e.loc(), y);
  e.setOperandGrad(0, expandTo(e, make<DivOp>(e, g, sum), r.in));
  return success();
}

// log(sum(exp(x))): softmax, exp(x - y).
LogicalResult reduceLogSumExpGradient(ReduceLogSumExpOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Reduced r = reduced(op.getInput(), op.getAxes());
  Value y = e.reshape(op.getOutput(), r.keepType);
  Value g = e.reshape(e.resultGradOrZeros(0), r.keepType);
  Value softmax = e.builder().create<ExpOp>(e.loc(), make<SubOp>(e, op.getInput(), y));
  e.setOperandGrad(0, make<MulOp>(e, softmax, g));
  return success();
}

// Element i of a forward running sum adds into every later result (earlier
// with reverse): the gradient is the running sum the other way, with the
// same exclusivity.
LogicalResult cumSumGradient(CumSumOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  OpBuilder &b = e.builder();
  e.setOperandGrad(0, b.create<CumSumOp>(e.loc(), typeOf(op.getInput()), e.resultGradOrZeros(0),
                                         op.getAxisAttr(), op.getExclusiveAttr(),
                                         b.getBoolAttr(!op.getReverse())));
  return success();
}

} // namespace

void kiln::nn::registerReductionGradients(MLIRContext *ctx) {
  attachGradient<ReduceSumOp, reduceSumGradient>(ctx);
  attachGradient<ReduceMeanOp, reduceMeanGradient>(ctx);
  attachGradient<ReduceMaxOp, reduceExtremumGradient<ReduceMaxOp>>(ctx);
  attachGradient<ReduceMinOp, reduceExtremumGradient<ReduceMinOp>>(ctx);
  attachGradient<ReduceProdOp, reduceProdGradient>(ctx);
  attachGradient<ReduceL1Op, reduceL1Gradient>(ctx);
  attachGradient<ReduceL2Op, reduceL2Gradient>(ctx);
  attachGradient<ReduceSumSquareOp, reduceSumSquareGradient>(ctx);
  attachGradient<ReduceLogSumOp, reduceLogSumGradient>(ctx);
  attachGradient<ReduceLogSumExpOp, reduceLogSumExpGradient>(ctx);
  attachGradient<CumSumOp, cumSumGradient>(ctx);
}
