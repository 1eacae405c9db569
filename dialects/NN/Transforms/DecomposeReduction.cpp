//===- DecomposeReduction.cpp - composed reductions as reduce_sum ---------===//
//
// ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp: a
// sum with elementwise ops around it. No axes is the elementwise part alone.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/Transforms/Passes.h"

using namespace mlir;
using namespace kiln::nn;

namespace {
/// The sum of `v` over the op's axes, or `v` itself when there are none.
template <typename OpTy>
Value sumOver(PatternRewriter &rewriter, OpTy op, Value v) {
  if (op.getAxes().empty())
    return v;
  return rewriter.create<ReduceSumOp>(op.getLoc(), v, op.getAxesAttr(), op.getKeepDimsAttr());
}

struct DecomposeReduceL1 : OpRewritePattern<ReduceL1Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceL1Op op, PatternRewriter &rewriter) const override {
    Value abs = rewriter.create<AbsOp>(op.getLoc(), op.getInput());
    rewriter.replaceOp(op, sumOver(rewriter, op, abs));
    return success();
  }
};

struct DecomposeReduceSumSquare : OpRewritePattern<ReduceSumSquareOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceSumSquareOp op, PatternRewriter &rewriter) const override {
    Value sq = rewriter.create<MulOp>(op.getLoc(), op.getInput(), op.getInput());
    rewriter.replaceOp(op, sumOver(rewriter, op, sq));
    return success();
  }
};

struct DecomposeReduceL2 : OpRewritePattern<ReduceL2Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceL2Op op, PatternRewriter &rewriter) const override {
    Value sq = rewriter.create<MulOp>(op.getLoc(), op.getInput(), op.getInput());
    rewriter.replaceOpWithNewOp<SqrtOp>(op, sumOver(rewriter, op, sq));
    return success();
  }
};

struct DecomposeReduceLogSum : OpRewritePattern<ReduceLogSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceLogSumOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LogOp>(op, sumOver(rewriter, op, op.getInput()));
    return success();
  }
};

/// m + log(sum(exp(x - m))) with m the maximum (0 where it is infinite),
/// kept as size-1 dimensions (no overflow for large x); log(exp(x)) is x
/// when there are no axes.
struct DecomposeReduceLogSumExp : OpRewritePattern<ReduceLogSumExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceLogSumExpOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    if (op.getAxes().empty()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    BoolAttr kept = rewriter.getBoolAttr(true);
    Value m = rewriter.create<ReduceMaxOp>(loc, x, op.getAxesAttr(), kept);
    // An infinite maximum shifts by 0 instead: x - m would be inf - inf, NaN,
    // where ONNX's log(sum(exp(x))) is +inf (an element +inf) or -inf (all
    // -inf).
    auto mType = cast<RankedTensorType>(m.getType());
    Type elem = mType.getElementType();
    Value infinite = rewriter.create<IsInfOp>(loc, mType.clone(rewriter.getI1Type()), m,
                                              rewriter.getBoolAttr(true),
                                              rewriter.getBoolAttr(true));
    Value zero = rewriter.create<ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({}, elem), rewriter.getFloatAttr(elem, 0.0)));
    m = rewriter.create<WhereOp>(loc, infinite, zero, m);
    Value e = rewriter.create<ExpOp>(loc, rewriter.create<SubOp>(loc, x, m));
    Value s = rewriter.create<ReduceSumOp>(loc, e, op.getAxesAttr(), kept);
    Value y = rewriter.create<AddOp>(loc, rewriter.create<LogOp>(loc, s), m);
    if (!op.getKeepDims())
      y = rewriter.create<ReshapeOp>(loc, op.getType(), y);
    rewriter.replaceOp(op, y);
    return success();
  }
};
} // namespace

void kiln::nn::populateNNDecomposeReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeReduceL1, DecomposeReduceL2, DecomposeReduceSumSquare,
               DecomposeReduceLogSum, DecomposeReduceLogSumExp>(patterns.getContext());
}
