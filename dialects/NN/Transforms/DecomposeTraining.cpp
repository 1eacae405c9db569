//===- DecomposeTraining.cpp - optimizer updates as elementwise nn ops ----===//
//
// Each update becomes the elementwise nn ops of its torch.optim (torch 1.13)
// formula, in torch's order of operations so that f32 rounding follows it:
// `a.add_(b, alpha=s)` is a + s * b, `a.addcmul_(b, c, value=s)` is
// a + (s * b) * c and `a.addcdiv_(b, c, value=s)` is a + (s * b) / c, with the
// Python-side scalars (1 - beta, lr / bias correction) computed in f64 and
// rounded to the parameter's type once, as torch passes them to its kernels.
// Hyperparameters that make a term vanish (weight decay 0) leave it out.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/DecomposeUtils.h"
#include "dialects/NN/Transforms/Passes.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

namespace {

/// Builds the elementwise nn ops of one update on values of element type
/// `elem`; scalars are rank-0 constants that broadcast.
struct UpdateBuilder {
  PatternRewriter &rw;
  Location loc;
  Type elem;

  Value c(double v) { return scalarConstant(rw, loc, elem, v); }
  Value add(Value a, Value b) { return rw.create<AddOp>(loc, a, b); }
  Value sub(Value a, Value b) { return rw.create<SubOp>(loc, a, b); }
  Value mul(Value a, Value b) { return rw.create<MulOp>(loc, a, b); }
  Value div(Value a, Value b) { return rw.create<DivOp>(loc, a, b); }
  Value sqrt(Value a) { return rw.create<SqrtOp>(loc, a); }
  /// torch's `grad.add(param, alpha=weight_decay)`, or `grad` when the
  /// decay is 0.
  Value decayed(Value grad, Value param, double weightDecay) {
    return weightDecay == 0.0 ? grad : add(grad, mul(c(weightDecay), param));
  }
};

struct DecomposeSGDUpdate : OpRewritePattern<SGDUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SGDUpdateOp op, PatternRewriter &rewriter) const override {
    UpdateBuilder b{rewriter, op.getLoc(), op.getParam().getType().getElementType()};
    double momentum = op.getMomentum().convertToDouble();
    Value g = b.decayed(op.getGrad(), op.getParam(), op.getWeightDecay().convertToDouble());
    Value buf = op.getBuf(), d = g;
    if (momentum != 0.0) {
      // buf.mul_(momentum).add_(g): a zero buffer gives torch's first-step
      // clone of g exactly.
      buf = b.add(b.mul(buf, b.c(momentum)), g);
      d = op.getNesterov() ? b.add(g, b.mul(b.c(momentum), buf)) : buf;
    }
    // param.add_(d, alpha=-lr).
    Value p = b.add(op.getParam(), b.mul(b.c(-op.getLr().convertToDouble()), d));
    rewriter.replaceOp(op, {p, buf});
    return success();
  }
};

struct DecomposeRMSpropUpdate : OpRewritePattern<RMSpropUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSpropUpdateOp op, PatternRewriter &rewriter) const override {
    UpdateBuilder b{rewriter, op.getLoc(), op.getParam().getType().getElementType()};
    double alpha = op.getAlpha().convertToDouble();
    Value g = b.decayed(op.getGrad(), op.getParam(), op.getWeightDecay().convertToDouble());
    // square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha).
    Value sq = b.add(b.mul(op.getSquareAvg(), b.c(alpha)), b.mul(b.mul(b.c(1.0 - alpha), g), g));
    // avg = square_avg.sqrt().add_(eps); param.addcdiv_(g, avg, value=-lr).
    Value avg = b.add(b.sqrt(sq), b.c(op.getEps().convertToDouble()));
    Value p = b.add(op.getParam(), b.div(b.mul(b.c(-op.getLr().convertToDouble()), g), avg));
    rewriter.replaceOp(op, {p, sq});
    return success();
  }
};

struct DecomposeAdamUpdate : OpRewritePattern<AdamUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamUpdateOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getParam().getType();
    UpdateBuilder b{rewriter, loc, type.getElementType()};
    double lr = op.getLr().convertToDouble(), wd = op.getWeightDecay().convertToDouble();
    double beta1 = op.getBeta1().convertToDouble(), beta2 = op.getBeta2().convertToDouble();
    Value p = op.getParam(), g = op.getGrad();
    if (!op.getDecoupled())
      g = b.decayed(g, p, wd);
    else if (wd != 0.0)
      p = b.mul(p, b.c(1.0 - lr * wd)); // param.mul_(1 - lr * weight_decay)
    // exp_avg.mul_(beta1).add_(g, alpha=1 - beta1);
    // exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2).
    Value m = b.add(b.mul(op.getExpAvg(), b.c(beta1)), b.mul(b.c(1.0 - beta1), g));
    Value v = b.add(b.mul(op.getExpAvgSq(), b.c(beta2)), b.mul(b.mul(b.c(1.0 - beta2), g), g));
    // The bias corrections from the step count, in f64 as torch's Python
    // scalars: step_size = lr / (1 - beta1^t), sqrt(1 - beta2^t).
    UpdateBuilder f64{rewriter, loc, rewriter.getF64Type()};
    auto toElem = [&](Value scalar) -> Value {
      if (type.getElementType().isF64())
        return scalar;
      return rewriter.create<CastOp>(loc, RankedTensorType::get({}, type.getElementType()),
                                     scalar);
    };
    Value step = op.getStep();
    Value bc1 = f64.sub(f64.c(1.0), rewriter.create<PowOp>(loc, f64.c(beta1), step));
    Value bc2 = f64.sub(f64.c(1.0), rewriter.create<PowOp>(loc, f64.c(beta2), step));
    Value negStepSize = toElem(f64.div(f64.c(-lr), bc1));
    Value bc2Sqrt = toElem(f64.sqrt(bc2));
    // denom = (exp_avg_sq.sqrt() / sqrt(bc2)).add_(eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size).
    Value denom = b.add(b.div(b.sqrt(v), bc2Sqrt), b.c(op.getEps().convertToDouble()));
    p = b.add(p, b.div(b.mul(negStepSize, m), denom));
    rewriter.replaceOp(op, {p, m, v});
    return success();
  }
};

} // namespace

void kiln::nn::populateNNDecomposeTrainingPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeSGDUpdate, DecomposeRMSpropUpdate, DecomposeAdamUpdate>(
      patterns.getContext());
}
