//===- Normalization.cpp - gradient rules of softmax and the norms ---------===//
//
// Softmax and log-softmax differentiate through their result. The norms that
// normalize with their own statistics differentiate through the mean and the
// variance: layer norm here, and the per-channel ones (instance norm here,
// training-mode batch norm in Training.cpp) through channelNormGradient
// (NormalizeGradient.h). Inference batch norm's statistics are operands, so
// each of its five operands gets its own plain formula.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"
#include "dialects/NN/Gradients/NormalizeGradient.h"
#include "dialects/NN/IR/NNStatistics.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

Value reduceMean(GradientEmitter &e, Value v, ArrayRef<int64_t> axes) {
  return e.builder().create<ReduceMeanOp>(e.loc(), v, e.builder().getDenseI64ArrayAttr(axes),
                                          e.builder().getBoolAttr(true));
}

/// Reductions over the batch and the spatial dims (batch norm's) in two
/// steps, the batch first: that one keeps the innermost dim parallel, so it
/// vectorizes as elementwise adds, and leaves 1/N of the data to the second
/// (a reduction along the innermost dim vectorizes poorly on the CPU).
/// nn-decompose's batch_norm_training reduces alike, so CSE shares the
/// forward's statistics with these.
bool batchFirst(ArrayRef<int64_t> axes) { return axes.size() > 1 && axes.front() == 0; }
Value statMean(GradientEmitter &e, Value v, ArrayRef<int64_t> axes) {
  if (!batchFirst(axes))
    return reduceMean(e, v, axes);
  return reduceMean(e, reduceMean(e, v, axes.take_front()), axes.drop_front());
}
Value statSum(GradientEmitter &e, Value v, ArrayRef<int64_t> axes) {
  if (!batchFirst(axes))
    return e.reduceSum(v, axes, /*keepDims=*/true);
  return e.reduceSum(e.reduceSum(v, axes.take_front(), /*keepDims=*/true), axes.drop_front(),
                     /*keepDims=*/true);
}
int64_t positiveAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

/// Statistics of `x` over `axes`, kept as size-1 dims: the mean and
/// 1 / sqrt(E[(x - mean)^2] + epsilon), built as nn-decompose builds the
/// forward's so that CSE shares them.
struct NormalizeStats {
  Value mean, invStd;
};
NormalizeStats computeNormalizeStats(GradientEmitter &e, Value x, ArrayRef<int64_t> axes,
                                     double epsilon) {
  Value mean, var;
  if (!axes.empty() && axes.front() == 0) {
    // Batch norm's (over the batch and more): one pass, as nn-decompose builds them (NNStatistics.h).
    BatchStatistics stats = buildBatchStatistics(e.builder(), e.loc(), x, axes);
    mean = stats.mean;
    var = stats.variance;
  } else {
    mean = statMean(e, x, axes);
    Value centered = make<SubOp>(e, x, mean);
    var = statMean(e, make<MulOp>(e, centered, centered), axes);
  }
  Value invStd = make<ReciprocalOp>(
      e, make<SqrtOp>(e, make<AddOp>(e, var, e.scalar(elemOf(x), epsilon))));
  return {mean, invStd};
}

/// x_hat = (x - mean) * invStd, broadcast to x's shape.
Value normalized(GradientEmitter &e, Value x, const NormalizeStats &stats) {
  return make<MulOp>(e, make<SubOp>(e, x, stats.mean), stats.invStd);
}

/// The gradient with respect to x of x_hat = (x - mean(x)) * invStd(x), the
/// statistics over `axes`, given dx_hat (x's shape):
/// invStd * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)).
Value normalizeInputGradient(GradientEmitter &e, Value dxHat, Value xHat, Value invStd,
                             ArrayRef<int64_t> axes) {
  Value meanD = reduceMean(e, dxHat, axes);
  Value meanDX = reduceMean(e, make<MulOp>(e, dxHat, xHat), axes);
  Value inner = make<SubOp>(e, make<SubOp>(e, dxHat, meanD), make<MulOp>(e, xHat, meanDX));
  return make<MulOp>(e, inner, invStd);
}

} // namespace

//===----------------------------------------------------------------------===//
// Shared with Training.cpp and Loss.cpp (NormalizeGradient.h)
//===----------------------------------------------------------------------===//

SmallVector<int64_t> kiln::nn::allAxesBut(int64_t rank, ArrayRef<int64_t> keep) {
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(keep, d))
      axes.push_back(d);
  return axes;
}

Value kiln::nn::alongChannels(GradientEmitter &e, Value v, int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = typeOf(v).getDimSize(0);
  return e.reshape(v, RankedTensorType::get(shape, elemOf(v)));
}

// With per-channel scale, sum(dy) and sum(dy * x_hat) over the statistics'
// axes give both the parameter gradients and the two means of the input
// gradient: two reductions instead of four.
//   dx = scale * inv_std * (dy - sum(dy) / M - x_hat * sum(dy * x_hat) / M)
ChannelNormGrads kiln::nn::channelNormGradient(GradientEmitter &e, Value x, Value dy,
                                               Value scale, ArrayRef<int64_t> axes,
                                               double epsilon, bool input, bool scaleGrad,
                                               bool bias) {
  auto xType = typeOf(x);
  int64_t rank = xType.getRank();
  Type elem = xType.getElementType();
  int64_t count = 1;
  for (int64_t a : axes)
    count *= xType.getDimSize(a);
  NormalizeStats stats = computeNormalizeStats(e, x, axes, epsilon);
  Value xHat = normalized(e, x, stats);
  Value sumG = statSum(e, dy, axes);
  Value sumGX;
  if (input || scaleGrad)
    sumGX = statSum(e, make<MulOp>(e, dy, xHat), axes);
  // The per-(n, c) sums of instance norm still add up over the batch.
  auto perChannel = [&](Value v) {
    auto t = typeOf(v);
    SmallVector<int64_t> rest;
    for (int64_t d : allAxesBut(rank, {1}))
      if (t.getDimSize(d) != 1)
        rest.push_back(d);
    return e.reshape(e.reduceSum(v, rest, /*keepDims=*/true), typeOf(scale));
  };
  ChannelNormGrads grads;
  if (input) {
    Value inv = e.scalar(elem, 1.0 / count);
    Value inner = make<SubOp>(e, make<SubOp>(e, dy, make<MulOp>(e, sumG, inv)),
                              make<MulOp>(e, xHat, make<MulOp>(e, sumGX, inv)));
    Value coef = make<MulOp>(e, stats.invStd, alongChannels(e, scale, rank));
    grads.input = make<MulOp>(e, inner, coef);
  }
  if (scaleGrad)
    grads.scale = perChannel(sumGX);
  if (bias)
    grads.bias = perChannel(sumG);
  return grads;
}

namespace {

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

// dx = y * (dy - sum(dy * y)) along the axis.
LogicalResult softmaxGradient(SoftmaxOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value y = op.getOutput(), g = e.resultGradOrZeros(0);
  int64_t axis = positiveAxis(op.getAxis(), typeOf(y).getRank());
  Value dot = e.reduceSum(make<MulOp>(e, g, y), {axis}, /*keepDims=*/true);
  e.setOperandGrad(0, make<MulOp>(e, y, make<SubOp>(e, g, dot)));
  return success();
}

// dx = dy - exp(y) * sum(dy) along the axis.
LogicalResult logSoftmaxGradient(LogSoftmaxOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value y = op.getOutput(), g = e.resultGradOrZeros(0);
  int64_t axis = positiveAxis(op.getAxis(), typeOf(y).getRank());
  Value sum = e.reduceSum(g, {axis}, /*keepDims=*/true);
  e.setOperandGrad(0, make<SubOp>(e, g, make<MulOp>(e, make<ExpOp>(e, y), sum)));
  return success();
}

// Piecewise constant in its input: zero, as argmax-style ops in PyTorch.
LogicalResult hardmaxGradient(HardmaxOp op, GradientEmitter &e) {
  if (e.needs(0))
    e.setOperandGrad(0, e.zeros(typeOf(op.getInput())));
  return success();
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

// y = (x - mean) * r * scale + bias with r = 1 / sqrt(var + eps), all [C]
// along dimension 1 and read as given (inference):
//   dx = dy * scale * r            dbias = sum(dy)
//   dscale = sum(dy * (x - mean) * r)
//   dmean = -dbias * scale * r     dvar = -sum(dy * (x - mean)) * scale * r^3 / 2
// the sums over every dimension but 1.
LogicalResult batchNormGradient(BatchNormOp op, GradientEmitter &e) {
  Value x = op.getInput();
  int64_t rank = typeOf(x).getRank();
  Type elem = elemOf(x);
  Value g = e.resultGradOrZeros(0);
  SmallVector<int64_t> axes = allAxesBut(rank, {1});
  Value r = make<ReciprocalOp>(
      e, make<SqrtOp>(e, make<AddOp>(e, op.getVariance(),
                                     e.scalar(elem, op.getEpsilon().convertToDouble()))));
  Value scaleR = make<MulOp>(e, op.getScale(), r);
  if (e.needs(0))
    e.setOperandGrad(0, make<MulOp>(e, g, alongChannels(e, scaleR, rank)));
  Value sumG;
  if (e.needs(2) || e.needs(3)) {
    sumG = e.reduceSum(g, axes, /*keepDims=*/false);
    if (e.needs(2))
      e.setOperandGrad(2, sumG);
    if (e.needs(3))
      e.setOperandGrad(3, make<NegOp>(e, make<MulOp>(e, sumG, scaleR)));
  }
  if (e.needs(1) || e.needs(4)) {
    Value centered = make<SubOp>(e, x, alongChannels(e, op.getMean(), rank));
    Value sumGC = e.reduceSum(make<MulOp>(e, g, centered), axes, /*keepDims=*/false);
    if (e.needs(1))
      e.setOperandGrad(1, make<MulOp>(e, sumGC, r));
    if (e.needs(4)) {
      Value coef = make<MulOp>(e, make<MulOp>(e, scaleR, make<MulOp>(e, r, r)),
                               e.scalar(elem, -0.5));
      e.setOperandGrad(4, make<MulOp>(e, sumGC, coef));
    }
  }
  return success();
}

// Over the trailing dimensions [axis, rank), with M elements each:
//   dx = normalizeInputGradient(dy * scale)
//        + dmean / M - dinv_std * inv_std^2 * x_hat / M
// (the last two only when the statistics results are used);
// dscale and dbias are dy * x_hat and dy summed back to their shapes.
LogicalResult layerNormGradient(LayerNormOp op, GradientEmitter &e) {
  Value x = op.getInput();
  auto xType = typeOf(x);
  int64_t rank = xType.getRank();
  int64_t axis = positiveAxis(op.getAxis(), rank);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t d = axis; d < rank; ++d) {
    axes.push_back(d);
    count *= xType.getDimSize(d);
  }
  Type elem = elemOf(x);
  Value g = e.resultGradOrZeros(0);
  Value invStd = op.getInvStdDev();
  Value xHat = make<MulOp>(e, make<SubOp>(e, x, op.getMean()), invStd);
  if (e.needs(0)) {
    Value dx = normalizeInputGradient(e, make<MulOp>(e, g, op.getScale()), xHat, invStd, axes);
    if (Value gMean = e.resultGrad(1))
      dx = make<AddOp>(e, dx, make<MulOp>(e, gMean, e.scalar(elem, 1.0 / count)));
    if (Value gInv = e.resultGrad(2)) {
      Value coef = make<MulOp>(e, make<MulOp>(e, gInv, make<MulOp>(e, invStd, invStd)),
                               e.scalar(elem, -1.0 / count));
      dx = make<AddOp>(e, dx, make<MulOp>(e, xHat, coef));
    }
    e.setOperandGrad(0, dx);
  }
  if (e.needs(1))
    e.setOperandGrad(1, e.unbroadcast(make<MulOp>(e, g, xHat), typeOf(op.getScale())));
  if (op.getBias() && e.needs(2))
    e.setOperandGrad(2, e.unbroadcast(g, typeOf(op.getBias())));
  return success();
}

// Each (n, c) plane normalized over the spatial dimensions [2, rank), then
// scaled and shifted per channel.
LogicalResult instanceNormGradient(InstanceNormOp op, GradientEmitter &e) {
  Value x = op.getInput();
  ChannelNormGrads grads = channelNormGradient(
      e, x, e.resultGradOrZeros(0), op.getScale(), allAxesBut(typeOf(x).getRank(), {0, 1}),
      op.getEpsilon().convertToDouble(), e.needs(0), e.needs(1), e.needs(2));
  e.setOperandGrad(0, grads.input);
  e.setOperandGrad(1, grads.scale);
  e.setOperandGrad(2, grads.bias);
  return success();
}

// ONNX's y = c / d with c = x - E[x], s = sqrt(E[x^2] - E[x]^2) and
// d = s + 1e-9, the expectations over `axes` (s recomputed as the forward
// computes it):
//   dx = (dy - mean(dy)) / d - c * mean(dy * c) / (d^2 * s).
LogicalResult meanVarianceNormGradient(MeanVarianceNormOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value x = op.getInput(), g = e.resultGradOrZeros(0);
  Type elem = elemOf(x);
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t a : op.getAxes())
    axes.push_back(positiveAxis(a, rank));
  Value mean = reduceMean(e, x, axes);
  Value meanSq = reduceMean(e, make<MulOp>(e, x, x), axes);
  Value std = make<SqrtOp>(e, make<SubOp>(e, meanSq, make<MulOp>(e, mean, mean)));
  Value d = make<AddOp>(e, std, e.scalar(elem, 1e-9));
  Value c = make<SubOp>(e, x, mean);
  Value direct = make<DivOp>(e, make<SubOp>(e, g, reduceMean(e, g, axes)), d);
  Value viaStd = make<DivOp>(e, reduceMean(e, make<MulOp>(e, g, c), axes),
                             make<MulOp>(e, make<MulOp>(e, d, d), std));
  e.setOperandGrad(0, make<SubOp>(e, direct, make<MulOp>(e, c, viaStd)));
  return success();
}

/// The sum of `v` ([N, C, rest...]) over the channel window
/// [c - before, c + after] that exists: an average pool (padding counted)
/// over [N, 1, C, rest] times the window size, as nn-decompose computes
/// LRN's forward.
Value channelWindowSum(GradientEmitter &e, Value v, int64_t before, int64_t after) {
  auto t = typeOf(v);
  int64_t n = t.getDimSize(0), c = t.getDimSize(1);
  int64_t rest = n * c == 0 ? 0 : t.getNumElements() / (n * c);
  int64_t size = before + after + 1;
  OpBuilder &b = e.builder();
  Value planes = e.reshape(v, t.clone({n, 1, c, rest}));
  Value avg = b.create<AveragePoolOp>(
      e.loc(), planes, b.getDenseI64ArrayAttr({size, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({before, 0, after, 0}), b.getBoolAttr(false), b.getBoolAttr(true));
  return make<MulOp>(e, e.reshape(avg, t), e.scalar(t.getElementType(), double(size)));
}

// y = x * D^-beta with D = bias + alpha / size * S, S the windowed sum of
// x^2 over the channels [c - before, c + after]. Element x[j] enters D at
// the channels whose window holds j, the window mirrored:
//   dx = dy * D^-beta - 2 x * sum_mirrored(dy * y * beta * alpha / size / D).
LogicalResult lrnGradient(LRNOp op, GradientEmitter &e) {
  if (!e.needs(0))
    return success();
  Value x = op.getInput(), y = op.getOutput(), g = e.resultGradOrZeros(0);
  Type elem = elemOf(x);
  int64_t size = op.getSize();
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  Value sum = channelWindowSum(e, make<MulOp>(e, x, x), before, after);
  Value denom = make<AddOp>(e, make<MulOp>(e, sum, e.scalar(elem, alpha / size)),
                            e.scalar(elem, op.getBias().convertToDouble()));
  Value direct = make<MulOp>(e, g, make<PowOp>(e, denom, e.scalar(elem, -beta)));
  Value u = make<DivOp>(e, make<MulOp>(e, make<MulOp>(e, g, y),
                                       e.scalar(elem, 2.0 * beta * alpha / size)),
                        denom);
  Value back = channelWindowSum(e, u, after, before);
  e.setOperandGrad(0, make<SubOp>(e, direct, make<MulOp>(e, x, back)));
  return success();
}

} // namespace

void kiln::nn::registerNormalizationGradients(MLIRContext *ctx) {
  attachGradient<SoftmaxOp, softmaxGradient>(ctx);
  attachGradient<LogSoftmaxOp, logSoftmaxGradient>(ctx);
  attachGradient<HardmaxOp, hardmaxGradient>(ctx);
  attachGradient<BatchNormOp, batchNormGradient>(ctx);
  attachGradient<LayerNormOp, layerNormGradient>(ctx);
  attachGradient<InstanceNormOp, instanceNormGradient>(ctx);
  attachGradient<MeanVarianceNormOp, meanVarianceNormGradient>(ctx);
  attachGradient<LRNOp, lrnGradient>(ctx);
}
