//===- Loss.cpp - gradient rules of the losses -----------------------------===//
//
// The NLL gradient is a one-hot of the (clamped) target scaled by minus the
// position's weight: a comparison of the target with a constant iota over the
// classes, so the whole rule stays elementwise with one reduction for `mean`.
// Softmax cross-entropy adds the log-softmax backward on top, reading its own
// log_prob result.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Gradients/GradientRules.h"
#include "dialects/NN/Gradients/NormalizeGradient.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::gradient;

namespace {

Value select(GradientEmitter &e, Value cond, Value a, Value b) {
  return e.builder().create<WhereOp>(e.loc(), cond, a, b);
}

/// A constant of integer type `elem` and `shape` holding `values`.
Value intConstant(GradientEmitter &e, Type elem, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> values) {
  unsigned width = elem.getIntOrFloatBitWidth();
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.push_back(APInt(width, v, /*isSigned=*/true));
  auto type = RankedTensorType::get(shape, elem);
  return e.builder().create<ConstantOp>(e.loc(), DenseElementsAttr::get(type, bits));
}

/// What the NLL gradient needs from nn.nll_loss or nn.softmax_cross_entropy.
struct NLL {
  Value logProb, target, weight, output;
  StringRef reduction;
  std::optional<int64_t> ignoreIndex;
};

/// The gradients of an NLL loss with respect to its log-probabilities and,
/// when `weightGrad` is non-null, its class weights. Per position p with
/// class c = clamp(target[p], 0, C - 1) and weight w_p = weight[c] (0 when
/// target[p] is ignore_index):
///   dlogp[p, c] = -w_p * g_p, 0 at the other classes,
/// with g_p the output's gradient (none), its single value (sum) or that
/// value divided by sum_p w_p (mean);
///   dweight[c] = sum over the positions of class c of (-logp[p, c] - L) * g_p,
/// where L (the output) only appears for mean, whose denominator also
/// depends on the weights.
Value nllGradient(GradientEmitter &e, const NLL &nll, Value g, Value *weightGrad) {
  auto inType = typeOf(nll.logProb);
  int64_t rank = inType.getRank(), classes = inType.getDimSize(1);
  Type elem = inType.getElementType();
  auto targetType = typeOf(nll.target);
  Type it = targetType.getElementType();

  // The target as [N, 1, d...], clamped as the forward clamps it.
  SmallVector<int64_t> posShape(targetType.getShape());
  posShape.insert(posShape.begin() + 1, 1);
  auto posTargetType = RankedTensorType::get(posShape, it);
  Value target = e.reshape(nll.target, posTargetType);
  Value clamped = make<MaxOp>(
      e, make<MinOp>(e, target, intConstant(e, it, {}, {classes - 1})),
      intConstant(e, it, {}, {0}));
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[1] = classes;
  Value iota = intConstant(e, it, iotaShape, llvm::to_vector(llvm::seq<int64_t>(0, classes)));
  Value chosen = make<EqualOp>(e, clamped, iota);
  if (nll.ignoreIndex) {
    Value ignored = make<EqualOp>(e, target, intConstant(e, it, {}, {*nll.ignoreIndex}));
    chosen = make<AndOp>(e, chosen, make<NotOp>(e, ignored));
  }
  Value zero = e.scalar(elem, 0.0), one = e.scalar(elem, 1.0);
  Value weights = select(e, chosen, nll.weight ? alongChannels(e, nll.weight, rank) : one, zero);

  Value perPosition = g;
  if (nll.reduction == "none") {
    perPosition = e.reshape(g, RankedTensorType::get(posShape, elem));
  } else if (nll.reduction == "mean") {
    SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    perPosition = make<DivOp>(e, g, e.reduceSum(weights, all, /*keepDims=*/false));
  }
  if (weightGrad) {
    Value loss = make<NegOp>(e, nll.logProb);
    if (nll.reduction == "mean")
      loss = make<SubOp>(e, loss, nll.output);
    Value term = select(e, chosen, make<MulOp>(e, loss, perPosition), zero);
    *weightGrad = e.reduceSum(term, allAxesBut(rank, {1}), /*keepDims=*/false);
  }
  return make<NegOp>(e, make<MulOp>(e, weights, perPosition));
}

LogicalResult nllLossGradient(NLLLossOp op, GradientEmitter &e) {
  bool weighted = op.getWeight() && e.needs(2);
  if (!e.needs(0) && !weighted)
    return success();
  NLL nll{op.getInput(), op.getTarget(), op.getWeight(), op.getOutput(), op.getReduction(),
          op.getIgnoreIndex()};
  Value weightGrad;
  Value d = nllGradient(e, nll, e.resultGradOrZeros(0), weighted ? &weightGrad : nullptr);
  if (e.needs(0))
    e.setOperandGrad(0, d);
  if (weighted)
    e.setOperandGrad(2, weightGrad);
  return success();
}

// dlog_prob = the NLL gradient plus log_prob's own; then the log-softmax
// backward over the classes: dscores = dlog_prob - softmax * sum(dlog_prob).
LogicalResult softmaxCrossEntropyGradient(SoftmaxCrossEntropyOp op, GradientEmitter &e) {
  bool weighted = op.getWeight() && e.needs(2);
  if (!e.needs(0) && !weighted)
    return success();
  Value logProb = op.getLogProb();
  NLL nll{logProb, op.getTarget(), op.getWeight(), op.getOutput(), op.getReduction(),
          op.getIgnoreIndex()};
  Value weightGrad, dLogProb;
  if (Value g = e.resultGrad(0))
    dLogProb = nllGradient(e, nll, g, weighted ? &weightGrad : nullptr);
  if (Value g = e.resultGrad(1))
    dLogProb = dLogProb ? make<AddOp>(e, dLogProb, g) : g;
  if (e.needs(0)) {
    Value sum = e.reduceSum(dLogProb, {1}, /*keepDims=*/true);
    e.setOperandGrad(0, make<SubOp>(e, dLogProb, make<MulOp>(e, make<ExpOp>(e, logProb), sum)));
  }
  if (weighted && weightGrad)
    e.setOperandGrad(2, weightGrad);
  return success();
}

} // namespace

void kiln::nn::registerLossGradients(MLIRContext *ctx) {
  attachGradient<NLLLossOp, nllLossGradient>(ctx);
  attachGradient<SoftmaxCrossEntropyOp, softmaxCrossEntropyGradient>(ctx);
}
